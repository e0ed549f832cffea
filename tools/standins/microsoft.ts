// Microsoft stand-in: the Azure AD (Microsoft Entra) v1 token endpoint, which answers numbers as
// strings, and Azure Resource Manager's subscription list as the resource. Sources (checked 2026):
//   [v1]       Azure AD v1 code flow (learn.microsoft.com "Authorize access to Azure Active Directory
//              web applications using the OAuth 2.0 code grant flow", v1 endpoint /{tenant}/oauth2/token
//              with `resource`): token_type, scope, expires_in, ext_expires_in, expires_on, not_before,
//              resource, access_token, refresh_token, id_token — and the numbers are strings
//              ("expires_in": "3599"): MicrosoftDocs/azure-docs#54997, Azure/azure-cli#15901,
//              AzureAD/microsoft-authentication-library-common-for-android#25
//   [refresh]  https://learn.microsoft.com/entra/identity-platform/refresh-tokens — "Refresh tokens
//              replace themselves with a fresh token upon every use. The Microsoft identity platform
//              doesn't revoke old refresh tokens when used to fetch new access tokens."
//   [aadsts]   https://learn.microsoft.com/entra/identity-platform/reference-error-codes — error,
//              error_description "AADSTSnnnn: …\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …",
//              error_codes, timestamp, trace_id, correlation_id, error_uri; invalid_client for a bad
//              secret (AADSTS7000215, HTTP 401), unauthorized_client for an unknown app (AADSTS700016),
//              invalid_grant for an expired or revoked grant (AADSTS70008), temporarily_unavailable
//   [arm401]   ARM 401 bodies {"error":{"code":"ExpiredAuthenticationToken","message":"The access token
//              expiry UTC time '…' is earlier than current UTC time '…'."}}: hashicorp/terraform-provider-azurerm#20867,
//              Azure/azure-sdk-for-java#33112; the WWW-Authenticate challenge carries error="invalid_token"
//              (RFC 6750 §3) — its exact wording here is the stand-in's
//   [throttle] https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
//              — 429 with Retry-After, x-ms-ratelimit-remaining-subscription-reads; code
//              SubscriptionRequestsThrottled (MicrosoftDocs/azure-docs#105248)
//   [rbac]     ARM 403 AuthorizationFailed "The client '…' with object id '…' does not have authorization
//              to perform action '…' over scope '…'" (Azure RBAC troubleshooting)
import type { StartStandIn } from 'zapier-oauth-layer/standin';
import {
  authorizationToken,
  randomToken,
  randomUuid,
  startStandIn,
  type ProviderSpec,
  type Reply,
} from 'zapier-oauth-layer/standin';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const SUBSCRIPTION = '00000000-aaaa-4bbb-8ccc-000000000001';
const OBJECT_ID = 'b5b7f3c2-1d2e-4f3a-9b8c-7d6e5f4a3b21';
const ARM = 'https://management.azure.com/';
const CLIENT = {
  id: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
  secret: 'stand~in.Q8~AZURE-client-secret_0123456789',
};

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT-shaped v1 access token (header.payload.signature; the signature is random). */
function accessToken(info: { scopes: readonly string[]; issuedAtMs: number; expiresAtMs: number }): string {
  const iat = Math.floor(info.issuedAtMs / 1000);
  const header = { typ: 'JWT', alg: 'RS256', x5t: 'standin', kid: 'standin' };
  const payload = {
    aud: ARM,
    iss: `https://sts.windows.net/${TENANT}/`,
    iat,
    nbf: iat,
    exp: Math.floor(info.expiresAtMs / 1000),
    scp: info.scopes.filter((s) => s === 'user_impersonation').join(' '),
    tid: TENANT,
    oid: OBJECT_ID,
    ver: '1.0',
    jti: randomToken(12),
  };
  return `${b64url(header)}.${b64url(payload)}.${randomToken(64)}`;
}

