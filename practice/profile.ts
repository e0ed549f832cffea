// The Practice API, as the layer needs to know it (docs/practice-api.md; the layer's fields
// are documented in layer/profile.ts). Practice is the layer's reference user: every quirk
// K1–K8 is a line here, not a branch in the layer.

import { defineProfile } from 'zapier-oauth-layer/internal';
import { SCOPE_LABELS, REQUESTED_SCOPES } from './scopes';

export const practiceProfile = defineProfile({
  id: 'practice',
  name: 'Practice',
  troubleshooting: 'docs/troubleshooting.md',
  endpoints: {
    base: 'https://api.practice.example',
    baseEnv: 'BASE_URL',
    authorize: '/oauth/authorize',
    token: '/oauth/token',
    api: '/api/',
    oauthOther: ['/oauth/revoke'],
  },
  client: { idEnv: 'CLIENT_ID', secretEnv: 'CLIENT_SECRET' },
  authorization: {
    scopes: REQUESTED_SCOPES,
    scopeLabels: SCOPE_LABELS,
    // The authorization code grant requires S256 PKCE (docs/practice-api.md §2).
    pkce: 'required',
  },
  signals: {
    // {"error": {"code", "message", "details": {…}}} (§3).
    body: {
      code: 'error.code',
      message: 'error.message',
      requiredScope: 'error.details.required_scope',
      grantedScope: 'error.details.granted_scope',
      fields: 'error.details.fields',
      existingId: 'error.details.existing_id',
      retryAfter: 'error.details.retry_after',
    },
    // K2: legacy endpoints answer HTTP 200 {"ok": false, "error": {…}}.
    envelope: { path: 'ok', failure: false },
    codes: {
      token_expired: 'refresh', // K1: a 403, not a 401; K2 as ok:false
      invalid_token: 'refresh', // 401, and K2
      insufficient_scope: 'scope', // K4
      forbidden: 'forbidden', // K5: the member's role
      rate_limited: 'throttled', // K3: may come as a 403; K7
      validation_failed: 'validation',
      conflict: 'conflict',
      not_found: 'not_found',
      invalid_request: 'bad_request',
      internal: 'server',
      unavailable: 'unavailable',
    },
    // K1 header-only: a 403 with only `WWW-Authenticate: Bearer error="invalid_token"`, read as
    // RFC 6750 says (bearerChallenge, on unless a profile says otherwise).
  },
  token: {
    // K6: older deployments answer token errors with HTTP 200.
    errorsAs200: true,
    // Rotation on every refresh; the old token works 60 s more, or never again under K8 (§2).
    rotation: { kind: 'strict' },
    refreshTokenInRefresh: 'always',
  },
  // Access tokens "pat_…", refresh tokens "prt_…" (§2).
  tokenPrefixes: ['pat_', 'prt_'],
  advice: {
    deadGrant:
      'The access was revoked in Practice, the password changed, the token went unused for 90 days, ' +
      'or an old token was reused after rotation.',
    authorizationCode: 'Codes work once and expire after 60 seconds',
    offlineAccess: 'keep "Stay connected (offline access)" approved on the consent page',
    forbiddenWho: 'your member role',
    forbidden: 'Ask a Practice owner or admin to change your role, or connect a member who may do it.',
    conflict: 'Use a different external ID, or update the existing record instead.',
    clientRegistration: 'the client registered in Practice',
  },
});
