// Xero stand-in: the identity server's token endpoint and the Accounting API Contacts list.
// Sources (checked 2026):
//   [faq]      https://developer.xero.com/faq/oauth2 — access tokens last 30 minutes; "When you
//              perform a token refresh, you should replace your existing refresh token with the new
//              one … you can retry refreshing your existing refresh token for a grace period of 30
//              minutes"; unused refresh tokens expire after 60 days
//   [flow]     https://developer.xero.com/documentation/guides/oauth2/auth-flow — POST
//              https://identity.xero.com/connect/token, Authorization: Basic base64(id:secret);
//              response id_token, access_token, expires_in, token_type, refresh_token, scope
//   [trouble]  https://developer.xero.com/documentation/oauth2/troubleshooting — token endpoint
//              errors {"error":"invalid_client"}, {"error":"invalid_grant"}, {"error":"unsupported_grant_type"};
//              403 {"Title":"Forbidden","Status":403,"Detail":"AuthenticationUnsuccessful"} when the
//              user revoked access or lost the role that authorised the connection
//   [401]      401 problem body {"Type":null,"Title":"Unauthorized","Status":401,"Detail":"TokenExpired:
//              token expired at 04/09/2023 05:16:59","Instance":…,"Extensions":{}}: freakboy3742/pyxero#337,
//              waynerobinson/xeroizer#509, XeroAPI/xero-node#435; "AuthorizationUnsuccessful" for a token
//              without the scope: XeroAPI/xero-php-oauth2-starter#22
//   [limits]   https://developer.xero.com/faq/limits and XeroAPI/xero-node#634 — 60 calls/minute,
//              5000/day per tenant; 429 with Retry-After and X-Rate-Limit-Problem naming the limit;
//              X-DayLimit-Remaining / X-MinLimit-Remaining / X-AppMinLimit-Remaining on every answer
import type { StartStandIn } from 'zapier-oauth-layer/standin';
import {
  authorizationToken,
  randomHex,
  randomToken,
  randomUuid,
  startStandIn,
  type ProviderSpec,
  type Reply,
} from 'zapier-oauth-layer/standin';

const pad = (n: number): string => String(n).padStart(2, '0');

/** Xero's "MM/DD/YYYY HH:mm:ss" (UTC) in TokenExpired details. */
function xeroTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}`;
}

const problem = (status: 401 | 403, detail: string): Reply => ({
  status,
  json: {
    Type: null,
    Title: status === 401 ? 'Unauthorized' : 'Forbidden',
    Status: status,
    Detail: detail,
    Instance: randomUuid(),
    Extensions: {},
  },
});

const oauthError = (error: string): Reply => ({ status: 400, json: { error } });

// Xero's access and id tokens are JWTs; the stand-in's are opaque values of that look.
const jwtLike = (): string =>
  `eyJhbGciOiJSUzI1NiIsImtpZCI6IjFDQUY4RTY2In0.${randomToken(96)}.${randomToken(64)}`;

export const spec: ProviderSpec = {
  provider: 'xero',
  tokenPath: '/connect/token',
  probePath: '/api.xro/2.0/Contacts',
  probeScope: 'accounting.contacts',
  allScopes: [
    'openid',
    'profile',
    'email',
    'offline_access',
    'accounting.contacts',
    'accounting.transactions',
  ],
  client: {
    id: 'A1B2C3D4E5F60718293A4B5C6D7E8F90',
    secret: 'standin-xero-secret-0123456789abcdefghijklmnopqrstu',
  },
  // [flow] Basic is what Xero documents; its identity server also takes client_id/client_secret in the
  // form body (PKCE apps send client_id there).
  clientAuth: ['basic', 'body'],
  accessTokenLifetimeSeconds: 1800,
  // [faq]
  rotation: 'grace',
  graceSeconds: 1800,
  scopeSeparator: ' ',
  expirySignals: ['401 TokenExpired', '401 AuthenticationUnsuccessful'],
  rateLimitSignals: ['429 X-Rate-Limit-Problem: minute', '429 X-Rate-Limit-Problem: day'],
  newAccessToken: jwtLike,
  newRefreshToken: () => randomHex(32),
  newAuthorizationCode: () => randomHex(32),
  readAccessToken: (headers) => authorizationToken(headers, ['Bearer']),
  answers: {
    // [flow]
    token: (issued) => ({
      status: 200,
      json: {
        ...(issued.request.grantType === 'authorization_code' && issued.scopes.includes('openid')
          ? { id_token: jwtLike() }
          : {}),
        access_token: issued.accessToken,
        expires_in: issued.expiresIn,
        token_type: 'Bearer',
        refresh_token: issued.refreshToken,
        scope: issued.scopes.join(' '),
      },
    }),
    tokenFailure: (failure, ctx) => {
      switch (failure) {
        // [trouble]
        case 'unknown_client':
        case 'wrong_secret':
          return oauthError('invalid_client');
        case 'invalid_code':
        case 'dead_grant':
        case 'redirect_uri_mismatch':
          return oauthError('invalid_grant');
        case 'unsupported_grant_type':
          return oauthError('unsupported_grant_type');
        // Xero documents its API's 429 (below), not one for the identity server: this 429 with
        // Retry-After is the stand-in's assumption.
        case 'rate_limited':
          return { status: 429, headers: { 'retry-after': String(ctx.retryAfterSeconds) }, text: '' };
        // Xero's documented API response codes include 503 "Not available"; assumed here too.
        case 'outage':
          return { status: 503, text: 'Service Unavailable' };
      }
    },
    probe: (ctx) => ({
      status: 200,
      headers: {
        'x-daylimit-remaining': '4999',
        'x-minlimit-remaining': '59',
        'x-appminlimit-remaining': '9999',
      },
      json: {
        Id: randomUuid(),
        Status: 'OK',
        ProviderName: 'Stand-in',
        DateTimeUTC: `/Date(${ctx.nowMs})/`,
        Contacts: [
          { ContactID: 'bd2270c3-8706-4c11-9cfb-000b551c3f51', ContactStatus: 'ACTIVE', Name: 'ABC Limited' },
          {
            ContactID: 'c6c7b870-bb4d-489a-921e-2f0ee4192ff9',
            ContactStatus: 'ACTIVE',
            Name: 'Bayside Club',
          },
        ],
      },
    }),
    // [401] Xero's detail names the expiry time; no WWW-Authenticate header is documented.
    expired: (signal, ctx) =>
      signal === '401 AuthenticationUnsuccessful'
        ? problem(401, 'AuthenticationUnsuccessful')
        : problem(401, `TokenExpired: token expired at ${xeroTime(Math.min(ctx.nowMs, ctx.expiresAtMs))}`),
    invalidToken: () => problem(401, 'AuthenticationUnsuccessful'),
    // [401] a token without the endpoint's scope.
    missingScope: () => problem(401, 'AuthorizationUnsuccessful'),
    // [limits]
    rateLimited: (signal, retryAfter) => ({
      status: 429,
      headers: {
        'retry-after': String(retryAfter),
        'x-rate-limit-problem': signal.endsWith('day') ? 'day' : 'minute',
        'x-daylimit-remaining': signal.endsWith('day') ? '0' : '4000',
        'x-minlimit-remaining': signal.endsWith('day') ? '60' : '0',
        'x-appminlimit-remaining': '9999',
      },
      text: '',
    }),
    // [trouble]
    forbidden: () => problem(403, 'AuthenticationUnsuccessful'),
  },
};

export const start: StartStandIn = (options) => startStandIn(spec, options);
