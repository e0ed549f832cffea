// Salesforce stand-in: a connected app (or external client app) with refresh token rotation
// turned on, and the REST API query resource. Sources (checked 2026):
//   [flow]     help.salesforce.com "OAuth 2.0 Refresh Token Flow for Renewed Sessions"
//              (remoteaccess_oauth_refresh_token_flow.htm): with rotation enabled a new refresh token
//              comes with each access token and "the previous refresh token is automatically invalidated"
//   [rtr]      help.salesforce.com article 005316711 (Refresh Token Rotation): "any attempted reuse
//              of an invalidated refresh token results in the immediate revocation of the current
//              refresh token and all associated access tokens"
//   [response] developer.salesforce.com REST API guide, "Understanding the OAuth Refresh Token
//              Process": access_token, signature, scope, instance_url, id, token_type, issued_at;
//              no expires_in (the session timeout decides, default 2 hours); issued_at is
//              milliseconds since the epoch, as a string; signature = Base64(HMAC-SHA256(id + issued_at),
//              keyed with the consumer secret)
//   [errors]   developer.salesforce.com REST API "Status Codes and Error Responses": errors are a JSON
//              array of {message, errorCode}; 401 INVALID_SESSION_ID "Session expired or invalid";
//              403 REQUEST_LIMIT_EXCEEDED when API limits are exceeded, otherwise a permission refusal;
//              503 when the server is unavailable
//   [oauth]    token endpoint errors (invalid_grant "expired access/refresh token", invalid_client
//              "invalid client credentials", invalid_client_id "client identifier invalid"):
//              nango.dev/blog/salesforce-oauth-refresh-token-invalid-grant and help.salesforce.com
//              "OAuth 2.0 Authorization Errors"
//   [scope]    a token without the `api` scope gets 401 INVALID_SESSION_ID "This session is not
//              valid for use with the REST API" (nango.dev/blog/fix-salesforce-invalid-session-id-error)
//   [apiperm]  a user without "API Enabled": API_DISABLED_FOR_ORG "The REST API is not enabled for
//              this Organization." (docs.sequin.io enable-salesforce-api; salesforcedictionary.com)
import { createHmac } from 'node:crypto';
import type { StartStandIn } from 'zapier-oauth-layer/standin';
import {
  authorizationToken,
  randomToken,
  startStandIn,
  type ProviderSpec,
  type Reply,
} from 'zapier-oauth-layer/standin';

const API_VERSION = 'v62.0';
const ORG_ID = '00D5g000004Xyz1EAC';
const USER_ID = '0055g00000AbCdEAAV';
const CLIENT = {
  id: '3MVG9standin.consumer.key.0000000000000000000000000000000000000000000000000',
  secret: 'STANDIN0CONSUMER0SECRET0000000000000000000000000000000000000000',
};

const sfErrors = (status: number, errorCode: string, message: string): Reply => ({
  status,
  json: [{ message, errorCode }],
});

const oauthError = (error: string, description: string, status = 400): Reply => ({
  status,
  json: { error, error_description: description },
});

