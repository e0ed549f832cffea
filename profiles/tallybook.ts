// Tallybook (an invented API), drafted by `npm run doctor -- --discover` on 2026-12-01 against
// its stand-in (GET /v3/me); the fields it could not observe completed from Tallybook's
// documentation, tools/standins/tallybook.md ([doc]).
import { defineProfile } from 'zapier-oauth-layer/internal';

export const tallybookProfile = defineProfile({
  // Named with --id.
  id: 'tallybook',
  // Named with --name.
  name: 'Tallybook',
  troubleshooting: 'docs/troubleshooting.md',
  endpoints: {
    // [doc] the API's host.
    base: 'https://api.tallybook.example',
    // Named by the doctor: the variable that points the profile at another host (a sandbox, a stand-in).
    baseEnv: 'TALLYBOOK_BASE_URL',
    // [doc] OAuth is on another host.
    authorize: 'https://auth.tallybook.example/authorize',
    // Observed: named with --token-url; it answered a refresh as a token endpoint does. The draft
    // wrote it under the base (the stand-in serves both hosts); [doc] puts it on the OAuth host.
    token: 'https://auth.tallybook.example/token',
    // [doc] every resource path is under /v3/.
    api: '/v3/',
    // [doc] documents no revocation or introspection endpoint.
    oauthOther: undefined,
    // Observed: GET /v3/me took the connection's token as "Bearer …" (RFC 6750's, the default authorizationScheme).
  },
  client: {
    // Named by the doctor, like the next one.
    idEnv: 'TALLYBOOK_CLIENT_ID',
    secretEnv: 'TALLYBOOK_CLIENT_SECRET',
    // Observed: the token endpoint took the client in the form body: a refresh token that cannot exist was refused as such, not as a client error (refused as a client error: basic: HTTP 401 {"error":"invalid_client"})
    authMethod: 'body',
  },
  authorization: {
    // Observed: the scopes granted to this connection (authData_scope); which to ask for is the integration's choice
    scopes: ['profile', 'ledger.read', 'ledger.write'],
    // Observed: authData_scope joins its scopes with ","
    scopeSeparator: ',',
    // [doc] names no consent-page wording.
    scopeLabels: undefined,
    // [doc] authorization code, no PKCE.
    pkce: 'none',
    // [doc] nothing beyond RFC 6749.
    extraParams: undefined,
  },
  signals: {
    body: {
      // Observed: GET /v3/me with an invalid token: HTTP 401 {"status":"fail","error":{"kind":"AUTH_EXPIRED","detail":"access token expired or invalid"}}
      code: 'error.kind',
      // Observed: the invalid-token answer
      message: 'error.detail',
      // [doc] 403 SCOPE_MISSING {"needs":"ledger.read"}; the granted scopes are not named.
      requiredScope: 'error.needs',
      grantedScope: undefined,
      // [doc] 422 INVALID_FIELD names one field ("field") and its text ("detail"), not an object
      // of field -> text.
      fields: undefined,
      field: 'error.field',
      // [doc] 409 DUPLICATE.
      existingId: 'error.existing_id',
      // [doc] the wait is only in Retry-After.
      retryAfter: undefined,
    },
    // Observed: the invalid-token answer has "status": "fail", the success answer "status": "ok"
    envelope: { path: 'status', failure: 'fail' },
    // Observed: an invalid token gets HTTP 401 AUTH_EXPIRED ([doc]: HTTP 200 on /v3/ledgers…). The others: [doc].
    codes: {
      AUTH_EXPIRED: 'refresh',
      SCOPE_MISSING: 'scope',
      NOT_ALLOWED: 'forbidden',
      RATE_LIMITED: 'throttled',
      SLOW_DOWN: 'throttled',
      INVALID_FIELD: 'validation',
      DUPLICATE: 'conflict',
    },
    // [doc] every status means what HTTP says.
    statuses: undefined,
    // Observed: the invalid-token answer carried WWW-Authenticate: [redacted]"invalid_token"
    // (RFC 6750's challenge, which the layer reads unless bearerChallenge says false).
    // Observed: GET /v3/me (a normal answer) carried no x-ratelimit-remaining or ratelimit-remaining
    rateLimitHeaders: undefined,
    // [doc] 503 SLOW_DOWN (with Retry-After) is throttled by its code.
    throttledWithRetryAfter: undefined,
    // [doc] scopes are not told by headers.
    scopeHeaders: undefined,
  },
  token: {
    // Observed: a refresh token that cannot exist got HTTP 200 {"error":"expired_refresh"}:
    // RFC 6749's "error" (the default errorCode). [doc] refusals carry no description.
    // Observed: the refusal came with HTTP 200
    errorsAs200: true,
    // Observed: a refresh token that cannot exist is refused with "expired_refresh".
    // [doc] throttling is 429 slow_down; invalid_client and invalid_request are RFC 6749's.
    codes: { expired_refresh: 'invalid_grant', slow_down: 'rate_limited' },
    // [doc] "token_type":"Bearer": RFC 6750's (the default tokenTypes).
    // [doc] expires_in in milliseconds, as a string; an access token lives one hour.
    lifetime: { field: 'expires_in', unit: 'milliseconds', assumeSeconds: 3600 },
    // [doc] a new refresh token each refresh; the previous one works for 2 minutes.
    rotation: { kind: 'grace', graceSeconds: 120 },
    refreshTokenInRefresh: 'always',
    // [doc] the token answer has nothing else worth keeping.
    keep: undefined,
  },
  // Observed: the tokens seen start so (only this much of them is written)
  tokenPrefixes: ['tbk_'],
  // [doc] entries need the bookkeeper or owner role; a viewer is refused.
  advice: {
    forbiddenWho: 'your Tallybook role',
    forbidden: 'An owner of the Tallybook account can make you a bookkeeper.',
  },
});
