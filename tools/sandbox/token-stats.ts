// Counts of what happened at the token endpoint, for benchmarks and soak tests that must
// report token requests per expiry and grants lost. Derived from the request log and the
// store's revocation list, so they cover the same window as the log: since the sandbox
// started or since the log was last reset.
import type { RequestLogEntry } from './request-log';

export interface TokenStats {
  /** POST /oauth/token requests, whatever the answer. */
  tokenRequests: number;
  /** Authorization codes exchanged for a first pair. */
  codeExchanges: number;
  /** grant_type=refresh_token requests, whatever the answer. */
  refreshRequests: number;
  /** Refreshes that rotated a live refresh token into a new pair. */
  rotations: number;
  /** Rotated refresh tokens presented inside the grace period: the same pair again. */
  graceReplays: number;
  /** Rotated refresh tokens presented after the grace period (at once with K8): each revoked its grant. */
  reuses: number;
  /** Token requests answered with an error (K6's HTTP 200 errors included). */
  tokenErrors: number;
  /** Grants revoked for any reason: reuse, a replayed code, the revoke control, a password change … */
  grantsRevoked: number;
}

export function tokenStatsOf(entries: readonly RequestLogEntry[], grantsRevoked: number): TokenStats {
  const token = entries.filter((e) => e.method === 'POST' && e.path === '/oauth/token');
  const count = (pick: (e: RequestLogEntry) => boolean) => token.filter(pick).length;
  return {
    tokenRequests: token.length,
    codeExchanges: count((e) => e.grantType === 'authorization_code' && e.errorCode === null),
    refreshRequests: count((e) => e.grantType === 'refresh_token'),
    rotations: count((e) => e.rotation === 'rotated'),
    graceReplays: count((e) => e.rotation === 'grace_replay'),
    reuses: count((e) => e.rotation === 'reuse_revoked'),
    tokenErrors: count((e) => e.errorCode !== null),
    grantsRevoked,
  };
}
