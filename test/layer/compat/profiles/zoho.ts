// Zoho CRM through Zoho Accounts, as Zoho documents it.
//   zoho.com/accounts/protocol/oauth (access_type=offline; refresh answers carry no refresh token;
//   api_domain; at most 10 access tokens per refresh token in 10 minutes)
//   zoho.com/crm/developer/docs/api/v8/status-codes.html (INVALID_TOKEN, OAUTH_SCOPE_MISMATCH, …)
//   token errors as HTTP 200 {"error": "invalid_code"}: Weble/ZohoBooksApi#84
//   Where api_domain may point (endpoints.apiFrom.hosts): zoho.com/crm/developer/docs/api/v8/multi-dc.html
//   (a data centre's API domain, "https://www.zohoapis.eu", "https://www.zohoapis.com.cn", …: US,
//   AU, EU, IN, CN, JP, CA) and zoho.com/workdrive/developer/docs/api/v1/getting-started-multi-dc-support.html
//   (the same www.zohoapis.* hosts, with the UAE's .ae and Saudi Arabia's .sa); the token answers
//   of zoho.com/accounts/protocol/oauth name it as "api_domain": "https://www.zohoapis.com".
import { defineProfile } from 'zapier-oauth-layer/internal';

export const zohoProfile = defineProfile({
  id: 'zoho',
  name: 'Zoho CRM',
  troubleshooting: 'https://www.zoho.com/crm/developer/docs/api/v8/status-codes.html',
  endpoints: {
    // Accounts and the API live in the user's data centre: the token answer's api_domain
    // (kept in authData) is where the access token goes; zohoapis.com without it.
    base: 'https://accounts.zoho.com',
    baseEnv: 'ZOHO_BASE_URL',
    authorize: '/oauth/v2/auth',
    token: '/oauth/v2/token',
    api: 'https://www.zohoapis.com/crm/',
    apiFrom: {
      field: 'api_domain',
      hosts: [
        'www.zohoapis.com',
        'www.zohoapis.eu',
        'www.zohoapis.in',
        'www.zohoapis.com.au',
        'www.zohoapis.com.cn',
        'www.zohoapis.jp',
        'www.zohoapis.ca',
        'www.zohoapis.ae',
        'www.zohoapis.sa',
      ],
    },
    oauthOther: ['/oauth/v2/token/revoke'],
    // "Authorization: Zoho-oauthtoken 1000.…", not Bearer.
    authorizationScheme: 'Zoho-oauthtoken',
  },
  client: { idEnv: 'ZOHO_CLIENT_ID', secretEnv: 'ZOHO_CLIENT_SECRET', authMethod: 'body' },
  authorization: {
    scopes: ['ZohoCRM.modules.leads.READ', 'ZohoCRM.modules.leads.CREATE'],
    scopeSeparator: ',',
    pkce: 'none',
    // Without these Zoho issues no refresh token, or none on a second consent.
    extraParams: { access_type: 'offline', prompt: 'consent' },
  },
  signals: {
    // {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}
    body: { code: 'code', message: 'message' },
    codes: {
      INVALID_TOKEN: 'refresh', // 401
      AUTHENTICATION_FAILURE: 'refresh', // 401
      // A 401 too: inside a Zapier app core refreshes on any 401 before the layer reads it, so
      // the step is retried once and fails; the doctor and this table still name it.
      OAUTH_SCOPE_MISMATCH: 'scope',
      NO_PERMISSION: 'forbidden', // 403
      TOO_MANY_REQUESTS: 'throttled', // 429
      INVALID_DATA: 'validation',
      MANDATORY_NOT_FOUND: 'validation',
      DUPLICATE_DATA: 'conflict',
      INVALID_URL_PATTERN: 'not_found',
      INTERNAL_ERROR: 'server',
    },
    bearerChallenge: false,
  },
  token: {
    errorCode: 'error',
    errorDescription: 'error_description',
    errorsAs200: true,
    codes: {
      invalid_code: 'invalid_grant', // a dead refresh token or a used code, answered with HTTP 200
      invalid_redirect_uri: 'invalid_request',
      // HTTP 400 {"error": "Access Denied", "error_description": "You have made too many requests continuously. …"}
      'Access Denied': 'rate_limited',
    },
    tokenTypes: ['bearer'], // "Bearer", though the API wants its own scheme
    lifetime: { field: 'expires_in', unit: 'seconds', assumeSeconds: null }, // 3600
    rotation: { kind: 'none' },
    refreshTokenInRefresh: 'never',
    keep: ['api_domain'],
  },
  tokenPrefixes: ['1000.'],
  advice: {
    deadGrant:
      'The refresh token was revoked in Zoho Accounts, or the user made more than 20 connections to this client (Zoho drops the oldest).',
    forbidden: 'Ask the Zoho CRM administrator for the permission, or connect a user who has it.',
  },
});
