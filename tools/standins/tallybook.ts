// Tallybook stand-in (an invented API): the token endpoint, the ledgers list (the probe) and
// /v3/me, answered as Tallybook's documentation says. Source: [doc] tallybook.md, next to this
// file, written before this stand-in.
//
// Tallybook's OAuth endpoints (auth.tallybook.example) and its API (api.tallybook.example/v3)
// are on two hosts; here both are served on one origin, with their paths: /authorize, /token,
// /v3/….
//
// [doc] answers an expired or invalid token differently by endpoint: 401 with a Bearer
// challenge on /v3/me, HTTP 200 with status "fail" on /v3/ledgers…. Time running out, an unknown
// token and a revoked grant get each endpoint's own answer. The conformance suite only calls the
// probe, so the probe answers the signal it is given by expireAccessTokens: "401 invalid_token"
// is /v3/me's answer served on the probe (the one liberty taken, so the suite sees both forms).
import type { StartStandIn } from 'zapier-oauth-layer/standin';
import {
  authorizationToken,
  randomToken,
  startStandIn,
  type ProviderSpec,
  type Reply,
} from 'zapier-oauth-layer/standin';

const EXPIRED_200 = '200 fail AUTH_EXPIRED';
const EXPIRED_401 = '401 invalid_token';
const LIMIT_429 = '429 Retry-After HTTP-date';
const SHED_503 = '503 SLOW_DOWN';

const fail = (status: number, error: Record<string, unknown>, headers?: Record<string, string>): Reply => ({
  status,
  headers,
  json: { status: 'fail', error },
});

// [doc] the 401 form, with its challenge.
const expired401 = (): Reply =>
  fail(
    401,
    { kind: 'AUTH_EXPIRED', detail: 'access token expired or invalid' },
    { 'www-authenticate': 'Bearer realm="tallybook", error="invalid_token"' },
  );
// [doc] the HTTP 200 form, no challenge.
const expired200 = (): Reply => fail(200, { kind: 'AUTH_EXPIRED', detail: 'access token expired' });

const tokenError = (status: number, error: string, headers?: Record<string, string>): Reply => ({
  status,
  headers,
  json: { error },
});

// [doc] good answers carry the quota headers.
const quota = (nowMs: number): Record<string, string> => ({
  'x-tally-quota-remaining': '99',
  'x-tally-quota-reset': String(Math.floor(nowMs / 1000) + 60),
});

function tallybookSpec(): ProviderSpec {
  return {
    provider: 'tallybook',
    tokenPath: '/token',
    probePath: '/v3/ledgers',
    probeScope: 'ledger.read',
    allScopes: ['profile', 'ledger.read', 'ledger.write'],
    client: { id: 'tbk_client_7Qh2', secret: 'tbk_secret_Zr93mWq0pL' },
    // [doc] client_secret_post only.
    clientAuth: ['body'],
    // [doc] an access token lives one hour.
    accessTokenLifetimeSeconds: 3600,
    // [doc] every refresh rotates; the previous one works for 2 minutes.
    rotation: 'grace',
    graceSeconds: 120,
    scopeSeparator: ',',
    expirySignals: [EXPIRED_200, EXPIRED_401],
    rateLimitSignals: [LIMIT_429, SHED_503],
    newAccessToken: () => `tbk_at_${randomToken(24)}`,
    newRefreshToken: () => `tbk_rt_${randomToken(24)}`,
    newAuthorizationCode: () => randomToken(16),
    readAccessToken: (headers) => authorizationToken(headers, ['Bearer']),
    answers: {
      // [doc] expires_in in milliseconds, as a string; scopes joined by commas.
      token: (issued) => ({
        status: 200,
        json: {
          access_token: issued.accessToken,
          refresh_token: issued.refreshToken,
          token_type: 'Bearer',
          expires_in: String(issued.expiresIn * 1000),
          scope: issued.scopes.join(','),
        },
      }),
      tokenFailure: (failure, ctx) => {
        switch (failure) {
          // [doc] a dead refresh token is refused with HTTP 200; there is no invalid_grant.
          case 'dead_grant':
            return tokenError(200, 'expired_refresh');
          case 'unknown_client':
          case 'wrong_secret':
            return tokenError(401, 'invalid_client');
          // [doc] "other refusals use their HTTP status": the doc names no code for a bad
          // authorization code or grant type, so they are its generic invalid_request.
          case 'invalid_code':
          case 'redirect_uri_mismatch':
          case 'unsupported_grant_type':
            return tokenError(400, 'invalid_request');
          case 'rate_limited':
            return tokenError(429, 'slow_down', { 'retry-after': String(ctx.retryAfterSeconds) });
          case 'outage':
            return {
              status: 503,
              text: '<html><body><h1>Tallybook is down for maintenance</h1></body></html>',
              headers: { 'content-type': 'text/html; charset=utf-8' },
            };
        }
      },
      probe: (ctx) => ({
        status: 200,
        headers: quota(ctx.nowMs),
        json: { status: 'ok', data: [{ id: 'ldg_1', name: 'Main ledger' }] },
      }),
      expired: (signal) => (signal === EXPIRED_401 ? expired401() : expired200()),
      // The probe is a /v3/ledgers endpoint: its own form.
      invalidToken: () => expired200(),
      missingScope: (ctx) => fail(403, { kind: 'SCOPE_MISSING', needs: ctx.requiredScope }),
      rateLimited: (signal, retryAfterSeconds, nowMs) =>
        signal === SHED_503
          ? // [doc] load shedding always asks for 20 seconds, whatever the cause.
            fail(503, { kind: 'SLOW_DOWN' }, { 'retry-after': '20' })
          : fail(
              429,
              { kind: 'RATE_LIMITED' },
              { 'retry-after': new Date(nowMs + retryAfterSeconds * 1000).toUTCString() },
            ),
      forbidden: () => fail(403, { kind: 'NOT_ALLOWED', detail: 'your role may not do this' }),
    },
    routes: [
      // [doc] GET /v3/me answers every token problem with 401 and its challenge. It takes the
      // bearer token itself (scope null) so its own answers are written here.
      {
        method: 'GET',
        path: /^\/v3\/me$/,
        scope: null,
        answer: ({ headers, nowMs, accessToken }) => {
          const token = authorizationToken(headers, ['Bearer']);
          const info = token === undefined ? undefined : accessToken(token);
          if (!info || info.ended || nowMs >= info.expiresAtMs) return expired401();
          if (!info.scopes.includes('profile')) return fail(403, { kind: 'SCOPE_MISSING', needs: 'profile' });
          return {
            status: 200,
            headers: quota(nowMs),
            json: { status: 'ok', data: { id: 'usr_1', email: 'owner@example.com', role: 'owner' } },
          };
        },
      },
    ],
  };
}

/** The spec of a stand-in. */
export const spec: ProviderSpec = tallybookSpec();

/** A Tallybook stand-in. */
export const start: StartStandIn = (options) => startStandIn(tallybookSpec(), options);
