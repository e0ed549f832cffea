// The OAuth2 half of authentication.ts, driven through createAppTester: code exchange,
// refresh, the token endpoint's failure modes (K6 included), expires_in normalisation,
// refresh-token rotation, the authorize URL with its PKCE branch, configuration
// errors, the connection test and its label.
import { createHash } from 'node:crypto';
import type nock from 'nock';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { REQUESTED_SCOPES } from '../../practice/scopes';
import { MAX_SANE_EXPIRES_IN } from 'zapier-oauth-layer/internal';
import {
  ACCESS_TOKEN,
  api,
  appError,
  appTester,
  authentication,
  BASE_URL,
  CLIENT_ID,
  CLIENT_SECRET,
  failureOf,
  headline,
  liveAuth,
  REFRESH_TOKEN,
  setEnv,
  withCoreHttpLog,
  throttled,
  unmatchedRequests,
  useTestEnvironment,
} from './support';

useTestEnvironment();

const NOW_MS = Date.parse('2026-03-01T12:00:00Z');
const NOW = NOW_MS / 1000;
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
const ZAPIER_REDIRECT = 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/';
const LOOPBACK_REDIRECT = 'http://localhost:9000';
const ZAPIER_VERIFIER = 'zapier-made-verifier-0123456789-abcdefghijklmnop';

let unmatched: ReturnType<typeof unmatchedRequests>;
beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW_MS);
  unmatched = unmatchedRequests();
});
afterEach(() => {
  unmatched.stop();
  jest.restoreAllMocks();
});

/** POST /oauth/token with client_secret_basic and a form body; records the body it got. */
function tokenEndpoint(): { interceptor: nock.Interceptor; bodies: unknown[] } {
  const bodies: unknown[] = [];
  const interceptor = api()
    .post('/oauth/token', (body: unknown) => {
      bodies.push(body);
      return true;
    })
    .matchHeader('authorization', BASIC)
    .matchHeader('content-type', /^application\/x-www-form-urlencoded/);
  return { interceptor, bodies };
}

const tokens = (extra: Record<string, unknown> = {}) => ({
  access_token: 'pat_fresh_access',
  token_type: 'Bearer',
  expires_in: 3600,
  refresh_token: 'prt_fresh_refresh',
  scope: 'clients:read clients:write offline_access',
  ...extra,
});

function exchange(inputData: Record<string, unknown> = {}) {
  return appTester(authentication.oauth2Config.getAccessToken, {
    inputData: {
      code: 'code_abc',
      redirect_uri: ZAPIER_REDIRECT,
      code_verifier: ZAPIER_VERIFIER,
      ...inputData,
    },
  });
}

function refresh(authData: Record<string, unknown> = liveAuth()) {
  return appTester(authentication.oauth2Config.refreshAccessToken, { authData });
}

function withEnv(overrides: Record<string, string | undefined>): void {
  const saved: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(overrides)) {
    saved[name] = process.env[name];
    setEnv(name, value);
  }
  restoreEnv.push(() => {
    for (const [name, value] of Object.entries(saved)) {
      setEnv(name, value);
    }
  });
}
const restoreEnv: Array<() => void> = [];
afterEach(() => {
  while (restoreEnv.length) restoreEnv.pop()?.();
});

