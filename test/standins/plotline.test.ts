import { startStandIn } from 'zapier-oauth-layer/standin';
import { spec } from '../../tools/standins/plotline';
import type { StandIn } from 'zapier-oauth-layer/standin';
import { basic, call, field, getProbe, postToken, str, type Answer } from './helpers';

let now: number;
let s: StandIn;
beforeEach(async () => {
  now = Date.UTC(2026, 11, 1, 9, 0, 0);
  s = await startStandIn(spec, { clock: () => now });
});
afterEach(() => s.close());

const TOKEN = spec.tokenPath;
const REDIRECT = 'https://app.example/cb';
const creds = () => ({ client_id: s.client.id, client_secret: s.client.secret });
const refresh = (token: string) =>
  postToken(s, TOKEN, { form: { grant_type: 'refresh_token', refresh_token: token, ...creds() } });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const v2 = (token: string) => call(s, 'GET', '/v2/tasks', bearer(token));
const v3 = (token: string) => getProbe(s, `Bearer ${token}`);
const graphql = (token: string, body: unknown = { query: '{ viewer { id } }' }) =>
  call(s, 'POST', '/graphql', { ...bearer(token), json: body });
const codes = (a: Answer) =>
  (field(a.body, 'errors') as { code?: string; extensions?: { code: string } }[]).map(
    (e) => e.code ?? e.extensions?.code,
  );
const authorizeUrl = (params: Record<string, string>) => {
  const url = new URL('/oauth/authorize', s.url);
  for (const [k, v] of Object.entries({
    client_id: s.client.id,
    response_type: 'code',
    redirect_uri: REDIRECT,
    state: 'x',
    ...params,
  }))
    url.searchParams.set(k, v);
  return url.toString();
};
const exchange = (code: string) =>
  postToken(s, TOKEN, {
    form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...creds() },
  });

