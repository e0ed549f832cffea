// Every message we build from text a server sent, every line the app logs and everything
// the doctor prints passes through here, because a server may echo a secret back (in an
// error_description, say) and whatever we throw or log ends up in Zap history, logs and
// support tickets.
//
// A known secret is removed in every form it can travel in (secretForms): as it is,
// URL-encoded, form-encoded, JSON-escaped, and base64 / base64url with or without padding.
// The Basic credential is a secret of its own (layer/secrets.ts: "id:secret", raw and
// form-encoded as sent), so its base64 is removed whole. What this cannot catch: a secret
// split across fields or lines, hashed or encrypted, encoded twice, or in an encoding not
// listed here (hex, quoted-printable); inside a larger base64 blob the characters that
// encode only the secret are removed at any alignment, but the group of 4 characters at
// each end that also encodes a neighbouring byte remains (it carries at most 2 bytes of
// the secret).
//
// Shapes match credentials, not words: "Basic accounting plan" or "Bearer tokens
// expire" are honest text and stay as they are.

// Tokens of an API whose profile names their prefixes (profile.tokenPrefixes: "ghu_",
// "xoxb-"): a prefix, then the longest run of token characters after it, with a letter
// somewhere in that run ("1000.20240101" after a "1000." prefix is a number). At a word start
// a run of 6 counts; glued to the word before ("expiredghu_…") only a run of 16, so that
// identifiers like "debug_settings" stay as they are. Found by a scan that is linear in the
// text: a regular expression with a lookahead for the letter re-read the run at every prefix
// in it, and 200 KB of "1000.1000.…" took 20 s.
/** ASCII code -> 1: a token character, 2: a token character and a letter. */
const TOKEN_CHARS = new Uint8Array(128);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')
  TOKEN_CHARS[char.charCodeAt(0)] = 2;
for (const char of '0123456789._~+/=-') TOKEN_CHARS[char.charCodeAt(0)] = 1;
const WORD_CHAR = /\w/;
const prefixFinders = new Map<string, RegExp>();

