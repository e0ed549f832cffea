// GitHub with a GitHub App's expiring user access tokens, as GitHub documents it.
//   docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
//   docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
//   docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
//   docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps (X-OAuth-Scopes)
import { defineProfile } from 'zapier-oauth-layer/internal';

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
    codes: {},
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
  },
  token: {
    errorCode: 'error',
    errorDescription: 'error_description',
    errorsAs200: true, // {"error": "bad_refresh_token", …} with HTTP 200
    codes: {
      bad_refresh_token: 'invalid_grant',
      bad_verification_code: 'invalid_grant',
      incorrect_client_credentials: 'invalid_client',
      redirect_uri_mismatch: 'invalid_request',
      unsupported_grant_type: 'unsupported_grant_type',
    },
    tokenTypes: ['bearer'],
    lifetime: { field: 'expires_in', unit: 'seconds', assumeSeconds: null }, // 28800
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
