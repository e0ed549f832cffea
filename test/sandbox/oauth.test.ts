import type { Sandbox } from '../../tools/sandbox/server';
import {
  ADMIN,
  ALL_SCOPES,
  api,
  authorizationCode,
  authorizeUrl,
  basicAuth,
  connect,
  json,
  OWNER,
  pkce,
  REDIRECT_URI,
  refresh,
  scopeCheckboxes,
  startTestSandbox,
  submitConsent,
  tokenRequest,
  type TestClock,
  type TokenBody,
} from './helpers';

interface OAuthErrorBody {
  error: string;
  error_description: string;
}

const ZAPIER_PRODUCTION_URI = 'https://zapier.com/dashboard/auth/oauth/return/App123456CLIAPI/';

let sandbox: Sandbox;
let clock: TestClock;

// RFC statuses unless a test turns K6 back on.
beforeEach(async () => {
  ({ sandbox, clock } = await startTestSandbox({ quirks: { K6: false } }));
});

afterEach(async () => {
  await sandbox.close();
});

function authorizeParams(overrides: Record<string, string | undefined> = {}) {
  return authorizeUrl(sandbox, {
    response_type: 'code',
    client_id: sandbox.clientId,
    redirect_uri: REDIRECT_URI,
    state: 'st-1',
    scope: 'clients:read offline_access',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...overrides,
  });
}

