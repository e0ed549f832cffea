// The consent form's anti-forgery token. Each rendering of the consent page gets a fresh
// random token in a hidden field, bound to the authorization request the page shows
// (client, redirect URI, state, PKCE challenge, scopes) and spent by the first POST that
// presents it, right or wrong. A page on another site cannot read the consent page, so it
// cannot learn a token to forge the POST with. No cookie is needed: the token alone proves
// the POST comes from a page the sandbox rendered, and a re-rendered page (wrong password)
// carries a new one.
import { randomBytes } from 'node:crypto';

/** Long enough to read the page and type a password; judged by the sandbox clock. */
export const CONSENT_TOKEN_LIFETIME_MS = 10 * 60_000;
// Pages rendered but never submitted; the oldest are dropped past this many.
const MAX_LIVE_TOKENS = 1000;

export type RedeemFailure = 'missing' | 'unknown' | 'expired' | 'mismatch';

export class ConsentTokens {
  private readonly live = new Map<string, { binding: string; expiresAt: number }>();

  constructor(private readonly now: () => number) {}

  issue(binding: string): string {
    const at = this.now();
    for (const [token, entry] of this.live) {
      // Insertion order is expiry order, so the first live entry under the cap ends the sweep.
      if (entry.expiresAt > at && this.live.size < MAX_LIVE_TOKENS) break;
      this.live.delete(token);
    }
    const token = randomBytes(24).toString('base64url');
    this.live.set(token, { binding, expiresAt: at + CONSENT_TOKEN_LIFETIME_MS });
    return token;
  }

  /** Single use: the token is spent whether or not it is accepted. */
  redeem(token: string | undefined, binding: string): RedeemFailure | null {
    if (!token) return 'missing';
    const entry = this.live.get(token);
    if (!entry) return 'unknown';
    this.live.delete(token);
    if (this.now() >= entry.expiresAt) return 'expired';
    return entry.binding === binding ? null : 'mismatch';
  }
}
