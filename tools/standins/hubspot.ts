// HubSpot stand-in: the OAuth v1 token endpoint and the CRM v3 contacts list, answered the way
// HubSpot's documentation (and the bodies it is quoted returning) show. Sources (checked 2026):
//   [tokens]   https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/guide
//              (POST /oauth/v1/token, URL-form body with client_id/client_secret; expires_in in seconds)
//   [expiry]   HubSpot access tokens live 30 minutes (expires_in 1800): developers.hubspot.com OAuth guide;
//              401 body quoted by useparagon.com/integration-error-solutions/hubspot-the-oauth-token-used-to-make-this-call-expired
//   [errors]   https://developers.hubspot.com/docs/api-reference/error-handling (401 invalid auth,
//              403 missing permissions/scopes, 429 limits; every field optional, status/message/
//              correlationId/category)
//   [scopes]   403 MISSING_SCOPES body as returned by the API: HubSpot/hubspot-api-nodejs#50 and #268
//   [limits]   https://developers.hubspot.com/docs/api/usage-details (429 body with errorType
//              RATE_LIMIT and policyName; X-HubSpot-RateLimit-* headers)
//   [refresh]  dead refresh token: 400 BAD_REFRESH_TOKEN (nango.dev/blog/hubspot-oauth-bad-refresh-token;
//              HubSpot's v1/v3 token docs add the RFC 6749 error/error_description pair)
//   [authn]    401 INVALID_AUTHENTICATION "Authentication credentials not found…": HubSpot/hubspot-api-nodejs#432
import type { StartStandIn } from './types';
import {
  authorizationToken,
  randomToken,
  randomUuid,
  startStandIn,
  type ProviderSpec,
  type Reply,
} from './server';

const PORTAL = 62515;

const hubspotError = (
  status: number,
  body: Record<string, unknown>,
  headers?: Record<string, string>,
): Reply => ({
  status,
  headers,
  json: { status: 'error', ...body, correlationId: randomUuid() },
});

/** "The OAuth token used to make this call expired 5 minute(s) ago." */
function expiredAgo(nowMs: number, expiresAtMs: number): string {
  const seconds = Math.max(0, Math.floor((nowMs - expiresAtMs) / 1000));
  if (seconds < 60) return `${seconds} second(s)`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} minute(s)`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} hour(s)`;
  return `${Math.floor(seconds / 86400)} day(s)`;
}

const tokenError = (status: string, message: string, oauthError?: string): Reply => ({
  status: 400,
  json:
    oauthError === undefined
      ? { status, message }
      : { status, message, error: oauthError, error_description: message },
});

const rateLimitBody = (policy: 'TEN_SECONDLY_ROLLING' | 'DAILY'): Reply =>
  hubspotError(
    429,
    {
      message:
        policy === 'DAILY'
          ? 'You have reached your daily limit.'
          : 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      policyName: policy,
      requestId: randomUuid(),
    },
    // [limits] HubSpot sends its own rate-limit headers, not Retry-After.
    policy === 'DAILY'
      ? { 'x-hubspot-ratelimit-daily': '250000', 'x-hubspot-ratelimit-daily-remaining': '0' }
      : {
          'x-hubspot-ratelimit-interval-milliseconds': '10000',
          'x-hubspot-ratelimit-max': '100',
          'x-hubspot-ratelimit-remaining': '0',
        },
  );

