// --discover's pure parts, without a server: which metadata endpoints it may use, and the draft
// made from observations written by hand.
import { classifyWith, draft } from 'zapier-oauth-layer/doctor';
import { metadataEndpoint } from 'zapier-oauth-layer/doctor';
import { planOf, type Observations } from 'zapier-oauth-layer/doctor';
import { writtenAs } from 'zapier-oauth-layer/doctor';
import { fieldsOf, literal, renderDraft, toObject, type Branch } from 'zapier-oauth-layer/doctor';
import type { Answer } from 'zapier-oauth-layer/doctor';

describe('a metadata endpoint', () => {
  const test = new URL('https://api.acme.example/v2/me');
  const at = (field: string, metadata: Record<string, unknown>) => {
    const found = metadataEndpoint(metadata, field, test);
    return found && 'url' in found ? found.url.toString() : found ? 'refused' : null;
  };

  it('is used on the test URL’s origin, whatever the issuer says', () => {
    expect(at('token_endpoint', { token_endpoint: 'https://api.acme.example/oauth/token' })).toBe(
      'https://api.acme.example/oauth/token',
    );
  });

  it('is used on the origin of an https issuer, over https', () => {
    const metadata = {
      issuer: 'https://login.acme.example',
      token_endpoint: 'https://login.acme.example/token',
    };
    expect(at('token_endpoint', metadata)).toBe('https://login.acme.example/token');
  });

  it.each([
    ['another host, no issuer', { token_endpoint: 'https://collector.example/token' }],
    [
      'another host than the issuer',
      { issuer: 'https://login.acme.example', token_endpoint: 'https://collector.example/token' },
    ],
    [
      'an http issuer',
      { issuer: 'http://login.acme.example', token_endpoint: 'http://login.acme.example/token' },
    ],
    [
      'plain http on localhost',
      { issuer: 'http://localhost:9200', token_endpoint: 'http://localhost:9200/token' },
    ],
    [
      'the issuer’s host over http',
      { issuer: 'https://login.acme.example', token_endpoint: 'http://login.acme.example/token' },
    ],
    ['credentials in the URL', { token_endpoint: 'https://u:p@api.acme.example/token' }],
  ])('is refused on %s', (_, metadata) => {
    expect(at('token_endpoint', metadata)).toBe('refused');
  });

  it('is nothing when the metadata names none', () => {
    expect(at('revocation_endpoint', { token_endpoint: 'https://api.acme.example/t' })).toBeNull();
  });

  it('is not used over https when the test URL itself is plain http', () => {
    const local = new URL('http://127.0.0.1:4010/v2/me');
    const metadata = {
      issuer: 'https://login.acme.example',
      token_endpoint: 'https://login.acme.example/token',
    };
    expect(metadataEndpoint(metadata, 'token_endpoint', local)).toEqual({ refused: expect.any(String) });
  });
});

/** An answer as observe keeps it. */
function answer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    status,
    body,
    content: JSON.stringify(body),
    header: (name) => lower[name.toLowerCase()] ?? null,
    headerNames: Object.keys(lower),
    receivedAtMs: Date.now(),
  };
}

const NOW = Math.floor(Date.now() / 1000);

/** What observe would have seen of an API, written by hand. */
function observations(seen: Partial<Observations>, authData: Record<string, string> = {}): Observations {
  const plan = planOf({
    testUrl: 'https://api.acme.example/v2/me',
    tokenUrl: '/oauth/token',
    authScheme: 'Bearer',
    clientAuth: null,
    clientId: 'acme-client',
    clientSecret: 'acme-secret-value',
    authData: {
      access_token: 'acme_access_0123456789',
      refresh_token: 'acme_refresh_0123456789',
      ...authData,
    },
    refresh: false,
    probeReuse: false,
    id: 'acme',
    name: 'Acme',
  });
  return {
    plan,
    metadata: null,
    tokenUrl: plan.tokenUrlGiven,
    credentials: [],
    success: null,
    ownRefused: null,
    invalid: null,
    tokenProbe: null,
    client: null,
    clientRefusals: [],
    refreshed: null,
    reuse: null,
    requests: [],
    notes: [],
    secrets: ['acme_access_0123456789', 'acme_refresh_0123456789', 'acme-secret-value'],
    prefixes: ['acme_'],
    nowSeconds: NOW,
    ...seen,
  };
}

