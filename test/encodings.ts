// The forms in which a secret can travel, written out independently of layer/redact.ts, and a
// scanner that finds any of them in captured text. Used by the tests that plant every form of
// every secret in hostile answers (test/auth/encoded-secrets.test.ts, test/doctor/encoded-secrets.test.ts).

/** Every encoding a planted secret is written in, in the order formsOf gives them. */
export const ENCODINGS = [
  'as is',
  'URL-encoded',
  'form-encoded',
  'URLSearchParams-encoded',
  'JSON-escaped',
  'JSON-escaped with "\\/"',
  'base64',
  'base64 without padding',
  'base64url',
  'base64url with padding',
  'base64 inside a blob, offset 1',
  'base64 inside a blob, offset 2',
] as const;

export type Encoding = (typeof ENCODINGS)[number];

/** The encodings core's own log scrubber also knows (@zapier/secret-scrubber makeSensitiveBank). */
export const CORE_SCRUBBER_ENCODINGS: ReadonlySet<Encoding> = new Set([
  'as is',
  'URL-encoded',
  'form-encoded',
  'JSON-escaped',
  'base64',
]);

interface Form {
  encoding: Encoding;
  /** What is planted in a hostile answer. */
  planted: string;
  /** What must not be found: the planted text, or for a blob the part that encodes only the secret. */
  sought: string;
}

function blob(secret: string, lead: string): Omit<Form, 'encoding'> {
  // Two bytes after the secret; the first and the last two groups of 4 characters also
  // encode the neighbours, everything between encodes the secret alone.
  const planted = Buffer.from(`${lead}${secret}!?`).toString('base64');
  return { planted, sought: planted.slice(4, -8) };
}

/**
 * The client credentials as the secrets they make: the secret alone, "id:secret", and
 * "id:secret" form-encoded as HTTP Basic joins them (RFC 6749 §2.3.1), written out here
 * rather than taken from layer/secrets.ts.
 */
export function clientCredentialSecrets(clientId: string, clientSecret: string): Record<string, string> {
  const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return {
    'client secret': clientSecret,
    'client credentials id:secret': `${clientId}:${clientSecret}`,
    'client credentials as Basic sends them': `${formEncode(clientId)}:${formEncode(clientSecret)}`,
  };
}

export function formsOf(secret: string): Form[] {
  const b64 = Buffer.from(secret, 'utf8').toString('base64');
  const url = Buffer.from(secret, 'utf8').toString('base64url');
  const json = JSON.stringify(secret).slice(1, -1);
  const same = (text: string) => ({ planted: text, sought: text });
  const forms: Record<Encoding, Omit<Form, 'encoding'>> = {
    'as is': same(secret),
    'URL-encoded': same(encodeURIComponent(secret)),
    // As HTTP Basic joins the client credentials (RFC 6749 §2.3.1) and core's scrubber knows it.
    'form-encoded': same(encodeURIComponent(secret).replace(/%20/g, '+')),
    // As a form body is written by URLSearchParams, which also escapes !'()~.
    'URLSearchParams-encoded': same(new URLSearchParams({ v: secret }).toString().slice(2)),
    'JSON-escaped': same(json),
    // As JSON writers that escape "/" (PHP's json_encode, some Java ones) write it.
    'JSON-escaped with "\\/"': same(json.replace(/\//g, '\\/')),
    base64: same(b64),
    'base64 without padding': same(b64.replace(/=+$/, '')),
    base64url: same(url),
    'base64url with padding': same(url.padEnd(Math.ceil(url.length / 4) * 4, '=')),
    'base64 inside a blob, offset 1': blob(secret, 'x'),
    'base64 inside a blob, offset 2': blob(secret, 'xy'),
  };
  return ENCODINGS.map((encoding) => ({ encoding, ...forms[encoding] }));
}

/** Every form of every secret, for a hostile server to quote. */
export function plantAll(secrets: Readonly<Record<string, string>>): string {
  return Object.values(secrets)
    .flatMap((secret) => formsOf(secret).map((form) => form.planted))
    .join(' | ');
}

/** "<secret> <encoding> in <where>" for every form found in a text. */
export function leaksIn(
  texts: ReadonlyArray<{ where: string; text: string }>,
  secrets: Readonly<Record<string, string>>,
  only?: (where: string, encoding: Encoding, what: string) => boolean,
): string[] {
  const leaks: string[] = [];
  for (const { where, text } of texts) {
    for (const [what, secret] of Object.entries(secrets)) {
      for (const form of formsOf(secret)) {
        if (only && !only(where, form.encoding, what)) continue;
        if (text.includes(form.sought)) leaks.push(`${what} ${form.encoding} in ${where}`);
      }
    }
  }
  return leaks;
}
