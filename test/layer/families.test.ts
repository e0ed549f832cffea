// Endpoint families: an API whose REST endpoints say "expired" as HTTP 400 with a list of
// errors and whose /graphql endpoint says it as HTTP 200 with GraphQL's errors (issue 26, 1),
// several API prefixes (2), and advice that differs by family (5): each read with its own
// signals, chosen by the request's path and method.
import {
  createLayer,
  defineProfile,
  graphqlFamily,
  profileProblems,
  type ProfileInput,
  type ResponseLike,
} from 'zapier-oauth-layer/internal';
import { PROFILES } from '../../profiles';

const BASE = 'https://api.acme.example';

/** An invented API with a REST family, a GraphQL one and a billing family with its own advice. */
const acme: ProfileInput = {
  id: 'acme',
  name: 'Acme',
  troubleshooting: 'docs/troubleshooting.md',
  endpoints: {
    base: BASE,
    baseEnv: 'ACME_BASE_URL',
    authorize: '/oauth/authorize',
    token: '/oauth/token',
    api: ['/v2/', '/graphql'],
  },
  client: { idEnv: 'ACME_CLIENT_ID', secretEnv: 'ACME_CLIENT_SECRET' },
  authorization: { scopes: ['read'], pkce: 'none' },
  signals: {
    // REST: HTTP 400 {"errors": [{"code": "AUTH_EXPIRED", "message": …}]}
    body: { list: 'errors', code: 'code', message: 'message', field: 'field' },
    codes: { AUTH_EXPIRED: 'refresh', NO_ROLE: 'forbidden', INVALID: 'validation' },
    families: [
      graphqlFamily({ prefix: '/graphql', codes: { THROTTLED: 'throttled' } }),
      {
        name: 'billing',
        match: { prefix: '/v2/billing/' },
        codes: { AUTH_EXPIRED: 'refresh', NO_PLAN: 'forbidden' },
        advice: { forbiddenWho: 'your Acme plan', forbidden: 'An owner can upgrade the plan.' },
      },
      { name: 'writes', match: { prefix: '/v2/', method: 'POST' }, codes: { EXPIRED: 'refresh' } },
    ],
  },
  token: { rotation: { kind: 'none' } },
  advice: { forbiddenWho: 'your Acme role', forbidden: 'An admin can change your role.' },
};
const layer = createLayer(defineProfile(acme));

function answer(method: string, path: string, status: number, body?: unknown): ResponseLike {
  return {
    status,
    header: () => undefined,
    body,
    content: body === undefined ? '' : JSON.stringify(body),
    request: { method, url: `${BASE}${path}` },
  };
}
const gql = (...codes: Array<string | undefined>) =>
  codes.map((code, i) => ({ message: `problem ${i}`, ...(code ? { extensions: { code } } : {}) }));
const rest = (...codes: string[]) => ({ errors: codes.map((code) => ({ code, message: `${code} said` })) });

