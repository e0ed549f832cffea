// One pure function: an API response -> what it means for the Zap, read with the API's
// profile (layer/profile.ts). The layer's whole behaviour on auth signals is decided here,
// from the profile's tables and a few of HTTP's own, so each row can be read and tested alone.
//
// Two rows never reach it inside the app and are kept on purpose:
// - 401: with autoRefresh core throws RefreshAuthError before afterResponse
//   (src/http-middlewares/after/throw-for-stale-auth.js). The doctor classifies
//   raw responses, 401s included, with this same function.
// - 429 does reach it: index.ts turns core's early ThrottledError off
//   (flags.throwForThrottlingEarly), so an HTTP-date Retry-After is read here.

import type { CheckedProfile, SignalKind } from './profile';
import { isRecord, valueAt } from './values';

export type { SignalKind } from './profile';

export interface Signal {
  kind: SignalKind;
  status: number;
  /** The API's error code, if it gave one. */
  code: string | null;
  /** The API's own message (untrusted text, not yet redacted). */
  apiMessage: string | null;
  /** Where the signal came from, for messages: "HTTP 403 EXPIRED_TOKEN". */
  source: string;
  /** Seconds to wait, for throttled/unavailable. */
  retryAfter: number | null;
  requiredScope: string | null;
  grantedScope: string | null;
  /** Field-level validation errors. */
  fields: Record<string, string>;
  existingId: string | null;
}

export interface ResponseLike {
  status: number;
  header(name: string): string | null | undefined;
  /** Parsed JSON body, or undefined when the body was not JSON. */
  body: unknown;
  /** Raw body text. */
  content: string;
}

/** What a status means when the body names no code the profile knows (the profile may override any). */
export const DEFAULT_STATUS_KINDS: Readonly<Record<number, SignalKind>> = {
  400: 'bad_request',
  401: 'refresh',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'validation',
  429: 'throttled',
  500: 'server',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
};

/** `WWW-Authenticate: Bearer error="…"` (RFC 6750 §3) when the body says nothing the profile knows. */
const BEARER_ERROR_TABLE: Readonly<Record<string, SignalKind>> = {
  invalid_token: 'refresh',
  insufficient_scope: 'scope',
};

// Own keys only: a server-sent code like "constructor" must not find Object.prototype's.
function lookup<K extends string | number>(
  table: Readonly<Record<K, SignalKind>>,
  key: K | null | undefined,
): SignalKind | undefined {
  return key !== null && key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Parses the auth-params of a Bearer challenge: error, error_description, scope. A header may
 * carry several challenges (RFC 9110 §11.6.1); the Bearer one ends where the next scheme
 * starts, so `Bearer realm="api", Basic error="y"` has no error.
 */
export function parseBearerChallenge(header: string | null | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  if (!header) return params;
  // Found where quoted strings are masked: "Basic realm=\"x, Bearer error=y\"" names no Bearer challenge.
  const masked = header.replace(/"(?:[^"\\]|\\.)*"?/g, (quoted) => 'x'.repeat(quoted.length));
  const match = /(?:^|,)\s*Bearer(?=[\s,]|$)/i.exec(masked);
  const rest = match ? header.slice(match.index + match[0].length) : '';
  const param = /^[\s,]*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))/;
  let at = 0;
  for (let m = param.exec(rest); m; m = param.exec(rest.slice(at))) {
    const key = m[1]?.toLowerCase();
    if (key && !(key in params)) params[key] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
    at += m[0].length;
  }
  return params;
}

/** Retry-After as delta-seconds or HTTP-date -> whole seconds, or null. */
export function parseRetryAfter(value: unknown, nowMs: number = Date.now()): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.min(Math.ceil(value), 86400) : null;
  }
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text), 86400);
  // Every HTTP-date form names its month; without this Date.parse reads "-1" or "1.5" as dates in 2001.
  if (!/\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\b/i.test(text)) return null;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, Math.ceil((date - nowMs) / 1000)), 86400);
}

function fieldErrors(fields: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(fields)) return out;
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.filter((v) => typeof v === 'string').join('; ');
  }
  return out;
}

/** Field-level errors where the profile says: an object of them, or one field named beside the message. */
function fieldsOf(paths: CheckedProfile['signals']['body'], body: unknown): Record<string, string> {
  if (paths.fields) {
    const all = fieldErrors(valueAt(body, paths.fields));
    if (Object.keys(all).length > 0) return all;
  }
  const one = textAt(body, paths.field);
  const text = textAt(body, paths.message);
  return one && text ? { [one]: text } : {};
}

function okSignal(status: number): Signal {
  return {
    kind: 'ok',
    status,
    code: null,
    apiMessage: null,
    source: `HTTP ${status}`,
    retryAfter: null,
    requiredScope: null,
    grantedScope: null,
    fields: {},
    existingId: null,
  };
}

/** A code or id where the profile says: a string, or a number (some APIs send numeric codes). */
function textAt(body: unknown, path: string | undefined): string | null {
  if (path === undefined) return null;
  const value = valueAt(body, path);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return str(value);
}

/** A scope list where the profile says: a string, or a list of strings joined by spaces. */
function scopeAt(body: unknown, path: string | undefined): string | null {
  if (path === undefined) return null;
  const value = valueAt(body, path);
  if (Array.isArray(value)) return str(value.filter((v) => typeof v === 'string').join(' '));
  return str(value);
}

/**
 * A rate limit announced by headers on another status (GitHub's 403 with
 * x-ratelimit-remaining: 0): the seconds to wait, or null when the headers say nothing of it.
 */
