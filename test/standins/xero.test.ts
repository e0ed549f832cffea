import { startStandIn } from 'zapier-oauth-layer/standin';
import type { StandIn } from 'zapier-oauth-layer/standin';
import { spec } from '../../tools/standins/xero';
import { basic, field, getProbe, postToken, str } from './helpers';

let now: number;
let s: StandIn;
beforeEach(async () => {
  now = Date.UTC(2026, 3, 9, 5, 16, 59);
  s = await startStandIn(spec, { clock: () => now });
});
afterEach(() => s.close());

const TOKEN = spec.tokenPath;
const auth = () => ({ authorization: basic(s.client.id, s.client.secret) });
const refresh = (token: string) =>
  postToken(s, TOKEN, { form: { grant_type: 'refresh_token', refresh_token: token }, headers: auth() });

describe('Xero stand-in', () => {
  test('code exchange with HTTP Basic: id_token, access_token, expires_in 1800, token_type, refresh_token, scope', async () => {
    const code = s.authorizationCode('https://app.example/cb', [
      'openid',
      'offline_access',
      'accounting.contacts',
    ]);
    const a = await postToken(s, TOKEN, {
      form: { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/cb' },
      headers: auth(),
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({
      id_token: expect.any(String),
      expires_in: 1800,
      token_type: 'Bearer',
      scope: 'openid offline_access accounting.contacts',
    });
    expect(str(a.body, 'access_token').split('.')).toHaveLength(3);
  });

  test('rotation with a 30-minute grace: the previous refresh token works for 30 minutes, then invalid_grant', async () => {
    const c = s.connect();
    const next = str((await refresh(c.refresh_token)).body, 'refresh_token');
    expect(next).not.toBe(c.refresh_token);
    now += 29 * 60 * 1000;
    expect((await refresh(c.refresh_token)).status).toBe(200);
    now += 2 * 60 * 1000;
    const late = await refresh(c.refresh_token);
    expect([late.status, late.body]).toEqual([400, { error: 'invalid_grant' }]);
    expect(s.rotation).toBe('grace');
  });

  test('token endpoint refusals: invalid_client, invalid_grant', async () => {
    const c = s.connect();
    const wrong = await postToken(s, TOKEN, {
      form: { grant_type: 'refresh_token', refresh_token: c.refresh_token },
      headers: { authorization: basic(s.client.id, 'nope') },
    });
    expect([wrong.status, wrong.body]).toEqual([400, { error: 'invalid_client' }]);
    s.revokeAll();
    expect((await refresh(c.refresh_token)).body).toEqual({ error: 'invalid_grant' });
    s.failTokenEndpoint(1, 'outage');
    expect((await refresh(c.refresh_token)).status).toBe(503);
  });

  test('Contacts answers the Accounting API envelope', async () => {
    const c = s.connect();
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ Status: 'OK', Contacts: [{ ContactStatus: 'ACTIVE' }, {}] });
    expect(p.headers.get('x-minlimit-remaining')).toBe('59');
  });

  test('expiry: 401 problem details whose Detail names the expiry time', async () => {
    const c = s.connect();
    now += 1800 * 1000 + 1000;
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect(p.status).toBe(401);
    expect(p.body).toMatchObject({
      Type: null,
      Title: 'Unauthorized',
      Status: 401,
      Detail: 'TokenExpired: token expired at 04/09/2026 05:46:59',
      Extensions: {},
    });
    const d = s.connect();
    s.expireAccessTokens('401 AuthenticationUnsuccessful');
    expect(field((await getProbe(s, `Bearer ${d.access_token}`)).body, 'Detail')).toBe(
      'AuthenticationUnsuccessful',
    );
  });

  test('missing scope: 401 AuthorizationUnsuccessful', async () => {
    const c = s.connect(['offline_access', 'accounting.transactions']);
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect([p.status, field(p.body, 'Detail')]).toEqual([401, 'AuthorizationUnsuccessful']);
  });

  test('rate limits: 429 with Retry-After and X-Rate-Limit-Problem', async () => {
    const c = s.connect();
    s.rateLimit(1, 42, '429 X-Rate-Limit-Problem: minute');
    s.rateLimit(1, 3600, '429 X-Rate-Limit-Problem: day');
    const minute = await getProbe(s, `Bearer ${c.access_token}`);
    expect([
      minute.status,
      minute.headers.get('retry-after'),
      minute.headers.get('x-rate-limit-problem'),
    ]).toEqual([429, '42', 'minute']);
    const day = await getProbe(s, `Bearer ${c.access_token}`);
    expect([day.headers.get('x-rate-limit-problem'), day.headers.get('x-daylimit-remaining')]).toEqual([
      'day',
      '0',
    ]);
  });

  test('forbid: 403 AuthenticationUnsuccessful', async () => {
    const c = s.connect();
    s.forbid(true);
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect(p.body).toMatchObject({ Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful' });
    expect(p.status).toBe(403);
  });
});