describe('code exchange (getAccessToken)', () => {
  it('posts grant_type, code, redirect_uri and code_verifier as a form with HTTP Basic client auth', async () => {
    const { interceptor, bodies } = tokenEndpoint();
    const scope = interceptor.reply(200, tokens());
    const authData = await exchange();
    expect(bodies).toEqual([
      {
        grant_type: 'authorization_code',
        code: 'code_abc',
        redirect_uri: ZAPIER_REDIRECT,
        code_verifier: ZAPIER_VERIFIER,
      },
    ]);
    expect(authData).toStrictEqual({
      access_token: 'pat_fresh_access',
      refresh_token: 'prt_fresh_refresh',
      expires_at: NOW + 3600,
      expires_in: 3600,
      scope: 'clients:read clients:write offline_access',
    });
    expect(scope.isDone()).toBe(true);
  });

  it('refuses to call Practice without an authorization code', async () => {
    const body = appError(await failureOf(exchange({ code: undefined })));
    expect(body).toMatchObject({ code: 'missing_code', status: 400 });
    expect(unmatched.urls).toEqual([]);
  });

  it('refuses to call Practice when Zapier supplied no code_verifier for its own redirect', async () => {
    const body = appError(await failureOf(exchange({ code_verifier: undefined })));
    expect(body.code).toBe('missing_code_verifier');
    expect(body.message).toContain('enablePkce: true');
    expect(unmatched.urls).toEqual([]);
  });

  it('speaks about a spent or expired code when the legacy endpoint answers 200 invalid_grant (K6)', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(200, { error: 'invalid_grant', error_description: 'Code already used' });
    const body = appError(await failureOf(exchange()));
    expect(body).toMatchObject({ code: 'invalid_grant', status: 200 });
    expect(body.message).toContain(
      'did not accept the authorization code (invalid_grant: Code already used)',
    );
    expect(body.message).toContain('Codes work once and expire after 60 seconds');
    expect(body.message).toContain('start connecting your Practice account again');
    expect(scope.isDone()).toBe(true);
  });

  it('speaks about a spent or expired code on 400 invalid_grant', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(400, { error: 'invalid_grant', error_description: 'Code expired' });
    const body = appError(await failureOf(exchange()));
    expect(body).toMatchObject({ code: 'invalid_grant', status: 400 });
    expect(body.message).toContain('invalid_grant: Code expired');
    expect(scope.isDone()).toBe(true);
  });

  it.each([
    ['invalid_request', 'code_verifier is required', /malformed .*defect in the integration/],
    ['unsupported_grant_type', 'nope', /malformed/],
    ['invalid_scope', 'unknown scope reports:read', /refused the requested permissions .*Reconnect/],
  ])('explains a 400 %s', async (code, description, wording) => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(400, { error: code, error_description: description });
    const body = appError(await failureOf(exchange()));
    expect(body).toMatchObject({ code, status: 400 });
    expect(body.message).toContain(`${code}: ${description}`);
    expect(body.message).toMatch(wording);
    expect(scope.isDone()).toBe(true);
  });

  it('turns 401 invalid_client into an error for the integration owner naming CLIENT_ID/CLIENT_SECRET', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(
      401,
      { error: 'invalid_client' },
      { 'WWW-Authenticate': 'Basic realm="practice"' },
    );
    const error = await failureOf(exchange());
    expect(error.name).not.toBe('RefreshAuthError');
    const body = appError(error);
    expect(body).toMatchObject({ code: 'invalid_client', status: 401 });
    expect(body.message).toContain('client credentials (invalid_client)');
    expect(body.message).toContain('integration owner');
    expect(body.message).toContain('CLIENT_ID and CLIENT_SECRET');
    expect(scope.isDone()).toBe(true);
  });

  it('stores nothing when the answer has no access_token', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(200, { token_type: 'Bearer', expires_in: 3600, refresh_token: 'prt_x' });
    const body = appError(await failureOf(exchange()));
    expect(body).toMatchObject({ code: 'missing_access_token', status: 200 });
    expect(body.message).toContain('without an access_token, so nothing was stored');
    expect(scope.isDone()).toBe(true);
  });

  it('stores nothing when access_token is an empty string', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(200, tokens({ access_token: '' }));
    expect(appError(await failureOf(exchange())).code).toBe('missing_access_token');
    expect(scope.isDone()).toBe(true);
  });

  it('asks the user to keep offline access approved when no refresh token was issued', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(200, tokens({ refresh_token: undefined, scope: 'clients:read' }));
    const body = appError(await failureOf(exchange()));
    expect(body.code).toBe('missing_refresh_token');
    expect(body.message).toContain('Stay connected (offline access)');
    expect(scope.isDone()).toBe(true);
  });

  it("never inherits a refresh token or scope from a previous connection's authData", async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(200, tokens({ refresh_token: undefined, scope: undefined }));
    const error = await failureOf(
      appTester(authentication.oauth2Config.getAccessToken, {
        authData: liveAuth(),
        inputData: { code: 'code_abc', redirect_uri: ZAPIER_REDIRECT, code_verifier: ZAPIER_VERIFIER },
      }),
    );
    expect(appError(error).code).toBe('missing_refresh_token');
    expect(scope.isDone()).toBe(true);
  });

  it('stores an empty scope, not the old one, when a code exchange answer names none', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(200, tokens({ scope: undefined }));
    const authData = await appTester(authentication.oauth2Config.getAccessToken, {
      authData: liveAuth({ scope: 'clients:read' }),
      inputData: { code: 'code_abc', redirect_uri: ZAPIER_REDIRECT, code_verifier: ZAPIER_VERIFIER },
    });
    expect(authData).toStrictEqual({
      access_token: 'pat_fresh_access',
      refresh_token: 'prt_fresh_refresh',
      expires_at: NOW + 3600,
      expires_in: 3600,
      scope: '',
    });
    expect(scope.isDone()).toBe(true);
  });

  it('refuses a token type other than Bearer', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(200, tokens({ token_type: 'mac' }));
    const body = appError(await failureOf(exchange()));
    expect(body.code).toBe('unsupported_token_type');
    expect(body.message).toContain('"mac" token');
    expect(scope.isDone()).toBe(true);
  });

  it('refuses an HTML page sent with HTTP 200', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(200, '<html>Sign in</html>', { 'Content-Type': 'text/html' });
    expect(appError(await failureOf(exchange())).code).toBe('unreadable_answer');
    expect(scope.isDone()).toBe(true);
  });

  it('reports an unknown error code with its description', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(200, {
      error: 'temporarily_unavailable',
      error_description: 'Try later',
    });
    const body = appError(await failureOf(exchange()));
    expect(body.code).toBe('unknown_error');
    expect(body.message).toContain('temporarily_unavailable: Try later');
    expect(scope.isDone()).toBe(true);
  });

  it.each([
    [500, { error: 'server_error' }],
    [502, '<html>Bad gateway</html>'],
    [503, ''],
  ])('reports HTTP %s from the token endpoint as a server error', async (status, reply) => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(status, reply);
    const body = appError(await failureOf(exchange()));
    expect(body).toMatchObject({ code: 'server_error', status });
    expect(body.message).toContain(`Practice's token endpoint (HTTP ${status}) failed`);
    expect(scope.isDone()).toBe(true);
  });
});

