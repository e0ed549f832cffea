// The known behaviours of the Practice API (docs: known behaviours K1–K8), each switchable
// so a test can compare the quirky answer with the RFC one. K1–K7 are on by default: that is
// what production does. K8 is a per-firm setting most firms leave off, so it is off.
export interface Quirks {
  /** Expired access token → 403 token_expired instead of 401 invalid_token. */
  K1: boolean;
  /** With K1: drop the body on expired-token 403s, keeping only WWW-Authenticate. */
  K1HeaderOnly: boolean;
  /** Legacy endpoints answer every error as HTTP 200 `{ok:false, error}`. */
  K2: boolean;
  /** Rate-limited requests get 403 rate_limited instead of 429. */
  K3: boolean;
  /** Legacy token endpoint: errors as HTTP 200, `expires_in` as a string. */
  K6: boolean;
  /** 120 requests per minute per access token. */
  K7: boolean;
  /** Strict token security: no grace period, a rotated refresh token presented again revokes the grant. */
  K8: boolean;
}

export const DEFAULT_QUIRKS: Quirks = {
  K1: true,
  K1HeaderOnly: false,
  K2: true,
  K3: true,
  K6: true,
  K7: true,
  K8: false,
};

const QUIRK_NAMES = Object.keys(DEFAULT_QUIRKS) as Array<keyof Quirks>;

// Accepts untrusted input (the HTTP control endpoint): unknown keys or non-booleans throw.
export function parseQuirks(input: unknown): Partial<Quirks> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError('quirks must be an object like {"K1": false}');
  }
  const out: Partial<Quirks> = {};
  for (const [key, value] of Object.entries(input)) {
    const name = QUIRK_NAMES.find((q) => q === key);
    if (!name) throw new TypeError(`unknown quirk "${key}"; known: ${QUIRK_NAMES.join(', ')}`);
    if (typeof value !== 'boolean') throw new TypeError(`quirk ${key} must be true or false`);
    out[name] = value;
  }
  return out;
}

export function describeQuirks(quirks: Quirks): string {
  return QUIRK_NAMES.map((name) => `${name} ${quirks[name] ? 'on' : 'off'}`).join(', ');
}
