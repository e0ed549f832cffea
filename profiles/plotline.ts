// Plotline (an invented API with REST v3, REST v2 and GraphQL behind one OAuth server), written
// from its documentation, tools/standins/plotline.md ([doc]), before reading its stand-in.
import { defineProfile, graphqlFamily } from 'zapier-oauth-layer/internal';

export const plotlineProfile = defineProfile({
  id: 'plotline',
  name: 'Plotline',
  troubleshooting: 'docs/troubleshooting.md',
  endpoints: {
    // [doc] OAuth is global on app.plotline.example; the API is on the account's region,
    // https://{region}.plotline.example, which the token answer names (api_url).
    base: 'https://app.plotline.example',
    baseEnv: 'PLOTLINE_BASE_URL',
    authorize: '/oauth/authorize',
    token: '/oauth/token',
    api: [
      'https://us.plotline.example/v3/',
      'https://us.plotline.example/v2/',
      'https://us.plotline.example/graphql',
    ],
    // [doc] regions us, eu, au; "no other host serves it".
    apiFrom: {
      field: 'api_url',
      hosts: ['us.plotline.example', 'eu.plotline.example', 'au.plotline.example'],
    },
  },
  // [doc] client_secret_basic or client_secret_post: the standard's Basic.
  client: { idEnv: 'PLOTLINE_CLIENT_ID', secretEnv: 'PLOTLINE_CLIENT_SECRET' },
  authorization: {
    // [doc] an authorize URL without scope gets the client's default scopes, "profile
    // projects:read tasks:read" for clients created before 2026: what this integration expects.
    scopes: ['profile', 'projects:read', 'tasks:read'],
    omitScope: true,
    // [doc] authorization code; no PKCE.
    pkce: 'none',
  },
  signals: {
    // [doc] REST v3: a list of errors, each a code and a message, a field where it names one, the
    // scope a scope error misses. Every token problem is a 400 AUTH_EXPIRED.
    body: { list: 'errors', code: 'code', message: 'message', field: 'field', requiredScope: 'scope' },
    codes: {
      AUTH_EXPIRED: 'refresh',
      INSUFFICIENT_SCOPE: 'scope',
      FORBIDDEN: 'forbidden', // [doc] on REST, the account's plan
      RATE_LIMITED: 'throttled',
      INVALID_FIELD: 'validation',
    },
    families: [
      // [doc] v2: v3's errors, but a token problem is a 401 with a challenge, and its 429 says when
      // the window resets (epoch seconds) instead of Retry-After.
      {
        name: 'v2',
        match: { prefix: '/v2/' },
        rateLimitHeaders: {
          remainingHeader: 'x-ratelimit-remaining',
          resetHeader: 'x-ratelimit-reset',
          resetUnit: 'epoch-seconds',
        },
      },
      // [doc] GraphQL: HTTP 200 with errors and extensions.code; a 403 FORBIDDEN is the user's role.
      graphqlFamily({
        prefix: '/graphql',
        body: { requiredScope: 'extensions.scope', field: 'extensions.field' },
        codes: { INSUFFICIENT_SCOPE: 'scope', RATE_LIMITED: 'throttled' },
        advice: {
          forbiddenWho: 'your Plotline role',
          forbidden: 'A workspace admin of your Plotline account can change your role.',
        },
      }),
    ],
  },
  token: {
    // [doc] RFC 6749 §5.2 errors; slow_down (429) and temporarily_unavailable (503) beside them.
    codes: { slow_down: 'rate_limited', temporarily_unavailable: 'server_error' },
    // [doc] no expires_in: "An access token lives 30 minutes from issued_at", in milliseconds, a string.
    lifetime: {
      field: null,
      assumeSeconds: 1800,
      issuedAt: { field: 'issued_at', unit: 'epoch-milliseconds' },
    },
    // [doc] "Presenting a refresh token that was already used revokes the whole grant."
    rotation: { kind: 'strict' },
    refreshTokenInRefresh: 'always',
    keep: ['api_url'],
  },
  // [doc] access tokens plt_at_…, refresh tokens plt_rt_….
  tokenPrefixes: ['plt_at_', 'plt_rt_'],
  advice: {
    deadGrant:
      'The grant was revoked, or a refresh token was presented twice (Plotline then revokes the grant).',
    // [doc] on REST a 403 FORBIDDEN is the plan.
    forbiddenWho: "your Plotline account's plan",
    forbidden: 'An owner of the Plotline account can upgrade the plan.',
  },
});
