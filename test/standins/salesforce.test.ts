import { createHmac } from 'node:crypto';
import { spec, start } from '../../tools/standins/salesforce';
import type { StandIn } from 'zapier-oauth-layer/standin';
import { basic, field, getProbe, postToken, str } from './helpers';

let s: StandIn;
beforeEach(async () => {
  s = await start();
});
afterEach(() => s.close());

const TOKEN = spec.tokenPath;
const creds = () => ({ client_id: s.client.id, client_secret: s.client.secret });
const refresh = (token: string, extra: Record<string, string> = {}) =>
  postToken(s, TOKEN, { form: { grant_type: 'refresh_token', refresh_token: token, ...creds(), ...extra } });
const QUERY = '?q=SELECT+Id,Name+FROM+Account';

describe('Salesforce stand-in', () => {
  test('token answer: instance_url, issued_at in milliseconds as a string, a valid signature, no expires_in', async () => {
    const before = Date.now();
    const code = s.authorizationCode('https://app.example/cb');
    const a = await postToken(s, TOKEN, {
      form: { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/cb', ...creds() },
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({
      token_type: 'Bearer',
      instance_url: s.url,
      scope: 'api refresh_token id',
    });
    expect(field(a.body, 'expires_in')).toBeUndefined();
    const issuedAt = str(a.body, 'issued_at');
    expect(issuedAt).toMatch(/^\d{13}$/);
    expect(Number(issuedAt)).toBeGreaterThanOrEqual(before);
    const expected = createHmac('sha256', s.client.secret)
      .update(str(a.body, 'id') + issuedAt)
      .digest('base64');
    expect(str(a.body, 'signature')).toBe(expected);
    expect(str(a.body, 'access_token')).toMatch(/^00D[0-9A-Za-z]{12}!/);
  });

  test('HTTP Basic client credentials are accepted too', async () => {
    const c = s.connect();
    const r = await postToken(s, TOKEN, {
      form: { grant_type: 'refresh_token', refresh_token: c.refresh_token },
      headers: { authorization: basic(s.client.id, s.client.secret) },
    });
    expect(r.status).toBe(200);
  });

  test('rotation on: each refresh answers a new refresh token; reusing a used one revokes every token of the grant', async () => {
    const c = s.connect();
    const r = await refresh(c.refresh_token);
    const next = str(r.body, 'refresh_token');
    const access = str(r.body, 'access_token');
    expect(next).not.toBe(c.refresh_token);
    const reuse = await refresh(c.refresh_token);
    expect([reuse.status, reuse.body]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'expired access/refresh token' },
    ]);
    expect((await refresh(next)).body).toEqual({
      error: 'invalid_grant',
      error_description: 'expired access/refresh token',
    });
    const p = await getProbe(s, `Bearer ${access}`, QUERY);
    expect([p.status, p.body]).toEqual([
      401,
      [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
    ]);
    expect(s.tokenStats()).toMatchObject({ reusedRefreshTokens: 1, revokedByReuse: 1 });
    expect(s.rotation).toBe('strict');
  });

  test('client errors, throttling and outage at the token endpoint', async () => {
    const c = s.connect();
    expect((await refresh(c.refresh_token, { client_id: 'nobody' })).body).toEqual({
      error: 'invalid_client_id',
      error_description: 'client identifier invalid',
    });
    const wrong = await refresh(c.refresh_token, { client_secret: 'nope' });
    expect([wrong.status, wrong.body]).toEqual([
      400,
      { error: 'invalid_client', error_description: 'invalid client credentials' },
    ]);
    s.failTokenEndpoint(1, 'outage');
    s.failTokenEndpoint(1, 'rate_limited');
    expect((await refresh(c.refresh_token)).status).toBe(503);
    expect((await refresh(c.refresh_token)).status).toBe(429);
  });

  test('the query resource answers records', async () => {
    const c = s.connect();
    const p = await getProbe(s, `Bearer ${c.access_token}`, QUERY);
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({
      totalSize: 2,
      done: true,
      records: [{ attributes: { type: 'Account' } }, {}],
    });
  });

  test('expiry: 401 with an array of {message, errorCode}', async () => {
    const c = s.connect();
    s.expireAccessTokens();
    const p = await getProbe(s, `Bearer ${c.access_token}`, QUERY);
    expect(p.status).toBe(401);
    expect(Array.isArray(p.body)).toBe(true);
    expect(p.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  test('a token without the api scope gets the same code, with another message', async () => {
    const c = s.connect(['refresh_token', 'id']);
    const p = await getProbe(s, `Bearer ${c.access_token}`, QUERY);
    expect([p.status, p.body]).toEqual([
      401,
      [{ message: 'This session is not valid for use with the REST API', errorCode: 'INVALID_SESSION_ID' }],
    ]);
  });

  test('rate limit: 403 REQUEST_LIMIT_EXCEEDED; forbid: 403 API_DISABLED_FOR_ORG', async () => {
    const c = s.connect();
    s.rateLimit(1, 60);
    const limited = await getProbe(s, `Bearer ${c.access_token}`, QUERY);
    expect([limited.status, limited.body]).toEqual([
      403,
      [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    ]);
    expect(limited.headers.get('retry-after')).toBeNull();
    s.forbid(true);
    const f = await getProbe(s, `Bearer ${c.access_token}`, QUERY);
    expect([f.status, f.body]).toEqual([
      403,
      [{ message: 'The REST API is not enabled for this Organization.', errorCode: 'API_DISABLED_FOR_ORG' }],
    ]);
  });
});
