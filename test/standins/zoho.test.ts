import type { StandIn } from 'zapier-oauth-layer/standin';
import { spec, start } from '../../tools/standins/zoho';
import { field, getProbe, postToken, str } from './helpers';

let s: StandIn;
beforeEach(async () => {
  s = await start();
});
afterEach(() => s.close());

const TOKEN = spec.tokenPath;
const creds = () => ({ client_id: s.client.id, client_secret: s.client.secret });
// Zoho's examples put every parameter in the query string of the POST.
const refresh = (token: string, extra: Record<string, string> = {}) =>
  postToken(s, TOKEN, {
    form: {},
    query: { grant_type: 'refresh_token', refresh_token: token, ...creds(), ...extra },
  });
const auth = (token: string) => `Zoho-oauthtoken ${token}`;

describe('Zoho stand-in', () => {
  test('code exchange answers api_domain (the stand-in) and 1000.* tokens', async () => {
    const code = s.authorizationCode('https://app.example/cb');
    const a = await postToken(s, TOKEN, {
      form: { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/cb', ...creds() },
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ api_domain: s.url, token_type: 'Bearer', expires_in: 3600 });
    expect(str(a.body, 'access_token')).toMatch(/^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
    expect(str(a.body, 'refresh_token')).toMatch(/^1000\./);
  });

  test('a refresh (parameters in the query string) answers a new access token and no refresh token', async () => {
    const c = s.connect();
    const r = await refresh(c.refresh_token);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body as object).sort()).toEqual([
      'access_token',
      'api_domain',
      'expires_in',
      'token_type',
    ]);
    expect(s.rotation).toBe('none');
    expect((await refresh(c.refresh_token)).status).toBe(200);
  });

  test('refusals are HTTP 200 {"error": …}; throttling is 400 Access Denied', async () => {
    const c = s.connect();
    s.revokeAll();
    expect(await refresh(c.refresh_token)).toMatchObject({ status: 200, body: { error: 'invalid_code' } });
    expect((await refresh(c.refresh_token, { client_secret: 'nope' })).body).toEqual({
      error: 'invalid_client_secret',
    });
    expect((await refresh(c.refresh_token, { client_id: 'nobody' })).body).toEqual({
      error: 'invalid_client',
    });
    s.failTokenEndpoint(1, 'rate_limited');
    const limited = await refresh(c.refresh_token);
    expect([limited.status, limited.body]).toEqual([
      400,
      {
        error_description: 'You have made too many requests continuously. Please try again after some time.',
        error: 'Access Denied',
        status: 'failure',
      },
    ]);
  });

  test('Leads answers data and info with the Zoho-oauthtoken scheme only', async () => {
    const c = s.connect();
    const p = await getProbe(s, auth(c.access_token));
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({
      data: [{ Last_Name: 'Lovelace' }, {}],
      info: { count: 2, more_records: false },
    });
    const bearer = await getProbe(s, `Bearer ${c.access_token}`);
    expect([bearer.status, field(bearer.body, 'code')]).toEqual([401, 'AUTHENTICATION_FAILURE']);
  });

  test('expiry: 401 INVALID_TOKEN or AUTHENTICATION_FAILURE', async () => {
    const c = s.connect();
    s.expireAccessTokens('401 INVALID_TOKEN');
    expect((await getProbe(s, auth(c.access_token))).body).toEqual({
      code: 'INVALID_TOKEN',
      details: {},
      message: 'invalid oauth token',
      status: 'error',
    });
    const d = s.connect();
    s.expireAccessTokens('401 AUTHENTICATION_FAILURE');
    const p = await getProbe(s, auth(d.access_token));
    expect([p.status, field(p.body, 'code')]).toEqual([401, 'AUTHENTICATION_FAILURE']);
  });

  test('missing scope: 401 OAUTH_SCOPE_MISMATCH', async () => {
    const c = s.connect(['ZohoCRM.users.READ']);
    const p = await getProbe(s, auth(c.access_token));
    expect([p.status, p.body]).toEqual([
      401,
      {
        code: 'OAUTH_SCOPE_MISMATCH',
        details: {},
        message: 'invalid oauth scope to access this URL',
        status: 'error',
      },
    ]);
  });

  test('rate limit: 429 TOO_MANY_REQUESTS; forbid: 403 NO_PERMISSION', async () => {
    const c = s.connect();
    s.rateLimit(1, 5);
    const limited = await getProbe(s, auth(c.access_token));
    expect([limited.status, field(limited.body, 'code')]).toEqual([429, 'TOO_MANY_REQUESTS']);
    s.forbid(true);
    const f = await getProbe(s, auth(c.access_token));
    expect([f.status, f.body]).toEqual([
      403,
      {
        code: 'NO_PERMISSION',
        details: { permissions: ['Crm_Implied_Api_Access'] },
        message: 'permission denied',
        status: 'error',
      },
    ]);
  });
});
