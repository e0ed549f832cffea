// Slack stand-in: a granular bot token with token rotation turned on, answered the way Slack's
// own documentation shows. Sources (checked 2026):
//   [rotation]  https://docs.slack.dev/authentication/using-token-rotation
//   [access]    https://api.slack.com/methods/oauth.v2.access (arguments, errors, Basic auth advice)
//   [spec]      slackapi/slack-api-specs web-api/slack_web_openapi_v2.json (oauth.v2.access,
//               conversations.list and auth.test examples and error enums)
//   [common]    Slack "common errors" list (as carried in slack_kit priv/docs/common_errors.json)
//   [rotate]    https://docs.slack.dev/reference/methods/tooling.tokens.rotate ("typical error
//               response if incorrect refresh token used": invalid_refresh_token)
//   [limits]    https://docs.slack.dev/apis/web-api/rate-limits (429 + Retry-After, error ratelimited)
//   [scopes]    Slack changelog 2016-12-20 (X-OAuth-Scopes / X-Accepted-OAuth-Scopes, needed/provided)
import type { StartStandIn } from 'zapier-oauth-layer/standin';
import {
  authorizationToken,
  randomHex,
  randomToken,
  startStandIn,
  type ProviderSpec,
  type Reply,
} from 'zapier-oauth-layer/standin';

const TEAM = { id: 'T9TK3CUKW', name: 'Stand-in Team' };
const APP_ID = 'A0KRD7HC3';
const BOT_USER_ID = 'U0KRQLJ9H';

// [spec] Slack answers every Web API call, errors included, as HTTP 200 with a boolean `ok`.
const notOk = (
  error: string,
  extra: Record<string, unknown> = {},
  status = 200,
  headers?: Record<string, string>,
): Reply => ({
  status,
  headers,
  json: { ok: false, error, ...extra },
});

export const spec: ProviderSpec = {
  provider: 'slack',
  tokenPath: '/api/oauth.v2.access',
  probePath: '/api/conversations.list',
  // [spec] conversations.list security: channels:read (public), groups:read, im:read, mpim:read.
  probeScope: 'channels:read',
  allScopes: ['channels:read', 'chat:write', 'users:read'],
  client: { id: '2141029472.691202649728', secret: 'e1b9e11dfcd19c1982d5de12921e17e8' },
  // [access] client_id/client_secret as form parameters, or (preferred) HTTP Basic.
  clientAuth: ['basic', 'body'],
  // [rotation] "With token rotation, it expires every 12 hours."
  accessTokenLifetimeSeconds: 43200,
  // [rotation] "The refresh token is then revoked, and a new refresh token is used ...". Slack documents
  // single use; it does not document that presenting a used refresh token revokes the installation,
  // so this stand-in refuses the used token (invalid_refresh_token) and leaves the grant alone.
  rotation: 'single-use',
  // [spec] oauth.v2.access returns "scope": "commands,incoming-webhook": comma-separated.
  scopeSeparator: ',',
  // [access] redirect_uri "must match the originally submitted URI (if one was sent)".
  redirectUriOptional: true,
  expirySignals: ['200 ok:false token_expired', '200 ok:false invalid_auth'],
  rateLimitSignals: ['429 Retry-After'],
  // [rotation] rotating tokens are xoxe.xoxb-1-… (bot) with xoxe-1-… refresh tokens.
  newAccessToken: () => `xoxe.xoxb-1-${randomToken(30)}`,
  newRefreshToken: () => `xoxe-1-${randomToken(30)}`,
  // [access] example code: 4724469134.4644010092847.232b4e6d…
  newAuthorizationCode: () => `${Date.now() % 1e10}.${Date.now()}.${randomHex(32)}`,
  // Slack takes the token as a bearer header (query-string tokens are refused for new apps).
  readAccessToken: (headers) => authorizationToken(headers, ['Bearer']),
  answers: {
    // [spec] example success of oauth.v2.access; [rotation] adds refresh_token and expires_in.
    token: (issued) => ({
      status: 200,
      json: {
        ok: true,
        app_id: APP_ID,
        authed_user: { id: 'U1234' },
        scope: issued.scopes.join(','),
        token_type: 'bot',
        access_token: issued.accessToken,
        bot_user_id: BOT_USER_ID,
        refresh_token: issued.refreshToken,
        expires_in: issued.expiresIn,
        team: TEAM,
        enterprise: null,
        is_enterprise_install: false,
      },
    }),
    tokenFailure: (failure, ctx) => {
      switch (failure) {
        // [access] errors table of oauth.v2.access.
        case 'unknown_client':
          return notOk('invalid_client_id');
        case 'wrong_secret':
          return notOk('bad_client_secret');
        case 'invalid_code':
          return notOk('invalid_code');
        case 'redirect_uri_mismatch':
          return notOk('bad_redirect_uri');
        case 'unsupported_grant_type':
          return notOk('invalid_grant_type');
        // [rotate] a used or unknown refresh token.
        case 'dead_grant':
          return notOk('invalid_refresh_token');
        // [limits] 429 with Retry-After; the body is Slack's usual ok:false envelope.
        case 'rate_limited':
          return notOk('ratelimited', {}, 429, { 'retry-after': String(ctx.retryAfterSeconds) });
        // [common] internal_error: "transient issue on our end". The 5xx status is this stand-in's
        // assumption: Slack documents the error name, not the status of an outage.
        case 'outage':
          return notOk('internal_error', {}, 500);
      }
    },
    // [spec] conversations.list success example, cut to two channels.
    probe: () => ({
      status: 200,
      json: {
        ok: true,
        channels: [
          {
            id: 'C012AB3CD',
            name: 'general',
            is_channel: true,
            is_private: false,
            is_archived: false,
            num_members: 4,
          },
          {
            id: 'C061EG9T2',
            name: 'random',
            is_channel: true,
            is_private: false,
            is_archived: false,
            num_members: 4,
          },
        ],
        response_metadata: { next_cursor: '' },
      },
    }),
    // [rotation] an expired rotating token gets token_expired; [spec] invalid_auth for a bad token.
    expired: (signal) => notOk(signal === '200 ok:false invalid_auth' ? 'invalid_auth' : 'token_expired'),
    // [spec]/[common] not_authed (no token), invalid_auth (unknown), token_revoked (revoked).
    invalidToken: (why) =>
      notOk(why === 'missing' ? 'not_authed' : why === 'revoked' ? 'token_revoked' : 'invalid_auth'),
    // [scopes] missing_scope with needed/provided, and the scope headers.
    missingScope: (ctx) =>
      notOk('missing_scope', { needed: 'channels:read', provided: ctx.scopes.join(',') }, 200, {
        'x-oauth-scopes': ctx.scopes.join(','),
        'x-accepted-oauth-scopes': 'channels:read',
      }),
    // [limits]
    rateLimited: (_signal, retryAfter) =>
      notOk('ratelimited', {}, 429, { 'retry-after': String(retryAfter) }),
    // [common] access_denied: "Access to a resource specified in the request is denied."
    forbidden: () => notOk('access_denied'),
  },
};

export const start: StartStandIn = (options) => startStandIn(spec, options);
