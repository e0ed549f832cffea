// Every message we build from text a server sent passes through here, because
// a server may echo a token back (in an error_description, say) and whatever we
// throw ends up in Zap history and support tickets.
//
// Shapes match credentials, not words: "Basic accounting plan" or "Bearer tokens
// expire" are honest text and stay as they are.

// Practice tokens: a prefix and 43 base64url characters. At a word start any token-like run
// counts; glued to the word before ("expiredpat_…") only a long one, so that identifiers
// like "compat_settings" stay as they are.
const PRACTICE_TOKEN = /\b(?:pat|prt)_[A-Za-z0-9._~+/=-]{6,}|(?:pat|prt)_[A-Za-z0-9._~+/=-]{16,}/g;
// RFC 6750 b64token after "Bearer": a credential has a digit or a symbol somewhere; a word has neither.
// The credential never ends in "." or "-", so a sentence's full stop stays outside it.
const BEARER = /\bBearer\s+([A-Za-z0-9._~+/-]*[A-Za-z0-9_~+/]=*)/gi;
// RFC 7617: "Basic" then base64 of "user:password".
const BASIC = /\bBasic\s+([A-Za-z0-9+/]{4,}={0,2})/gi;

export const REDACTED = '[redacted]';

function looksLikeBearerCredential(value: string): boolean {
  return value.length >= 4 && /[0-9._~+/=-]/.test(value);
}

function looksLikeBasicCredential(value: string): boolean {
  if (value.length % 4 !== 0) return false;
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  // user:password, printable: a word that happens to be valid base64 decodes to noise.
  return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded);
}

/** Replaces known secret values and anything shaped like a credential. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  // Longest first so a secret that contains another is removed whole.
  const known = secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const secret of known) {
    out = out.split(secret).join(REDACTED);
  }
  out = out.replace(PRACTICE_TOKEN, REDACTED);
  out = out.replace(BEARER, (whole, value: string) => (looksLikeBearerCredential(value) ? REDACTED : whole));
  out = out.replace(BASIC, (whole, value: string) => (looksLikeBasicCredential(value) ? REDACTED : whole));
  return out;
}

/** Server-provided text, made safe and short enough to show a person. */
export function serverText(value: unknown, secrets: ReadonlyArray<string | undefined>, max = 300): string {
  if (typeof value !== 'string') return '';
  const clean = redact(value.replace(/\s+/g, ' ').trim(), secrets);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