describe('an API with a REST family and a GraphQL family that signal expiry differently', () => {
  it.each<[string, ResponseLike, string, string | undefined]>([
    ['REST 400 AUTH_EXPIRED', answer('GET', '/v2/contacts', 400, rest('AUTH_EXPIRED')), 'refresh', undefined],
    ['REST 403 NO_ROLE', answer('GET', '/v2/contacts', 403, rest('NO_ROLE')), 'forbidden', undefined],
    ['REST 200', answer('GET', '/v2/contacts', 200, { data: [] }), 'ok', undefined],
    [
      'GraphQL 200 UNAUTHENTICATED, data null',
      answer('POST', '/graphql', 200, { data: null, errors: gql('UNAUTHENTICATED') }),
      'refresh',
      'graphql',
    ],
    [
      'GraphQL 200 FORBIDDEN',
      answer('POST', '/graphql', 200, { data: null, errors: gql('FORBIDDEN') }),
      'forbidden',
      'graphql',
    ],
    [
      "GraphQL 200 the profile's own THROTTLED",
      answer('POST', '/graphql', 200, { errors: gql('THROTTLED') }),
      'throttled',
      'graphql',
    ],
    [
      'GraphQL 200 an unknown code beside partial data: the step reads it',
      answer('POST', '/graphql', 200, { data: { me: { id: 1 } }, errors: gql('INTERNAL_SERVER_ERROR') }),
      'ok',
      undefined,
    ],
    [
      'GraphQL 200 an unknown code and no data',
      answer('POST', '/graphql', 200, { data: null, errors: gql(undefined) }),
      'error',
      'graphql',
    ],
    [
      'GraphQL 200 a known code beside partial data still counts',
      answer('POST', '/graphql', 200, { data: { me: null }, errors: gql('UNAUTHENTICATED') }),
      'refresh',
      'graphql',
    ],
    ['GraphQL 200 no errors', answer('POST', '/graphql', 200, { data: { me: {} } }), 'ok', undefined],
    [
      'GraphQL 200 an empty errors list',
      answer('POST', '/graphql', 200, { data: {}, errors: [] }),
      'ok',
      undefined,
    ],
    [
      "GraphQL 400 GRAPHQL_PARSE_FAILED (graphql-response+json's status)",
      answer('POST', '/graphql', 400, { errors: gql('GRAPHQL_PARSE_FAILED') }),
      'bad_request',
      'graphql',
    ],
    [
      "GraphQL 500 with no known code: the status's meaning",
      answer('POST', '/graphql', 500, { errors: gql(undefined) }),
      'server',
      'graphql',
    ],
    [
      'GraphQL 401 {"message": "Bad credentials"} (no list)',
      answer('POST', '/graphql', 401, { message: 'Bad credentials' }),
      'refresh',
      'graphql',
    ],
    [
      "REST's code is not GraphQL's: 200 on /graphql with AUTH_EXPIRED at the top is ok",
      answer('POST', '/graphql', 200, { data: {}, code: 'AUTH_EXPIRED' }),
      'ok',
      undefined,
    ],
    [
      "GraphQL's code is not REST's: 400 UNAUTHENTICATED on /v2/ is a bad request",
      answer('GET', '/v2/contacts', 400, { errors: gql('UNAUTHENTICATED') }),
      'bad_request',
      undefined,
    ],
    [
      'billing (longest prefix) reads NO_PLAN',
      answer('GET', '/v2/billing/plan', 403, rest('NO_PLAN')),
      'forbidden',
      'billing',
    ],
    [
      "billing does not know REST's NO_ROLE (codes replace, not merge)",
      answer('GET', '/v2/billing/plan', 400, rest('NO_ROLE')),
      'bad_request',
      'billing',
    ],
    [
      'writes: a POST under /v2/ reads EXPIRED',
      answer('POST', '/v2/contacts', 400, rest('EXPIRED')),
      'refresh',
      'writes',
    ],
    [
      'writes is for POST only: a GET reads the top level',
      answer('GET', '/v2/contacts', 400, rest('EXPIRED')),
      'bad_request',
      undefined,
    ],
    [
      'a prefix wins over a method: POST /v2/billing/ is billing',
      answer('POST', '/v2/billing/pay', 400, rest('EXPIRED')),
      'bad_request',
      'billing',
    ],
  ])('%s', (_what, response, kind, family) => {
    const signal = layer.classify(response);
    expect(signal.kind).toBe(kind);
    expect(signal.family).toBe(family);
  });

  it('tells a 403 on one family "your plan" and on another "your role"', () => {
    const plan = layer.classify(answer('GET', '/v2/billing/plan', 403, rest('NO_PLAN')));
    const role = layer.classify(answer('GET', '/v2/contacts', 403, rest('NO_ROLE')));
    expect(layer.messageFor(plan, [])).toBe(
      'Acme does not let your Acme plan do this (HTTP 403 NO_PLAN). Acme says: "NO_PLAN said" An owner can upgrade the plan.',
    );
    expect(layer.messageFor(role, [])).toBe(
      'Acme does not let your Acme role do this (HTTP 403 NO_ROLE). Acme says: "NO_ROLE said" An admin can change your role.',
    );
  });

  it("names GraphQL's errors list and code as the source", () => {
    const signal = layer.classify(
      answer('POST', '/graphql', 200, { data: null, errors: gql('UNAUTHENTICATED') }),
    );
    expect(signal.source).toBe('HTTP 200 errors: UNAUTHENTICATED');
  });
});

