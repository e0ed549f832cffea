// Xero's Accounting API, as Xero documents it.
//   developer.xero.com/faq/oauth2 (30-minute access tokens; a rotated refresh token keeps working
//   30 minutes; 60 days unused) · developer.xero.com/documentation/guides/oauth2/troubleshooting
//   developer.xero.com/documentation/guides/oauth2/limits (429, Retry-After, X-Rate-Limit-Problem)
import { defineProfile } from 'zapier-oauth-layer/internal';

export const xeroProfile = defineProfile({
  id: 'xero',
  name: 'Xero',
  troubleshooting: 'https://developer.xero.com/documentation/guides/oauth2/troubleshooting',
  endpoints: {
    base: 'https://api.xero.com',
    baseEnv: 'XERO_BASE_URL',
    // Three hosts: users authorize on login.xero.com, tokens come from identity.xero.com.
    authorize: 'https://login.xero.com/identity/connect/authorize',
    token: 'https://identity.xero.com/connect/token',
    api: '/api.xro/',
    oauthOther: ['https://identity.xero.com/connect/revocation'],
  },
  client: { idEnv: 'XERO_CLIENT_ID', secretEnv: 'XERO_CLIENT_SECRET', authMethod: 'basic' },
  authorization: {
    scopes: ['offline_access', 'accounting.contacts'],
    scopeSeparator: ' ',
    pkce: 'supported',
  },
  signals: {
    // Problem details: {"Title": "Unauthorized", "Status": 401, "Detail": "TokenExpired: token expired at …"}.
    // The Detail starts with a code; the layer matches whole codes, so the statuses decide the
    // 401s (refresh) and the 403s' Detail is matched as it is sent.
    body: { code: 'Detail', message: 'Detail' },
    codes: {
      AuthorizationUnsuccessful: 'scope', // 403: the connection lacks the scope
      // 403 when the connection to the organisation is gone or not allowed; the documentation does
      // not tell these apart, and taking a refusal for a dead grant would email the user for
      // nothing: a grant that is really gone goes stale at its next refresh (invalid_grant).
      AuthenticationUnsuccessful: 'forbidden',
    },
    bearerChallenge: false,
  },
  token: {
    errorCode: 'error',
    errorDescription: 'error_description',
    errorsAs200: false,
    tokenTypes: ['bearer'], // "Bearer"
    lifetime: { field: 'expires_in', unit: 'seconds', assumeSeconds: null }, // 1800
    rotation: { kind: 'grace', graceSeconds: 1800 },
    refreshTokenInRefresh: 'always',
  },
  advice: {
    deadGrant:
      'The connection to the Xero organisation was removed, the refresh token went unused for 60 days, or an old one was used after its 30 minutes of grace.',
    forbidden: 'Ask an adviser of the Xero organisation for the role, or connect a user who has it.',
  },
});
