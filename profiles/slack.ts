// Slack's Web API with token rotation on, as Slack documents it.
//   docs.slack.dev/authentication/using-token-rotation · api.slack.com/methods/oauth.v2.access
//   docs.slack.dev/apis/web-api ("Evaluating responses": always check `ok`) · docs.slack.dev/apis/web-api/rate-limits
import { defineProfile } from 'zapier-oauth-layer/internal';

export const slackProfile = defineProfile({
  id: 'slack',
  name: 'Slack',
  troubleshooting: 'https://docs.slack.dev/authentication/using-token-rotation',
  endpoints: {
    base: 'https://slack.com',
    baseEnv: 'SLACK_BASE_URL',
    authorize: '/oauth/v2/authorize',
    // Under the API's prefix, told apart by the layer first.
    token: '/api/oauth.v2.access',
    api: '/api/',
  },
  // oauth.v2.access takes client_id and client_secret as parameters (or HTTP Basic).
  client: { idEnv: 'SLACK_CLIENT_ID', secretEnv: 'SLACK_CLIENT_SECRET', authMethod: 'body' },
  // Scopes are comma-separated in the authorize URL and in `scope` answers.
  authorization: { scopes: ['channels:read', 'chat:write'], scopeSeparator: ',', pkce: 'none' },
  signals: {
    // Every Web API answer is HTTP 200 with `ok`; a failure names its code in `error`.
    envelope: { path: 'ok', failure: false },
    // missing_scope carries what was needed and what the token has.
    body: { code: 'error', requiredScope: 'needed', grantedScope: 'provided' },
    codes: {
      token_expired: 'refresh', // a rotated access token past its 12 h
      invalid_auth: 'refresh', // the token is not valid (a refresh replaces it)
      not_authed: 'refresh', // no token reached Slack
      token_revoked: 'revoked', // the user or an admin revoked the app
      account_inactive: 'revoked', // the user or workspace was deactivated
      missing_scope: 'scope',
      no_permission: 'forbidden',
      access_denied: 'forbidden',
      ekm_access_denied: 'forbidden',
      ratelimited: 'throttled', // HTTP 429 with Retry-After
      invalid_arguments: 'bad_request',
      internal_error: 'server',
      fatal_error: 'server',
      service_unavailable: 'unavailable',
      request_timeout: 'unavailable',
    },
    bearerChallenge: false,
  },
  token: {
    errorsAs200: true, // oauth.v2.access answers {"ok": false, "error": …} with HTTP 200
    codes: {
      invalid_refresh_token: 'invalid_grant',
      invalid_code: 'invalid_grant',
      invalid_grant_type: 'unsupported_grant_type',
      invalid_client_id: 'invalid_client',
      bad_client_secret: 'invalid_client',
      bad_redirect_uri: 'invalid_request',
      ratelimited: 'rate_limited',
    },
    tokenTypes: ['bot', 'user'], // oauth.v2.access says "bot" (or "user" for user tokens)
    // expires_in: 43200, in seconds as RFC 6749 says: the default lifetime.
    // "The refresh token is then revoked": a used one gets invalid_refresh_token; the install lives on.
    rotation: { kind: 'single-use' },
    refreshTokenInRefresh: 'always',
  },
  // Rotating tokens: "xoxe.xoxb-1-…" (access) and "xoxe-1-…" (refresh).
  tokenPrefixes: ['xoxe.', 'xoxe-', 'xoxb-', 'xoxp-'],
  advice: {
    deadGrant:
      'The app was removed from the workspace, its tokens were revoked, or a refresh token was used twice.',
    forbidden: 'Ask a workspace admin for access, or connect an account that has it.',
  },
});
