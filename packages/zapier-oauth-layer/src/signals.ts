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

import { canonicalPath } from './endpoints';
import {
  familySignals,
  listOf,
  SIGNAL_KINDS,
  underPrefix,
  type Advice,
  type CheckedProfile,
  type Family,
  type SignalKind,
  type Signals,
} from './profile';
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
  /** The endpoint family whose signals read it (profile.signals.families), if one did. */
  family?: string;
}

export interface ResponseLike {
  status: number;
  header(name: string): string | null | undefined;
  /** Parsed JSON body, or undefined when the body was not JSON. */
  body: unknown;
  /** Raw body text. */
  content: string;
  /** The request it answers: its method and URL tell which endpoint family's signals read it. */
  request?: { method?: string; url?: string };
}

/**
 * The kinds that concern the connection rather than the request, decided kind by kind: the
 * layer throws its own error for these whatever the app asked (harden's `messages`, a
 * request's `skipThrowForStatus`), because only the layer can act on them well and core would
 * get them wrong. Every other kind (not_found, validation, conflict, bad_request, unavailable,
 * server, bad_response, error) answers the request itself, and reaches the app's afterResponse
 * and step code as it would without the layer unless the app asks for the layer's words.
 */
export const CONNECTION_KINDS = [
  // The grant is gone: Zapier must mark the connection for reconnecting (ExpiredAuthError).
  'revoked',
  // The token expired or was rejected: refresh and retry (RefreshAuthError), in every mode.
  'refresh',
  // The connection lacks a scope: only reconnecting with consent adds it, never a refresh.
  'scope',
  // The connection's rate limit, however the API says it (429, a 403 or 200 with rate-limit
  // headers or codes): Zapier must wait Retry-After (ThrottledError), not fail the step.
  'throttled',
  // The connected account's role or plan refuses it: the same connection is refused whatever
  // the step's input, and only an administrator or another connection helps (the profile's
  // advice says who). An API whose 403 means "not this record" maps it elsewhere in its profile
  // (signals.statuses or signals.codes), and the answer is then the app's.
  'forbidden',
] as const satisfies readonly SignalKind[];

