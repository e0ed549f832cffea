// The layer holds no fact about Practice: every one lives in practice/profile.ts. Checked two
// ways over every file of layer/, comments included (a comment that names Practice's quirk
// is a fact the next reader will take as the layer's):
//   - no value or table key of the Practice profile appears there, unless it is a word of
//     OAuth 2.0 or HTTP that every API shares (the list below says why each is shared);
//   - none of the names that only Practice uses appears there.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { practiceProfile } from '../../practice/profile';

const LAYER = path.resolve(__dirname, '..', '..', 'packages', 'zapier-oauth-layer', 'src');

/** Words of RFC 6749/6750, HTTP or the profile schema itself, shared by every API. */
const SHARED = new Set([
  'bearer', // RFC 6750 token_type
  'basic', // RFC 6749 §2.3.1 client authentication
  'error', // RFC 6749 §5.2 field
  'error_description',
  'expires_in', // RFC 6749 §5.1
  'invalid_token', // RFC 6750 §3.1
  'invalid_request', // RFC 6749 §5.2 and RFC 6750 §3.1
  'insufficient_scope', // RFC 6750 §3.1
  'rate_limited', // the layer's own name for a throttled token endpoint (TokenProblem)
  'internal', // an English word of messages ("internal error")
  'seconds', // lifetime unit
  'strict', // rotation kind
  'always', // refreshTokenInRefresh
  'required', // pkce
  'conflict', // signal kind
  'forbidden', // signal kind
  'not_found', // signal kind
  'unavailable', // signal kind
  'refresh',
  'scope',
  'throttled',
  'validation',
  'bad_request',
  'server',
  '/oauth/token', // RFC 6749's example path, not a fact the layer uses
  'ok', // the envelope's path here, a common word
  'error.code', // a body path example in the schema's documentation
  'error.message',
]);

/** Names only Practice uses: its name, quirks, variables, hosts, paths and token shapes. */
const PRACTICE_ONLY = [
  /practice/i,
  /\bK[1-8]\b/,
  /\bpat_|\bprt_/,
  /\bBASE_URL\b/,
  /\bCLIENT_(?:ID|SECRET)\b/,
  /\/api\/v1/,
  /member role/i,
  /\bfirm\b/i,
];

/** The profile's tables, whose keys are facts too (the schema's own field names are not). */
const TABLES = new Set(['signals.codes', 'signals.statuses', 'authorization.scopeLabels', 'token.codes']);

function strings(value: unknown, out: Set<string>, at = ''): Set<string> {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out, at);
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      if (TABLES.has(at)) out.add(key);
      strings(item, out, at ? `${at}.${key}` : key);
    }
  return out;
}

const layerFiles = readdirSync(LAYER)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ name, text: readFileSync(path.join(LAYER, name), 'utf8') }));

describe('the layer holds no Practice-specific fact', () => {
  it('reads the whole layer', () => {
    expect(layerFiles.length).toBeGreaterThanOrEqual(15);
  });

  const facts = [...strings(practiceProfile, new Set<string>())].filter(
    // Sentences are checked by their words' absence below; a whole sentence is a fact too.
    (fact) => fact.length >= 4 && !SHARED.has(fact) && !SHARED.has(fact.toLowerCase()),
  );

  it.each(layerFiles.map((f) => [f.name, f.text]))(
    '%s names no value of the Practice profile',
    (_name, text) => {
      const found = facts.filter((fact) => (text as string).includes(fact));
      expect(found).toEqual([]);
    },
  );

  it.each(layerFiles.map((f) => [f.name, f.text]))('%s names nothing only Practice uses', (_name, text) => {
    const found = PRACTICE_ONLY.filter((pattern) => pattern.test(text as string)).map(String);
    expect(found).toEqual([]);
  });
});