function headerRateLimit(
  profile: CheckedProfile,
  response: ResponseLike,
  nowMs: number,
): { retryAfter: number | null } | null {
  const rule = profile.signals.rateLimitHeaders;
  if (!rule || !(rule.statuses ?? [403, 429]).includes(response.status)) return null;
  const remaining = response.header(rule.remainingHeader);
  if (typeof remaining !== 'string' || remaining.trim() !== '0') return null;
  const raw = rule.resetHeader ? response.header(rule.resetHeader) : undefined;
  let retryAfter: number | null = null;
  if (typeof raw === 'string' && /^\s*\d{1,12}\s*$/.test(raw)) {
    const reset = Number(raw);
    const seconds = rule.resetUnit === 'epoch-seconds' ? reset - nowMs / 1000 : reset;
    retryAfter = Math.min(Math.max(0, Math.ceil(seconds)), 86400);
  }
  return { retryAfter };
}

/**
 * A refusal whose token holds none of the scopes the call accepts, told by headers
 * (profile.signals.scopeHeaders); null when the headers say nothing of the kind.
 */
function scopesFromHeaders(
  profile: CheckedProfile,
  response: ResponseLike,
): { accepted: string[]; granted: string[] } | null {
  const names = profile.signals.scopeHeaders;
  // Only a refusal: a 422 or a 500 is not about scopes, whatever the headers list.
  if (!names || (response.status !== 403 && response.status !== 404)) return null;
  const grantedHeader = response.header(names.granted);
  // A token the API keeps no scopes for (a GitHub App's) sends no granted header: nothing to compare.
  if (typeof grantedHeader !== 'string') return null;
  const list = (value: string | null | undefined) =>
    typeof value === 'string' ? value.split(/[\s,]+/).filter((part) => part !== '') : [];
  const accepted = list(response.header(names.accepted));
  const granted = list(grantedHeader);
  if (accepted.length === 0 || accepted.some((scope) => granted.includes(scope))) return null;
  return { accepted, granted };
}

/**
 * Classifies one resource-API response as the profile describes the API. Never throws;
 * token endpoint answers are not its business (see tokens.ts).
 */
export function classifyResponse(
  profile: CheckedProfile,
  response: ResponseLike,
  nowMs: number = Date.now(),
): Signal {
  const { status } = response;
  const body = response.body;
  const paths = profile.signals.body;
  const is2xx = status >= 200 && status < 300;

  // An envelope (Slack's ok:false) puts the real outcome in the body, whatever the status.
  const envelope = profile.signals.envelope;
  const enveloped = envelope !== undefined && valueAt(body, envelope.path) === envelope.failure;
  if (is2xx && !enveloped) {
    if (response.content.trim() !== '' && body === undefined) {
      return {
        ...okSignal(status),
        kind: 'bad_response',
        source: `HTTP ${status} with a body that is not JSON`,
      };
    }
    return okSignal(status);
  }

  const code = textAt(body, paths.code);
  const challenge = profile.signals.bearerChallenge
    ? parseBearerChallenge(response.header('www-authenticate'))
    : {};
  const limited = headerRateLimit(profile, response, nowMs);
  const retryAfter =
    parseRetryAfter(response.header('retry-after'), nowMs) ??
    (paths.retryAfter ? parseRetryAfter(valueAt(body, paths.retryAfter), nowMs) : null) ??
    limited?.retryAfter ??
    null;
  const codes = profile.signals.codes;
  const headerScopes = scopesFromHeaders(profile, response);

  let kind: SignalKind | undefined;
  let source: string;
  if (enveloped) {
    // An enveloped failure is judged by its code alone.
    kind = lookup(codes, code);
    const flag = `${envelope.path}:${String(envelope.failure)}`;
    source = `HTTP ${status} ${flag} ${code ?? 'without an error code'}`;
    kind ??= 'error';
  } else if (status === 401) {
    // Only outside the app (the doctor): inside it core has already thrown RefreshAuthError.
    // A 401 whose code says scope or a dead grant is read as such (the doctor shows it); any other is expiry.
    const named = lookup(codes, code);
    kind = named === 'revoked' || named === 'scope' ? named : 'refresh';
    source = `HTTP 401${code ? ` ${code}` : ''}`;
  } else {
    kind = lookup(codes, code);
    source = `HTTP ${status}${code ? ` ${code}` : ''}`;
    if (!kind && headerScopes) {
      kind = 'scope';
      source = `HTTP ${status} with ${profile.signals.scopeHeaders?.accepted}: ${headerScopes.accepted.join(', ')}`;
    }
    if (!kind && limited) {
      kind = 'throttled';
      source = `HTTP ${status} with ${profile.signals.rateLimitHeaders?.remainingHeader}: 0`;
    }
    const announced = parseRetryAfter(response.header('retry-after'), nowMs) !== null;
    if (!kind && announced && (profile.signals.throttledWithRetryAfter ?? []).includes(status)) {
      kind = 'throttled';
      source = `HTTP ${status} with Retry-After`;
    }

    if (!kind && challenge.error) {
      kind = lookup(BEARER_ERROR_TABLE, challenge.error);
      if (kind)
        source = `HTTP ${status} with WWW-Authenticate error="${challenge.error}"${body === undefined ? ' and no body' : ''}`;
    }
    kind ??=
      lookup(profile.signals.statuses ?? {}, status) ??
      lookup(DEFAULT_STATUS_KINDS, status) ??
      (status >= 500 ? 'server' : 'error');
  }

  return {
    kind,
    status,
    code,
    apiMessage: textAt(body, paths.message),
    source,
    retryAfter,
    requiredScope:
      scopeAt(body, paths.requiredScope) ?? str(challenge.scope) ?? str(headerScopes?.accepted.join(' or ')),
    grantedScope: scopeAt(body, paths.grantedScope) ?? str(headerScopes?.granted.join(' ')),
    fields: fieldsOf(paths, body),
    existingId: textAt(body, paths.existingId),
  };
}
