import { spec, start } from '../../tools/standins/github';
import type { StandIn } from 'zapier-oauth-layer/standin';
import { call, field, getProbe, postToken, str } from './helpers';

let s: StandIn;
beforeEach(async () => {
  s = await start();
});
afterEach(() => s.close());

const TOKEN = spec.tokenPath;
const JSON_ACCEPT = { accept: 'application/json' };
const creds = () => ({ client_id: s.client.id, client_secret: s.client.secret });
const refresh = (token: string, extra: Record<string, string> = {}) =>
  postToken(s, TOKEN, {
    form: { grant_type: 'refresh_token', refresh_token: token, ...creds(), ...extra },
    headers: JSON_ACCEPT,
  });

describe('GitHub stand-in', () => {
  test('without Accept: application/json the token endpoint answers form-encoded', async () => {
    const code = s.authorizationCode('https://app.example/cb');
    const a = await postToken(s, TOKEN, { form: { code, ...creds() } });
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(a.text);
    expect(form.get('access_token')).toMatch(/^ghu_[A-Za-z0-9]{36}$/);
    expect(form.get('refresh_token')).toMatch(/^ghr_[A-Za-z0-9]{76}$/);
    expect(form.get('expires_in')).toBe('28800');
    expect(form.get('refresh_token_expires_in')).toBe('15897600');
    expect(form.get('token_type')).toBe('bearer');
  });

  test('with Accept: application/json: numbers as numbers', async () => {
    const c = s.connect();
    const r = await refresh(c.refresh_token);
    expect(r.body).toMatchObject({
      expires_in: 28800,
      refresh_token_expires_in: 15897600,
      token_type: 'bearer',
    });
  });

  test('a refresh ends the old refresh token and the old access token; reuse is bad_refresh_token (HTTP 200)', async () => {
    const c = s.connect();
    const r = await refresh(c.refresh_token);
    const next = str(r.body, 'refresh_token');
    expect((await getProbe(s, `Bearer ${c.access_token}`)).status).toBe(401);
    expect((await getProbe(s, `Bearer ${str(r.body, 'access_token')}`)).status).toBe(200);
    const reuse = await refresh(c.refresh_token);
    expect(reuse.status).toBe(200);
    expect(reuse.body).toMatchObject({
      error: 'bad_refresh_token',
      error_description: 'The refresh token passed is incorrect or expired.',
    });
    // The grant is not revoked: the newest refresh token still works.
    expect((await refresh(next)).body).toMatchObject({ token_type: 'bearer' });
    expect(s.tokenStats()).toMatchObject({ reusedRefreshTokens: 1, revokedByReuse: 0 });
  });

  test('client and code errors are HTTP 200 too', async () => {
    const c = s.connect();
    const wrong = await refresh(c.refresh_token, { client_secret: 'nope' });
    expect([wrong.status, field(wrong.body, 'error')]).toEqual([200, 'incorrect_client_credentials']);
    const code = s.authorizationCode('https://app.example/cb');
    const mismatch = await postToken(s, TOKEN, {
      form: { code, redirect_uri: 'https://x.example/', ...creds() },
      headers: JSON_ACCEPT,
    });
    expect(field(mismatch.body, 'error')).toBe('redirect_uri_mismatch');
    const used = await postToken(s, TOKEN, { form: { code, ...creds() } });
    expect(new URLSearchParams(used.text).get('error')).toBe('bad_verification_code');
  });

  test('the emails list, with X-OAuth-Scopes', async () => {
    const c = s.connect();
    const p = await getProbe(s, `token ${c.access_token}`);
    expect(p.status).toBe(200);
    expect(p.body).toEqual([
      { email: 'octocat@github.com', verified: true, primary: true, visibility: 'public' },
      { email: 'octocat@users.noreply.github.com', verified: true, primary: false, visibility: null },
    ]);
    expect(p.headers.get('x-oauth-scopes')).toBe('user:email, repo, read:org');
  });

  test('expired or unknown: 401 Bad credentials', async () => {
    const c = s.connect();
    s.expireAccessTokens();
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect([p.status, field(p.body, 'message')]).toEqual([401, 'Bad credentials']);
    expect(field((await getProbe(s)).body, 'message')).toBe('Requires authentication');
  });

  test('missing scope: 404 Not Found with X-OAuth-Scopes and X-Accepted-OAuth-Scopes', async () => {
    const c = s.connect(['repo']);
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect([p.status, field(p.body, 'message')]).toEqual([404, 'Not Found']);
    expect(p.headers.get('x-oauth-scopes')).toBe('repo');
    expect(p.headers.get('x-accepted-oauth-scopes')).toBe('user, user:email');
  });

  test('primary limits: 403 or 429 with x-ratelimit-remaining 0 and x-ratelimit-reset in epoch seconds', async () => {
    const c = s.connect();
    s.rateLimit(1, 120, '403 x-ratelimit-remaining: 0');
    s.rateLimit(1, 120, '429 x-ratelimit-remaining: 0');
    for (const status of [403, 429]) {
      const before = Math.floor(Date.now() / 1000);
      const p = await getProbe(s, `Bearer ${c.access_token}`);
      expect(p.status).toBe(status);
      expect(p.headers.get('x-ratelimit-remaining')).toBe('0');
      const reset = Number(p.headers.get('x-ratelimit-reset'));
      expect(reset).toBeGreaterThanOrEqual(before + 120);
      expect(reset).toBeLessThan(before + 125);
      expect(str(p.body, 'message')).toMatch(/^API rate limit exceeded/);
    }
  });

  test('secondary limits: 403 or 429 with retry-after and the secondary message', async () => {
    const c = s.connect();
    s.rateLimit(1, 60, '403 secondary retry-after');
    s.rateLimit(1, 60, '429 secondary retry-after');
    for (const status of [403, 429]) {
      const p = await getProbe(s, `Bearer ${c.access_token}`);
      expect([p.status, p.headers.get('retry-after'), p.headers.get('x-ratelimit-remaining')]).toEqual([
        status,
        '60',
        null,
      ]);
      expect(str(p.body, 'message')).toMatch(/secondary rate limit/);
    }
  });

  test('forbid: 403 SAML enforcement with X-GitHub-SSO', async () => {
    const c = s.connect();
    s.forbid(true);
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect(p.status).toBe(403);
    expect(p.headers.get('x-github-sso')).toMatch(/^required; url=/);
    expect(s.rotation).toBe('single-use');
  });
});

