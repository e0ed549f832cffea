// Reading an API's answers without a profile: where an error body keeps its code and its text,
// whether a token endpoint refused the client or the token, an envelope's success flag, a scope
// string's separator, a token family's prefix, a lifetime's unit. Pure: --discover's draft
// (src/doctor/discover/draft.ts) is made of these.
import { isRecord, LOOPBACK_HOSTS, type Profile } from '../../internal';
import type { Answer } from '../http';

interface Leafy {
  path: string;
  key: string;
  value: string;
}

/** String leaves of a JSON body (objects three levels deep, the first item of arrays), with their paths. */
export function stringLeaves(body: unknown, maxDepth = 3): Leafy[] {
  const out: Leafy[] = [];
  const walk = (node: unknown, at: string, key: string, depth: number) => {
    if (typeof node === 'string') {
      if (at) out.push({ path: at, key, value: node });
      return;
    }
    if (depth >= maxDepth) return;
    if (Array.isArray(node)) {
      if (node.length > 0) walk(node[0], at ? `${at}.0` : '0', key, depth + 1);
      return;
    }
    if (!isRecord(node)) return;
    for (const [k, v] of Object.entries(node)) {
      if (/^[A-Za-z_$][\w$-]*$/.test(k)) walk(v, at ? `${at}.${k}` : k, k, depth + 1);
    }
  };
  walk(body, '', '', 0);
  return out;
}

/** Values that are words, not codes: a status line's phrase, a flag, a placeholder. */
const NOT_A_CODE_VALUE =
  /^(?:error|errors|fail|failed|failure|false|true|ok|success|null|none|unknown|bearer|unauthori[sz]ed|forbidden|not ?found|bad ?request|too ?many ?requests|internal ?server ?error|service ?unavailable|conflict|gone)$/i;
/** Keys that hold text, addresses, ids and times, never a code. */
const NOT_A_CODE_KEY =
  /message|description|url|uri|link|href|trace|correlation|request|^id$|[a-z]Id$|_id$|time|date|title|hint|help|documentation|scope|needed|provided|instance|domain/i;

/** Where an error body keeps its code: the best candidate first (error.code, errorCode, error, category, …). */
export function codeCandidates(body: unknown): Leafy[] {
  const rank = (c: Leafy) =>
    /^(?:error_?)?code$|errorcode/i.test(c.key)
      ? 0
      : c.key === 'error'
        ? 1
        : /category|reason|type|kind|detail|status|name/i.test(c.key)
          ? 2
          : 3;
  return stringLeaves(body)
    .filter(
      (c) =>
        /^[A-Za-z][A-Za-z0-9_.:-]{2,79}$/.test(c.value) &&
        !NOT_A_CODE_VALUE.test(c.value) &&
        !/^[0-9a-f-]{16,}$/i.test(c.value) &&
        !NOT_A_CODE_KEY.test(c.key),
    )
    .sort((a, b) => rank(a) - rank(b) || a.path.split('.').length - b.path.split('.').length);
}

/** Where an error body keeps its text for people, near `codePath`. */
export function messagePath(body: unknown, codePath: string | undefined): string | undefined {
  const parent = codePath?.includes('.') ? codePath.slice(0, codePath.lastIndexOf('.') + 1) : '';
  const texts = stringLeaves(body).filter(
    (l) => /message|description|detail/i.test(l.key) && /\s/.test(l.value),
  );
  const preferred = codePath === 'error' ? 'error_description' : `${parent}message`;
  return (
    texts.find((l) => l.path === preferred)?.path ??
    texts.find((l) => l.path.startsWith(parent))?.path ??
    texts[0]?.path
  );
}

export const RFC_TOKEN_ERRORS: ReadonlySet<string> = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
]);

/** A token endpoint answer that refuses the client rather than the refresh token. */
export function clientRefused(answer: Answer): boolean {
  if (answer.status === 401) return true;
  return stringLeaves(answer.body).some(
    (l) =>
      !NOT_A_CODE_KEY.test(l.key) &&
      (l.value === 'invalid_client' ||
        l.value === 'unauthorized_client' ||
        (/client/i.test(l.value) && /^[\w.:-]+$/.test(l.value))),
  );
}

/** Names an envelope's success flag goes by ("ok", "success"); other booleans are data ("site_admin"). */
export const FLAG_KEY = /^(?:ok|success|succeeded|successful|result)$/i;

/** A 2xx whose body does not flag a failure (`"ok": false` or the like). */
export function looksSuccessful(answer: Answer): boolean {
  if (answer.status < 200 || answer.status >= 300) return false;
  if (!isRecord(answer.body)) return true;
  return !Object.entries(answer.body).some(([key, value]) => value === false && FLAG_KEY.test(key));
}

/** What a scope string joins its scopes with; null when it names one (or none). */
export function separatorOf(scope: string): ' ' | ',' | null {
  if (scope.includes(',')) return ',';
  if (/\S\s+\S/.test(scope)) return ' ';
  return null;
}

/**
 * A prefix of a token family ("xoxe.", "ghu_", "1000."): a lowercase word and a separator, or a
 * number and a dot. A random token rarely starts so (mixed case, or no separator that early).
 */
export function prefixOf(token: string): string | null {
  const match = /^(?:[a-z]{3,8}[._-]|\d{2,6}\.)/.exec(token);
  return match ? match[0] : null;
}

/** Lifetime field candidates of a token answer, most usual first. */
export const LIFETIME_FIELDS = /^(?:expires_in|expiresIn|expires|expires_at|expiresAt|expires_on|expiresOn)$/;

