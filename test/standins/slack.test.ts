import { spec, start } from '../../tools/standins/slack';
import type { StandIn } from 'zapier-oauth-layer/standin';
import { basic, getProbe, postToken, str } from './helpers';

let s: StandIn;
beforeEach(async () => {
  s = await start();
});
afterEach(() => s.close());

const TOKEN = spec.tokenPath;
const creds = () => ({ client_id: s.client.id, client_secret: s.client.secret });
const refresh = (token: string) =>
  postToken(s, TOKEN, {
    form: { grant_type: 'refresh_token', refresh_token: token },
    headers: { authorization: basic(s.client.id, s.client.secret) },
  });

describe('Slack stand-in', () => {
  test('describes itself as the conformance suite expects', () => {
    expect(s.provider).toBe('slack');
    expect(s.probePath).toBe('/api/conversations.list');
    expect(s.probeScope).toBe('channels:read');
    expect(s.rotation).toBe('single-use');
    expect(s.expirySignals).toEqual(['200 ok:false token_expired', '200 ok:false invalid_auth']);
    expect(s.rateLimitSignals).toEqual(['429 Retry-After']);
  });

  test('code exchange: ok:true, bot token type, comma-separated scopes, rotating xoxe tokens', async () => {
    const code = s.authorizationCode('https://app.example/cb', ['channels:read', 'chat:write']);
    // Client credentials in the body; no grant_type and no redirect_uri, both optional for Slack.
    const a = await postToken(s, TOKEN, { form: { code, ...creds() } });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({
      ok: true,
      token_type: 'bot',
      scope: 'channels:read,chat:write',
      expires_in: 43200,
      bot_user_id: expect.any(String),
      team: { id: expect.any(String), name: expect.any(String) },
    });
    expect(str(a.body, 'access_token')).toMatch(/^xoxe\.xoxb-1-/);
    expect(str(a.body, 'refresh_token')).toMatch(/^xoxe-1-/);
  });

  test('refresh takes HTTP Basic and rotates: the used refresh token gets invalid_refresh_token, the grant survives', async () => {
    const c = s.connect();
    expect(c.scope).toBe('channels:read,chat:write,users:read');
    const r = await refresh(c.refresh_token);
    expect(r.body).toMatchObject({ ok: true, token_type: 'bot', expires_in: 43200 });
    const next = str(r.body, 'refresh_token');
    expect(next).not.toBe(c.refresh_token);
    const reuse = await refresh(c.refresh_token);
    expect(reuse.status).toBe(200);
    expect(reuse.body).toEqual({ ok: false, error: 'invalid_refresh_token' });
    expect((await refresh(next)).body).toMatchObject({ ok: true });
    expect(s.tokenStats()).toMatchObject({ reusedRefreshTokens: 1, revokedByReuse: 0 });
  });

  test('token endpoint refusals are HTTP 200 ok:false, except throttling and outage', async () => {
    const c = s.connect();
    const bad = await postToken(s, TOKEN, {
      form: {
        grant_type: 'refresh_token',
        refresh_token: c.refresh_token,
        client_id: s.client.id,
        client_secret: 'nope',
      },
    });
    expect([bad.status, bad.body]).toEqual([200, { ok: false, error: 'bad_client_secret' }]);
    const unknown = await postToken(s, TOKEN, {
      form: {
        grant_type: 'refresh_token',
        refresh_token: c.refresh_token,
        client_id: '1.2',
        client_secret: 'x',
      },
    });
    expect(unknown.body).toEqual({ ok: false, error: 'invalid_client_id' });
    const code = s.authorizationCode('https://app.example/cb');
    const mismatch = await postToken(s, TOKEN, {
      form: { code, redirect_uri: 'https://other.example/', ...creds() },
    });
    expect(mismatch.body).toEqual({ ok: false, error: 'bad_redirect_uri' });
    expect((await postToken(s, TOKEN, { form: { code, ...creds() } })).body).toEqual({
      ok: false,
      error: 'invalid_code',
    });

    s.failTokenEndpoint(1, 'rate_limited');
    s.failTokenEndpoint(1, 'outage');
    s.failTokenEndpoint(1, 'bad_client');
    const limited = await refresh(c.refresh_token);
    expect([limited.status, limited.headers.get('retry-after'), limited.body]).toEqual([
      429,
      '30',
      { ok: false, error: 'ratelimited' },
    ]);
    const outage = await refresh(c.refresh_token);
    expect([outage.status, outage.body]).toEqual([500, { ok: false, error: 'internal_error' }]);
    expect((await refresh(c.refresh_token)).body).toEqual({ ok: false, error: 'bad_client_secret' });
    s.revokeAll();
    expect((await refresh(c.refresh_token)).body).toEqual({ ok: false, error: 'invalid_refresh_token' });
  });

  test('conversations.list answers channels with a bearer token', async () => {
    const c = s.connect();
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({
      ok: true,
      channels: [{ id: 'C012AB3CD' }, { id: 'C061EG9T2' }],
      response_metadata: { next_cursor: '' },
    });
  });

  test('expiry and invalid tokens are HTTP 200 ok:false', async () => {
    const c = s.connect();
    s.expireAccessTokens('200 ok:false token_expired');
    expect(await getProbe(s, `Bearer ${c.access_token}`)).toMatchObject({
      status: 200,
      body: { ok: false, error: 'token_expired' },
    });
    const d = s.connect();
    s.expireAccessTokens('200 ok:false invalid_auth');
    expect((await getProbe(s, `Bearer ${d.access_token}`)).body).toEqual({
      ok: false,
      error: 'invalid_auth',
    });
    expect((await getProbe(s)).body).toEqual({ ok: false, error: 'not_authed' });
    const e = s.connect();
    s.revokeAll();
    expect((await getProbe(s, `Bearer ${e.access_token}`)).body).toEqual({
      ok: false,
      error: 'token_revoked',
    });
  });

  test('a grant without channels:read gets missing_scope with needed and provided', async () => {
    const c = s.connect(['chat:write', 'users:read']);
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect(p.status).toBe(200);
    expect(p.body).toEqual({
      ok: false,
      error: 'missing_scope',
      needed: 'channels:read',
      provided: 'chat:write,users:read',
    });
    expect(p.headers.get('x-accepted-oauth-scopes')).toBe('channels:read');
  });

  test('rate limit: 429 with Retry-After; forbid: access_denied', async () => {
    const c = s.connect();
    s.rateLimit(1, 12);
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect([p.status, p.headers.get('retry-after'), p.body]).toEqual([
      429,
      '12',
      { ok: false, error: 'ratelimited' },
    ]);
    s.forbid(true);
    expect((await getProbe(s, `Bearer ${c.access_token}`)).body).toEqual({
      ok: false,
      error: 'access_denied',
    });
  });
});
