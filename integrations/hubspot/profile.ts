// HubSpot's CRM API, as HubSpot documents it.
//   [tokens]     developers.hubspot.com/docs/api-reference/latest/authentication/manage-oauth-tokens
//                (POST /oauth/2026-03/token, URL-form body with client_id/client_secret; 30-minute access
//                tokens, expires_in in seconds)
//   [v1-sunset]  developers.hubspot.com/changelog/v1-oauth-api-deprecation (/oauth/v1/token and the
//                v1 token metadata endpoints "will remain accessible until February 16th, 2027"; replaced
//                by POST /oauth/2026-03/token, /token/introspect and /token/revoke)
//   [migrate]    developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/migration-guide
//                (swap the path; every parameter a form-encoded body field, never a query parameter)
//   [v3-errors]  developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses
//                (RFC 6749 error/error_description in every OAuth error, beside status/message, "in both
//                the v1 and v3 OAuth API endpoints"; "no changes to the scope, app settings, or the OAuth
//                install process")
//   [errors]     developers.hubspot.com/docs/api/error-handling (categories, MISSING_SCOPES, rate limits)
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
    // [v1-sunset] [migrate] the date-versioned endpoint; v1 is gone after 2027-02-16.
    token: '/oauth/2026-03/token',
    api: '/crm/',
    // [v1-sunset] introspect (the connection test's label) and revoke: OAuth endpoints that take the
    // token in the form body and must never get it as a Bearer header.
    oauthOther: ['/oauth/2026-03/token/introspect', '/oauth/2026-03/token/revoke'],
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
    // [v3-errors] Refusals carry RFC 6749's pair, which the layer reads by default (error,
    // error_description), e.g. 400 {"error": "invalid_grant", "error_description": "refresh token is
    // invalid, expired or revoked", "status": "BAD_REFRESH_TOKEN", "message": "…"}. HubSpot's own
    // status (BAD_REFRESH_TOKEN, BAD_CLIENT_ID, …) stays beside it "for backward compatibility", on v1
    // and 2026-03 alike: it comes with `error`, never instead of it, and says nothing `error` does not,
    // so no table of statuses is kept (the layer reads one code path; a table of them would never be
    // consulted). A refusal without `error` is not documented any more; the layer would call it an
    // unknown refusal, quote it, and not mark the connection stale.
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