/** Whether an answer of this kind is the layer's to throw for, whatever the app asked. */
export function concernsConnection(kind: SignalKind): boolean {
  return (CONNECTION_KINDS as readonly SignalKind[]).includes(kind);
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

/** Retry-After as delta-seconds (Shopify writes "2.0") or HTTP-date -> whole seconds, or null. */
export function parseRetryAfter(value: unknown, nowMs: number = Date.now()): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.min(Math.ceil(value), 86400) : null;
  }
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d{1,12}(?:\.\d+)?$/.test(text)) return Math.min(Math.ceil(Number(text)), 86400);
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
function fieldsOf(paths: Signals['body'], body: unknown): Record<string, string> {
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
  signals: Signals,
  response: ResponseLike,
  nowMs: number,
): { retryAfter: number | null } | null {
  const rule = signals.rateLimitHeaders;
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
  signals: Signals,
  response: ResponseLike,
): { accepted: string[]; granted: string[] } | null {
  const names = signals.scopeHeaders;
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

/** The family a request belongs to: its longest matching prefix, a family with a method before one without. */
function familyOf(profile: CheckedProfile, request: ResponseLike['request']): Family | undefined {
  const families = profile.signals.families;
  if (!families?.length || !request?.url) return undefined;
  let path: string;
  try {
    path = canonicalPath(new URL(request.url).pathname);
  } catch {
    return undefined;
  }
  const method = (request.method ?? 'GET').toUpperCase();
  let best: Family | undefined;
  let bestScore = -1;
  for (const family of families) {
    if (family.match.method !== undefined && family.match.method !== method) continue;
    for (const prefix of listOf(family.match.prefix)) {
      const score = canonicalPath(prefix).length * 2 + (family.match.method ? 1 : 0);
      if (score > bestScore && underPrefix(path, prefix)) [best, bestScore] = [family, score];
    }
  }
  return best;
}

const merged = new WeakMap<Family, { signals: Signals; advice: Advice | undefined }>();

/**
 * The signals and advice that read an answer to `request`: its family's fields over the
 * profile's (each field the family names replaces the profile's whole), else the profile's.
 */
export function signalsFor(
  profile: CheckedProfile,
  request?: ResponseLike['request'],
): { signals: Signals; advice: Advice | undefined; family?: Family } {
  const family = familyOf(profile, request);
  if (!family) return { signals: profile.signals, advice: profile.advice };
  let both = merged.get(family);
  if (!both) {
    both = {
      signals: { ...profile.signals, families: undefined, ...familySignals(family) } as Signals,
      advice: family.advice ? { ...profile.advice, ...family.advice } : profile.advice,
    };
    merged.set(family, both);
  }
  return { ...both, family };
}

/** Whether an answer's body says it failed (signals.envelope), whatever its status. */
export function envelopeFails(envelope: Signals['envelope'], body: unknown): boolean {
  if (!envelope) return false;
  const value = valueAt(body, envelope.path);
  return 'failure' in envelope ? value === envelope.failure : Array.isArray(value) && value.length > 0;
}

/** How significant a kind is in a list of errors: lower wins (SIGNAL_KINDS is written in that order). */
const rank = (kind: SignalKind | undefined) => (kind ? SIGNAL_KINDS.indexOf(kind) : SIGNAL_KINDS.length);

/** The first value `read` finds, in the decisive error first. */
function firstOf<T>(items: readonly unknown[], read: (item: unknown) => T | null): T | null {
  for (const item of items) {
    const value = read(item);
    if (value !== null) return value;
  }
  return null;
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
  const { signals, family } = signalsFor(profile, response.request);
  const paths = signals.body;
  const is2xx = status >= 200 && status < 300;

  // An envelope (Slack's ok:false, GraphQL's errors) puts the real outcome in the body, whatever the status.
  const envelope = signals.envelope;
  const enveloped = envelopeFails(envelope, body);
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

  // The errors of the answer, the most significant first: a list where the profile says one
  // is (signals.body.list), else the body itself.
  const list = paths.list ? valueAt(body, paths.list) : undefined;
  const items: unknown[] = Array.isArray(list) ? [...list] : [body];
  const codes = signals.codes;
  const kindOf = (item: unknown) => lookup(codes, textAt(item, paths.code));
  const decisive = items.reduce<number>(
    (best, item, i) => (rank(kindOf(item)) < rank(kindOf(items[best])) ? i : best),
    0,
  );
  items.unshift(...items.splice(decisive, 1));
  const code = textAt(items[0], paths.code);
  const named = kindOf(items[0]);

  const challenge = signals.bearerChallenge ? parseBearerChallenge(response.header('www-authenticate')) : {};
  const limited = headerRateLimit(signals, response, nowMs);
  const retryAfter =
    parseRetryAfter(response.header('retry-after'), nowMs) ??
    firstOf(items, (item) =>
      paths.retryAfter ? parseRetryAfter(valueAt(item, paths.retryAfter), nowMs) : null,
    ) ??
    limited?.retryAfter ??
    null;
  const headerScopes = scopesFromHeaders(signals, response);

  let kind: SignalKind | undefined;
  let source: string;
  if (enveloped && envelope && 'failure' in envelope) {
    // Slack's {ok: false} is judged by its code alone, whatever the status.
    kind = named ?? 'error';
    source = `HTTP ${status} ${envelope.path}:${String(envelope.failure)} ${code ?? 'without an error code'}`;
  } else if (status === 401) {
    // Only outside the app (the doctor): inside it core has already thrown RefreshAuthError.
    // A 401 whose code says scope or a dead grant is read as such (the doctor shows it); any other is expiry.
    kind = named === 'revoked' || named === 'scope' ? named : 'refresh';
    source = `HTTP 401${code ? ` ${code}` : ''}`;
  } else {
    // GraphQL's errors on a 2xx: its codes, then what the headers say, as any answer; errors
    // that name no known code beside data are the step's business (partial data).
    const listed = enveloped && is2xx && envelope !== undefined;
    const data = listed && 'data' in envelope && envelope.data ? valueAt(body, envelope.data) : undefined;
    if (listed && !named && data !== undefined && data !== null) return okSignal(status);
    kind = named;
    source = listed
      ? `HTTP ${status} ${envelope.path}: ${code ?? 'without an error code'}`
      : `HTTP ${status}${code ? ` ${code}` : ''}`;
    if (!kind && headerScopes) {
      kind = 'scope';
      source = `HTTP ${status} with ${signals.scopeHeaders?.accepted}: ${headerScopes.accepted.join(', ')}`;
    }
    if (!kind && limited) {
      kind = 'throttled';
      source = `HTTP ${status} with ${signals.rateLimitHeaders?.remainingHeader}: 0`;
    }
    const announced = parseRetryAfter(response.header('retry-after'), nowMs) !== null;
    if (!kind && announced && (signals.throttledWithRetryAfter ?? []).includes(status)) {
      kind = 'throttled';
      source = `HTTP ${status} with Retry-After`;
    }

    if (!kind && challenge.error) {
      kind = lookup(BEARER_ERROR_TABLE, challenge.error);
      if (kind)
        source = `HTTP ${status} with WWW-Authenticate error="${challenge.error}"${body === undefined ? ' and no body' : ''}`;
    }
    kind ??=
      lookup(signals.statuses ?? {}, status) ??
      lookup(DEFAULT_STATUS_KINDS, status) ??
      (status >= 500 ? 'server' : 'error');
  }

  return {
    kind,
    status,
    code,
    apiMessage: paths.list ? messagesOf(paths, items) : textAt(body, paths.message),
    source,
    retryAfter,
    requiredScope:
      firstOf(items, (item) => scopeAt(item, paths.requiredScope)) ??
      str(challenge.scope) ??
      str(headerScopes?.accepted.join(' or ')),
    grantedScope:
      firstOf(items, (item) => scopeAt(item, paths.grantedScope)) ?? str(headerScopes?.granted.join(' ')),
    fields: allFields(paths, items),
    existingId: firstOf(items, (item) => textAt(item, paths.existingId)),
    ...(family ? { family: family.name } : {}),
  };
}

/** The field-level errors of every error of the list, a field named twice with both texts. */
function allFields(paths: Signals['body'], items: readonly unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items)
    for (const [field, text] of Object.entries(fieldsOf(paths, item)))
      out[field] = Object.hasOwn(out, field) ? `${out[field]}; ${text}` : text;
  return out;
}

/** Every error of a list, each named by its field where it names one: "title: can't be blank; amount: must be positive". */
function messagesOf(paths: Signals['body'], items: readonly unknown[]): string | null {
  const all = items
    .map((item) => {
      const text = textAt(item, paths.message);
      const field = textAt(item, paths.field);
      return text && field && !text.startsWith(field) ? `${field}: ${text}` : text;
    })
    .filter((text): text is string => text !== null);
  return all.length > 1 ? all.map((text) => text.replace(/\.$/, '')).join('; ') : (all[0] ?? null);
}