describe('refresh (refreshAccessToken)', () => {
  it('posts grant_type=refresh_token with the refresh token and HTTP Basic client auth', async () => {
    const { interceptor, bodies } = tokenEndpoint();
    const scope = interceptor
      .matchHeader('authorization', (v: string) => !v.startsWith('Bearer'))
      .reply(200, tokens());
    const authData = await refresh();
    expect(bodies).toEqual([{ grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN }]);
    expect(authData).toStrictEqual({
      access_token: 'pat_fresh_access',
      refresh_token: 'prt_fresh_refresh',
      expires_at: NOW + 3600,
      expires_in: 3600,
      scope: 'clients:read clients:write offline_access',
    });
    expect(scope.isDone()).toBe(true);
  });

  it('declares the connection dead, without calling Practice, when there is no refresh token', async () => {
    const error = await failureOf(refresh(liveAuth({ refresh_token: '' })));
    expect(error.name).toBe('ExpiredAuthError');
    expect(headline(error)).toContain('Reconnect your Practice account');
    expect(unmatched.urls).toEqual([]);
  });

  it('raises ExpiredAuthError telling the user to reconnect on 200 invalid_grant (K6)', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(200, {
      error: 'invalid_grant',
      error_description: 'refresh token expired',
    });
    const error = await failureOf(refresh());
    expect(error.name).toBe('ExpiredAuthError');
    expect(headline(error)).toContain('(invalid_grant: refresh token expired)');
    expect(headline(error)).toContain('Reconnect your Practice account in Zapier.');
    expect(scope.isDone()).toBe(true);
  });

  it('raises ExpiredAuthError on 400 invalid_grant (revoked grant, reuse after rotation)', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(400, { error: 'invalid_grant', error_description: 'grant revoked' });
    const error = await failureOf(refresh());
    expect(error.name).toBe('ExpiredAuthError');
    expect(headline(error)).toContain('invalid_grant: grant revoked');
    expect(scope.isDone()).toBe(true);
  });

  // Zapier marks a connection stale on any 4xx from refreshAccessToken but 408/409/423/425/429:
  // a request the integration built wrong is the owner's bug, so it must not carry a 4xx.
  it.each([['invalid_request'], ['unsupported_grant_type']])(
    'keeps the connection on 400 %s: an error for the owner with a status Zapier does not stale on',
    async (code) => {
      const { interceptor } = tokenEndpoint();
      const scope = interceptor.reply(400, { error: code, error_description: 'x' });
      const body = appError(await failureOf(refresh()));
      expect(body).toMatchObject({ code, status: 500 });
      expect(body.message).toMatch(/integration/);
      expect(scope.isDone()).toBe(true);
    },
  );

  it('asks the user to reconnect on 400 invalid_scope: only a new consent can fix the grant', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(400, { error: 'invalid_scope', error_description: 'x' });
    const error = await failureOf(refresh());
    expect(error.name).toBe('ExpiredAuthError');
    expect(headline(error)).toMatch(/Reconnect your Practice account/);
    expect(scope.isDone()).toBe(true);
  });

  it('turns 401 invalid_client into an error for the owner that never marks the connection stale', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(401, '', { 'WWW-Authenticate': 'Basic realm="practice"' });
    const error = await failureOf(refresh());
    expect(error.name).toBe('AppError');
    const body = appError(error);
    // Not 401: a wrong CLIENT_SECRET would otherwise strand every user's connection at once.
    expect(body).toMatchObject({ code: 'invalid_client', status: 500 });
    expect(body.message).toMatch(/integration owner.*CLIENT_ID and CLIENT_SECRET/);
    expect(body.message).toMatch(/Reconnecting will not help/);
    expect(scope.isDone()).toBe(true);
  });

  it.each([
    [200, { error: 'invalid_client', error_description: 'bad secret' }, 'invalid_client', 500],
    [200, { error: 'unauthorized_client' }, 'unauthorized_client', 500],
    [403, { error: 'access_denied' }, 'unknown_error', 502],
    [200, 'not json at all', 'unreadable_answer', 502],
    [200, { token_type: 'bearer' }, 'missing_access_token', 502],
    [502, '<html>bad gateway</html>', 'server_error', 502],
    [503, { error: 'temporarily_unavailable' }, 'server_error', 503],
  ])(
    "never reports a failure that is not the user's with a 4xx (HTTP %i %j -> %s, status %i)",
    async (status, body, code, reported) => {
      const { interceptor } = tokenEndpoint();
      const scope = interceptor.reply(status, body as nock.Body);
      const error = await failureOf(refresh());
      expect(error.name).toBe('AppError');
      expect(appError(error)).toMatchObject({ code, status: reported });
      expect(scope.isDone()).toBe(true);
    },
  );

  // Core parses an answer typed exactly application/x-www-form-urlencoded into `data`, and its
  // HTTP log scrubber reads only JSON: the tokens would be accepted and logged. RFC 6749 §5.1
  // says JSON; the integration reads token answers itself and refuses anything else.
  it('refuses a form-encoded token answer, stores nothing from it, logs none of it, and never stales', async () => {
    const { interceptor } = tokenEndpoint();
    const form = new URLSearchParams({
      access_token: 'pat_form_encoded_answer_0123456789',
      refresh_token: 'prt_form_encoded_answer_0123456789',
      token_type: 'bearer',
      expires_in: '3600',
    }).toString();
    const scope = interceptor.reply(200, form, { 'Content-Type': 'application/x-www-form-urlencoded' });
    const { result: error, log } = await withCoreHttpLog(() => failureOf(refresh()));
    const body = appError(error);
    expect(body).toMatchObject({ code: 'unreadable_answer', status: 502 });
    expect(body.message).toContain('not a token response (application/x-www-form-urlencoded, not JSON)');
    expect(body.message).toContain('Your Practice connection is fine');
    expect(error.message).not.toContain('form_encoded_answer');
    // Core's HTTP log of the answer shows no body: the integration reads token answers itself.
    expect(log).toContain('/oauth/token');
    expect(log).toContain('<probably streaming data>');
    expect(log).not.toContain('form_encoded_answer');
    expect(scope.isDone()).toBe(true);
  });

  it('throttles, never stales, on a 429 from the token endpoint, reading an HTTP-date Retry-After', async () => {
    const { interceptor } = tokenEndpoint();
    const retryAt = new Date(Date.now() + 90_000).toUTCString();
    const scope = interceptor.reply(429, { error: 'slow_down' }, { 'Retry-After': retryAt });
    const error = await failureOf(refresh());
    const body = throttled(error);
    expect(body.delay).toBeGreaterThanOrEqual(88);
    expect(body.delay).toBeLessThanOrEqual(91);
    expect(body.message).toMatch(/connection is fine/);
    expect(scope.isDone()).toBe(true);
  });

  it('stores nothing when the refresh answer has no access_token', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(200, { refresh_token: 'prt_new', expires_in: 3600 });
    expect(appError(await failureOf(refresh())).code).toBe('missing_access_token');
    expect(scope.isDone()).toBe(true);
  });

  it('keeps the connection alive on a 5xx (an error, not ExpiredAuthError)', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(503, '');
    expect(appError(await failureOf(refresh()))).toMatchObject({ code: 'server_error', status: 503 });
    expect(scope.isDone()).toBe(true);
  });

  it('surfaces a 429 from the token endpoint as ThrottledError', async () => {
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(429, '', { 'Retry-After': '15' });
    expect(throttled(await failureOf(refresh())).delay).toBe(15);
    expect(scope.isDone()).toBe(true);
  });

  describe('rotation', () => {
    it.each([
      ['absent', undefined],
      ['null', null],
      ['an empty string', ''],
    ])('keeps the old refresh token when the answer has it %s', async (_label, value) => {
      const { interceptor } = tokenEndpoint();
      const scope = interceptor.reply(200, tokens({ refresh_token: value }));
      const authData = await refresh();
      expect(authData).toStrictEqual({
        access_token: 'pat_fresh_access',
        refresh_token: REFRESH_TOKEN,
        expires_at: NOW + 3600,
        expires_in: 3600,
        scope: 'clients:read clients:write offline_access',
      });
      expect(scope.isDone()).toBe(true);
    });

    it('keeps the old scope when the answer does not restate it', async () => {
      const { interceptor } = tokenEndpoint();
      const scope = interceptor.reply(200, tokens({ scope: undefined }));
      const authData = await refresh(liveAuth({ scope: 'clients:read offline_access' }));
      expect(authData).toMatchObject({ scope: 'clients:read offline_access' });
      expect(scope.isDone()).toBe(true);
    });

    it('overwrites expires_at on every refresh, with 0 when the answer gives no lifetime', async () => {
      const { interceptor } = tokenEndpoint();
      const scope = interceptor.reply(200, tokens({ expires_in: undefined }));
      const authData = await refresh(liveAuth({ expires_at: NOW + 100 }));
      expect(authData).toMatchObject({ expires_at: 0 });
      expect(scope.isDone()).toBe(true);
    });

    it('overwrites expires_at on every refresh with the new lifetime', async () => {
      const { interceptor } = tokenEndpoint();
      const scope = interceptor.reply(200, tokens({ expires_in: 60 }));
      const authData = await refresh(liveAuth({ expires_at: NOW + 5000 }));
      expect(authData).toMatchObject({ expires_at: NOW + 60 });
      expect(scope.isDone()).toBe(true);
    });

    it('returns authData without any undefined value from a minimal answer and minimal authData', async () => {
      const { interceptor } = tokenEndpoint();
      const scope = interceptor.reply(200, { access_token: 'pat_only' });
      const authData = await refresh({ access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN });
      expect(authData).toStrictEqual({
        access_token: 'pat_only',
        refresh_token: REFRESH_TOKEN,
        expires_at: 0,
        expires_in: 0,
        scope: '',
      });
      expect(Object.values(authData as Record<string, unknown>)).not.toContain(undefined);
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('expires_in', () => {
    it.each([
      ['3600', 3600, NOW + 3600],
      ['"3600" (K6 string)', '3600', NOW + 3600],
      ['"3600.0"', '3600.0', NOW + 3600],
      ['3600.9', 3600.9, NOW + 3600],
      ['missing', undefined, 0],
      ['0', 0, 0],
      ['-5', -5, 0],
      ['"abc"', 'abc', 0],
      ['"" (empty)', '', 0],
      ['1e12', 1e12, 0],
      ['one second over the sane maximum', MAX_SANE_EXPIRES_IN + 1, 0],
      ['the sane maximum', MAX_SANE_EXPIRES_IN, NOW + MAX_SANE_EXPIRES_IN],
      ['null', null, 0],
      ['true', true, 0],
      ['an object', { seconds: 3600 }, 0],
      ['"1e3"', '1e3', 0],
      ['"-5"', '-5', 0],
    ])('sets expires_at sanely when expires_in is %s', async (_label, expiresIn, expected) => {
      const { interceptor } = tokenEndpoint();
      const scope = interceptor.reply(200, tokens({ expires_in: expiresIn }));
      const authData = (await refresh()) as Record<string, unknown>;
      expect(authData.expires_at).toBe(expected);
      expect(Number.isInteger(authData.expires_at)).toBe(true);
      expect(Object.values(authData)).not.toContain(undefined);
      expect(scope.isDone()).toBe(true);
    });
  });
});

describe('authorizeUrl', () => {
  async function authorizeUrl(redirectUri: string): Promise<URL> {
    const url = await appTester(authentication.oauth2Config.authorizeUrl, {
      inputData: { state: 'state-xyz', redirect_uri: redirectUri },
    });
    return new URL(String(url));
  }

  it('asks for code with client_id, state, redirect_uri and every requested scope incl. offline_access', async () => {
    const url = await authorizeUrl(ZAPIER_REDIRECT);
    expect(`${url.origin}${url.pathname}`).toBe(`${BASE_URL}/oauth/authorize`);
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(url.searchParams.get('state')).toBe('state-xyz');
    expect(url.searchParams.get('redirect_uri')).toBe(ZAPIER_REDIRECT);
    expect(url.searchParams.get('response_type')).toBe('code');
    const scopes = (url.searchParams.get('scope') ?? '').split(' ');
    expect(scopes.sort()).toEqual([...REQUESTED_SCOPES].sort());
    expect(scopes).toContain('offline_access');
    expect(scopes).toContain('tasks:write');
    expect(url.searchParams.has('client_secret')).toBe(false);
    expect(url.toString()).not.toContain(CLIENT_SECRET);
  });

  it("leaves PKCE to Zapier for Zapier's redirect URI and exchanges with Zapier's code_verifier", async () => {
    const url = await authorizeUrl(ZAPIER_REDIRECT);
    expect(url.searchParams.has('code_challenge')).toBe(false);
    expect(url.searchParams.has('code_challenge_method')).toBe(false);

    const { interceptor, bodies } = tokenEndpoint();
    const scope = interceptor.reply(200, tokens());
    await exchange({ redirect_uri: ZAPIER_REDIRECT, code_verifier: ZAPIER_VERIFIER });
    expect(bodies).toEqual([expect.objectContaining({ code_verifier: ZAPIER_VERIFIER })]);
    expect(scope.isDone()).toBe(true);
  });

  it.each([[LOOPBACK_REDIRECT], ['http://127.0.0.1:9000/callback']])(
    'adds an S256 code_challenge for the loopback redirect %s that matches the verifier sent later',
    async (redirectUri) => {
      const url = await authorizeUrl(redirectUri);
      const challenge = url.searchParams.get('code_challenge');
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const { interceptor, bodies } = tokenEndpoint();
      const scope = interceptor.reply(200, tokens());
      await exchange({ redirect_uri: redirectUri, code_verifier: undefined });
      const verifier = (bodies[0] as { code_verifier?: string }).code_verifier ?? '';
      // RFC 7636 §4.1: 43-128 unreserved characters.
      expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
      const expected = createHash('sha256').update(verifier).digest('base64url');
      expect(challenge).toBe(expected);
      expect(bodies[0]).toMatchObject({ redirect_uri: redirectUri, grant_type: 'authorization_code' });
      expect(scope.isDone()).toBe(true);
    },
  );

  it('makes a new verifier for every local authorization, even through the same redirect URI', async () => {
    const a = (await authorizeUrl(LOOPBACK_REDIRECT)).searchParams.get('code_challenge');
    const b = (await authorizeUrl(LOOPBACK_REDIRECT)).searchParams.get('code_challenge');
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b).not.toBe(a);
  });

  it('redeems a local verifier once: a second exchange without a new authorization fails clearly', async () => {
    await authorizeUrl(LOOPBACK_REDIRECT);
    const { interceptor } = tokenEndpoint();
    const scope = interceptor.reply(200, tokens());
    await exchange({ redirect_uri: LOOPBACK_REDIRECT, code_verifier: undefined });
    expect(scope.isDone()).toBe(true);
    const unmatched = unmatchedRequests();
    const body = appError(
      await failureOf(exchange({ redirect_uri: LOOPBACK_REDIRECT, code_verifier: undefined })),
    );
    unmatched.stop();
    expect(body.code).toBe('missing_code_verifier');
    expect(body.message).toContain('invoke auth start');
    expect(unmatched.urls).toEqual([]);
  });

  it("keeps the verifier, the code and the refresh token out of core's request log", async () => {
    const { result: verifier, log } = await withCoreHttpLog(async () => {
      const url = await authorizeUrl(LOOPBACK_REDIRECT);
      expect(url.searchParams.get('code_challenge')).toBeTruthy();
      const { interceptor, bodies } = tokenEndpoint();
      interceptor.reply(200, tokens());
      await exchange({
        redirect_uri: LOOPBACK_REDIRECT,
        code_verifier: undefined,
        code: 'code_in_flight_42',
      });
      return (bodies[0] as { code_verifier?: string }).code_verifier ?? '';
    });
    expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
    expect(log).toContain('/oauth/token');
    expect(log).toContain('<streaming data>');
    expect(log).not.toContain(verifier);
    expect(log).not.toContain('code_in_flight_42');
  });
});

describe('configuration errors', () => {
  it('names CLIENT_ID when it is missing', async () => {
    withEnv({ CLIENT_ID: undefined });
    const body = appError(
      await failureOf(
        appTester(authentication.oauth2Config.authorizeUrl, {
          inputData: { state: 's', redirect_uri: ZAPIER_REDIRECT },
        }),
      ),
    );
    expect(body.code).toBe('configuration');
    expect(body.message).toContain('CLIENT_ID is not set');
    expect(body.message).toContain('zapier-platform env:set');
  });

  it('names both variables when CLIENT_ID and CLIENT_SECRET are blank, before calling Practice', async () => {
    withEnv({ CLIENT_ID: '  ', CLIENT_SECRET: '' });
    const body = appError(await failureOf(refresh()));
    expect(body.code).toBe('configuration');
    expect(body.message).toContain('CLIENT_ID and CLIENT_SECRET are not set');
    expect(unmatched.urls).toEqual([]);
  });

  it('names CLIENT_SECRET when only it is missing at code exchange', async () => {
    withEnv({ CLIENT_SECRET: undefined });
    const body = appError(await failureOf(exchange()));
    expect(body.code).toBe('configuration');
    expect(body.message).toContain('CLIENT_SECRET is not set');
    expect(unmatched.urls).toEqual([]);
  });

  it.each([
    ['plain http to a non-loopback host', 'http://api.practice.example', 'must use https://'],
    ['not a URL', 'api.practice.example', 'is not a URL'],
    ['a URL with a query', 'https://api.practice.example/?token=1', 'must not carry a query'],
  ])('rejects a BASE_URL that is %s with a configuration error', async (_label, baseUrl, wording) => {
    withEnv({ BASE_URL: baseUrl });
    for (const attempt of [
      () =>
        appTester(authentication.oauth2Config.authorizeUrl, {
          inputData: { state: 's', redirect_uri: ZAPIER_REDIRECT },
        }),
      () => refresh(),
    ]) {
      const body = appError(await failureOf(attempt()));
      expect(body.code).toBe('configuration');
      expect(body.message).toContain(`BASE_URL "${baseUrl}"`);
      expect(body.message).toContain(wording);
    }
    expect(unmatched.urls).toEqual([]);
  });

  it('accepts plain http for the local sandbox on 127.0.0.1', async () => {
    withEnv({ BASE_URL: 'http://127.0.0.1:4010' });
    const url = await appTester(authentication.oauth2Config.authorizeUrl, {
      inputData: { state: 's', redirect_uri: LOOPBACK_REDIRECT },
    });
    expect(String(url).startsWith('http://127.0.0.1:4010/oauth/authorize?')).toBe(true);
  });
});

describe('connection test and label', () => {
  const me = {
    id: 'mem_1',
    email: 'ada@lovelace.example',
    name: 'Ada Lovelace',
    role: 'owner',
    firm: { id: 'firm_1', name: 'Lovelace & Co' },
  };

  it('tests the connection with GET /api/v1/me and the bearer', async () => {
    const scope = api()
      .get('/api/v1/me')
      .matchHeader('authorization', `Bearer ${ACCESS_TOKEN}`)
      .reply(200, me);
    const result = await appTester(authentication.test, { authData: liveAuth() });
    expect(result).toEqual(me);
    expect(scope.isDone()).toBe(true);
  });

  it('fails the connection test with RefreshAuthError when the token is rejected', async () => {
    const scope = api().get('/api/v1/me').reply(401, '');
    expect((await failureOf(appTester(authentication.test, { authData: liveAuth() }))).name).toBe(
      'RefreshAuthError',
    );
    expect(scope.isDone()).toBe(true);
  });

  /** Zapier's rendering of a label template: the test result flattened with "__" for nesting. */
  function renderLabel(template: string, result: Record<string, unknown>): string {
    const flat: Record<string, unknown> = {};
    const walk = (value: unknown, prefix: string) => {
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        for (const [key, inner] of Object.entries(value)) walk(inner, prefix ? `${prefix}__${key}` : key);
      } else flat[prefix] = value;
    };
    walk(result, '');
    return template.replace(/{{\s*([\w]+)\s*}}/g, (_match, key: string) => String(flat[key] ?? ''));
  }

  async function label(result: Record<string, unknown>): Promise<string> {
    const definition: unknown = authentication.connectionLabel;
    if (typeof definition === 'string') return renderLabel(definition, result);
    const perform = definition as (z: ZObject, bundle: Bundle) => Promise<unknown>;
    return String(await appTester(perform, { authData: liveAuth(), inputData: result }));
  }

  it('labels the connection "<email> (<firm name>)" from what the connection test returned', async () => {
    const scope = api().get('/api/v1/me').reply(200, me);
    const result = (await appTester(authentication.test, { authData: liveAuth() })) as Record<
      string,
      unknown
    >;
    expect(await label(result)).toBe('ada@lovelace.example (Lovelace & Co)');
    expect(scope.isDone()).toBe(true);
  });

  it('puts a different member and firm into the label', async () => {
    expect(await label({ ...me, email: 'bob@books.example', firm: { id: 'f2', name: 'Books Ltd' } })).toBe(
      'bob@books.example (Books Ltd)',
    );
  });
});
