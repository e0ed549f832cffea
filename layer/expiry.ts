// When an access token expires, and when to refresh it: the one parser of "seconds" and
// the refresh-ahead rule, shared by the token answers (tokens.ts), the middleware and the
// coordinator.

import type { Bundle } from 'zapier-platform-core';
import type { Profile } from './profile';

/** Refresh up to this many seconds before the known expiry, so a request never lands on a dead token. */
export const EXPIRY_SKEW_SECONDS = 10;

/** The longest access-token lifetime believed; anything above is a bug, garbage or a unit mistake. */
export const MAX_SANE_EXPIRES_IN = 365 * 24 * 3600;

/** A number, or a string of digits (with an optional fraction): what APIs and Zapier's storage send. */
function readNumber(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'string' && /^\s*\d{1,16}(\.\d+)?\s*$/.test(raw)) return Number(raw);
  return null;
}

/** Whole seconds, at least 1 and at most MAX_SANE_EXPIRES_IN, from a number or numeric string; else null. */
export function readSeconds(raw: unknown): number | null {
  const value = readNumber(raw);
  if (value === null) return null;
  const seconds = Math.floor(value);
  return seconds >= 1 && seconds <= MAX_SANE_EXPIRES_IN ? seconds : null;
}

/**
 * The lifetime a token answer gives, in whole seconds, read as the profile says
 * (token.lifetime); the profile's assumption when it gives none; 0 when unknown.
 */
export function lifetimeOf(
  lifetime: Profile['token']['lifetime'],
  body: Record<string, unknown>,
  nowSeconds: number,
): number {
  const raw = lifetime.field === null ? undefined : body[lifetime.field];
  const value = readNumber(raw);
  let seconds: number | null = null;
  if (value !== null) {
    switch (lifetime.unit) {
      case 'seconds':
        seconds = readSeconds(value);
        break;
      case 'milliseconds':
        seconds = readSeconds(value / 1000);
        break;
      case 'epoch-seconds':
        seconds = readSeconds(value - nowSeconds);
        break;
      case 'epoch-milliseconds':
        seconds = readSeconds(value / 1000 - nowSeconds);
        break;
    }
  }
  return seconds ?? lifetime.assumeSeconds ?? 0;
}

/** authData.expires_at as Unix seconds, or null when unknown (absent, 0, garbage). */
export function knownExpiry(bundle: Bundle): number | null {
  // A moment, not a lifetime: only whole numbers count (Zapier may store them as strings).
  const raw: unknown = bundle.authData?.expires_at;
  const value =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  return Number.isFinite(value) && value > 0 ? value : null;
}

/**
 * How long before expiry to refresh: EXPIRY_SKEW_SECONDS, but never more than a quarter of
 * the lifetime the token was issued with (authData.expires_in), and at least the second in
 * which it expires. A token that lives 10 s or less would otherwise be "about to expire" the
 * moment it is issued and never be used.
 */
export function refreshMarginSeconds(bundle: Bundle): number {
  return refreshMarginFor(bundle.authData?.expires_in);
}

/** refreshMarginSeconds for a stored lifetime (authData.expires_in, number or numeric string). */
export function refreshMarginFor(expiresIn: unknown): number {
  const lifetime = readSeconds(expiresIn);
  if (lifetime === null) return EXPIRY_SKEW_SECONDS;
  return Math.max(1, Math.min(EXPIRY_SKEW_SECONDS, Math.floor(lifetime / 4)));
}