describe("a GraphQL family whose errors name no known code: the headers still say what happened (GitHub's limits)", () => {
  const github = createLayer(PROFILES.github!);
  const graphql = (status: number, body: unknown, headers: Record<string, string>): ResponseLike => ({
    status,
    header: (name) => headers[name.toLowerCase()],
    body,
    content: JSON.stringify(body),
    request: { method: 'POST', url: 'https://api.github.com/graphql' },
  });
  const now = Date.parse('2026-03-01T12:00:00Z');

  it.each<[string, ResponseLike, string, number | null]>([
    [
      'HTTP 200 RATE_LIMITED with x-ratelimit-remaining 0: throttled until the reset',
      graphql(
        200,
        { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded' }] },
        {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(now / 1000 + 42),
        },
      ),
      'throttled',
      42,
    ],
    [
      'HTTP 200 with an error of no type and Retry-After (a secondary limit)',
      graphql(
        200,
        { errors: [{ message: 'You have exceeded a secondary rate limit.' }] },
        { 'retry-after': '9' },
      ),
      'throttled',
      9,
    ],
    [
      'HTTP 200 with an error of no type and nothing else',
      graphql(200, { errors: [{ message: 'Something went wrong' }] }, {}),
      'error',
      null,
    ],
    [
      'HTTP 200 INSUFFICIENT_SCOPES',
      graphql(
        200,
        { data: null, errors: [{ type: 'INSUFFICIENT_SCOPES', message: "requires ['user:email']" }] },
        {},
      ),
      'scope',
      null,
    ],
    [
      'HTTP 200 FORBIDDEN beside partial data (SAML)',
      graphql(200, { data: { viewer: null }, errors: [{ type: 'FORBIDDEN', message: 'SAML' }] }, {}),
      'forbidden',
      null,
    ],
  ])('%s', (_what, response, kind, retryAfter) => {
    expect(github.classify(response, now)).toMatchObject({ kind, retryAfter, family: 'graphql' });
  });

  it('quotes the API where a scope error names no scope, so the user learns which', () => {
    const signal = github.classify(
      graphql(
        200,
        { data: null, errors: [{ type: 'INSUFFICIENT_SCOPES', message: "requires ['user:email']" }] },
        {},
      ),
      now,
    );
    expect(github.messageFor(signal, [])).toContain(`GitHub says: "requires ['user:email']"`);
  });

  it('reads a non-2xx with partial data by its status, never as ok', () => {
    const answer = graphql(403, { data: { viewer: {} }, errors: [{ message: 'no' }] }, {});
    expect(layer.classify({ ...answer, request: { method: 'POST', url: `${BASE}/graphql` } }).kind).toBe(
      'forbidden',
    );
  });
});

describe('several API prefixes', () => {
  it('sends the token under each of them and nowhere else', () => {
    const e = layer.endpoints;
    expect(e.isApiRequest(`${BASE}/v2/contacts`)).toBe(true);
    expect(e.isApiRequest(`${BASE}/graphql`)).toBe(true);
    expect(e.isApiRequest(`${BASE}/graphql-explorer`)).toBe(false);
    expect(e.isApiRequest(`${BASE}/v3/contacts`)).toBe(false);
    expect(e.isApiRequest(`${BASE}/oauth/token`)).toBe(false);
    expect(e.apiUrl('contacts')).toBe(`${BASE}/v2/contacts`);
  });
});

describe('families are checked at load', () => {
  const withFamilies = (families: unknown, api: unknown = ['/v2/', '/graphql']) =>
    profileProblems({
      ...acme,
      endpoints: { ...acme.endpoints, api },
      signals: { ...acme.signals, families },
    });

  it.each<[string, unknown, RegExp]>([
    [
      'a prefix outside the API',
      [graphqlFamily({ prefix: '/admin/graphql' })],
      /^signals\.families\[0\]\.match\.prefix: "\/admin\/graphql" is not under endpoints\.api \(\/v2\/, \/graphql\)/,
    ],
    [
      'two families for the same requests',
      [
        { name: 'a', match: { prefix: '/v2/x' } },
        { name: 'b', match: { prefix: '/v2/x/' } },
      ],
      /^signals\.families\[1\]\.match: matches the same requests as signals\.families\[0\]/,
    ],
    [
      'two families of one name',
      [
        { name: 'a', match: { prefix: '/v2/x' } },
        { name: 'a', match: { prefix: '/v2/y' } },
      ],
      /^signals\.families\[1\]\.name: "a" names another family too/,
    ],
    [
      'an envelope with no code to judge it by',
      [{ name: 'a', match: { prefix: '/v2/x' }, body: {}, envelope: { path: 'ok', failure: false } }],
      /^signals\.families\[0\]\.body\.code: is needed with signals\.families\[0\]\.envelope/,
    ],
    [
      'a misspelt field of a family',
      [{ name: 'a', match: { prefix: '/v2/x' }, cods: {} }],
      /^signals\.families\[0\]\.cods: is not a field of signals\.families\[0\]; did you mean "codes"\?/,
    ],
    [
      'a lowercase method',
      [{ name: 'a', match: { prefix: '/v2/x', method: 'post' } }],
      /^signals\.families\[0\]\.match\.method: must be an HTTP method in capitals/,
    ],
    ['an empty list of API prefixes', [], /^endpoints\.api: must list at least one prefix/],
  ])('refuses %s', (_what, families, expected) => {
    const problems = withFamilies(
      families,
      Array.isArray(families) && families.length === 0 ? [] : undefined,
    );
    expect(problems.some((p) => expected.test(p))).toBe(true);
  });

  it('takes a family that only lies under an absolute API prefix by its path', () => {
    expect(
      withFamilies([graphqlFamily({ prefix: '/graphql' })], ['https://api.acme.example/', '/v2/']),
    ).toEqual([]);
  });
});