/** [aadsts] the token endpoint's error body. */
function aadError(status: number, error: string, code: number, text: string, nowMs: number): Reply {
  const traceId = randomUuid();
  const correlationId = randomUuid();
  const timestamp = new Date(nowMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return {
    status,
    json: {
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

/** "3/19/2023 8:55:46 AM", as ARM writes UTC times in its messages. */
function armTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

/** [arm401] an ARM 401 with its Bearer challenge. */
const arm401 = (code: string, message: string, challenge: string): Reply => ({
  status: 401,
  headers: {
    'www-authenticate': `Bearer authorization_uri="https://login.windows.net/${TENANT}", error="invalid_token", error_description="${challenge}"`,
  },
  json: { error: { code, message } },
});

export const spec: ProviderSpec = {
  provider: 'microsoft',
  tokenPath: '/common/oauth2/token',
  probePath: '/subscriptions',
  probeScope: 'user_impersonation',
  allScopes: ['user_impersonation', 'openid', 'offline_access'],
  client: CLIENT,
  // [aadsts] Entra takes client_secret in the form body or as HTTP Basic (client_secret_basic).
  clientAuth: ['body', 'basic'],
  // [v1] "expires_in": "3599" in the documented examples.
  accessTokenLifetimeSeconds: 3599,
  // [refresh]
  rotation: 'always',
  // A token without user_impersonation is ARM's wrong-audience 401, as an expired one is.
  scopeErrorIsExpiry: true,
  scopeSeparator: ' ',
  expirySignals: ['401 ExpiredAuthenticationToken', '401 InvalidAuthenticationToken'],
  rateLimitSignals: ['429 Retry-After'],
  newAccessToken: accessToken,
  newRefreshToken: () => `0.ARoAv4j5cvGGr0GRqy180BHbR${randomToken(180)}`,
  newAuthorizationCode: () => `OAQABAAIAAAAm-06blBE1TpVMil8KPQ41${randomToken(120)}`,
  readAccessToken: (headers) => authorizationToken(headers, ['Bearer']),
  answers: {
    // [v1] every number a string.
    token: (issued) => {
      const issuedS = Math.floor(issued.issuedAtMs / 1000);
      return {
        status: 200,
        json: {
          token_type: 'Bearer',
          scope: issued.scopes.join(' '),
          expires_in: String(issued.expiresIn),
          ext_expires_in: String(issued.expiresIn),
          expires_on: String(issuedS + issued.expiresIn),
          not_before: String(issuedS),
          resource: issued.request.params.get('resource') ?? ARM,
          access_token: issued.accessToken,
          refresh_token: issued.refreshToken,
        },
      };
    },
    tokenFailure: (failure, ctx) => {
      switch (failure) {
        case 'dead_grant':
          return aadError(
            400,
            'invalid_grant',
            70008,
            'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
            ctx.nowMs,
          );
        case 'unknown_client':
          return aadError(
            400,
            'unauthorized_client',
            700016,
            `Application with identifier '${ctx.params.get('client_id') ?? ''}' was not found in the directory '${TENANT}'.`,
            ctx.nowMs,
          );
        case 'wrong_secret':
          return aadError(
            401,
            'invalid_client',
            7000215,
            `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${CLIENT.id}'.`,
            ctx.nowMs,
          );
        case 'invalid_code':
          return aadError(
            400,
            'invalid_grant',
            70000,
            "The provided value for the 'code' parameter is not valid.",
            ctx.nowMs,
          );
        // The AADSTS number for a redirect_uri that differs at the exchange is the stand-in's pick.
        case 'redirect_uri_mismatch':
          return aadError(
            400,
            'invalid_grant',
            50011,
            'The redirect URI specified in the request does not match the redirect URI used to obtain the authorization code.',
            ctx.nowMs,
          );
        case 'unsupported_grant_type':
          return aadError(
            400,
            'unsupported_grant_type',
            70003,
            'The app requested an unsupported grant type.',
            ctx.nowMs,
          );
        // Entra documents throttling as 429 with Retry-After for its services; the body here is the
        // stand-in's assumption.
        case 'rate_limited': {
          const reply = aadError(
            429,
            'temporarily_unavailable',
            90033,
            'A transient error has occurred. Please try again.',
            ctx.nowMs,
          );
          return { ...reply, headers: { 'retry-after': String(ctx.retryAfterSeconds) } };
        }
        // [aadsts] temporarily_unavailable: "The server is temporarily too busy to handle the request."
        case 'outage':
          return aadError(
            503,
            'temporarily_unavailable',
            90033,
            'A transient error has occurred. Please try again.',
            ctx.nowMs,
          );
      }
    },
    probe: () => ({
      status: 200,
      json: {
        value: [
          {
            id: `/subscriptions/${SUBSCRIPTION}`,
            authorizationSource: 'RoleBased',
            subscriptionId: SUBSCRIPTION,
            tenantId: TENANT,
            displayName: 'Stand-in Subscription',
            state: 'Enabled',
          },
        ],
        count: { type: 'Total', value: 1 },
      },
    }),
    expired: (signal, ctx) =>
      signal === '401 InvalidAuthenticationToken'
        ? arm401('InvalidAuthenticationToken', 'The access token is invalid.', 'The access token is invalid.')
        : arm401(
            'ExpiredAuthenticationToken',
            `The access token expiry UTC time '${armTime(Math.min(ctx.nowMs, ctx.expiresAtMs))}' is earlier than current UTC time '${armTime(ctx.nowMs)}'.`,
            'The access token has expired.',
          ),
    invalidToken: (why) =>
      why === 'missing'
        ? arm401(
            'AuthenticationFailed',
            "Authentication failed. The 'Authorization' header is missing.",
            "The authentication failed because of missing 'Authorization' header.",
          )
        : arm401(
            'InvalidAuthenticationToken',
            'The access token is invalid.',
            'The access token is invalid.',
          ),
    // A v1 token without ARM's user_impersonation is a token for another resource: ARM refuses its
    // audience with a 401, like an invalid token (no refresh fixes it).
    missingScope: () =>
      arm401(
        'InvalidAuthenticationTokenAudience',
        "The access token has been obtained for wrong audience or resource 'https://graph.microsoft.com'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.",
        'The access token audience is invalid.',
      ),
    // [throttle]
    rateLimited: (_signal, retryAfter) => ({
      status: 429,
      headers: { 'retry-after': String(retryAfter), 'x-ms-ratelimit-remaining-subscription-reads': '0' },
      json: {
        error: {
          code: 'SubscriptionRequestsThrottled',
          message: `Number of 'read' requests for subscription '${SUBSCRIPTION}' actor '${OBJECT_ID}' exceeded. Please try again after '${retryAfter}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`,
        },
      },
    }),
    // [rbac]
    forbidden: () => ({
      status: 403,
      json: {
        error: {
          code: 'AuthorizationFailed',
          message: `The client '${OBJECT_ID}' with object id '${OBJECT_ID}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/read' over scope '/subscriptions/${SUBSCRIPTION}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        },
      },
    }),
  },
};

export const start: StartStandIn = (options) => startStandIn(spec, options);
