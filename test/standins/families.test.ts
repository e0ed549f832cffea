// The skeleton's endpoint families, its consent page and Shopify's kind of grace, driven through
// a test-only provider whose answers name the outcome and the family that wrote it.
import {
  authorizationToken,
  describeFamilies,
  randomToken,
  startStandIn,
  StandInUsageError,
  type ProviderSpec,
  type ResourceAnswers,
} from 'zapier-oauth-layer/standin';
import type { StandIn } from 'zapier-oauth-layer/standin';
import { call, field, getProbe, postToken, str, type Answer } from './helpers';

/** Answers that say which family wrote them, and what it was asked. */
function answersOf(family: string): ResourceAnswers {
  return {
    probe: (ctx) => ({
      status: 200,
      json: { family, ctxFamily: ctx.family, method: ctx.method, body: ctx.body },
    }),
    expired: (signal) => ({ status: 401, json: { family, expired: signal } }),
    invalidToken: (why) => ({ status: 401, json: { family, invalid: why } }),
    missingScope: (ctx) => ({ status: 403, json: { family, scope: ctx.requiredScope } }),
    rateLimited: (signal, retryAfter) => ({ status: 429, json: { family, limited: signal, retryAfter } }),
    forbidden: () => ({ status: 403, json: { family, forbidden: true } }),
  };
}

function twoFamilies(extra: Partial<ProviderSpec> = {}): ProviderSpec {
  return {
    provider: 'two',
    tokenPath: '/token',
    familyName: 'rest',
    forbidden: 'plan',
    probePath: '/v1/things',
    probeScope: 'things',
    allScopes: ['things', 'graph', 'more'],
    client: { id: 'cid', secret: 'csecret' },
    clientAuth: ['body'],
    accessTokenLifetimeSeconds: 600,
    rotation: 'grace',
    graceSeconds: 3600,
    scopeSeparator: ' ',
    expirySignals: ['401 rest expired'],
    rateLimitSignals: ['429 rest', '503 rest'],
    newAccessToken: () => `at_${randomToken()}`,
    newRefreshToken: () => `rt_${randomToken()}`,
    newAuthorizationCode: () => `code_${randomToken()}`,
    readAccessToken: (headers) => authorizationToken(headers, ['Bearer']),
    answers: {
      token: (issued) => ({
        status: 200,
        json: {
          access_token: issued.accessToken,
          refresh_token: issued.refreshToken,
          scope: issued.scopes.join(' '),
        },
      }),
      tokenFailure: (failure) => ({ status: 400, json: { failure } }),
      ...answersOf('rest'),
    },
    families: [
      {
        name: 'graphql',
        probe: { method: 'POST', path: '/graphql', body: { query: '{ viewer { id } }' } },
        probeScope: 'graph',
        expirySignals: ['200 UNAUTHENTICATED', '200 TOKEN_REVOKED'],
        rateLimitSignals: ['200 RATE_LIMITED'],
        // A token in a header of its own, as Shopify's X-Shopify-Access-Token.
        readAccessToken: (headers) =>
          typeof headers['x-token'] === 'string' ? headers['x-token'] : undefined,
        answers: answersOf('graphql'),
      },
    ],
    routes: [
      {
        method: 'GET',
        path: /^\/v1\/more$/,
        scope: 'more',
        answer: () => ({ status: 200, json: { more: true } }),
      },
      {
        method: 'POST',
        path: /^\/graphql\/batch$/,
        scope: 'more',
        family: 'graphql',
        answer: () => ({ status: 200, json: { batch: true } }),
      },
    ],
    ...extra,
  };
}

let s: StandIn;
let now: number;
beforeEach(async () => {
  now = Date.UTC(2026, 0, 1);
  s = await startStandIn(twoFamilies(), { clock: () => now });
});
afterEach(() => s.close());

const graphql = (token: string, body: unknown = { query: '{ viewer { id } }' }): Promise<Answer> =>
  fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: { 'x-token': token, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => ({
    status: r.status,
    headers: r.headers,
    text: '',
    body: (await r.json()) as unknown,
  }));
const rest = (token: string) => getProbe(s, `Bearer ${token}`);

