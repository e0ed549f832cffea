// HubSpot's CRM API, as HubSpot documents it.
//   developers.hubspot.com/docs/api/oauth/tokens (OAuth v1 token endpoint; 30-minute access tokens)
//   developers.hubspot.com/docs/api/error-handling (categories, MISSING_SCOPES, rate limits)
import { defineProfile } from 'zapier-oauth-layer';

export const hubspotProfile = defineProfile({
  id: 'hubspot',
  name: 'HubSpot',
  troubleshooting: 'https://developers.hubspot.com/docs/api/error-handling',
  endpoints: {
    base: 'https://api.hubapi.com',
    baseEnv: 'HUBSPOT_BASE_URL',
    // Users authorize on app.hubspot.com; tokens and the API are on api.hubapi.com.
    authorize: 'https://app.hubspot.com/oauth/authorize',
    token: '/oauth/v1/token',
    api: '/crm/',
  },
  // The token endpoint takes client_id and client_secret in the form body.
  client: { idEnv: 'HUBSPOT_CLIENT_ID', secretEnv: 'HUBSPOT_CLIENT_SECRET', authMethod: 'body' },
  authorization: {
    scopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write'],
    pkce: 'none',
  },
  signals: {
    // {"status": "error", "message": …, "category": "EXPIRED_AUTHENTICATION", "errors": [{"context": …}]}
    body: {
      code: 'category',
      message: 'message',
      requiredScope: 'errors.0.context.requiredGranularScopes',
    },
    codes: {
      EXPIRED_AUTHENTICATION: 'refresh', // 401
      INVALID_AUTHENTICATION: 'refresh', // 401
      MISSING_SCOPES: 'scope', // 403, naming requiredGranularScopes
      RATE_LIMITS: 'throttled',
      VALIDATION_ERROR: 'validation',
      OBJECT_NOT_FOUND: 'not_found',
      CONFLICT: 'conflict',
    },
    // 429 bodies carry errorType "RATE_LIMIT" and no Retry-After: the status says it.
    bearerChallenge: false,
  },
  token: {
    // Refusals: 400 {"status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token"}.
    errorCode: 'status',
    errorDescription: 'message',
    codes: {
      BAD_REFRESH_TOKEN: 'invalid_grant',
      BAD_AUTH_CODE: 'invalid_grant',
      BAD_CLIENT_ID: 'invalid_client',
      BAD_CLIENT_SECRET: 'invalid_client',
      BAD_REDIRECT_URI: 'invalid_request',
      BAD_GRANT_TYPE: 'unsupported_grant_type',
    },
    // expires_in: 1800, in seconds as RFC 6749 says: the default lifetime.
    // The refresh token stays the same; every answer repeats it.
    rotation: { kind: 'none' },
    refreshTokenInRefresh: 'always',
  },
  advice: {
    deadGrant: 'The app was uninstalled from the HubSpot account or the user lost access to it.',
    forbidden: 'Ask a super admin of the HubSpot account for the permission, or connect a user who has it.',
  },
});
