// GitHub stand-in: user access tokens that expire (a GitHub App with expiration on, the default),
// and the REST API's "list email addresses for the authenticated user". Sources (checked 2026):
//   [refresh]  https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
//              — POST https://github.com/login/oauth/access_token with client_id, client_secret,
//              grant_type=refresh_token, refresh_token; answer access_token (ghu_…), expires_in 28800,
//              refresh_token (ghr_…), refresh_token_expires_in 15897600, scope, token_type bearer;
//              "Once you use a refresh token, that refresh token and the old user access token will no
//              longer work."
//   [errors]   https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
//              — "The format of these responses is determined by the accept header you pass";
//              incorrect_client_credentials, redirect_uri_mismatch, bad_verification_code; the
//              endpoint answers these with HTTP 200; bad_refresh_token for a refresh token that is
//              "incorrect or expired" (same family, refreshing-user-access-tokens)
//   [scopes]   https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps —
//              X-OAuth-Scopes (what the token has), X-Accepted-OAuth-Scopes (what the action checks)
//   [trouble]  https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api —
//              404 rather than 403 when the token lacks a scope or access; rate limits as 403 or 429:
//              primary with x-ratelimit-remaining 0 and x-ratelimit-reset (UTC epoch seconds),
//              secondary with an explanatory message and possibly retry-after
//   [limits]   https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api
//   [saml]     https://docs.github.com/en/rest/authentication/authenticating-to-the-rest-api — a 403
//              with an X-GitHub-SSO header when the token is not authorised for an organization's SAML SSO
//   [401]      401 {"message":"Bad credentials","documentation_url":…} for an expired or revoked token
// The GraphQL API (v4), a second endpoint family: POST /graphql with a JSON {"query": …}.
//   [gql-limits] https://docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api
//              (its source in the github/docs repository) —
//              x-ratelimit-limit/remaining/used/reset (UTC epoch seconds)/resource ("always graphql");
//              "If you exceed your primary rate limit, the response status will still be 200, but you will
//              receive an error message, and the value of the x-ratelimit-remaining header will be 0";
//              a secondary limit is "200 or 403" with a message saying so, and maybe retry-after
//   [gql-rate-body] {"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded for user ID 1431904."}]}:
//              gitpod-io/gitpod#15377; github/docs#22607 (GitHub staff: "The response code will be 200, and the
//              errors field will indicate that you have a rate error"). yanyongyu/githubkit#272 (2026) reports
//              a type RATE_LIMIT as well; the stand-in answers RATE_LIMITED
//   [gql-401]  a bad token on /graphql is REST's 401 {"message":"Bad credentials","documentation_url":
//              "https://docs.github.com/graphql"}: github/docs#11071. No token: 401 "This endpoint requires
//              you to be authenticated." (its documentation_url the forming-calls guide)
//   [gql-scope] HTTP 200, {"data":null,"errors":[{"type":"INSUFFICIENT_SCOPES","locations":[…],"message":"Your
//              token has not been granted the required scopes to execute this query. The 'email' field requires
//              one of the following scopes: ['user:email', 'read:user'], but your token has only been granted
//              the: ['repo'] scopes. Please modify your token's scopes at: https://github.com/settings/tokens."}]}:
//              mntnr/name-your-contributors#67, github/docs#19712, cli/cli#9195
//   [gql-saml] HTTP 200 with partial data and {"type":"FORBIDDEN","path":[…],"extensions":{"saml_failure":true},
//              "message":"Resource protected by organization SAML enforcement. …"}, x-github-sso header:
//              fwouts/prmonitor#1042, jasperapp/jasper#187
import type { IncomingHttpHeaders } from 'node:http';
import type { StartStandIn } from 'zapier-oauth-layer/standin';
import {
  authorizationToken,
  randomHex,
  randomToken,
  startStandIn,
  type FamilySpec,
  type ProbeContext,
  type ProviderSpec,
  type Reply,
} from 'zapier-oauth-layer/standin';

const DOCS = 'https://docs.github.com';