function prefixFinder(prefixes: readonly string[]): RegExp {
  const key = prefixes.join('\u0000');
  let finder = prefixFinders.get(key);
  if (!finder) {
    // Shortest first: of two prefixes at one place, the shorter leaves the longer tail, which
    // holds every letter the other's does, so it is the one that can pass.
    const sorted = [...prefixes].sort((a, b) => a.length - b.length);
    finder = new RegExp(sorted.map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|'), 'g');
    prefixFinders.set(key, finder);
  }
  return finder;
}

/** For each position: where its run of token characters ends, and where the run's next letter is (or -1). */
function tokenRuns(text: string): { runEnd: Int32Array; nextLetter: Int32Array } {
  const runEnd = new Int32Array(text.length + 1);
  const nextLetter = new Int32Array(text.length + 1);
  runEnd[text.length] = text.length;
  nextLetter[text.length] = -1;
  for (let i = text.length - 1; i >= 0; i -= 1) {
    const kind = TOKEN_CHARS[text.charCodeAt(i)] ?? 0;
    if (kind !== 0) {
      runEnd[i] = runEnd[i + 1] ?? i + 1;
      nextLetter[i] = kind === 2 ? i : (nextLetter[i + 1] ?? -1);
    } else {
      runEnd[i] = i;
      nextLetter[i] = -1;
    }
  }
  return { runEnd, nextLetter };
}

/** `text` with every prefixed token replaced, by the rule above. */
function redactPrefixedTokens(text: string, prefixes: readonly string[]): string {
  if (prefixes.length === 0) return text;
  const finder = prefixFinder(prefixes);
  let runs: ReturnType<typeof tokenRuns> | undefined;
  let out = '';
  let copied = 0;
  finder.lastIndex = 0;
  for (let found = finder.exec(text); found; found = finder.exec(text)) {
    const at = found.index;
    // Every place a prefix starts counts, overlapping ones too, as a regular expression tries each.
    finder.lastIndex = at + 1;
    if (at < copied) continue;
    runs ??= tokenRuns(text);
    const tail = at + found[0].length;
    const end = runs.runEnd[tail] ?? tail;
    const letter = runs.nextLetter[tail] ?? -1;
    const least = at === 0 || !WORD_CHAR.test(text.charAt(at - 1)) ? 6 : 16;
    if (end - tail < least || letter < 0 || letter >= end) continue;
    out += text.slice(copied, at) + REDACTED;
    copied = end;
    finder.lastIndex = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
// RFC 6750 b64token after "Bearer": a credential has a digit or a symbol somewhere; a word has neither.
// The credential never ends in "." or "-", so a sentence's full stop stays outside it.
const BEARER = /\bBearer\s+([A-Za-z0-9._~+/-]*[A-Za-z0-9_~+/]=*)/gi;
// RFC 7617: "Basic" then base64 of "user:password".
const BASIC = /\bBasic\s+([A-Za-z0-9+/]{4,}={0,2})/gi;

export const REDACTED = '[redacted]';

/** Shorter values are not secrets: "abc" would blank honest words. */
const MIN_SECRET_LENGTH = 4;
/**
 * Encoded forms only for secrets at least this long: a short value's encodings are short
 * enough to turn up in honest text (base64 of "abcd" is "YWJjZA").
 */
const MIN_ENCODED_SECRET_LENGTH = 8;
/** A base64 run found inside a larger blob must be at least this long to count. */
const MIN_FRAGMENT_LENGTH = 12;

function looksLikeBearerCredential(value: string): boolean {
  return value.length >= 4 && /[0-9._~+/=-]/.test(value);
}

/**
 * `Bearer error="invalid_token"` is a challenge (RFC 6750 §3), not a credential: one of its
 * auth-param names and "=", then a quoted string. A b64token is never followed by a quote.
 */
function isChallengeParam(value: string, next: string): boolean {
  return (
    next === '"' && /^(?:realm|scope|error|error_description|error_uri|resource_metadata)=$/i.test(value)
  );
}

function looksLikeBasicCredential(value: string): boolean {
  if (value.length % 4 !== 0) return false;
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  // user:password, printable: a word that happens to be valid base64 decodes to noise.
  return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded);
}

const toUrlAlphabet = (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_');
const unpadded = (b64: string) => b64.replace(/=+$/, '');

/**
 * The base64 characters that encode only `bytes`, whatever stands before and after them in
 * a larger encoded blob, for each of the three alignments the secret can have there.
 */
function base64Fragments(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let lead = 0; lead < 3; lead++) {
    const encoded = Buffer.concat([Buffer.alloc(lead), bytes]).toString('base64');
    // Groups of 3 bytes (4 characters) that lie wholly inside the secret.
    const first = lead === 0 ? 0 : 1;
    const end = Math.floor((lead + bytes.length) / 3);
    const fragment = encoded.slice(4 * first, 4 * end);
    if (fragment.length >= MIN_FRAGMENT_LENGTH) out.push(fragment);
  }
  return out;
}

/** Every form in which `secret` can travel; the secret itself first. */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return [];
  if (secret.length < MIN_ENCODED_SECRET_LENGTH) return [secret];
  const uri = encodeURIComponent(secret);
  const json = JSON.stringify(secret).slice(1, -1);
  const bytes = Buffer.from(secret, 'utf8');
  const base64 = bytes.toString('base64');
  const forms = [
    secret,
    uri,
    // Form-encoded as HTTP Basic sends it (RFC 6749 §2.3.1) and as URLSearchParams writes a body.
    uri.replace(/%20/g, '+'),
    new URLSearchParams([['', secret]]).toString().slice(1),
    json,
    // Some JSON writers escape "/" too.
    json.replace(/\//g, '\\/'),
  ];
  for (const b64 of [base64, ...base64Fragments(bytes)]) {
    for (const alphabet of [b64, toUrlAlphabet(b64)]) {
      forms.push(alphabet, unpadded(alphabet), encodeURIComponent(alphabet), alphabet.replace(/\//g, '\\/'));
    }
  }
  return [...new Set(forms)].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/** A regex source matching `form`, a percent-escape in either case ("%2F" or "%2f"). */
function pattern(form: string): string {
  return form
    .split(/(%[0-9A-F]{2})/)
    .map((part, i) =>
      i % 2 === 1
        ? `%${[...part.slice(1)].map((c) => (/[A-F]/.test(c) ? `[${c}${c.toLowerCase()}]` : c)).join('')}`
        : part.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
    )
    .join('');
}

// Building the matcher costs more than using it; errors and logs of one run repeat the same secrets.
interface Matcher {
  regex: RegExp | null;
  /** The longest form it matches. */
  longest: number;
}
const matchers = new Map<string, Matcher>();
const MAX_MATCHERS = 32;

function matcherFor(secrets: ReadonlyArray<string | undefined>): Matcher {
  const known = [...new Set(secrets.filter((s): s is string => typeof s === 'string'))].sort();
  const key = known.join('\u0000');
  const cached = matchers.get(key);
  if (cached !== undefined) return cached;
  // Longest first, so a form that contains another is removed whole.
  const forms = [...new Set(known.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  const matcher = {
    regex: forms.length > 0 ? new RegExp(forms.map(pattern).join('|'), 'g') : null,
    longest: forms[0]?.length ?? 0,
  };
  if (matchers.size >= MAX_MATCHERS) matchers.delete(matchers.keys().next().value as string);
  matchers.set(key, matcher);
  return matcher;
}

/**
 * Replaces known secret values, in every form they can travel in, and anything shaped like a
 * credential: Bearer and Basic credentials, and tokens that start with one of `tokenPrefixes`.
 * Linear in the length of `text`, whatever it holds (tools/bench/redact.ts measures it).
 */
export function redact(
  text: string,
  secrets: ReadonlyArray<string | undefined>,
  tokenPrefixes: readonly string[] = [],
): string {
  const { regex } = matcherFor(secrets);
  let out = regex ? text.replace(regex, REDACTED) : text;
  out = redactPrefixedTokens(out, tokenPrefixes);
  out = out.replace(BEARER, (whole: string, value: string, at: number, all: string) =>
    looksLikeBearerCredential(value) && !isChallengeParam(value, all.charAt(at + whole.length))
      ? REDACTED
      : whole,
  );
  out = out.replace(BASIC, (whole, value: string) => (looksLikeBasicCredential(value) ? REDACTED : whole));
  return out;
}

/**
 * How far past the part of a text that is shown a credential starting inside it is followed:
 * a known secret's longest form, and at least this for a token known only by its shape.
 */
const SHAPE_REACH = 4096;

/**
 * Server-provided text, made safe and short enough to show a person: whitespace collapsed,
 * redacted, at most `max` characters. Only the part that can reach those characters is
 * redacted: whatever starts inside them and ends within the reach beyond, and the rest of the
 * word the reach ends in: a credential cut short is judged by what is left of it (its letter,
 * its digit, its length may lie past the cut), so it is never cut.
 */
export function serverText(
  value: unknown,
  secrets: ReadonlyArray<string | undefined>,
  max = 300,
  tokenPrefixes: readonly string[] = [],
): string {
  if (typeof value !== 'string') return '';
  const reach = max + Math.max(SHAPE_REACH, matcherFor(secrets).longest);
  const collapsed = value.replace(/\s+/g, ' ').trim();
  const space = collapsed.length > reach ? collapsed.indexOf(' ', reach) : -1;
  const end = space < 0 ? collapsed.length : space;
  const clean = redact(collapsed.slice(0, end), secrets, tokenPrefixes);
  return clean.length > max || end < collapsed.length ? `${clean.slice(0, max - 1)}…` : clean;
}
