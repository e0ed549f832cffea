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
import type { IncomingHttpHeaders } from 'node:http';
import type { StartStandIn } from './types';
import {
  authorizationToken,
  randomHex,
  randomToken,
  startStandIn,
  type ProviderSpec,
  type Reply,
} from './server';

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

export const spec: ProviderSpec = {
  provider: 'github',
  tokenPath: '/login/oauth/access_token',
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
        'Resource protected by organization SAML enforcement. You must grant your OAuth token access to this organization.',
        `${DOCS}/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/`,
        {
          'x-github-sso':
            'required; url=https://github.com/orgs/stand-in/sso?authorization_request=AZSCKtL4U8yX1H3sCQIVnVgmjmon5fWxcdoVXs',
        },
      ),
  },
};

export const start: StartStandIn = (options) => startStandIn(spec, options);
