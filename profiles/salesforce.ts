// Salesforce's REST API with refresh token rotation on, as Salesforce documents it.
//   help.salesforce.com "OAuth 2.0 Refresh Token Flow" (no expires_in; issued_at in ms)
//   help.salesforce.com "Refresh Token Rotation" (a rotated refresh token used again revokes the grant)
//   developer.salesforce.com REST API "Status Codes and Error Responses" (errors are arrays)
import { defineProfile } from '../layer';

export const salesforceProfile = defineProfile({
  id: 'salesforce',
  name: 'Salesforce',
  troubleshooting: 'https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm',
  endpoints: {
    // Tokens come from login.salesforce.com; the API answers on the org's own instance_url,
    // which every token answer names (kept in authData, and where the access token goes).
    base: 'https://login.salesforce.com',
    baseEnv: 'SALESFORCE_BASE_URL',
    authorize: '/services/oauth2/authorize',
    token: '/services/oauth2/token',
    api: '/services/data/',
    apiFrom: 'instance_url',
    oauthOther: ['/services/oauth2/revoke'],
  },
  client: { idEnv: 'SALESFORCE_CLIENT_ID', secretEnv: 'SALESFORCE_CLIENT_SECRET', authMethod: 'body' },
  authorization: { scopes: ['api', 'refresh_token'], scopeSeparator: ' ', pkce: 'supported' },
  signals: {
    // [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    body: { code: '0.errorCode', message: '0.message' },
    codes: {
      // Also what a token without the `api` scope gets: no refresh tells them apart.
      INVALID_SESSION_ID: 'refresh',
      REQUEST_LIMIT_EXCEEDED: 'throttled', // a 403
      API_DISABLED_FOR_ORG: 'forbidden',
      INSUFFICIENT_ACCESS: 'forbidden',
      INSUFFICIENT_ACCESS_OR_READONLY: 'forbidden',
      NOT_FOUND: 'not_found',
      MALFORMED_QUERY: 'bad_request',
      INVALID_FIELD: 'bad_request',
      REQUIRED_FIELD_MISSING: 'validation',
      DUPLICATE_VALUE: 'conflict',
      SERVER_UNAVAILABLE: 'unavailable',
    },
    bearerChallenge: false,
  },
  token: {
    errorCode: 'error',
    errorDescription: 'error_description',
    errorsAs200: false,
    tokenTypes: ['bearer'], // "Bearer"
    // No lifetime in the answer: the org's session timeout, 2 hours by default.
    lifetime: { field: null, unit: 'seconds', assumeSeconds: 7200 },
    rotation: { kind: 'strict' },
    refreshTokenInRefresh: 'always',
    keep: ['instance_url'],
  },
  advice: {
    deadGrant:
      'The connected app was revoked, the user was deactivated, the refresh token policy expired it, or a rotated refresh token was used again.',
    forbidden:
      'Ask a Salesforce administrator for API access or the object permission, or connect a user who has it.',
  },
});