describe('GitHub stand-in, GraphQL API (POST /graphql)', () => {
  const graphql = (authorization?: string, query = '{ viewer { login email } }') =>
    call(s, 'POST', '/graphql', { authorization, json: { query } });
  const errors = (body: unknown) => field(body, 'errors') as Record<string, unknown>[];

  test('a second family beside REST, probed with a POST and a query', () => {
    expect(s.families.map((f) => [f.name, f.probe.method, f.probe.path, f.probeScope])).toEqual([
      ['rest', 'GET', '/user/emails', 'user:email'],
      ['graphql', 'POST', '/graphql', 'user:email'],
    ]);
    expect(s.families[1]?.probe.body).toEqual({ query: '{ viewer { login email } }' });
  });

  test('the viewer, with the graphql rate-limit resource headers', async () => {
    const c = s.connect();
    const g = await graphql(`bearer ${c.access_token}`);
    expect([g.status, g.body]).toEqual([
      200,
      { data: { viewer: { login: 'octocat', email: 'octocat@github.com' } } },
    ]);
    expect(g.headers.get('x-ratelimit-resource')).toBe('graphql');
  });

  test("an expired or unknown token is REST's 401 Bad credentials; no token, 'requires you to be authenticated'", async () => {
    const c = s.connect();
    s.expireAccessTokens('graphql 401 Bad credentials');
    const g = await graphql(`Bearer ${c.access_token}`);
    expect([g.status, g.body]).toEqual([
      401,
      { message: 'Bad credentials', documentation_url: 'https://docs.github.com/graphql', status: '401' },
    ]);
    expect(field((await graphql()).body, 'message')).toBe('This endpoint requires you to be authenticated.');
  });

  test('a missing scope is HTTP 200, data null, an INSUFFICIENT_SCOPES error naming the scopes', async () => {
    const c = s.connect(['repo']);
    const g = await graphql(`Bearer ${c.access_token}`);
    expect([g.status, field(g.body, 'data')]).toEqual([200, null]);
    expect(errors(g.body)).toEqual([
      {
        type: 'INSUFFICIENT_SCOPES',
        locations: [{ line: 1, column: 18 }],
        message:
          "Your token has not been granted the required scopes to execute this query. The 'email' field requires one of the following scopes: ['user:email', 'read:user'], but your token has only been granted the: ['repo'] scopes. Please modify your token's scopes at: https://github.com/settings/tokens.",
      },
    ]);
  });

  test('the primary limit is HTTP 200 RATE_LIMITED with x-ratelimit-remaining 0; a secondary one 200 or 403 with retry-after', async () => {
    const c = s.connect();
    s.rateLimit(1, 90, 'graphql 200 RATE_LIMITED x-ratelimit-remaining: 0');
    s.rateLimit(1, 60, 'graphql 200 secondary retry-after');
    s.rateLimit(1, 60, 'graphql 403 secondary retry-after');
    const before = Math.floor(Date.now() / 1000);
    const primary = await graphql(`Bearer ${c.access_token}`);
    expect([
      primary.status,
      errors(primary.body)[0]?.type,
      primary.headers.get('x-ratelimit-remaining'),
    ]).toEqual([200, 'RATE_LIMITED', '0']);
    expect(Number(primary.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(before + 90);
    const second200 = await graphql(`Bearer ${c.access_token}`);
    expect([second200.status, second200.headers.get('retry-after')]).toEqual([200, '60']);
    expect(String(errors(second200.body)[0]?.message)).toMatch(/secondary rate limit/);
    const second403 = await graphql(`Bearer ${c.access_token}`);
    expect([second403.status, second403.headers.get('retry-after')]).toEqual([403, '60']);
  });

  test('forbid: HTTP 200, FORBIDDEN with saml_failure, and X-GitHub-SSO', async () => {
    const c = s.connect();
    s.forbid(true);
    const g = await graphql(`Bearer ${c.access_token}`);
    expect([g.status, field(g.body, 'data')]).toEqual([200, { viewer: null }]);
    expect(errors(g.body)[0]).toMatchObject({ type: 'FORBIDDEN', extensions: { saml_failure: true } });
    expect(g.headers.get('x-github-sso')).toMatch(/^required; url=/);
    expect(s.families[1]?.forbidden).toBe('role');
  });
});