async function exchange(code: string, verifier: string, redirectUri = REDIRECT_URI) {
  return tokenRequest(sandbox, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
}

async function meStatus(token: string): Promise<number> {
  return (await api(sandbox, token, 'GET', '/api/v1/me')).status;
}

describe('authorization page', () => {
  it('lists every requested scope, all ticked', async () => {
    const response = await fetch(authorizeParams({ scope: 'clients:read tasks:write offline_access' }));
    expect(response.status).toBe(200);
    expect(scopeCheckboxes(await response.text())).toEqual([
      { value: 'clients:read', checked: true },
      { value: 'tasks:write', checked: true },
      { value: 'offline_access', checked: true },
    ]);
  });

  it('redirects to the exact redirect URI with a code and the unchanged state', async () => {
    const state = 'a b&c=d/?x';
    const { location, code } = await authorizationCode(sandbox, { state });
    expect(`${location.origin}${location.pathname}`).toBe('http://localhost:9000/');
    expect(location.searchParams.get('state')).toBe(state);
    expect(code.length).toBeGreaterThan(20);
  });

  it('answers an unknown client with a 400 page and no redirect', async () => {
    const response = await fetch(authorizeParams({ client_id: 'nobody' }), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('Unknown application');
  });

  it.each([
    ['a trailing slash', 'http://localhost:9000/'],
    ['another port', 'http://localhost:9001'],
    ['another host', 'https://evil.example/callback'],
    ['a near-miss Zapier URI', 'https://zapier.com/dashboard/auth/oauth/return/App12x3CLIAPI/'],
  ])('answers a redirect URI with %s with a 400 page and no redirect', async (_label, redirectUri) => {
    const response = await fetch(authorizeParams({ redirect_uri: redirectUri }), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it("accepts Zapier's production redirect URI pattern", async () => {
    const { location } = await authorizationCode(sandbox, { redirectUri: ZAPIER_PRODUCTION_URI });
    expect(`${location.origin}${location.pathname}`).toBe(ZAPIER_PRODUCTION_URI);
  });

  it.each([
    ['no PKCE at all', { code_challenge: undefined, code_challenge_method: undefined }],
    ['the plain method', { code_challenge_method: 'plain' }],
    ['no method', { code_challenge_method: undefined }],
  ])('redirects with invalid_request for %s', async (_label, overrides) => {
    const response = await fetch(authorizeParams(overrides), { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe('st-1');
  });

  it('redirects with invalid_scope for an unknown scope', async () => {
    const response = await fetch(authorizeParams({ scope: 'clients:read admin:all' }), {
      redirect: 'manual',
    });
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_scope');
  });

  it('shows the page again with an error on a wrong password, issuing nothing', async () => {
    const response = await submitConsent(sandbox, pkce().challenge, { password: 'wrong' });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Wrong email or password');
    expect(html).toContain(`value="${OWNER}"`);
    expect(sandbox.grants()).toHaveLength(0);
  });

  it('redirects with access_denied and the state when the user denies', async () => {
    const response = await submitConsent(sandbox, pkce().challenge, {
      decision: 'deny',
      state: 'deny-state',
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('deny-state');
    expect(location.searchParams.get('code')).toBeNull();
  });
});

describe('code exchange', () => {
  it('issues a pat_ access token, Bearer type, numeric expires_in and the granted scope', async () => {
    const { code, verifier } = await authorizationCode(sandbox);
    const response = await exchange(code, verifier);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await json<TokenBody>(response);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^pat_[A-Za-z0-9_-]{40,}$/),
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^prt_[A-Za-z0-9_-]{40,}$/),
      scope: ALL_SCOPES,
    });
    expect(await meStatus(body.access_token)).toBe(200);
  });

  it('accepts client_secret_post as well as HTTP Basic', async () => {
    const { code, verifier } = await authorizationCode(sandbox);
    const response = await tokenRequest(
      sandbox,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      'post',
    );
    expect(response.status).toBe(200);
  });

  it('refuses a second use of a code and revokes what the first use issued', async () => {
    const { code, verifier } = await authorizationCode(sandbox);
    const first = await json<TokenBody>(await exchange(code, verifier));
    const second = await exchange(code, verifier);
    expect(second.status).toBe(400);
    expect((await json<OAuthErrorBody>(second)).error).toBe('invalid_grant');
    expect(await meStatus(first.access_token)).toBe(401);
  });

  it('refuses a wrong code_verifier, and the code is spent', async () => {
    const { code, verifier } = await authorizationCode(sandbox);
    const wrong = await exchange(code, pkce().verifier);
    expect(wrong.status).toBe(400);
    expect(await json(wrong)).toMatchObject({ error: 'invalid_grant' });
    expect((await exchange(code, verifier)).status).toBe(400);
  });

  it('refuses a redirect_uri that differs from the one authorized', async () => {
    const { code, verifier } = await authorizationCode(sandbox, { redirectUri: ZAPIER_PRODUCTION_URI });
    const response = await exchange(code, verifier, REDIRECT_URI);
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a code older than 60 seconds', async () => {
    const { code, verifier } = await authorizationCode(sandbox);
    clock.advance(61_000);
    const response = await exchange(code, verifier);
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({
      error: 'invalid_grant',
      error_description: expect.stringContaining('expired'),
    });
  });

  it('still accepts a code at 59 seconds', async () => {
    const { code, verifier } = await authorizationCode(sandbox);
    clock.advance(59_000);
    expect((await exchange(code, verifier)).status).toBe(200);
  });

  it.each([
    ['a wrong secret', { authorization: basicAuth('practice-sandbox-client', 'nope') }],
    ['an unknown client', { authorization: basicAuth('someone-else', 'x') }],
    ['no client authentication', {}],
  ])('answers %s with 401 invalid_client and WWW-Authenticate: Basic', async (_label, headers) => {
    const response = await fetch(new URL('/oauth/token', sandbox.url), {
      method: 'POST',
      headers,
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'prt_x' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await json(response)).toMatchObject({ error: 'invalid_client' });
  });

  it('answers an unsupported grant type with unsupported_grant_type', async () => {
    const response = await tokenRequest(sandbox, { grant_type: 'password', username: OWNER, password: 'x' });
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ error: 'unsupported_grant_type' });
  });
});

describe('scopes chosen on the consent page', () => {
  it('narrows the grant to the ticked scopes', async () => {
    const token = await connect(sandbox, { untick: ['tasks:write', 'webhooks'] });
    expect(token.scope).toBe(
      'clients:read clients:write projects:read projects:write tasks:read offline_access',
    );
    const create = await api(sandbox, token.access_token, 'POST', '/api/v1/tasks', {
      project_id: 'prj_000003',
      title: 'x',
    });
    expect(await json(create)).toMatchObject({
      ok: false,
      error: { code: 'insufficient_scope', details: { required_scope: 'tasks:write' } },
    });
  });

  it('issues a refresh token only when offline_access was granted', async () => {
    const token = await connect(sandbox, { untick: ['offline_access'] });
    expect(token.refresh_token).toBeUndefined();
    expect(token.scope).not.toContain('offline_access');
    const requestedWithout = await connect(sandbox, { scope: 'clients:read' });
    expect(requestedWithout.refresh_token).toBeUndefined();
    expect(requestedWithout.scope).toBe('clients:read');
  });

  it('asks again when every scope is unticked', async () => {
    const response = await submitConsent(sandbox, pkce().challenge, {
      scope: 'clients:read offline_access',
      untick: ['clients:read', 'offline_access'],
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Tick at least one permission');
  });
});

describe('refresh-token rotation', () => {
  it('returns a new access and refresh token on every refresh', async () => {
    const first = await connect(sandbox);
    const response = await refresh(sandbox, first.refresh_token ?? '');
    expect(response.status).toBe(200);
    const second = await json<TokenBody>(response);
    expect(second.access_token).toMatch(/^pat_/);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).toMatch(/^prt_/);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.scope).toBe(first.scope);
    expect(await meStatus(second.access_token)).toBe(200);
  });

  it('answers a retry with the old refresh token inside 60 s with the same pair', async () => {
    const first = await connect(sandbox);
    const second = await json<TokenBody>(await refresh(sandbox, first.refresh_token ?? ''));
    clock.advance(30_000);
    const retry = await refresh(sandbox, first.refresh_token ?? '');
    expect(retry.status).toBe(200);
    const again = await json<TokenBody>(retry);
    expect(again.access_token).toBe(second.access_token);
    expect(again.refresh_token).toBe(second.refresh_token);
    expect(again.expires_in).toBe(3570);
    // The new refresh token is unaffected by the retry.
    expect((await refresh(sandbox, second.refresh_token ?? '')).status).toBe(200);
  });

  it('treats reuse after the grace period as theft and revokes the whole grant', async () => {
    const first = await connect(sandbox);
    const second = await json<TokenBody>(await refresh(sandbox, first.refresh_token ?? ''));
    clock.advance(61_000);
    const reuse = await refresh(sandbox, first.refresh_token ?? '');
    expect(reuse.status).toBe(400);
    expect(await json(reuse)).toMatchObject({ error: 'invalid_grant' });
    expect(await meStatus(second.access_token)).toBe(401);
    expect(await meStatus(first.access_token)).toBe(401);
    const next = await refresh(sandbox, second.refresh_token ?? '');
    expect(await json(next)).toMatchObject({ error: 'invalid_grant' });
    expect(sandbox.grants()[0]).toMatchObject({
      revoked: true,
      revokedReason: 'refresh token reused after rotation',
    });
  });

  it('with K8 (strict token security) revokes the grant when a rotated token comes back one second later', async () => {
    sandbox.setQuirks({ K8: true });
    const first = await connect(sandbox);
    const second = await json<TokenBody>(await refresh(sandbox, first.refresh_token ?? ''));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    clock.advance(1_000);
    const reuse = await refresh(sandbox, first.refresh_token ?? '');
    expect(reuse.status).toBe(400);
    expect(await json(reuse)).toMatchObject({ error: 'invalid_grant' });
    expect(await meStatus(second.access_token)).toBe(401);
    expect(sandbox.grants()[0]).toMatchObject({
      revoked: true,
      revokedReason: 'refresh token reused after rotation',
    });
  });

  it('with K8 still rotates normally when each refresh token is used once', async () => {
    sandbox.setQuirks({ K8: true });
    let pair = await connect(sandbox);
    for (let i = 0; i < 3; i += 1) {
      const response = await refresh(sandbox, pair.refresh_token ?? '');
      expect(response.status).toBe(200);
      pair = await json<TokenBody>(response);
    }
    expect(await meStatus(pair.access_token)).toBe(200);
    expect(sandbox.grants()[0]).toMatchObject({ revoked: false });
  });

  it('may narrow the scope on refresh but never widen it', async () => {
    const first = await connect(sandbox);
    const narrowed = await json<TokenBody>(
      await refresh(sandbox, first.refresh_token ?? '', { scope: 'clients:read offline_access' }),
    );
    expect(narrowed.scope).toBe('clients:read offline_access');
    const clients = await api(sandbox, narrowed.access_token, 'POST', '/api/v1/clients', { name: 'X' });
    expect(clients.status).toBe(403);
    const widened = await refresh(sandbox, narrowed.refresh_token ?? '', {
      scope: 'clients:read clients:write offline_access',
    });
    expect(widened.status).toBe(400);
    expect(await json(widened)).toMatchObject({ error: 'invalid_scope' });
  });

  it('expires refresh tokens after 90 days unused', async () => {
    const first = await connect(sandbox);
    clock.advance(90 * 24 * 3600 * 1000 + 1000);
    const response = await refresh(sandbox, first.refresh_token ?? '');
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({
      error: 'invalid_grant',
      error_description: expect.stringContaining('refresh token expired'),
    });
  });

  it.each([
    ['the grant is revoked in Practice', (s: Sandbox) => s.revokeGrant(OWNER)],
    ['the password changes', (s: Sandbox) => s.setMemberPassword(OWNER, 'new-password')],
    ['the member is removed', (s: Sandbox) => s.setMemberRole(OWNER, null)],
  ])('ends the grant when %s', async (_label, act) => {
    const token = await connect(sandbox);
    act(sandbox);
    expect(await meStatus(token.access_token)).toBe(401);
    const response = await refresh(sandbox, token.refresh_token ?? '');
    expect(await json(response)).toMatchObject({ error: 'invalid_grant' });
  });

  it('leaves the grants of other members alone', async () => {
    const owner = await connect(sandbox);
    const admin = await connect(sandbox, { email: ADMIN });
    sandbox.revokeGrant(OWNER);
    expect(await meStatus(owner.access_token)).toBe(401);
    expect(await meStatus(admin.access_token)).toBe(200);
  });
});

describe('K6 legacy token endpoint (on by default)', () => {
  // A sandbox with default quirks replaces the K6-off one for these tests.
  beforeEach(async () => {
    await sandbox.close();
    ({ sandbox, clock } = await startTestSandbox());
    expect(sandbox.quirks.K6).toBe(true);
  });

  it('sends expires_in as a string', async () => {
    const token = await connect(sandbox);
    expect(token.expires_in).toBe('3600');
  });

  it('answers errors with HTTP 200 and the RFC 6749 error body', async () => {
    const response = await refresh(sandbox, 'prt_unknown');
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      error: 'invalid_grant',
      error_description: expect.any(String),
    });
  });

  it('answers invalid_client with HTTP 200 too, keeping the Basic challenge', async () => {
    const response = await fetch(new URL('/oauth/token', sandbox.url), {
      method: 'POST',
      headers: { authorization: basicAuth(sandbox.clientId, 'wrong') },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'prt_x' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await json(response)).toMatchObject({ error: 'invalid_client' });
  });
});

describe('access token lifetime', () => {
  it('follows setAccessTokenTtl and expires on the sandbox clock', async () => {
    sandbox.setAccessTokenTtl(5);
    const token = await connect(sandbox);
    expect(token.expires_in).toBe(5);
    clock.advance(4_000);
    expect(await meStatus(token.access_token)).toBe(200);
    clock.advance(1_000);
    expect(await meStatus(token.access_token)).toBe(403);
  });

  it('refuses a lifetime outside 1 s to 24 h', () => {
    expect(() => sandbox.setAccessTokenTtl(0)).toThrow(/1 to 86400/);
    expect(() => sandbox.setAccessTokenTtl(86_401)).toThrow(/1 to 86400/);
  });
});

describe('revocation endpoint', () => {
  async function revoke(token: string): Promise<Response> {
    return fetch(new URL('/oauth/revoke', sandbox.url), {
      method: 'POST',
      headers: { authorization: basicAuth(sandbox.clientId, sandbox.clientSecret) },
      body: new URLSearchParams({ token }),
    });
  }

  it('answers 200 and revokes an access token', async () => {
    const token = await connect(sandbox);
    expect((await revoke(token.access_token)).status).toBe(200);
    expect(await meStatus(token.access_token)).toBe(401);
  });

  it('answers 200 for an unknown token', async () => {
    expect((await revoke('pat_never-issued')).status).toBe(200);
  });

  it('ends the whole grant when given a refresh token', async () => {
    const token = await connect(sandbox);
    expect((await revoke(token.refresh_token ?? '')).status).toBe(200);
    expect(await meStatus(token.access_token)).toBe(401);
  });
});
