// Every message we build from text a server sent passes through here, because
// a server may echo a token back (in an error_description, say) and whatever we
// throw ends up in Zap history and support tickets.

const TOKEN_SHAPES = [
  /pat_[A-Za-z0-9._~+/=-]+/g, // Practice access tokens
  /prt_[A-Za-z0-9._~+/=-]+/g, // Practice refresh tokens
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi,
  /\bBasic\s+[A-Za-z0-9+/=]{8,}/gi,
];

export const REDACTED = '[redacted]';

/** Replaces known secret values and anything shaped like a token. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  // Longest first so a secret that contains another is removed whole.
  const known = secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const secret of known) {
    out = out.split(secret).join(REDACTED);
  }
  for (const shape of TOKEN_SHAPES) {
    out = out.replace(shape, REDACTED);
  }
  return out;
}

/** Server-provided text, made safe and short enough to show a person. */
export function serverText(value: unknown, secrets: ReadonlyArray<string | undefined>, max = 300): string {
  if (typeof value !== 'string') return '';
  const clean = redact(value.replace(/\s+/g, ' ').trim(), secrets);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
