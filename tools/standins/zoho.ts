// Zoho stand-in: Zoho Accounts' token endpoint and the Zoho CRM records API (Leads).
// Sources (checked 2026):
//   [accounts] https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html and
//              …/access-token-expiry.html — POST {accounts}/oauth/v2/token with client_id,
//              client_secret, grant_type, code/refresh_token (as query or form parameters); access
//              tokens valid 1 hour; a refresh answers access_token, api_domain, token_type, expires_in
//              and no refresh token ("for the same set of scopes"); at most ten access tokens per
//              refresh token per ten minutes
//   [crm]      https://www.zoho.com/crm/developer/docs/api/ (OAuth authentication: header
//              "Authorization: Zoho-oauthtoken <token>"; status codes)
//   [errors]   token endpoint errors come back as HTTP 200 JSON, e.g. {"error":"invalid_code"}:
//              Weble/ZohoBooksApi#84 (IdentityProviderException code 200), schmorrison/Zoho#18;
//              {"error":"invalid_client_secret"} with 200 and the 400 "Access Denied" throttle body with
//              "status":"failure" quoted from observed answers in a Zoho Cliq PHP client's docblock
//   [codes]    CRM API errors {"code","details","message","status":"error"}: INVALID_TOKEN
//              "invalid oauth token" (401), OAUTH_SCOPE_MISMATCH "invalid oauth scope to access this
//              URL" (401), NO_PERMISSION "permission denied" with details.permissions (403),
//              AUTHENTICATION_FAILURE (401, rikas/zoho_hub#34), TOO_MANY_REQUESTS (429, Zoho
//              "Kaizen #203 Handling API Limits and Error Responses")
import type { StartStandIn } from 'zapier-oauth-layer/standin';
import {
  authorizationToken,
  randomHex,
  startStandIn,
  type ProviderSpec,
  type Reply,
} from 'zapier-oauth-layer/standin';

const crmError = (
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): Reply => ({
  status,
  json: { code, details, message, status: 'error' },
});

// [errors] Zoho Accounts refuses with HTTP 200.
const accountsError = (error: string): Reply => ({ status: 200, json: { error } });

const zohoToken = (): string => `1000.${randomHex(16)}.${randomHex(16)}`;

export const spec: ProviderSpec = {
  provider: 'zoho',
  tokenPath: '/oauth/v2/token',
  probePath: '/crm/v8/Leads',
  probeScope: 'ZohoCRM.modules.leads.READ',
  allScopes: ['ZohoCRM.modules.leads.READ', 'ZohoCRM.modules.contacts.READ', 'ZohoCRM.users.READ'],
  client: { id: '1000.GMB0YULZHJK411248S8I5GZ4CHUEX0', secret: '122c324d3496d5d777ceeebc129470715fbb856b7' },
  // [accounts] client_id and client_secret as parameters (query string in the examples, the form body
  // recommended "for security reasons"); no HTTP Basic.
  clientAuth: ['body', 'query'],
  accessTokenLifetimeSeconds: 3600,
  rotation: 'none',
  // Zoho's scope lists are comma-separated.
  scopeSeparator: ',',
  expirySignals: ['401 INVALID_TOKEN', '401 AUTHENTICATION_FAILURE'],
  rateLimitSignals: ['429 TOO_MANY_REQUESTS'],
  newAccessToken: zohoToken,
  newRefreshToken: zohoToken,
  newAuthorizationCode: zohoToken,
  // [crm] the Zoho-oauthtoken scheme; the stand-in does not take "Bearer".
  readAccessToken: (headers) => authorizationToken(headers, ['Zoho-oauthtoken']),
  answers: {
    // [accounts] api_domain is where API calls go: here, the stand-in itself.
    token: (issued) => ({
      status: 200,
      json:
        issued.request.grantType === 'authorization_code'
          ? {
              access_token: issued.accessToken,
              refresh_token: issued.refreshToken,
              api_domain: issued.baseUrl,
              token_type: 'Bearer',
              expires_in: issued.expiresIn,
            }
          : {
              access_token: issued.accessToken,
              api_domain: issued.baseUrl,
              token_type: 'Bearer',
              expires_in: issued.expiresIn,
            },
    }),
    tokenFailure: (failure) => {
      switch (failure) {
        case 'unknown_client':
          return accountsError('invalid_client');
        case 'wrong_secret':
          return accountsError('invalid_client_secret');
        // [errors] an unknown, used or revoked code or refresh token is "invalid_code".
        case 'invalid_code':
        case 'dead_grant':
          return accountsError('invalid_code');
        case 'redirect_uri_mismatch':
          return accountsError('invalid_redirect_uri');
        case 'unsupported_grant_type':
          return accountsError('unsupported_grant_type');
        // [errors] the throttle answer is a 400, and names no wait.
        case 'rate_limited':
          return {
            status: 400,
            json: {
              error_description:
                'You have made too many requests continuously. Please try again after some time.',
              error: 'Access Denied',
              status: 'failure',
            },
          };
        // Not documented: a 500 is the stand-in's assumption for an Accounts outage.
        case 'outage':
          return { status: 500, text: 'Internal Server Error' };
      }
    },
    probe: () => ({
      status: 200,
      json: {
        data: [
          { Last_Name: 'Lovelace', Company: 'Analytical Engines', id: '4876876000000334001' },
          { Last_Name: 'Turing', Company: 'Bletchley', id: '4876876000000334002' },
        ],
        info: { per_page: 200, count: 2, page: 1, more_records: false },
      },
    }),
    // [codes]
    expired: (signal) =>
      signal === '401 AUTHENTICATION_FAILURE'
        ? crmError(401, 'AUTHENTICATION_FAILURE', 'Authentication failed')
        : crmError(401, 'INVALID_TOKEN', 'invalid oauth token'),
    invalidToken: (why) =>
      why === 'missing'
        ? crmError(401, 'AUTHENTICATION_FAILURE', 'Authentication failed')
        : crmError(401, 'INVALID_TOKEN', 'invalid oauth token'),
    missingScope: () => crmError(401, 'OAUTH_SCOPE_MISMATCH', 'invalid oauth scope to access this URL'),
    // [codes] Zoho names no wait (no Retry-After) on this answer.
    rateLimited: () => crmError(429, 'TOO_MANY_REQUESTS', 'too many requests'),
    forbidden: () =>
      crmError(403, 'NO_PERMISSION', 'permission denied', { permissions: ['Crm_Implied_Api_Access'] }),
  },
};

export const start: StartStandIn = (options) => startStandIn(spec, options);