describe('endpoint families', () => {
  test('the first family is the single-family fields; the others follow, as describeFamilies says before start', () => {
    expect(s.families).toEqual(describeFamilies(twoFamilies()));
    expect(s.families).toEqual([
      {
        name: 'rest',
        probe: { method: 'GET', path: '/v1/things' },
        probeScope: 'things',
        expirySignals: ['401 rest expired'],
        rateLimitSignals: ['429 rest', '503 rest'],
        scopeErrorIsExpiry: false,
        forbidden: 'plan',
      },
      {
        name: 'graphql',
        probe: { method: 'POST', path: '/graphql', body: { query: '{ viewer { id } }' } },
        probeScope: 'graph',
        expirySignals: ['200 UNAUTHENTICATED', '200 TOKEN_REVOKED'],
        rateLimitSignals: ['200 RATE_LIMITED'],
        scopeErrorIsExpiry: false,
        forbidden: 'role',
      },
    ]);
    // The single-family fields stay the first family's.
    expect([s.probePath, s.probeScope, s.expirySignals, s.rateLimitSignals]).toEqual([
      '/v1/things',
      'things',
      ['401 rest expired'],
      ['429 rest', '503 rest'],
    ]);
  });

  test("a POST probe reaches its family's answer with the parsed body; each family reads the token its own way", async () => {
    const c = s.connect();
    const g = await graphql(c.access_token, { query: '{ viewer { id } }', variables: { a: 1 } });
    expect([g.status, g.body]).toEqual([
      200,
      {
        family: 'graphql',
        ctxFamily: 'graphql',
        method: 'POST',
        body: { query: '{ viewer { id } }', variables: { a: 1 } },
      },
    ]);
    expect((await rest(c.access_token)).body).toMatchObject({ family: 'rest', method: 'GET' });
    // A GET to the GraphQL path is no probe; the REST family does not read the x-token header.
    expect((await call(s, 'GET', '/graphql')).status).toBe(404);
    expect((await getProbe(s)).body).toEqual({ family: 'rest', invalid: 'missing' });
  });

  test('an expiry signal is played by its own family; the other answers with its own first', async () => {
    const c = s.connect();
    s.expireAccessTokens('200 TOKEN_REVOKED');
    expect((await graphql(c.access_token)).body).toEqual({ family: 'graphql', expired: '200 TOKEN_REVOKED' });
    expect((await rest(c.access_token)).body).toEqual({ family: 'rest', expired: '401 rest expired' });
    const d = s.connect();
    now += 600 * 1000;
    expect((await graphql(d.access_token)).body).toEqual({
      family: 'graphql',
      expired: '200 UNAUTHENTICATED',
    });
    expect(() => s.expireAccessTokens('nothing')).toThrow(StandInUsageError);
  });

  test('a rate limit counts requests of every family, each answering in its own form', async () => {
    const c = s.connect();
    s.rateLimit(2, 9, '200 RATE_LIMITED');
    expect((await rest(c.access_token)).body).toEqual({ family: 'rest', limited: '429 rest', retryAfter: 9 });
    expect((await graphql(c.access_token)).body).toEqual({
      family: 'graphql',
      limited: '200 RATE_LIMITED',
      retryAfter: 9,
    });
    expect((await graphql(c.access_token)).status).toBe(200);
    expect(() => s.rateLimit(1, 1, '401 rest expired')).toThrow(StandInUsageError);
  });

  test("scopes are each family's probe scope; forbid is each family's own refusal", async () => {
    const noGraph = s.connect(['things']);
    expect((await graphql(noGraph.access_token)).body).toEqual({ family: 'graphql', scope: 'graph' });
    expect((await rest(noGraph.access_token)).status).toBe(200);
    const c = s.connect();
    s.forbid(true);
    expect((await graphql(c.access_token)).body).toEqual({ family: 'graphql', forbidden: true });
    expect((await rest(c.access_token)).body).toEqual({ family: 'rest', forbidden: true });
  });

  test("a route's checks are written by the family it names, the first when it names none", async () => {
    const c = s.connect(['things', 'graph']);
    expect((await call(s, 'GET', '/v1/more', { authorization: `Bearer ${c.access_token}` })).body).toEqual({
      family: 'rest',
      scope: 'more',
    });
    const batch = await fetch(`${s.url}/graphql/batch`, {
      method: 'POST',
      headers: { 'x-token': c.access_token },
    });
    expect(await batch.json()).toEqual({ family: 'graphql', scope: 'more' });
  });

  test('two families with one name, or one signal name in two families, are refused', async () => {
    const graphqlFamily = twoFamilies().families?.[0];
    if (!graphqlFamily) throw new Error('no second family');
    await expect(
      startStandIn(twoFamilies({ families: [{ ...graphqlFamily, name: 'rest' }] })),
    ).rejects.toThrow(/two families named "rest"/);
    await expect(
      startStandIn(twoFamilies({ families: [{ ...graphqlFamily, rateLimitSignals: ['429 rest'] }] })),
    ).rejects.toThrow(/two signals "429 rest"/);
    expect(() => describeFamilies(twoFamilies({ expirySignals: [] }))).toThrow(StandInUsageError);
  });
});