export type LifetimeUnit = Profile['token']['lifetime']['unit'];

/** What a lifetime value means, read from its size (and its name: *_at, *_on are moments). */
/**
 * What a lifetime value means, read from its size (and its name: *_at, *_on are moments). Certain
 * only where one reading alone is plausible: a moment within a year of now, or seconds between a
 * minute and a day (as milliseconds, under 90 s). Otherwise a guess, the shorter reading (a token
 * refreshed too soon costs a refresh; one kept too long costs a refused request).
 */
export function unitOf(
  name: string,
  value: number,
  nowSeconds: number,
): { unit: LifetimeUnit; why: string; certain: boolean } {
  const moment = /at$|on$/i.test(name);
  if (value > 1e12 && Math.abs(value / 1000 - nowSeconds) < 366 * 86400)
    return {
      unit: 'epoch-milliseconds',
      why: `${value} is a moment in milliseconds (within a year of now)`,
      certain: true,
    };
  if (value > 1e9 && Math.abs(value - nowSeconds) < 366 * 86400)
    return {
      unit: 'epoch-seconds',
      why: `${value} is a moment in seconds (within a year of now)`,
      certain: true,
    };
  if (!moment && value >= 60_000 && value % 1000 === 0)
    return {
      unit: 'milliseconds',
      why: `${value} is a round number of thousands: read as milliseconds (${Math.round(value / 60_000)} min), the shorter reading; as seconds it would be ${Math.round(value / 3600)} h`,
      certain: false,
    };
  if (value >= 60 && value <= 86400)
    return {
      unit: 'seconds',
      why: `${value} reads as seconds (${Math.round(value / 60)} min)`,
      certain: true,
    };
  return {
    unit: 'seconds',
    why: `${value} read as seconds (${Math.round(value / 60)} min), a guess: an access token living under a minute or over a day is rare`,
    certain: false,
  };
}

export function readNumber(raw: unknown): number | null {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  if (typeof raw === 'string' && /^\s*\d{1,16}(\.\d+)?\s*$/.test(raw)) return Number(raw);
  return null;
}

/**
 * A JSON snippet of a body for a comment: its shape, long strings cut. Redacted (`clean`) before
 * it is cut, so that no cut leaves the first characters of a secret behind.
 */
export function snippet(body: unknown, content: string, clean: (text: string) => string): string {
  if (body === undefined) return content.trim() === '' ? 'no body' : 'a body that is not JSON';
  const text = JSON.stringify(body, (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    const safe = clean(value);
    return safe.length > 60 ? `${safe.slice(0, 57)}…` : safe;
  });
  const safe = clean(text);
  return safe.length > 160 ? `${safe.slice(0, 159)}…` : safe;
}

/** A machine name from the API's host: "api.hubapi.com" -> "hubapi"; a local host -> "discovered". */
export function idFromHost(host: string): string {
  const name = host.toLowerCase();
  if (LOOPBACK_HOSTS.has(name) || /^[\d.]+$/.test(name) || name.startsWith('[')) return 'discovered';
  const labels = name.split('.').filter((l) => l !== '' && !['www', 'api', 'apis'].includes(l));
  const pick = labels.length >= 2 ? labels[labels.length - 2] : (labels[0] ?? '');
  const id = (pick ?? '')
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 32);
  return id || 'discovered';
}

export function valueOf(body: unknown, key: string): unknown {
  return isRecord(body) ? body[key] : undefined;
}

/** The resource API's prefix as guessed from the test URL: its first path segment. */
export function apiPrefixOf(pathname: string): string {
  const segments = pathname.split('/').filter((s) => s !== '');
  if (segments.length === 0) return '/';
  return segments.length >= 2 ? `/${segments[0]}/` : `/${segments[0]}`;
}

/** An `ok:false`-style envelope: a field that flags success in one answer and failure in the other. */
export function envelopeOf(
  success: Answer | null,
  failure: Answer | null,
): { path: string; failure: boolean | string } | null {
  if (!failure || !isRecord(failure.body)) return null;
  const good = success && isRecord(success.body) ? success.body : null;
  const failed2xx = failure.status >= 200 && failure.status < 300;
  for (const [key, value] of Object.entries(failure.body)) {
    if (!/^[A-Za-z_$][\w$-]*$/.test(key)) continue;
    if (value === false && (good ? good[key] === true : failed2xx && FLAG_KEY.test(key)))
      return { path: key, failure: false };
    if (
      typeof value === 'string' &&
      /^(?:error|fail|failed|failure|ko)$/i.test(value) &&
      good &&
      typeof good[key] === 'string' &&
      good[key] !== value
    )
      return { path: key, failure: value };
  }
  return null;
}

/** The endpoint as a profile writes it: a path on the base's origin, else the absolute https URL. */
export function endpointFor(url: URL, baseOrigin: string): string {
  return url.origin === baseOrigin || url.protocol !== 'https:'
    ? url.pathname
    : `${url.origin}${url.pathname}`;
}

/** How long ago the connection's access token expired, by its expires_at; null if it has not, or unknown. */
export function expiredAgo(
  authData: Readonly<Record<string, string>>,
  nowSeconds = Date.now() / 1000,
): number | null {
  const at = Number(authData.expires_at);
  if (!authData.expires_at || !Number.isFinite(at) || at <= 0 || at > nowSeconds) return null;
  return Math.floor(nowSeconds - at);
}
