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
// "xoxb-"). At a word start any token-like run after a prefix counts; glued to the word
// before ("expiredghu_…") only a long one, so that identifiers like "debug_settings" stay as
// they are.
const prefixMatchers = new Map<string, RegExp>();

function tokenShape(prefixes: readonly string[]): RegExp | null {
  if (prefixes.length === 0) return null;
  const key = prefixes.join('\u0000');
  let matcher = prefixMatchers.get(key);
  if (!matcher) {
    const any = `(?:${prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|')})`;
    // A token's tail has a letter somewhere: "1000.20240101" after a "1000." prefix is a number.
    const tail = (least: number) => `(?=[A-Za-z0-9._~+/=-]*[A-Za-z])[A-Za-z0-9._~+/=-]{${least},}`;
    matcher = new RegExp(`\\b${any}${tail(6)}|${any}${tail(16)}`, 'g');
    prefixMatchers.set(key, matcher);
  }
  return matcher;
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
const matchers = new Map<string, RegExp | null>();
const MAX_MATCHERS = 32;

function matcherFor(secrets: ReadonlyArray<string | undefined>): RegExp | null {
  const known = [...new Set(secrets.filter((s): s is string => typeof s === 'string'))].sort();
  const key = known.join('\u0000');
  const cached = matchers.get(key);
  if (cached !== undefined) return cached;
  // Longest first, so a form that contains another is removed whole.
  const forms = [...new Set(known.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  const matcher = forms.length > 0 ? new RegExp(forms.map(pattern).join('|'), 'g') : null;
  if (matchers.size >= MAX_MATCHERS) matchers.delete(matchers.keys().next().value as string);
  matchers.set(key, matcher);
  return matcher;
}

/**
 * Replaces known secret values, in every form they can travel in, and anything shaped like a
 * credential: Bearer and Basic credentials, and tokens that start with one of `tokenPrefixes`.
 */
export function redact(
  text: string,
  secrets: ReadonlyArray<string | undefined>,
  tokenPrefixes: readonly string[] = [],
): string {
  const matcher = matcherFor(secrets);
  let out = matcher ? text.replace(matcher, REDACTED) : text;
  const shape = tokenShape(tokenPrefixes);
  if (shape) out = out.replace(shape, REDACTED);
  out = out.replace(BEARER, (whole, value: string) => (looksLikeBearerCredential(value) ? REDACTED : whole));
  out = out.replace(BASIC, (whole, value: string) => (looksLikeBasicCredential(value) ? REDACTED : whole));
  return out;
}

/** Server-provided text, made safe and short enough to show a person. */
export function serverText(
  value: unknown,
  secrets: ReadonlyArray<string | undefined>,
  max = 300,
  tokenPrefixes: readonly string[] = [],
): string {
  if (typeof value !== 'string') return '';
  const clean = redact(value.replace(/\s+/g, ' ').trim(), secrets, tokenPrefixes);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