/** [errors] JSON when the client asks for it; GitHub's default is a form-encoded body. */
function negotiated(headers: IncomingHttpHeaders, fields: Record<string, string | number>): Reply {
  if ((headers.accept ?? '').includes('application/json')) return { status: 200, json: fields };
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) form.set(k, String(v));
  return {
    status: 200,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    text: form.toString(),
  };
}

const oauthError = (
  headers: IncomingHttpHeaders,
  error: string,
  description: string,
  anchor: string,
): Reply =>
  negotiated(headers, {
    error,
    error_description: description,
    error_uri: `${DOCS}/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#${anchor}`,
  });

const apiError = (
  status: number,
  message: string,
  documentationUrl: string,
  headers?: Record<string, string>,
): Reply => ({
  status,
  headers,
  json: { message, documentation_url: documentationUrl, status: String(status) },
});

const primaryLimit = (status: 403 | 429, retryAfter: number, nowMs: number): Reply =>
  apiError(
    status,
    'API rate limit exceeded for user ID 583231.',
    `${DOCS}/rest/overview/rate-limits-for-the-rest-api`,
    {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(Math.ceil(nowMs / 1000) + retryAfter),
      'x-ratelimit-resource': 'core',
    },
  );

const secondaryLimit = (status: 403 | 429, retryAfter: number): Reply =>
  apiError(
    status,
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
    `${DOCS}/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
    { 'retry-after': String(retryAfter) },
  );

const SAML_MESSAGE =
  'Resource protected by organization SAML enforcement. You must grant your OAuth token access to this organization.';
const SSO_HEADER =
  'required; url=https://github.com/orgs/stand-in/sso?authorization_request=AZSCKtL4U8yX1H3sCQIVnVgmjmon5fWxcdoVXs';

/** [gql-limits] the GraphQL resource's headers, `remaining` points left. */
const graphqlLimitHeaders = (remaining: number, resetSeconds: number): Record<string, string> => ({
  'x-ratelimit-limit': '5000',
  'x-ratelimit-remaining': String(remaining),
  'x-ratelimit-used': String(5000 - remaining),
  'x-ratelimit-reset': String(resetSeconds),
  'x-ratelimit-resource': 'graphql',
});

/** The scopes a GraphQL answer names, as GitHub lists them: ['a', 'b']. */
const listed = (scopes: readonly string[]): string => `[${scopes.map((scope) => `'${scope}'`).join(', ')}]`;

const GQL_EXPIRED = 'graphql 401 Bad credentials';
const GQL_PRIMARY = 'graphql 200 RATE_LIMITED x-ratelimit-remaining: 0';
const GQL_SECONDARY_200 = 'graphql 200 secondary retry-after';
const GQL_SECONDARY_403 = 'graphql 403 secondary retry-after';

/** GitHub's GraphQL API: POST /graphql, the viewer's login and email as the probe. */
const graphql: FamilySpec = {
  name: 'graphql',
  probe: { method: 'POST', path: '/graphql', body: { query: '{ viewer { login email } }' } },
  // [gql-scope] the email field requires user:email (or read:user).
  probeScope: 'user:email',
  expirySignals: [GQL_EXPIRED],
  rateLimitSignals: [GQL_PRIMARY, GQL_SECONDARY_200, GQL_SECONDARY_403],
  // [gql-saml] an organisation's SSO policy: an owner's decision, not a scope.
  forbidden: 'role',
  answers: {
    probe: (ctx) => ({
      status: 200,
      headers: {
        ...graphqlLimitHeaders(4999, Math.ceil(ctx.nowMs / 1000) + 3600),
        'x-oauth-scopes': ctx.scopes.join(', '),
      },
      json: { data: { viewer: { login: 'octocat', email: 'octocat@github.com' } } },
    }),
    // [gql-401]
    expired: () => apiError(401, 'Bad credentials', `${DOCS}/graphql`),
    invalidToken: (why) =>
      why === 'missing'
        ? apiError(
            401,
            'This endpoint requires you to be authenticated.',
            `${DOCS}/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql`,
          )
        : apiError(401, 'Bad credentials', `${DOCS}/graphql`),
    // [gql-scope] HTTP 200, data null; X-OAuth-Scopes as on REST (an assumption: it is exposed, not documented here).
    missingScope: (ctx: ProbeContext) => ({
      status: 200,
      headers: { 'x-oauth-scopes': ctx.scopes.join(', ') },
      json: {
        data: null,
        errors: [
          {
            type: 'INSUFFICIENT_SCOPES',
            locations: [{ line: 1, column: 18 }],
            message: `Your token has not been granted the required scopes to execute this query. The 'email' field requires one of the following scopes: ${listed([ctx.requiredScope, 'read:user'])}, but your token has only been granted the: ${listed(ctx.scopes)} scopes. Please modify your token's scopes at: https://github.com/settings/tokens.`,
          },
        ],
      },
    }),
    rateLimited: (signal, retryAfter, nowMs) => {
      if (signal === GQL_PRIMARY) {
        // [gql-limits] [gql-rate-body]
        return {
          status: 200,
          headers: graphqlLimitHeaders(0, Math.ceil(nowMs / 1000) + retryAfter),
          json: {
            errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 583231.' }],
          },
        };
      }
      // [gql-limits] a secondary limit: 403 as REST's body; on 200 the errors list carries the same
      // message (its shape on 200 is the stand-in's assumption: GitHub shows none).
      if (signal === GQL_SECONDARY_403) return secondaryLimit(403, retryAfter);
      return {
        status: 200,
        headers: { 'retry-after': String(retryAfter) },
        json: {
          errors: [
            {
              message:
                'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            },
          ],
        },
      };
    },
    // [gql-saml]
    forbidden: () => ({
      status: 200,
      headers: { 'x-github-sso': SSO_HEADER },
      json: {
        data: { viewer: null },
        errors: [
          {
            type: 'FORBIDDEN',
            path: ['viewer'],
            extensions: { saml_failure: true },
            locations: [{ line: 1, column: 3 }],
            message: SAML_MESSAGE,
          },
        ],
      },
    }),
  },
};