const field = (profile: Branch, at: string) => fieldsOf(profile).filter((f) => f.path === at);
const invalid = answer(401, { error: { code: 'invalid_token', message: 'The token is not valid.' } });

describe('draft(observations), without a server', () => {
  it('marks what a throttled answer carries UNOBSERVED when the headers came on a normal one', () => {
    const seen = observations({
      success: answer(200, { items: [] }, { 'X-RateLimit-Remaining': '59', 'X-RateLimit-Reset': '30' }),
      invalid,
    });
    const { profile } = draft(seen);
    expect(field(profile, 'signals.rateLimitHeaders.remainingHeader')[0]?.status).toBe('observed');
    for (const at of ['statuses', 'resetHeader', 'resetUnit'])
      expect(field(profile, `signals.rateLimitHeaders.${at}`)[0]?.status).toBe('unobserved');
    expect(toObject(profile)).toMatchObject({
      signals: {
        rateLimitHeaders: { remainingHeader: 'x-ratelimit-remaining', resetHeader: 'x-ratelimit-reset' },
      },
    });
  });

  it('observes them on an answer that was throttled', () => {
    const reset = String(NOW + 60);
    const seen = observations({
      success: answer(
        403,
        { message: 'slow down' },
        { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset },
      ),
      invalid,
    });
    const { profile } = draft(seen);
    for (const at of ['statuses', 'remainingHeader', 'resetHeader', 'resetUnit'])
      expect([at, field(profile, `signals.rateLimitHeaders.${at}`)[0]?.status]).toEqual([at, 'observed']);
    expect(toObject(profile)).toMatchObject({
      signals: { rateLimitHeaders: { resetUnit: 'epoch-seconds' } },
    });
  });

  it('lists an expired token’s code the layer would not refresh on, when the connection’s token had expired', () => {
    const expired = answer(403, { error: { code: 'token_expired', message: 'The token expired.' } });
    const seen = observations({ ownRefused: expired, invalid }, { expires_at: String(NOW - 120) });
    const { profile } = draft(seen);
    expect(toObject(profile)).toMatchObject({ signals: { codes: { token_expired: 'refresh' } } });
    expect(field(profile, 'signals.codes').map((f) => f.how)).not.toContainEqual(
      expect.stringMatching(/expired token/),
    );
    expect(classifyWith(profile, expired)).toBe('refresh');
  });

  it('marks the expired-token answer UNOBSERVED when the connection’s token was valid', () => {
    const seen = observations({ success: answer(200, {}), invalid }, { expires_at: String(NOW + 3600) });
    const marks = field(draft(seen).profile, 'signals.codes').map((f) => f.how);
    expect(marks).toEqual([expect.stringMatching(/^how Acme answers an expired token/), expect.any(String)]);
  });

  it('does not take a refusal of a token that is not expired for expiry', () => {
    const refused = answer(403, { error: { code: 'insufficient_scope', message: 'Missing scope.' } });
    const seen = observations({ ownRefused: refused, invalid }, { expires_at: String(NOW + 3600) });
    const { profile } = draft(seen);
    expect(toObject(profile)).toMatchObject({ signals: { codes: {} } });
    expect(field(profile, 'signals.codes')[0]?.how).toMatch(
      /refused \(HTTP 403\) while nothing says it expired/,
    );
  });
});

describe('the text of a draft', () => {
  const { profile } = draft(observations({ success: answer(200, {}), invalid }));
  const text = renderDraft({
    header: ['A draft.'],
    layerImport: '../layer',
    exportName: 'acmeProfile',
    profile,
  });

  it('holds the draft, literals only', () => {
    expect(writtenAs(text, profile)).toBe(true);
  });

  it.each([
    ['a call among the values', text.replace('"error.code"', '"error.code".concat(globalThis.x = "")')],
    ['a value that is not the draft', text.replace('"Acme"', '"Acme2"')],
    ['a statement more', `${text}\nglobalThis.x = 1;\n`],
    ['a spread', text.replace('defineProfile({', 'defineProfile({ ...globalThis.x,')],
  ])('is refused with %s', (_, changed) => {
    expect(changed).not.toBe(text);
    expect(writtenAs(changed, profile)).toBe(false);
  });

  it('escapes U+2028 and U+2029, which JSON leaves raw', () => {
    expect(literal('a\u2028b\u2029c')).toBe('"a\\u2028b\\u2029c"');
    expect(JSON.parse(literal('a\u2028b'))).toBe('a\u2028b');
  });
});
