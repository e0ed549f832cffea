// GitHub with a GitHub App's expiring user access tokens, as GitHub documents it.
//   docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
//   docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
//   docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
//   docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps (X-OAuth-Scopes)
// Its GraphQL API (v4), POST https://api.github.com/graphql, as a family of its own:
//   docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api ("If you exceed
//   your primary rate limit, the response status will still be 200 … x-ratelimit-remaining header
//   will be 0"; a secondary limit is "200 or 403" with retry-after);
//   github/docs#22607 (GitHub staff: "The response code will be 200, and the errors field will
//   indicate that you have a rate error"), gitpod-io/gitpod#15377: {"errors": [{"type": "RATE_LIMITED", …}]};
//   cli/cli#9195, github/docs#19712: a missing scope is HTTP 200 {"data": null, "errors": [{"type":
//   "INSUFFICIENT_SCOPES", "message": "… requires one of the following scopes: ['user:email', …]"}]};
//   fwouts/prmonitor#1042: SAML enforcement is HTTP 200 {"type": "FORBIDDEN", "extensions": {"saml_failure": true}};
//   github/docs#11071: a bad token is REST's 401 {"message": "Bad credentials"}.
//   GitHub names an error's kind in "type", not in Apollo's extensions.code.
import { defineProfile, graphqlFamily } from 'zapier-oauth-layer/internal';

export const githubProfile = defineProfile({
  id: 'github',
  name: 'GitHub',
  troubleshooting:
    'https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors',
  endpoints: {
    base: 'https://github.com',
    baseEnv: 'GITHUB_BASE_URL',
    authorize: '/login/oauth/authorize',
    token: '/login/oauth/access_token',
    api: 'https://api.github.com/',
  },
  client: { idEnv: 'GITHUB_CLIENT_ID', secretEnv: 'GITHUB_CLIENT_SECRET', authMethod: 'body' },
  // OAuth-app scopes; `scope` answers join them with commas ("repo,user:email").
  authorization: { scopes: ['user:email'], scopeSeparator: ',', pkce: 'none' },
  signals: {
    // {"message": "Bad credentials", "documentation_url": …}: no codes, the status and headers say it.
    body: { message: 'message' },
    // Primary limit: 403 or 429 with x-ratelimit-remaining: 0 and x-ratelimit-reset (epoch seconds).
    rateLimitHeaders: {
      remainingHeader: 'x-ratelimit-remaining',
      resetHeader: 'x-ratelimit-reset',
      resetUnit: 'epoch-seconds',
    },
    // Secondary limits: 403 with retry-after.
    throttledWithRetryAfter: [403],
    // A missing scope is a 403 or 404 whose token lacks every scope the action accepts.
    scopeHeaders: { accepted: 'x-accepted-oauth-scopes', granted: 'x-oauth-scopes' },
    bearerChallenge: false,
    families: [
      graphqlFamily({
        prefix: '/graphql',
        body: { code: 'type' },
        codes: { INSUFFICIENT_SCOPES: 'scope', RATE_LIMITED: 'throttled', FORBIDDEN: 'forbidden' },
        // The primary limit: HTTP 200 RATE_LIMITED (or a 403) with x-ratelimit-remaining 0 and the reset.
        rateLimitHeaders: {
          statuses: [200, 403, 429],
          remainingHeader: 'x-ratelimit-remaining',
          resetHeader: 'x-ratelimit-reset',
          resetUnit: 'epoch-seconds',
        },
        // A secondary limit: HTTP 200 or 403 with retry-after.
        throttledWithRetryAfter: [200, 403],
      }),
    ],
  },
  token: {
    errorsAs200: true, // {"error": "bad_refresh_token", …} with HTTP 200
    codes: {
      bad_refresh_token: 'invalid_grant',
      bad_verification_code: 'invalid_grant',
      incorrect_client_credentials: 'invalid_client',
      redirect_uri_mismatch: 'invalid_request',
      unsupported_grant_type: 'unsupported_grant_type',
    },
    // expires_in: 28800 (8 hours), in seconds as RFC 6749 says: the default lifetime.
    // "Once you use a refresh token, that refresh token and the old user access token will no longer work."
    rotation: { kind: 'single-use' },
    refreshTokenInRefresh: 'always',
  },
  tokenPrefixes: ['ghu_', 'ghr_'],
  advice: {
    deadGrant:
      'The user revoked the app, the refresh token is older than 6 months, or a refresh token was used twice.',
    forbidden:
      'An organization owner must approve the app or the SAML session; or connect a user who has access.',
  },
});