describe('Plotline stand-in', () => {
  test('three families: v3 first (its fields), v2, and GraphQL probed with a POST', () => {
    expect(s.families.map((f) => [f.name, f.probe.method, f.probe.path, f.probeScope, f.forbidden])).toEqual([
      ['v3', 'GET', '/v3/projects', 'projects:read', 'plan'],
      ['v2', 'GET', '/v2/tasks', 'tasks:read', 'plan'],
      ['graphql', 'POST', '/graphql', 'profile', 'role'],
    ]);
    expect(s.families[2]?.probe.body).toEqual({ query: '{ viewer { id } }' });
    expect([s.probePath, s.rotation, s.accessTokenLifetimeSeconds]).toEqual(['/v3/projects', 'strict', 1800]);
  });

  test('a token answer has issued_at in milliseconds as a string, no expires_in, and api_url', async () => {
    const a = await exchange(s.authorizationCode(REDIRECT, ['profile', 'tasks:read']));
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({
      token_type: 'bearer',
      issued_at: String(now),
      scope: 'profile tasks:read',
      api_url: s.url,
    });
    expect(field(a.body, 'expires_in')).toBeUndefined();
    expect(str(a.body, 'access_token')).toMatch(/^plt_at_/);
    expect(str(a.body, 'refresh_token')).toMatch(/^plt_rt_/);
  });

  test('an authorize URL without scope gets the default scopes; one with scope gets those', async () => {
    for (const params of [{}, { scope: '' }] as Record<string, string>[]) {
      const a = await exchange(await (s.consent?.(authorizeUrl(params)) ?? ''));
      expect(str(a.body, 'scope')).toBe('profile projects:read tasks:read');
    }
    const named = await exchange(await (s.consent?.(authorizeUrl({ scope: 'projects:write' })) ?? ''));
    expect(str(named.body, 'scope')).toBe('projects:write');
  });

  test('the access token lives 30 minutes from issued_at', async () => {
    const c = s.connect();
    now += 1799 * 1000;
    expect((await v3(c.access_token)).status).toBe(200);
    now += 1000;
    expect([(await v3(c.access_token)).status, codes(await v3(c.access_token))]).toEqual([
      400,
      ['AUTH_EXPIRED'],
    ]);
  });

  test('expired, by family: v3 400 AUTH_EXPIRED, v2 401 with a challenge, GraphQL 200 UNAUTHENTICATED', async () => {
    const c = s.connect();
    s.expireAccessTokens('200 UNAUTHENTICATED');
    const r3 = await v3(c.access_token);
    expect([r3.status, r3.body]).toEqual([
      400,
      {
        errors: [{ code: 'AUTH_EXPIRED', message: 'The access token expired or is not valid; refresh it.' }],
      },
    ]);
    const r2 = await v2(c.access_token);
    expect([r2.status, codes(r2), r2.headers.get('www-authenticate')]).toEqual([
      401,
      ['AUTH_EXPIRED'],
      'Bearer realm="plotline", error="invalid_token"',
    ]);
    const g = await graphql(c.access_token);
    expect([g.status, g.body]).toEqual([
      200,
      {
        data: null,
        errors: [{ message: 'Access token expired or not valid', extensions: { code: 'UNAUTHENTICATED' } }],
      },
    ]);
    // No token, or one never issued: the same answers.
    expect(codes(await call(s, 'POST', '/graphql', { json: { query: '{ viewer { id } }' } }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect((await v2('plt_at_nothing')).status).toBe(401);
  });

  test('refresh tokens rotate; a used one presented again revokes the grant (RFC 6749 invalid_grant)', async () => {
    const c = s.connect();
    const r = await postToken(s, TOKEN, {
      form: { grant_type: 'refresh_token', refresh_token: c.refresh_token },
      headers: { authorization: basic(s.client.id, s.client.secret) },
    });
    const next = str(r.body, 'refresh_token');
    expect(next).not.toBe(c.refresh_token);
    const reuse = await refresh(c.refresh_token);
    expect([reuse.status, field(reuse.body, 'error')]).toEqual([400, 'invalid_grant']);
    expect(field((await refresh(next)).body, 'error')).toBe('invalid_grant');
    expect(codes(await v3(str(r.body, 'access_token')))).toEqual(['AUTH_EXPIRED']);
    expect(s.tokenStats()).toMatchObject({ revokedByReuse: 1 });
  });

  test('token endpoint errors: 401 invalid_client, 429 slow_down and 503 with Retry-After', async () => {
    const c = s.connect();
    const wrong = await postToken(s, TOKEN, {
      form: { grant_type: 'refresh_token', refresh_token: c.refresh_token, ...creds(), client_secret: 'no' },
    });
    expect([wrong.status, field(wrong.body, 'error')]).toEqual([401, 'invalid_client']);
    s.failTokenEndpoint(1, 'rate_limited');
    s.failTokenEndpoint(1, 'outage');
    const limited = await refresh(c.refresh_token);
    expect([limited.status, field(limited.body, 'error'), limited.headers.get('retry-after')]).toEqual([
      429,
      'slow_down',
      '30',
    ]);
    const down = await refresh(c.refresh_token);
    expect([down.status, field(down.body, 'error')]).toEqual([503, 'temporarily_unavailable']);
  });

  test('a 403 FORBIDDEN means the plan on REST and the role on GraphQL', async () => {
    const c = s.connect();
    s.forbid(true);
    for (const answer of [await v3(c.access_token), await v2(c.access_token)]) {
      expect([answer.status, codes(answer)]).toEqual([403, ['FORBIDDEN']]);
      expect(JSON.stringify(answer.body)).toContain('Your plan (Starter)');
    }
    const g = await graphql(c.access_token);
    expect([g.status, codes(g)]).toEqual([403, ['FORBIDDEN']]);
    expect(JSON.stringify(g.body)).toContain('Your role (Guest)');
  });

  test('a missing scope names it: REST 403 INSUFFICIENT_SCOPE, GraphQL 200 with the path', async () => {
    const c = s.connect(['tasks:read']);
    const r3 = await v3(c.access_token);
    expect([r3.status, r3.body]).toEqual([
      403,
      {
        errors: [
          {
            code: 'INSUFFICIENT_SCOPE',
            message: 'This request needs the projects:read scope.',
            scope: 'projects:read',
          },
        ],
      },
    ]);
    expect((await v2(c.access_token)).status).toBe(200);
    const g = await graphql(c.access_token);
    expect([g.status, g.body]).toEqual([
      200,
      {
        data: null,
        errors: [
          {
            message: 'This operation needs the profile scope.',
            path: ['viewer'],
            extensions: { code: 'INSUFFICIENT_SCOPE', scope: 'profile' },
          },
        ],
      },
    ]);
  });

  test('rate limits: v3 Retry-After, v2 only X-RateLimit-Reset in epoch seconds, GraphQL 200 RATE_LIMITED with Retry-After', async () => {
    const c = s.connect();
    s.rateLimit(1, 40, '429 RATE_LIMITED Retry-After');
    s.rateLimit(1, 40, '429 X-RateLimit-Reset');
    s.rateLimit(1, 40, '200 RATE_LIMITED Retry-After');
    const r3 = await v3(c.access_token);
    expect([r3.status, codes(r3), r3.headers.get('retry-after')]).toEqual([429, ['RATE_LIMITED'], '40']);
    const r2 = await v2(c.access_token);
    expect([r2.status, r2.headers.get('retry-after'), r2.headers.get('x-ratelimit-reset')]).toEqual([
      429,
      null,
      String(now / 1000 + 40),
    ]);
    const g = await graphql(c.access_token);
    expect([g.status, codes(g), g.headers.get('retry-after')]).toEqual([200, ['RATE_LIMITED'], '40']);
  });

  test('invalid input is a list of errors, each naming its field, on v3 and in a GraphQL mutation', async () => {
    const c = s.connect();
    const bad = await call(s, 'POST', '/v3/projects', {
      ...bearer(c.access_token),
      json: { name: ' ', due_on: 'soon' },
    });
    expect([bad.status, bad.body]).toEqual([
      422,
      {
        errors: [
          { code: 'INVALID_FIELD', field: 'name', message: 'must not be blank' },
          { code: 'INVALID_FIELD', field: 'due_on', message: 'must be a date (YYYY-MM-DD)' },
        ],
      },
    ]);
    const ok = await call(s, 'POST', '/v3/projects', { ...bearer(c.access_token), json: { name: 'Q3' } });
    expect([ok.status, ok.body]).toEqual([201, { id: 'prj_2', name: 'Q3' }]);
    const mutation = 'mutation CreateProject($input: ProjectInput!) { createProject(input: $input) { id } }';
    const g = await graphql(c.access_token, {
      query: mutation,
      variables: { input: { name: 'x'.repeat(81), dueOn: 3 } },
    });
    expect(g.status).toBe(200);
    expect(field(g.body, 'errors')).toEqual([
      {
        message: 'name must be at most 80 characters',
        path: ['createProject'],
        extensions: { code: 'BAD_USER_INPUT', field: 'name' },
      },
      {
        message: 'dueOn must be a date (YYYY-MM-DD)',
        path: ['createProject'],
        extensions: { code: 'BAD_USER_INPUT', field: 'dueOn' },
      },
    ]);
  });

  test('GraphQL operations need their own scope; an unknown query is GRAPHQL_VALIDATION_FAILED', async () => {
    const reader = s.connect(['profile', 'projects:read']);
    const mutation = 'mutation { createProject(input: {name: "a"}) { id } }';
    const denied = await graphql(reader.access_token, { query: mutation });
    expect(field(field(denied.body, 'errors'), '0')).toMatchObject({
      extensions: { code: 'INSUFFICIENT_SCOPE', scope: 'projects:write' },
    });
    const writer = s.connect(['projects:write']);
    expect(
      (await graphql(writer.access_token, { query: mutation, variables: { input: { name: 'A' } } })).body,
    ).toEqual({
      data: { createProject: { id: 'prj_2', name: 'A' } },
    });
    expect(codes(await graphql(reader.access_token, { query: '{ invoices { id } }' }))).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    expect((await graphql(reader.access_token)).body).toEqual({
      data: { viewer: { id: 'usr_1', name: 'Ada Planner' } },
    });
  });
});
