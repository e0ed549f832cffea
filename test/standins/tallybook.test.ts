import { startStandIn } from 'zapier-oauth-layer/standin';
import { spec } from '../../tools/standins/tallybook';
import type { StandIn } from 'zapier-oauth-layer/standin';
import { basic, call, field, getProbe, postToken, str } from './helpers';

let now: number;
let s: StandIn;
beforeEach(async () => {
  now = Date.UTC(2026, 11, 1, 9, 0, 0);
  s = await startStandIn(spec, { clock: () => now });
});
afterEach(() => s.close());

const TOKEN = spec.tokenPath;
const creds = () => ({ client_id: s.client.id, client_secret: s.client.secret });
const refresh = (token: string) =>
  postToken(s, TOKEN, { form: { grant_type: 'refresh_token', refresh_token: token, ...creds() } });
const me = (token: string) => call(s, 'GET', '/v3/me', { authorization: `Bearer ${token}` });
const kind = (body: unknown) => field(field(body, 'error'), 'kind');

describe('Tallybook stand-in', () => {
  test('code exchange: tbk_ tokens, token_type Bearer, expires_in in milliseconds as a string, scopes by commas', async () => {
    const code = s.authorizationCode('https://app.example/cb', ['profile', 'ledger.read']);
    const a = await postToken(s, TOKEN, {
      form: { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/cb', ...creds() },
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: '3600000',
      scope: 'profile,ledger.read',
    });
    expect(str(a.body, 'access_token')).toMatch(/^tbk_at_/);
    expect(str(a.body, 'refresh_token')).toMatch(/^tbk_rt_/);
  });

  test('client_secret_post only: Basic and a wrong secret are 401 invalid_client', async () => {
    const c = s.connect();
    const viaBasic = await postToken(s, TOKEN, {
      form: { grant_type: 'refresh_token', refresh_token: c.refresh_token },
      headers: { authorization: basic(s.client.id, s.client.secret) },
    });
    expect([viaBasic.status, viaBasic.body]).toEqual([401, { error: 'invalid_client' }]);
    const wrong = await postToken(s, TOKEN, {
      form: { grant_type: 'refresh_token', refresh_token: c.refresh_token, ...creds(), client_secret: 'no' },
    });
    expect([wrong.status, wrong.body]).toEqual([401, { error: 'invalid_client' }]);
  });

  test('rotation with a 2-minute grace, then HTTP 200 expired_refresh', async () => {
    const c = s.connect();
    const next = str((await refresh(c.refresh_token)).body, 'refresh_token');
    expect(next).not.toBe(c.refresh_token);
    now += 119 * 1000;
    expect(str((await refresh(c.refresh_token)).body, 'access_token')).toMatch(/^tbk_at_/);
    now += 2 * 1000;
    const late = await refresh(c.refresh_token);
    expect([late.status, late.body]).toEqual([200, { error: 'expired_refresh' }]);
    expect(s.rotation).toBe('grace');
  });

  test('a revoked or unknown refresh token is HTTP 200 expired_refresh', async () => {
    const c = s.connect();
    expect((await refresh('tbk_rt_nothing')).body).toEqual({ error: 'expired_refresh' });
    s.revokeAll();
    const r = await refresh(c.refresh_token);
    expect([r.status, r.body]).toEqual([200, { error: 'expired_refresh' }]);
  });

  test('token endpoint throttling (429 slow_down, Retry-After seconds) and maintenance (503 HTML)', async () => {
    const c = s.connect();
    s.failTokenEndpoint(1, 'rate_limited');
    s.failTokenEndpoint(1, 'outage');
    const limited = await refresh(c.refresh_token);
    expect([limited.status, limited.body, limited.headers.get('retry-after')]).toEqual([
      429,
      { error: 'slow_down' },
      '30',
    ]);
    const down = await refresh(c.refresh_token);
    expect([down.status, down.headers.get('content-type')]).toEqual([503, 'text/html; charset=utf-8']);
  });

  test('the ledgers list answers status ok with the quota headers', async () => {
    const c = s.connect();
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect([p.status, p.body]).toEqual([200, { status: 'ok', data: [{ id: 'ldg_1', name: 'Main ledger' }] }]);
    expect(p.headers.get('x-tally-quota-remaining')).toBe('99');
  });

  test('an expired or unknown token on /v3/ledgers is HTTP 200 status fail AUTH_EXPIRED, no challenge', async () => {
    const c = s.connect();
    now += 3600 * 1000;
    const e = await getProbe(s, `Bearer ${c.access_token}`);
    expect([e.status, kind(e.body), e.headers.get('www-authenticate')]).toEqual([200, 'AUTH_EXPIRED', null]);
    const u = await getProbe(s, 'Bearer tbk_at_nothing');
    expect([u.status, u.body]).toEqual([
      200,
      { status: 'fail', error: { kind: 'AUTH_EXPIRED', detail: 'access token expired' } },
    ]);
  });

  test('/v3/me answers an expired or unknown token with 401 and a Bearer challenge', async () => {
    const c = s.connect();
    expect(field((await me(c.access_token)).body, 'status')).toBe('ok');
    for (const token of ['tbk_at_nothing', c.access_token]) {
      if (token === c.access_token) now += 3600 * 1000;
      const e = await me(token);
      expect([e.status, kind(e.body)]).toEqual([401, 'AUTH_EXPIRED']);
      expect(e.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
  });

  test('expireAccessTokens serves either form on the probe', async () => {
    const c = s.connect();
    s.expireAccessTokens('401 invalid_token');
    const e = await getProbe(s, `Bearer ${c.access_token}`);
    expect([e.status, e.headers.get('www-authenticate')]).toEqual([
      401,
      'Bearer realm="tallybook", error="invalid_token"',
    ]);
  });

  test('missing scope and role refusal are 403 SCOPE_MISSING (needs) and NOT_ALLOWED', async () => {
    const narrow = s.connect(['profile']);
    const m = await getProbe(s, `Bearer ${narrow.access_token}`);
    expect([m.status, m.body]).toEqual([
      403,
      { status: 'fail', error: { kind: 'SCOPE_MISSING', needs: 'ledger.read' } },
    ]);
    const c = s.connect();
    s.forbid(true);
    const f = await getProbe(s, `Bearer ${c.access_token}`);
    expect([f.status, kind(f.body)]).toEqual([403, 'NOT_ALLOWED']);
  });

  test('rate limits: 429 with Retry-After as an HTTP date; 503 SLOW_DOWN with Retry-After 20', async () => {
    const c = s.connect();
    s.rateLimit(1, 45, '429 Retry-After HTTP-date');
    s.rateLimit(1, 7, '503 SLOW_DOWN');
    const l = await getProbe(s, `Bearer ${c.access_token}`);
    expect([l.status, kind(l.body), l.headers.get('retry-after')]).toEqual([
      429,
      'RATE_LIMITED',
      'Tue, 01 Dec 2026 09:00:45 GMT',
    ]);
    const d = await getProbe(s, `Bearer ${c.access_token}`);
    expect([d.status, kind(d.body), d.headers.get('retry-after')]).toEqual([503, 'SLOW_DOWN', '20']);
  });
});
