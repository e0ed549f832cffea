// Plotline stand-in (an invented API): three endpoint families that say the same things three
// ways — REST v3, REST v2 and GraphQL — behind one OAuth server. Source: [doc] plotline.md, next
// to this file, written before this stand-in.
//
// Plotline's OAuth endpoints (app.plotline.example) and its regional API
// ({region}.plotline.example) are served here on one origin, with their paths; the token
// answer's api_url names this origin, as it would name the account's region.
import type {
  FamilySpec,
  ProbeContext,
  ProviderSpec,
  Reply,
  ResourceAnswers,
} from 'zapier-oauth-layer/standin';
import { authorizationToken, randomToken, startStandIn } from 'zapier-oauth-layer/standin';
import type { StartStandIn } from 'zapier-oauth-layer/standin';

const V3_EXPIRED = '400 AUTH_EXPIRED';
const V3_LIMIT = '429 RATE_LIMITED Retry-After';
const V2_EXPIRED = '401 AUTH_EXPIRED invalid_token';
const V2_LIMIT = '429 X-RateLimit-Reset';
const GQL_EXPIRED = '200 UNAUTHENTICATED';
const GQL_LIMIT = '200 RATE_LIMITED Retry-After';

interface RestError {
  code: string;
  message: string;
  field?: string;
  scope?: string;
}

/** [doc] REST failures: a list of errors. */
const restErrors = (status: number, errors: RestError[], headers?: Record<string, string>): Reply => ({
  status,
  headers,
  json: { errors },
});

/** [doc] GraphQL failures: data null (or partial) and a list of errors with extensions.code. */
const graphqlErrors = (
  status: number,
  errors: { message: string; code: string; path?: string[]; extra?: Record<string, unknown> }[],
  headers?: Record<string, string>,
): Reply => ({
  status,
  headers,
  json: {
    data: null,
    errors: errors.map(({ message, code, path, extra }) => ({
      message,
      ...(path ? { path } : {}),
      extensions: { code, ...extra },
    })),
  },
});

const EXPIRED_MESSAGE = 'The access token expired or is not valid; refresh it.';
// [doc] the plan refusal is REST's meaning of 403 FORBIDDEN.
const planRefusal = (): Reply =>
  restErrors(403, [
    { code: 'FORBIDDEN', message: 'Your plan (Starter) does not include this feature; upgrade to use it.' },
  ]);
const restScope = (ctx: ProbeContext): Reply =>
  restErrors(403, [
    {
      code: 'INSUFFICIENT_SCOPE',
      message: `This request needs the ${ctx.requiredScope} scope.`,
      scope: ctx.requiredScope,
    },
  ]);

/** [doc] v3: every token problem is a 400 AUTH_EXPIRED; Retry-After on a 429. */
const v3: ResourceAnswers = {
  probe: () => ({ status: 200, json: { projects: [{ id: 'prj_1', name: 'Launch plan' }] } }),
  expired: () => restErrors(400, [{ code: 'AUTH_EXPIRED', message: EXPIRED_MESSAGE }]),
  invalidToken: () => restErrors(400, [{ code: 'AUTH_EXPIRED', message: EXPIRED_MESSAGE }]),
  missingScope: restScope,
  rateLimited: (_signal, retryAfter) =>
    restErrors(429, [{ code: 'RATE_LIMITED', message: 'Too many requests for this token.' }], {
      'retry-after': String(retryAfter),
    }),
  forbidden: planRefusal,
};

const v2Expired = (): Reply =>
  restErrors(401, [{ code: 'AUTH_EXPIRED', message: EXPIRED_MESSAGE }], {
    'www-authenticate': 'Bearer realm="plotline", error="invalid_token"',
  });

/** [doc] v2: token problems are 401 with a challenge; its 429 has no Retry-After, only the reset in epoch seconds. */
const v2: ResourceAnswers = {
  probe: () => ({ status: 200, json: { tasks: [{ id: 'tsk_1', title: 'Write the brief' }] } }),
  expired: v2Expired,
  invalidToken: v2Expired,
  missingScope: restScope,
  rateLimited: (_signal, retryAfter, nowMs) =>
    restErrors(429, [{ code: 'RATE_LIMITED', message: 'Too many requests for this token.' }], {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.ceil(nowMs / 1000) + retryAfter),
    }),
  forbidden: planRefusal,
};

