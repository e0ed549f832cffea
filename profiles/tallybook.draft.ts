// Draft profile of Tallybook (layer/profile.ts documents every field), written by
// `npm run doctor -- --discover` on 2026-12-01 from one connection and one
// test URL (GET http://127.0.0.1:35525/v3/me). What it observed is set, with how; every field it
// could not observe holds a safe placeholder under a marker comment: UNOBSERVED, then what would reveal it.
// The draft loads as it is; `npm run doctor -- --profile <this file>` warns while a marker is left.
// Complete each marked field (from the API's documentation, or by observing it), then delete its marker.
import { defineProfile } from '../layer';

export const tallybookProfile = defineProfile({
  // Named with --id.
  id: 'tallybook',
  // Named with --name.
  name: 'Tallybook',
  // UNOBSERVED: no answer names it: the API's page about its errors (https://…) or a page of this repository
  troubleshooting: 'docs/troubleshooting.md',
  endpoints: {
    // UNOBSERVED: the test URL is local (http://127.0.0.1:35525): the API's production https address
    base: 'https://api.example.invalid',
    // Named by the doctor: the variable that points the profile at another host (a sandbox, a stand-in).
    baseEnv: 'TALLYBOOK_BASE_URL',
    // UNOBSERVED: no answer names it (the server publishes no metadata): the API's OAuth documentation
    authorize: '/oauth/authorize',
    // Observed: named with --token-url; it answered a refresh as a token endpoint does
    token: '/token',
    // UNOBSERVED: guessed from the test URL's first path segment: the prefix every resource path of Tallybook shares (the access token goes to every URL under it, and nowhere else)
    api: '/v3/',
    // UNOBSERVED: revocation or introspection endpoints (which must never get the access token): the API's OAuth documentation
    oauthOther: undefined,
    // Observed: GET /v3/me took the connection's token as "Bearer …"
    authorizationScheme: 'Bearer',
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
    // UNOBSERVED: the words the consent page shows for each scope (optional)
    scopeLabels: undefined,
    // UNOBSERVED: only the authorize step shows it (a code refused without code_challenge means "required"; "none" if PKCE is unknown to it)
    pkce: 'supported',
    // UNOBSERVED: what the authorize URL needs beyond RFC 6749 (access_type=offline, prompt=consent): the API's OAuth documentation
    extraParams: undefined,
  },
  signals: {
    body: {
      // Observed: GET /v3/me with an invalid token: HTTP 401 {"status":"fail","error":{"kind":"AUTH_EXPIRED","detail":"access token expired or invalid"}}
      code: 'error.kind',
      // Observed: the invalid-token answer
      message: 'error.detail',
      // UNOBSERVED: a missing-scope answer: GET an endpoint with a connection that lacks its scope
      requiredScope: undefined,
      // UNOBSERVED: a missing-scope answer (see requiredScope)
      grantedScope: undefined,
      // UNOBSERVED: a validation error (the doctor sends no writes): the API's error reference
      fields: undefined,
      // UNOBSERVED: a conflict answer (the doctor sends no writes): the API's error reference
      existingId: undefined,
      // UNOBSERVED: a throttled answer that says the wait in its body
      retryAfter: undefined,
    },
    // Observed: the invalid-token answer has "status": "fail", the success answer "status": "ok"
    envelope: { path: 'status', failure: 'fail' },
    // Observed: an invalid token gets HTTP 401 AUTH_EXPIRED.
    // UNOBSERVED: the codes of other answers (a missing scope, a role's refusal, a rate limit, an outage) show only when they happen: the API's error reference; add them to the ones observed here
    codes: { AUTH_EXPIRED: 'refresh' },
    // UNOBSERVED: statuses whose meaning differs from HTTP's (see DEFAULT_STATUS_KINDS): only their answers show it
    statuses: undefined,
    // Observed: the invalid-token answer carried WWW-Authenticate: [redacted]"invalid_token"
    bearerChallenge: true,
    // Observed: GET /v3/me (a normal answer) carried no x-ratelimit-remaining or ratelimit-remaining
    rateLimitHeaders: undefined,
    // UNOBSERVED: a throttled answer with a status other than 429 (GitHub: 403 with Retry-After)
    throttledWithRetryAfter: undefined,
    // UNOBSERVED: headers naming the scopes a call accepts and the ones the token has (GitHub, Slack): a missing-scope answer
    scopeHeaders: undefined,
  },
  token: {
    // Observed: a refresh token that cannot exist got HTTP 200 {"error":"expired_refresh"}
    errorCode: 'error',
    // UNOBSERVED: the refusal carried no description
    errorDescription: 'error_description',
    // Observed: the refusal came with HTTP 200
    errorsAs200: true,
    // Observed: a refresh token that cannot exist is refused with "expired_refresh".
    // UNOBSERVED: the codes of other token errors (a wrong client secret, a used code, throttling): the API's OAuth error reference; add them to the ones observed here
    codes: { expired_refresh: 'invalid_grant' },
    // UNOBSERVED: a real token answer (token_type): --refresh
    tokenTypes: ['bearer'],
    // UNOBSERVED: a real token answer: --refresh (the stored authData names no lifetime)
    lifetime: { field: 'expires_in', unit: 'seconds', assumeSeconds: null },
    // UNOBSERVED: a refresh: --refresh (strict is the safe guess)
    rotation: { kind: 'strict' },
    // UNOBSERVED: a refresh answer: --refresh
    refreshTokenInRefresh: 'sometimes',
    // UNOBSERVED: a refresh answer's other fields (instance_url, api_domain): --refresh
    keep: undefined,
  },
  // Observed: the tokens seen start so (only this much of them is written)
  tokenPrefixes: ['tbk_'],
  // UNOBSERVED: sentences for people (why a grant dies, who can grant a permission): the API's documentation (optional)
  advice: undefined,
});
