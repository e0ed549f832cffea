import { spec, start } from '../../tools/standins/microsoft';
import { startStandIn } from 'zapier-oauth-layer/standin';
import type { StandIn } from 'zapier-oauth-layer/standin';
import { basic, field, getProbe, postToken, str } from './helpers';

let s: StandIn;
beforeEach(async () => {
  s = await start();
});
afterEach(() => s.close());

const TOKEN = spec.tokenPath;
const QUERY = '?api-version=2022-12-01';
const creds = () => ({ client_id: s.client.id, client_secret: s.client.secret });
const refresh = (token: string, extra: Record<string, string> = {}) =>
  postToken(s, TOKEN, {
    form: {
      grant_type: 'refresh_token',
      refresh_token: token,
      resource: 'https://management.azure.com/',
      ...creds(),
      ...extra,
    },
  });

describe('Microsoft (Azure AD v1) stand-in', () => {
  test('v1 token answer: expires_in, ext_expires_in, expires_on and not_before are strings', async () => {
    const code = s.authorizationCode('https://app.example/cb');
    const a = await postToken(s, TOKEN, {
      form: {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'https://app.example/cb',
        resource: 'https://management.azure.com/',
        ...creds(),
      },
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: '3599',
      ext_expires_in: '3599',
      resource: 'https://management.azure.com/',
      scope: 'user_impersonation openid offline_access',
    });
    const expiresOn = str(a.body, 'expires_on');
    const notBefore = str(a.body, 'not_before');
    expect(expiresOn).toMatch(/^\d{10}$/);
    expect(Number(expiresOn) - Number(notBefore)).toBe(3599);
    // A JWT-shaped access token whose exp agrees with expires_on.
    const payload: unknown = JSON.parse(
      Buffer.from(str(a.body, 'access_token').split('.')[1]!, 'base64url').toString(),
    );
    expect(field(payload, 'exp')).toBe(Number(expiresOn));
    expect(field(payload, 'aud')).toBe('https://management.azure.com/');
  });

  test('every refresh answers a new refresh token and the old one keeps working (HTTP Basic accepted)', async () => {
    const c = s.connect();
    const r = await refresh(c.refresh_token);
    expect(str(r.body, 'refresh_token')).not.toBe(c.refresh_token);
    const viaBasic = await postToken(s, TOKEN, {
      form: { grant_type: 'refresh_token', refresh_token: c.refresh_token },
      headers: { authorization: basic(s.client.id, s.client.secret) },
    });
    expect(viaBasic.status).toBe(200);
    expect(s.rotation).toBe('always');
    expect(s.tokenStats()).toMatchObject({ reusedRefreshTokens: 1, revokedByReuse: 0 });
  });

  test('token endpoint errors carry AADSTS codes: invalid_grant 400, invalid_client 401, unauthorized_client 400', async () => {
    const c = s.connect();
    const wrong = await refresh(c.refresh_token, { client_secret: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect(str(wrong.body, 'error_description')).toMatch(
      /^AADSTS7000215: .*\r\nTrace ID: .*\r\nCorrelation ID: .*\r\nTimestamp: /s,
    );
    expect((await refresh(c.refresh_token, { client_id: 'nobody' })).body).toMatchObject({
      error: 'unauthorized_client',
      error_codes: [700016],
    });
    s.revokeAll();
    const dead = await refresh(c.refresh_token);
    expect([dead.status, field(dead.body, 'error'), field(dead.body, 'error_codes')]).toEqual([
      400,
      'invalid_grant',
      [70008],
    ]);
    s.failTokenEndpoint(1, 'outage');
    const outage = await refresh(c.refresh_token);
    expect([outage.status, field(outage.body, 'error')]).toEqual([503, 'temporarily_unavailable']);
  });

  test('the subscriptions list', async () => {
    const c = s.connect();
    const p = await getProbe(s, `Bearer ${c.access_token}`, QUERY);
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ value: [{ state: 'Enabled' }], count: { type: 'Total', value: 1 } });
  });

  test('expiry: 401 ExpiredAuthenticationToken with a Bearer error="invalid_token" challenge', async () => {
    let now = Date.UTC(2023, 2, 19, 7, 55, 46);
    const timed = await startStandIn(spec, { clock: () => now });
    try {
      const c = timed.connect();
      now += 3599 * 1000 + 11 * 1000;
      const p = await getProbe(timed, `Bearer ${c.access_token}`, QUERY);
      expect(p.status).toBe(401);
      expect(p.headers.get('www-authenticate')).toMatch(
        /^Bearer authorization_uri="[^"]+", error="invalid_token", error_description="[^"]+"$/,
      );
      expect(p.body).toEqual({
        error: {
          code: 'ExpiredAuthenticationToken',
          message:
            "The access token expiry UTC time '3/19/2023 8:55:45 AM' is earlier than current UTC time '3/19/2023 8:55:56 AM'.",
        },
      });
    } finally {
      await timed.close();
    }
  });

  test('invalid token and wrong audience are 401 invalid_token too', async () => {
    const c = s.connect();
    s.expireAccessTokens('401 InvalidAuthenticationToken');
    const p = await getProbe(s, `Bearer ${c.access_token}`, QUERY);
    expect([p.status, field(field(p.body, 'error'), 'code')]).toEqual([401, 'InvalidAuthenticationToken']);
    const narrow = s.connect(['openid', 'offline_access']);
    const aud = await getProbe(s, `Bearer ${narrow.access_token}`, QUERY);
    expect([aud.status, field(field(aud.body, 'error'), 'code')]).toEqual([
      401,
      'InvalidAuthenticationTokenAudience',
    ]);
    expect(aud.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  test('throttling: 429 Retry-After; forbid: 403 AuthorizationFailed', async () => {
    const c = s.connect();
    s.rateLimit(1, 17);
    const limited = await getProbe(s, `Bearer ${c.access_token}`, QUERY);
    expect([
      limited.status,
      limited.headers.get('retry-after'),
      field(field(limited.body, 'error'), 'code'),
    ]).toEqual([429, '17', 'SubscriptionRequestsThrottled']);
    s.forbid(true);
    const f = await getProbe(s, `Bearer ${c.access_token}`, QUERY);
    expect([f.status, field(field(f.body, 'error'), 'code')]).toEqual([403, 'AuthorizationFailed']);
  });
});