// [doc] the operations the stand-in runs; anything else is GRAPHQL_VALIDATION_FAILED.
const query = (body: unknown): string => {
  const value =
    body !== null && typeof body === 'object' ? (body as Record<string, unknown>).query : undefined;
  return typeof value === 'string' ? value : '';
};
const isCreateProject = (body: unknown): boolean => /\bcreateProject\s*\(/.test(query(body));

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** [doc] v3's and createProject's rules on a project: one error per problem, each naming its field. */
function projectProblems(input: unknown, dueField: string): { field: string; message: string }[] {
  const fields = input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  const problems: { field: string; message: string }[] = [];
  const name = typeof fields.name === 'string' ? fields.name.trim() : '';
  if (name === '') problems.push({ field: 'name', message: 'must not be blank' });
  else if (name.length > 80) problems.push({ field: 'name', message: 'must be at most 80 characters' });
  const due = fields[dueField];
  if (due !== undefined && (typeof due !== 'string' || !DATE.test(due)))
    problems.push({ field: dueField, message: 'must be a date (YYYY-MM-DD)' });
  return problems;
}

function graphqlOperation(ctx: ProbeContext): Reply {
  if (isCreateProject(ctx.body)) {
    const variables = (ctx.body as { variables?: { input?: unknown } }).variables;
    const problems = projectProblems(variables?.input, 'dueOn');
    if (problems.length > 0) {
      return graphqlErrors(
        200,
        problems.map((p) => ({
          message: `${p.field} ${p.message}`,
          code: 'BAD_USER_INPUT',
          path: ['createProject'],
          extra: { field: p.field },
        })),
      );
    }
    const input = variables?.input as { name: string };
    return { status: 200, json: { data: { createProject: { id: 'prj_2', name: input.name.trim() } } } };
  }
  if (/\bviewer\b/.test(query(ctx.body))) {
    return { status: 200, json: { data: { viewer: { id: 'usr_1', name: 'Ada Planner' } } } };
  }
  return graphqlErrors(200, [
    { message: 'Plotline cannot run this query.', code: 'GRAPHQL_VALIDATION_FAILED' },
  ]);
}

const gqlExpired = (): Reply =>
  graphqlErrors(200, [{ message: 'Access token expired or not valid', code: 'UNAUTHENTICATED' }]);

/** [doc] GraphQL: HTTP 200 for everything but the role refusal, a 403. */
const graphql: FamilySpec = {
  name: 'graphql',
  probe: { method: 'POST', path: '/graphql', body: { query: '{ viewer { id } }' } },
  probeScope: 'profile',
  // [doc] viewer needs profile, createProject projects:write.
  requiredScope: (body) => (isCreateProject(body) ? 'projects:write' : 'profile'),
  expirySignals: [GQL_EXPIRED],
  rateLimitSignals: [GQL_LIMIT],
  forbidden: 'role',
  answers: {
    probe: graphqlOperation,
    expired: gqlExpired,
    invalidToken: gqlExpired,
    missingScope: (ctx) =>
      graphqlErrors(200, [
        {
          message: `This operation needs the ${ctx.requiredScope} scope.`,
          code: 'INSUFFICIENT_SCOPE',
          path: [isCreateProject(ctx.body) ? 'createProject' : 'viewer'],
          extra: { scope: ctx.requiredScope },
        },
      ]),
    rateLimited: (_signal, retryAfter) =>
      graphqlErrors(200, [{ message: 'Rate limit exceeded for this token.', code: 'RATE_LIMITED' }], {
        'retry-after': String(retryAfter),
      }),
    forbidden: () =>
      graphqlErrors(403, [
        {
          message: 'Your role (Guest) may not use the GraphQL API; ask a workspace admin.',
          code: 'FORBIDDEN',
        },
      ]),
  },
};

const oauthError = (
  status: number,
  error: string,
  description: string,
  headers?: Record<string, string>,
): Reply => ({
  status,
  headers,
  json: { error, error_description: description },
});

function plotlineSpec(): ProviderSpec {
  return {
    provider: 'plotline',
    tokenPath: '/oauth/token',
    familyName: 'v3',
    // [doc] 403 FORBIDDEN on REST is the plan.
    forbidden: 'plan',
    probePath: '/v3/projects',
    probeScope: 'projects:read',
    allScopes: ['profile', 'projects:read', 'projects:write', 'tasks:read', 'tasks:write'],
    client: { id: 'plt_client_4Kd8', secret: 'plt_secret_Vn27xQe81s' },
    // [doc] client_secret_basic or client_secret_post.
    clientAuth: ['basic', 'body'],
    // [doc] 30 minutes from issued_at, always.
    accessTokenLifetimeSeconds: 1800,
    // [doc] a used refresh token presented again revokes the grant.
    rotation: 'strict',
    scopeSeparator: ' ',
    // [doc] no scope in the authorize URL: the client's default scopes.
    authorize: {
      path: '/oauth/authorize',
      scopeSeparator: ' ',
      defaultScopes: ['profile', 'projects:read', 'tasks:read'],
    },
    expirySignals: [V3_EXPIRED],
    rateLimitSignals: [V3_LIMIT],
    families: [
      {
        name: 'v2',
        probe: { method: 'GET', path: '/v2/tasks' },
        probeScope: 'tasks:read',
        expirySignals: [V2_EXPIRED],
        rateLimitSignals: [V2_LIMIT],
        forbidden: 'plan',
        answers: v2,
      },
      graphql,
    ],
    newAccessToken: () => `plt_at_${randomToken(24)}`,
    newRefreshToken: () => `plt_rt_${randomToken(24)}`,
    newAuthorizationCode: () => randomToken(16),
    readAccessToken: (headers) => authorizationToken(headers, ['Bearer']),
    answers: {
      // [doc] issued_at in milliseconds as a string, no expires_in; api_url names the region's host.
      token: (issued) => ({
        status: 200,
        json: {
          access_token: issued.accessToken,
          refresh_token: issued.refreshToken,
          token_type: 'bearer',
          issued_at: String(issued.issuedAtMs),
          scope: issued.scopes.join(' '),
          api_url: issued.baseUrl,
        },
      }),
      // [doc] RFC 6749 §5.2 errors.
      tokenFailure: (failure, ctx) => {
        switch (failure) {
          case 'dead_grant':
            return oauthError(400, 'invalid_grant', 'The refresh token is not valid.');
          case 'invalid_code':
            return oauthError(400, 'invalid_grant', 'The authorization code is not valid.');
          case 'redirect_uri_mismatch':
            return oauthError(400, 'invalid_grant', 'redirect_uri does not match the authorized one.');
          case 'unknown_client':
          case 'wrong_secret':
            return oauthError(401, 'invalid_client', 'Client authentication failed.');
          case 'unsupported_grant_type':
            return oauthError(400, 'unsupported_grant_type', 'Use authorization_code or refresh_token.');
          case 'rate_limited':
            return oauthError(429, 'slow_down', 'Too many token requests.', {
              'retry-after': String(ctx.retryAfterSeconds),
            });
          case 'outage':
            return oauthError(503, 'temporarily_unavailable', 'Plotline is down for maintenance.', {
              'retry-after': String(ctx.retryAfterSeconds),
            });
        }
      },
      ...v3,
    },
    routes: [
      // [doc] POST /v3/projects: 422 with one error per invalid field.
      {
        method: 'POST',
        path: /^\/v3\/projects$/,
        scope: 'projects:write',
        answer: ({ body }) => {
          const problems = projectProblems(body, 'due_on');
          if (problems.length > 0) {
            return restErrors(
              422,
              problems.map((p) => ({ code: 'INVALID_FIELD', ...p })),
            );
          }
          const name = (body as { name: string }).name.trim();
          return { status: 201, json: { id: 'prj_2', name } };
        },
      },
    ],
  };
}

/** The spec of a stand-in. */
export const spec: ProviderSpec = plotlineSpec();

/** A Plotline stand-in. */
export const start: StartStandIn = (options) => startStandIn(plotlineSpec(), options);
