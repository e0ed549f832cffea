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
//   Where a connection signs in and gets its tokens (connection): the Accounts server of the
//   user's data centre, zoho.com/accounts/protocol/oauth/multi-dc.html ("US
//   https://accounts.zoho.com, EU https://accounts.zoho.eu, IN https://accounts.zoho.in, AU
//   https://accounts.zoho.com.au, JP https://accounts.zoho.jp, CA https://accounts.zohocloud.ca,
//   SA https://accounts.zoho.sa") and zoho.com/crm/developer/docs/api/v8/multi-dc.html (CN
//   https://accounts.zoho.com.cn); Nango's providers.yaml asks the same of a Zoho connection
//   (connection_config.extension). The data centre is named by its domain, as the user sees it
//   in Zoho's address bar (crm.zoho.eu: zoho.eu), because Canada's is not zoho.<something>.
import { defineProfile } from 'zapier-oauth-layer/internal';

export const zohoProfile = defineProfile({
  id: 'zoho',
  name: 'Zoho CRM',
  troubleshooting: 'https://www.zoho.com/crm/developer/docs/api/v8/status-codes.html',
  endpoints: {
    // Accounts and the API live in the user's data centre: the user names it when connecting
    // (connection.fields' dc); the token answer's api_domain (kept in authData) is where the
    // access token goes, zohoapis.com without it.
    base: 'https://accounts.zoho.com',
    baseEnv: 'ZOHO_BASE_URL',
    authorize: 'https://accounts.{{dc}}/oauth/v2/auth',
    token: 'https://accounts.{{dc}}/oauth/v2/token',
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
    oauthOther: ['https://accounts.{{dc}}/oauth/v2/token/revoke'],
    // "Authorization: Zoho-oauthtoken 1000.…", not Bearer.
    authorizationScheme: 'Zoho-oauthtoken',
  },
  connection: {
    fields: [
      {
        key: 'dc',
        label: 'Data centre',
        help: 'Where your Zoho account lives: the domain in the address when you sign in to Zoho CRM (crm.zoho.eu is zoho.eu).',
        choices: {
          'zoho.com': 'United States (zoho.com)',
          'zoho.eu': 'Europe (zoho.eu)',
          'zoho.in': 'India (zoho.in)',
          'zoho.com.au': 'Australia (zoho.com.au)',
          'zoho.com.cn': 'China (zoho.com.cn)',
          'zoho.jp': 'Japan (zoho.jp)',
          'zohocloud.ca': 'Canada (zohocloud.ca)',
          'zoho.sa': 'Saudi Arabia (zoho.sa)',
        },
        default: 'zoho.com',
      },
    ],
    hosts: [
      'accounts.zoho.com',
      'accounts.zoho.eu',
      'accounts.zoho.in',
      'accounts.zoho.com.au',
      'accounts.zoho.com.cn',
      'accounts.zoho.jp',
      'accounts.zohocloud.ca',
      'accounts.zoho.sa',
    ],
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
    errorsAs200: true,
    codes: {
      invalid_code: 'invalid_grant', // a dead refresh token or a used code, answered with HTTP 200
      invalid_redirect_uri: 'invalid_request',
      // HTTP 400 {"error": "Access Denied", "error_description": "You have made too many requests continuously. …"}
      'Access Denied': 'rate_limited',
    },
    // expires_in: 3600, in seconds as RFC 6749 says: the default lifetime.
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