export const spec: ProviderSpec = {
  provider: 'salesforce',
  tokenPath: '/services/oauth2/token',
  probePath: `/services/data/${API_VERSION}/query`,
  probeScope: 'api',
  allScopes: ['api', 'refresh_token', 'id'],
  client: CLIENT,
  // [flow] client_id and client_secret as request parameters; Salesforce also takes them as an
  // HTTP Basic Authorization header (documented for its client-credentials flow).
  clientAuth: ['body', 'basic'],
  // [response] not sent; the default session timeout is two hours.
  accessTokenLifetimeSeconds: 7200,
  rotation: 'strict',
  // A token without `api` gets the same 401 INVALID_SESSION_ID as an expired one.
  scopeErrorIsExpiry: true,
  scopeSeparator: ' ',
  expirySignals: ['401 INVALID_SESSION_ID'],
  rateLimitSignals: ['403 REQUEST_LIMIT_EXCEEDED'],
  // Session ids look like "00D…!AR…" (org id, "!", opaque part); refresh tokens like "5Aep861…".
  newAccessToken: () => `${ORG_ID.slice(0, 15)}!${randomToken(72)}`,
  newRefreshToken: () => `5Aep861${randomToken(60)}`,
  newAuthorizationCode: () => `aPrx${randomToken(60)}`,
  // The REST API takes "Bearer" (and the older "OAuth" scheme).
  readAccessToken: (headers) => authorizationToken(headers, ['Bearer', 'OAuth']),
  answers: {
    token: (issued) => {
      // [response]
      const id = `https://login.salesforce.com/id/${ORG_ID}/${USER_ID}`;
      const issuedAt = String(issued.issuedAtMs);
      const signature = createHmac('sha256', CLIENT.secret)
        .update(id + issuedAt)
        .digest('base64');
      return {
        status: 200,
        json: {
          access_token: issued.accessToken,
          // [flow] with rotation on, the refresh flow answers a new refresh token too.
          refresh_token: issued.refreshToken,
          signature,
          scope: issued.scopes.join(' '),
          instance_url: issued.baseUrl,
          id,
          token_type: 'Bearer',
          issued_at: issuedAt,
        },
      };
    },
    tokenFailure: (failure, ctx) => {
      switch (failure) {
        // [oauth] [rtr]: a revoked, rotated-away or unknown refresh token.
        case 'dead_grant':
          return oauthError('invalid_grant', 'expired access/refresh token');
        case 'unknown_client':
          return oauthError('invalid_client_id', 'client identifier invalid');
        case 'wrong_secret':
          return oauthError('invalid_client', 'invalid client credentials');
        case 'invalid_code':
          return oauthError('invalid_grant', 'invalid authorization code');
        case 'redirect_uri_mismatch':
          return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
        case 'unsupported_grant_type':
          return oauthError('unsupported_grant_type', 'grant type not supported');
        // Salesforce documents no rate-limit answer for its token endpoint: this 429 with an OAuth
        // error body is the stand-in's assumption, so that a profile meets some throttling there.
        case 'rate_limited':
          return {
            status: 429,
            headers: { 'retry-after': String(ctx.retryAfterSeconds) },
            json: { error: 'rate_limited', error_description: 'too many requests' },
          };
        // [errors] 503: "the server is unavailable to handle the request"; body not documented.
        case 'outage':
          return { status: 503, text: 'Service Unavailable' };
      }
    },
    // A SOQL query answer (GET …/query?q=SELECT+Id,Name+FROM+Account).
    probe: () => ({
      status: 200,
      json: {
        totalSize: 2,
        done: true,
        records: ['0015g00000AbCd1AAA', '0015g00000AbCd2AAA'].map((id, i) => ({
          attributes: { type: 'Account', url: `/services/data/${API_VERSION}/sobjects/Account/${id}` },
          Id: id,
          Name: `Stand-in Account ${i + 1}`,
        })),
      },
    }),
    // [errors]
    expired: () => sfErrors(401, 'INVALID_SESSION_ID', 'Session expired or invalid'),
    invalidToken: () => sfErrors(401, 'INVALID_SESSION_ID', 'Session expired or invalid'),
    // [scope] the same code as an expired session: no refresh fixes it.
    missingScope: () =>
      sfErrors(401, 'INVALID_SESSION_ID', 'This session is not valid for use with the REST API'),
    // [errors] Salesforce sends no Retry-After: the limit is a rolling 24-hour allocation.
    rateLimited: () => sfErrors(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
    // [apiperm]
    forbidden: () =>
      sfErrors(403, 'API_DISABLED_FOR_ORG', 'The REST API is not enabled for this Organization.'),
  },
};

export const start: StartStandIn = (options) => startStandIn(spec, options);
