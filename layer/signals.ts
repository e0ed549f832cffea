// One pure function: a Practice API response -> what it means for the Zap.
// The integration's whole behaviour on auth signals (contract §6) is decided
// here, from tables, so each row can be read and tested on its own.
//
// Two rows never reach it inside the app and are kept on purpose:
// - 401: with autoRefresh core throws RefreshAuthError before afterResponse
//   (src/http-middlewares/after/throw-for-stale-auth.js). The doctor classifies
//   raw responses, 401s included, with this same function.
// - 429 does reach it: index.ts turns core's early ThrottledError off
//   (flags.throwForThrottlingEarly), so an HTTP-date Retry-After is read here.

import { isRecord } from './values';

export type SignalKind =
  | 'ok'
  | 'refresh'
  | 'scope'
  | 'forbidden'
  | 'throttled'
  | 'validation'
  | 'conflict'
  | 'not_found'
  | 'bad_request'
  | 'unavailable'
  | 'server'
  | 'bad_response'
  | 'error';

export interface Signal {
  kind: SignalKind;
  status: number;
  /** The API's error code, if it gave one. */
  code: string | null;
  /** The API's own message (untrusted text, not yet redacted). */
  apiMessage: string | null;
  /** Where the signal came from, for messages: "HTTP 403 token_expired". */
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

/** API error codes (contract §3), whether sent with their HTTP status or as 200 ok:false (K2). */
const CODE_TABLE: Readonly<Record<string, SignalKind>> = {
  token_expired: 'refresh', // K1, K2
  invalid_token: 'refresh', // 401, K2
  insufficient_scope: 'scope', // K4
  forbidden: 'forbidden', // K5
  rate_limited: 'throttled', // K3, K7
  validation_failed: 'validation',
  conflict: 'conflict',
  not_found: 'not_found',
  invalid_request: 'bad_request',
  internal: 'server',
  unavailable: 'unavailable',
};

/** What a status means when the body names no known code. */
const STATUS_TABLE: Readonly<Record<number, SignalKind>> = {
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

/** `WWW-Authenticate: Bearer error="…"` (RFC 6750 §3) when the body says nothing (K1 header-only). */
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

/** Parses the auth-params of a Bearer challenge: error, error_description, scope. */
export function parseBearerChallenge(header: string | null | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  if (!header) return params;
  const match = /(?:^|,)\s*Bearer\b(.*)$/i.exec(header);
  if (!match?.[1]) return params;
  const re = /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let m = re.exec(match[1]); m; m = re.exec(match[1])) {
    const key = m[1]?.toLowerCase();
    if (key && !(key in params)) params[key] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
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

function fieldErrors(details: Record<string, unknown>): Record<string, string> {
  const fields = details.fields;
  const out: Record<string, string> = {};
  if (!isRecord(fields)) return out;
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.filter((v) => typeof v === 'string').join('; ');
  }
  return out;
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

/**
 * Classifies one resource-API response. Never throws; token endpoint answers
 * are not its business (see tokens.ts).
 */
export function classifyResponse(response: ResponseLike, nowMs: number = Date.now()): Signal {
  const { status } = response;
  const body = response.body;
  const is2xx = status >= 200 && status < 300;

  // K2: legacy endpoints put the real outcome in `ok`, whatever the status.
  const legacyFailure = isRecord(body) && body.ok === false;
  if (is2xx && !legacyFailure) {
    if (response.content.trim() !== '' && body === undefined) {
      return {
        ...okSignal(status),
        kind: 'bad_response',
        source: `HTTP ${status} with a body that is not JSON`,
      };
    }
    return okSignal(status);
  }

  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  const details = error && isRecord(error.details) ? error.details : {};
  const code = error ? str(error.code) : null;
  const challenge = parseBearerChallenge(response.header('www-authenticate'));
  const retryAfter =
    parseRetryAfter(response.header('retry-after'), nowMs) ?? parseRetryAfter(details.retry_after, nowMs);

  let kind: SignalKind | undefined;
  let source: string;
  if (legacyFailure) {
    // A 200 ok:false is judged by its code alone.
    kind = lookup(CODE_TABLE, code);
    source = `HTTP ${status} ok:false ${code ?? 'without an error code'}`;
    kind ??= 'error';
  } else if (status === 401) {
    // Only outside the app (the doctor): inside it core has already thrown RefreshAuthError.
    kind = 'refresh';
    source = `HTTP 401${code ? ` ${code}` : ''}`;
  } else {
    kind = lookup(CODE_TABLE, code);
    source = `HTTP ${status}${code ? ` ${code}` : ''}`;
    if (!kind && challenge.error) {
      kind = lookup(BEARER_ERROR_TABLE, challenge.error);
      if (kind)
        source = `HTTP ${status} with WWW-Authenticate error="${challenge.error}"${body === undefined ? ' and no body' : ''}`;
    }
    kind ??= lookup(STATUS_TABLE, status) ?? (status >= 500 ? 'server' : 'error');
  }

  const requiredScope = str(details.required_scope) ?? str(challenge.scope);
  return {
    kind,
    status,
    code,
    apiMessage: error ? str(error.message) : null,
    source,
    retryAfter,
    requiredScope,
    grantedScope: str(details.granted_scope),
    fields: fieldErrors(details),
    existingId: str(details.existing_id),
  };
}
