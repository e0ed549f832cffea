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

/** A moment in Unix seconds from a number or numeric string in `unit`, or an ISO 8601 date with its zone; else null. */
function readMoment(raw: unknown, unit: Profile['token']['lifetime']['unit']): number | null {
  if (unit === 'iso-8601') {
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)$/i;
    return typeof raw === 'string' && iso.test(raw.trim()) ? Date.parse(raw.trim()) / 1000 : null;
  }
  const value = readNumber(raw);
  return value === null ? null : unit === 'epoch-milliseconds' ? value / 1000 : value;
}

/**
 * The lifetime a token answer gives, in whole seconds from now, read as the profile says
 * (token.lifetime); the profile's assumption when it gives none; 0 when unknown. A lifetime
 * (the one assumed included) counts from when the answer says the token was issued
 * (lifetime.issuedAt), when it says so sanely; from now otherwise.
 */
export function lifetimeOf(
  lifetime: Profile['token']['lifetime'],
  body: Record<string, unknown>,
  nowSeconds: number,
): number {
  const raw = lifetime.field === null ? undefined : body[lifetime.field];
  const issued = lifetime.issuedAt ? readMoment(body[lifetime.issuedAt.field], lifetime.issuedAt.unit) : null;
  // Issued within the sane range before now (a minute's skew ahead counts as now); else unknown.
  const elapsed =
    issued !== null && issued <= nowSeconds + 60 && nowSeconds - issued < MAX_SANE_EXPIRES_IN
      ? Math.max(0, nowSeconds - issued)
      : 0;
  /** A lifetime counted from issue, or from now when that leaves nothing sane. */
  const fromIssue = (seconds: number | null) =>
    seconds === null ? null : ((elapsed > 0 ? readSeconds(seconds - elapsed) : null) ?? readSeconds(seconds));
  let seconds: number | null = null;
  switch (lifetime.unit) {
    case 'seconds':
      seconds = fromIssue(readNumber(raw));
      break;
    case 'milliseconds': {
      const value = readNumber(raw);
      seconds = fromIssue(value === null ? null : value / 1000);
      break;
    }
    default: {
      const moment = readMoment(raw, lifetime.unit);
      seconds = moment === null ? null : readSeconds(moment - nowSeconds);
    }
  }
  const assumed = lifetime.assumeSeconds;
  return seconds ?? (assumed !== null && elapsed > 0 ? readSeconds(assumed - elapsed) : null) ?? assumed ?? 0;
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