export const spec: ProviderSpec = {
  provider: 'hubspot',
  tokenPath: '/oauth/v1/token',
  probePath: '/crm/v3/objects/contacts',
  probeScope: 'crm.objects.contacts.read',
  allScopes: ['oauth', 'crm.objects.contacts.read', 'crm.objects.companies.read'],
  client: { id: '5fa2a6d1-7c1e-4f4b-9a4a-0f0c4d2b8e11', secret: '3c8f2a56-0b9e-4d55-8f31-6a2b9d0c7e44' },
  // [tokens] credentials go in the URL-form body.
  clientAuth: ['body'],
  accessTokenLifetimeSeconds: 1800,
  // [tokens] a refresh returns a new access token; the refresh token stays the same.
  rotation: 'none',
  scopeSeparator: ' ',
  expirySignals: ['401 EXPIRED_AUTHENTICATION', '401 INVALID_AUTHENTICATION'],
  rateLimitSignals: ['429 RATE_LIMIT TEN_SECONDLY_ROLLING', '429 RATE_LIMIT DAILY'],
  // HubSpot access tokens are opaque (the docs warn they grow to ~300 characters); refresh tokens
  // in the documented examples are UUIDs.
  newAccessToken: () => `CN${randomToken(120)}`,
  newRefreshToken: () => randomUuid(),
  newAuthorizationCode: () => randomUuid(),
  readAccessToken: (headers) => authorizationToken(headers, ['Bearer']),
  answers: {
    // [tokens] the documented token response.
    token: (issued) => ({
      status: 200,
      json: {
        token_type: 'bearer',
        refresh_token: issued.refreshToken,
        access_token: issued.accessToken,
        expires_in: issued.expiresIn,
      },
    }),
    tokenFailure: (failure) => {
      switch (failure) {
        // [refresh]
        case 'dead_grant':
          return tokenError(
            'BAD_REFRESH_TOKEN',
            'refresh token is invalid, expired or revoked',
            'invalid_grant',
          );
        // BAD_CLIENT_ID with "missing or unknown client id" is quoted from the token endpoint;
        // BAD_CLIENT_SECRET, BAD_AUTH_CODE, BAD_REDIRECT_URI and BAD_GRANT_TYPE are HubSpot's status
        // names for the other refusals, their messages this stand-in's wording.
        case 'unknown_client':
          return tokenError('BAD_CLIENT_ID', 'missing or unknown client id', 'invalid_request');
        case 'wrong_secret':
          return tokenError('BAD_CLIENT_SECRET', 'missing or invalid client secret');
        case 'invalid_code':
          return tokenError('BAD_AUTH_CODE', 'missing or unknown auth code');
        case 'redirect_uri_mismatch':
          return tokenError('BAD_REDIRECT_URI', 'redirect uri mismatch');
        case 'unsupported_grant_type':
          return tokenError('BAD_GRANT_TYPE', 'unsupported grant type');
        case 'rate_limited':
          return rateLimitBody('TEN_SECONDLY_ROLLING');
        // [errors] 502/504 are HubSpot's documented timeouts; the body is not documented.
        case 'outage':
          return { status: 502, text: '502 Bad Gateway' };
      }
    },
    probe: () => ({
      status: 200,
      json: {
        results: [
          {
            id: '51',
            properties: {
              createdate: '2026-01-05T10:00:00.000Z',
              email: 'ada@example.com',
              firstname: 'Ada',
            },
            createdAt: '2026-01-05T10:00:00.000Z',
            updatedAt: '2026-01-06T10:00:00.000Z',
            archived: false,
          },
          {
            id: '52',
            properties: {
              createdate: '2026-01-07T10:00:00.000Z',
              email: 'alan@example.com',
              firstname: 'Alan',
            },
            createdAt: '2026-01-07T10:00:00.000Z',
            updatedAt: '2026-01-07T10:00:00.000Z',
            archived: false,
          },
        ],
      },
    }),
    expired: (signal, ctx) =>
      signal === '401 INVALID_AUTHENTICATION'
        ? invalidAuthentication()
        : // [expiry]
          hubspotError(401, {
            message: `The OAuth token used to make this call expired ${expiredAgo(ctx.nowMs, Math.min(ctx.nowMs, ctx.expiresAtMs))} ago.`,
            category: 'EXPIRED_AUTHENTICATION',
          }),
    invalidToken: () => invalidAuthentication(),
    // [scopes]
    missingScope: () =>
      hubspotError(403, {
        message:
          "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        errors: [
          {
            message: 'One or more of the following scopes are required.',
            context: { requiredGranularScopes: ['crm.objects.contacts.read'] },
          },
        ],
        links: { scopes: 'https://developers.hubspot.com/scopes' },
        category: 'MISSING_SCOPES',
      }),
    rateLimited: (signal) =>
      rateLimitBody(signal === '429 RATE_LIMIT DAILY' ? 'DAILY' : 'TEN_SECONDLY_ROLLING'),
    // [errors] 403 "the authentication provided does not have the proper permissions". The message
    // is the one HubSpot gives a user whose role lacks the object (HubSpot Community, quoted by
    // eshopman-com.pages.dev); HubSpot documents no category for it, so none is sent.
    forbidden: () =>
      hubspotError(403, {
        message: `You do not have permissions to view object type ObjectTypeId{legacyObjectType=CONTACT} in portal ${PORTAL} (requires one of [contacts-read, contacts-access]): Forbidden.`,
      }),
  },
};

// [authn]
function invalidAuthentication(): Reply {
  return hubspotError(401, {
    message:
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
    category: 'INVALID_AUTHENTICATION',
  });
}

export const start: StartStandIn = (options) => startStandIn(spec, options);