export const spec: ProviderSpec = {
  provider: 'github',
  tokenPath: '/login/oauth/access_token',
  familyName: 'rest',
  families: [graphql],
  probePath: '/user/emails',
  probeScope: 'user:email',
  allScopes: ['user:email', 'repo', 'read:org'],
  client: { id: 'Iv1.8a61f9b3a7aba766', secret: '1b9a8c7d6e5f40312233445566778899aabbccdd' },
  // [refresh] client_id and client_secret are request parameters (the docs show them as query
  // parameters of the POST; form bodies work the same).
  clientAuth: ['body', 'query'],
  // [refresh] eight hours.
  accessTokenLifetimeSeconds: 28800,
  // [refresh] a new refresh token each time; the used one no longer works. What presenting it again
  // does to the grant is not documented: here it is refused (bad_refresh_token) and nothing else.
  rotation: 'single-use',
  // [refresh] "… and the old user access token will no longer work."
  refreshEndsPreviousAccessToken: true,
  // GitHub Apps carry permissions, not scopes, and answer "scope": "". This stand-in keeps OAuth-app
  // scopes ([scopes]) so that the scope scenario has something to miss: comma-separated.
  scopeSeparator: ',',
  // [errors] redirect_uri is optional at the exchange; a different one is redirect_uri_mismatch.
  redirectUriOptional: true,
  expirySignals: ['401 Bad credentials'],
  rateLimitSignals: [
    '403 x-ratelimit-remaining: 0',
    '429 x-ratelimit-remaining: 0',
    '403 secondary retry-after',
    '429 secondary retry-after',
  ],
  newAccessToken: () => `ghu_${randomToken(27).replace(/[-_]/g, 'x').slice(0, 36)}`,
  newRefreshToken: () => `ghr_${randomToken(60).replace(/[-_]/g, 'x').slice(0, 76)}`,
  newAuthorizationCode: () => randomHex(10),
  // The REST API takes "Bearer" and the older "token" scheme.
  readAccessToken: (headers) => authorizationToken(headers, ['Bearer', 'token']),
  answers: {
    token: (issued) =>
      negotiated(issued.request.headers, {
        access_token: issued.accessToken,
        expires_in: issued.expiresIn,
        refresh_token: issued.refreshToken,
        refresh_token_expires_in: 15897600,
        scope: issued.scopes.join(','),
        token_type: 'bearer',
      }),
    tokenFailure: (failure, ctx) => {
      switch (failure) {
        case 'dead_grant':
          return oauthError(
            ctx.headers,
            'bad_refresh_token',
            'The refresh token passed is incorrect or expired.',
            'bad-refresh-token',
          );
        case 'unknown_client':
        case 'wrong_secret':
          return oauthError(
            ctx.headers,
            'incorrect_client_credentials',
            'The client_id and/or client_secret passed are incorrect.',
            'incorrect-client-credentials',
          );
        case 'invalid_code':
          return oauthError(
            ctx.headers,
            'bad_verification_code',
            'The code passed is incorrect or expired.',
            'bad-verification-code',
          );
        case 'redirect_uri_mismatch':
          return oauthError(
            ctx.headers,
            'redirect_uri_mismatch',
            'The redirect_uri MUST match the registered callback URL for this application.',
            'redirect-uri-mismatch2',
          );
        case 'unsupported_grant_type':
          return oauthError(
            ctx.headers,
            'unsupported_grant_type',
            'The grant type is not supported.',
            'unsupported-grant-type',
          );
        // GitHub documents no throttling answer for this endpoint: the stand-in answers as the REST
        // API's secondary limit does (429 + retry-after), an assumption.
        case 'rate_limited':
          return secondaryLimit(429, ctx.retryAfterSeconds);
        // Not documented: a bare 503 is the stand-in's assumption.
        case 'outage':
          return { status: 503, text: 'Service Unavailable' };
      }
    },
    probe: (ctx) => ({
      status: 200,
      // [scopes] [limits]
      headers: {
        'x-oauth-scopes': ctx.scopes.join(', '),
        'x-accepted-oauth-scopes': 'user, user:email',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4999',
        'x-ratelimit-used': '1',
        'x-ratelimit-reset': String(Math.ceil(ctx.nowMs / 1000) + 3600),
        'x-ratelimit-resource': 'core',
      },
      json: [
        { email: 'octocat@github.com', verified: true, primary: true, visibility: 'public' },
        { email: 'octocat@users.noreply.github.com', verified: true, primary: false, visibility: null },
      ],
    }),
    // [401]
    expired: () => apiError(401, 'Bad credentials', `${DOCS}/rest`),
    invalidToken: (why) =>
      why === 'missing'
        ? apiError(
            401,
            'Requires authentication',
            `${DOCS}/rest/users/emails#list-email-addresses-for-the-authenticated-user`,
          )
        : apiError(401, 'Bad credentials', `${DOCS}/rest`),
    // [trouble] [scopes] a 404, with the headers that tell the client what was missing.
    missingScope: (ctx) =>
      apiError(
        404,
        'Not Found',
        `${DOCS}/rest/users/emails#list-email-addresses-for-the-authenticated-user`,
        {
          'x-oauth-scopes': ctx.scopes.join(', '),
          'x-accepted-oauth-scopes': 'user, user:email',
        },
      ),
    rateLimited: (signal, retryAfter, nowMs) => {
      const status = signal.startsWith('429') ? 429 : 403;
      return signal.includes('secondary')
        ? secondaryLimit(status, retryAfter)
        : primaryLimit(status, retryAfter, nowMs);
    },
    // [saml]
    forbidden: () =>
      apiError(
        403,
        SAML_MESSAGE,
        `${DOCS}/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/`,
        {
          'x-github-sso': SSO_HEADER,
        },
      ),
  },
};

export const start: StartStandIn = (options) => startStandIn(spec, options);