describe('consent on the authorize page', () => {
  let d: StandIn;
  afterEach(() => d.close());
  const start = async (defaultScopes?: readonly string[]) => {
    d = await startStandIn(
      twoFamilies({ authorize: { path: '/oauth/authorize', scopeSeparator: ' ', defaultScopes } }),
    );
    return d;
  };
  const urlOf = (standIn: StandIn, params: Record<string, string>, path = '/oauth/authorize') => {
    const url = new URL(path, standIn.url);
    for (const [k, v] of Object.entries({
      client_id: 'cid',
      response_type: 'code',
      redirect_uri: 'https://a.example/cb',
      ...params,
    }))
      url.searchParams.set(k, v);
    return url.toString();
  };
  const exchange = async (standIn: StandIn, code: string) =>
    postToken(standIn, '/token', {
      form: {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'https://a.example/cb',
        client_id: 'cid',
        client_secret: 'csecret',
      },
    });

  test('the scopes the URL names, or the registered defaults when it names none', async () => {
    const standIn = await start(['things']);
    expect(s.consent).toBeUndefined();
    const named = await exchange(
      standIn,
      await (standIn.consent?.(urlOf(standIn, { scope: 'graph more' })) ?? ''),
    );
    expect(str(named.body, 'scope')).toBe('graph more');
    for (const params of [{}, { scope: '' }] as Record<string, string>[]) {
      const given = await exchange(standIn, await (standIn.consent?.(urlOf(standIn, params)) ?? ''));
      expect(str(given.body, 'scope')).toBe('things');
    }
  });

  test('refuses another path, client or response type, and a URL without scope when there are no defaults', async () => {
    const standIn = await start();
    const consent = (url: string) => standIn.consent?.(url);
    await expect(consent(urlOf(standIn, { scope: 'things' }, '/authorize'))).rejects.toThrow(
      /path is \/oauth\/authorize/,
    );
    await expect(consent(urlOf(standIn, { scope: 'things', client_id: 'x' }))).rejects.toThrow(/client_id/);
    await expect(consent(urlOf(standIn, { scope: 'things', response_type: 'token' }))).rejects.toThrow(
      /response_type/,
    );
    await expect(consent(urlOf(standIn, {}))).rejects.toThrow(/no default scopes/);
    await expect(consent(urlOf(standIn, { scope: 'admin' }))).rejects.toThrow(/no scope named "admin"/);
  });
});

describe('grace that ends when the replacement is used (graceEndsWhenReplacementUsed)', () => {
  let g: StandIn;
  afterEach(() => g.close());
  const refresh = (token: string) =>
    postToken(g, '/token', {
      form: { grant_type: 'refresh_token', refresh_token: token, client_id: 'cid', client_secret: 'csecret' },
    });

  test('the previous refresh token works again and again until a token issued from it is presented', async () => {
    g = await startStandIn(twoFamilies({ graceEndsWhenReplacementUsed: true }), { clock: () => now });
    const c = g.connect();
    const first = str((await refresh(c.refresh_token)).body, 'refresh_token');
    // The answer was lost: the old one is retried, twice, each time for a new pair.
    const second = str((await refresh(c.refresh_token)).body, 'refresh_token');
    expect((await refresh(c.refresh_token)).status).toBe(200);
    expect(new Set([c.refresh_token, first, second]).size).toBe(3);
    // Using a replacement retires the one before it.
    expect((await refresh(second)).status).toBe(200);
    expect(field((await refresh(c.refresh_token)).body, 'failure')).toBe('dead_grant');
  });

  test('and within graceSeconds only', async () => {
    g = await startStandIn(twoFamilies({ graceEndsWhenReplacementUsed: true }), { clock: () => now });
    const c = g.connect();
    await refresh(c.refresh_token);
    now += 3601 * 1000;
    expect(field((await refresh(c.refresh_token)).body, 'failure')).toBe('dead_grant');
  });
});

describe("today's stand-ins, each one family made of its fields", () => {
  test.each(['github', 'hubspot', 'microsoft', 'salesforce', 'slack', 'tallybook', 'xero', 'zoho'])(
    '%s',
    async (name) => {
      const { spec } = (await import(`../../tools/standins/${name}`)) as { spec: ProviderSpec };
      const [first] = describeFamilies(spec);
      expect(first).toEqual({
        name: spec.familyName ?? 'api',
        probe: { method: 'GET', path: spec.probePath },
        probeScope: spec.probeScope,
        expirySignals: spec.expirySignals,
        rateLimitSignals: spec.rateLimitSignals,
        scopeErrorIsExpiry: spec.scopeErrorIsExpiry === true,
        forbidden: 'role',
      });
    },
  );
});
