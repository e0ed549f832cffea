// Property-based fuzzing of the pure decision code with hostile input: arbitrary
// statuses, headers and bodies (prototype-pollution keys, huge numbers, nested junk).
// The functions must never throw, must be deterministic, must stay inside their
// documented outcomes, and must never put a planted token into a message.
//
// Seeded, so that a run that passes passes again and one that fails can be replayed: every
// property runs from FUZZ_SEED when it is set (a 32-bit integer), else from DEFAULT_SEED, and
// the file prints the seed it used. Other seeds, locally: FUZZ_SEED=<n> npx jest test/reliability/fuzz
// (a failure prints fast-check's own seed and path as well).
import fc from 'fast-check';
import zapier, { type Bundle, type HttpResponse, type ZObject } from 'zapier-platform-core';
import {
  type ResponseLike,
  type Signal,
  type SignalKind,
  expiresAtFrom,
  MAX_SANE_EXPIRES_IN,
  type TokenContext,
  SIGNAL_KINDS,
  TOKEN_PROBLEMS,
  type TokenProblem,
} from 'zapier-oauth-layer/internal';
import { practice } from '../../practice/layer';

const DEFAULT_SEED = 20261125;

/** FUZZ_SEED when it is a 32-bit integer (fast-check's seed), else DEFAULT_SEED; anything else set is refused. */
function fuzzSeed(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_SEED;
  const seed = Number(raw);
  if (!/^\s*-?\d+\s*$/.test(raw) || seed < -(2 ** 31) || seed >= 2 ** 32) {
    throw new Error(`FUZZ_SEED must be a 32-bit integer, not ${JSON.stringify(raw)}`);
  }
  return seed;
}

const SEED = fuzzSeed(process.env.FUZZ_SEED);
const RUNS = { numRuns: 400, seed: SEED };

// Printed once per run, in CI too (npx zapier-platform test runs npm test): the seed replays it.
console.log(`fuzz seed ${SEED}: replay with FUZZ_SEED=${SEED} npx jest test/reliability/fuzz`);
const BASE_URL = 'https://api.practice.example';

const KINDS: readonly SignalKind[] = SIGNAL_KINDS;

const PROBLEMS: readonly TokenProblem[] = TOKEN_PROBLEMS;

// ---- generators -----------------------------------------------------------------

/** Keys the code looks for, keys that poison naive object handling, and anything else. */
const key = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'valueOf',
    'hasOwnProperty',
    'ok',
    'error',
    'code',
    'message',
    'details',
    'fields',
    'required_scope',
    'granted_scope',
    'existing_id',
    'retry_after',
    'data',
    'next_cursor',
    'access_token',
    'refresh_token',
    'expires_in',
    'token_type',
    'scope',
    'error_description',
  ),
  fc.string({ maxLength: 12 }),
);

/** Names a plain object inherits: a table lookup by server text must not find them. */
const PROTOTYPE_NAMES = [...Object.getOwnPropertyNames(Object.prototype), '__proto__'];

const CODES = [
  ...PROTOTYPE_NAMES,
  'token_expired',
  'invalid_token',
  'insufficient_scope',
  'forbidden',
  'rate_limited',
  'validation_failed',
  'conflict',
  'not_found',
  'invalid_request',
  'internal',
  'unavailable',
  'invalid_grant',
  'invalid_client',
  'invalid_scope',
  'unsupported_grant_type',
  'unauthorized_client',
];

const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 3600, 1e21, -1e21, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, 2 ** 53 + 1),
);

/** Whatever JSON.parse can produce, with the keys above weighted in. */
const json: fc.Arbitrary<unknown> = fc
  .letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      number,
      fc.string({ maxLength: 30 }),
      fc.constantFrom(...CODES),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 6 }),
    ),
  }))
  .value.map((v) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown);

/** querystring.parse's shape: a null-prototype object of strings and string arrays (core's form bodies). */
const formBody = fc
  .dictionary(
    key,
    fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 })),
  )
  .map((d) => Object.assign(Object.create(null) as object, d));

/** A Practice-shaped error envelope with junk in every slot. */
const envelope = fc
  .record({
    ok: fc.oneof(fc.constant(false), fc.constant(true), json),
    code: fc.oneof(fc.constantFrom(...CODES), json),
    message: json,
    details: fc.oneof(
      json,
      fc.record({
        fields: fc.oneof(json, fc.dictionary(key, fc.oneof(fc.string(), fc.array(json, { maxLength: 3 })))),
        required_scope: json,
        granted_scope: json,
        existing_id: json,
        retry_after: json,
      }),
    ),
  })
  .map(({ ok, ...error }) => JSON.parse(JSON.stringify({ ok, error })) as unknown);

const body = fc.oneof(json, envelope, formBody, fc.constant(undefined));

const status = fc.oneof(
  fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504),
  fc.integer({ min: -1000, max: 1000 }),
);

const headerValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    'Bearer error="invalid_token", error_description="The access token expired"',
    'Bearer error="insufficient_scope", scope="tasks:write"',
    'Bearer error="insufficient_scope", scope=',
    'Bearer realm="x", error="\\"weird\\""',
    'Basic realm="x", Bearer error=invalid_token',
    'Bearer error="constructor"',
    '0',
    '120',
    '99999999999999999999',
    '-5',
    'Wed, 21 Oct 2015 07:28:00 GMT',
    'Fri, 31 Dec 9999 23:59:59 GMT',
  ),
);

const response = fc.record({
  status,
  body,
  content: fc.oneof(fc.string({ maxLength: 60 }), fc.constant(''), fc.constant('<html>')),
  wwwAuthenticate: headerValue,
  retryAfter: headerValue,
});

type FuzzResponse = typeof response extends fc.Arbitrary<infer T> ? T : never;

function responseLike(r: FuzzResponse): ResponseLike {
  return {
    status: r.status,
    body: r.body,
    content: r.body === undefined ? r.content : (JSON.stringify(r.body) ?? ''),
    header: (name) => {
      const value = name.toLowerCase() === 'www-authenticate' ? r.wwwAuthenticate : r.retryAfter;
      return typeof value === 'string' ? value : value === null ? null : undefined;
    },
  };
}

/**
 * The part of a token after its pat_/prt_ prefix, as Practice issues it: base64url characters
 * (the sandbox's are 43 of them, from 32 random bytes), a letter somewhere among them. The
 * redaction rule for tokens nobody listed takes a letter after the prefix to tell a token from
 * a number ("1000.20240101" after Zoho's numeric prefix "1000."), and a real token always has
 * one: 43 random base64url characters without a letter come once in 10^31. The generator used
 * to make letter-less tails such as "prt__-_-_--_0_-_" (seed -1246057334), which are not tokens
 * by that rule; a known token is removed whatever its shape (below).
 */
const tokenChars = fc.stringMatching(/^[A-Za-z0-9_-]{12,43}$/).filter((tail) => /[A-Za-z]/.test(tail));
const planted = fc.record({
  accessToken: tokenChars.map((t) => `pat_${t}`),
  refreshToken: tokenChars.map((t) => `prt_${t}`),
  secret: fc.stringMatching(/^[A-Za-z0-9]{16,40}$/),
  // What a server might put before an echoed token (see the known defect on glued tokens).
  before: fc.constantFrom(' ', '"', "'", '=', ':', '(', 'token ', 'Bearer ', '\n', '{"t":"'),
  after: fc.constantFrom('', ' ', '"', '.', ',', ')', '\n', '"}'),
});

type Planted = typeof planted extends fc.Arbitrary<infer T> ? T : never;

/** Puts all three planted values into every string of `value`, at its end. */
function plant(value: unknown, p: Planted): unknown {
  const echo = (s: string) =>
    `${s}${p.before}${p.accessToken}${p.after} ${p.before}${p.refreshToken}${p.after} ${p.secret}`;
  if (typeof value === 'string') return echo(value);
  if (Array.isArray(value)) return value.map((v) => plant(v, p));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: plant(v, p), enumerable: true });
    }
    return out;
  }
  return value;
}

function leaks(text: string, p: Planted): string[] {
  return [p.accessToken, p.refreshToken, p.secret].filter((s) => text.includes(s));
}

// ---- practice.classify -----------------------------------------------------------

describe('practice.classify under fuzzing', () => {
  const NOW = Date.UTC(2025, 0, 1);

  it('never throws, is deterministic and returns a documented kind with sane fields', () => {
    fc.assert(
      fc.property(response, (r) => {
        const first = practice.classify(responseLike(r), NOW);
        const second = practice.classify(responseLike(r), NOW);
        expect(second).toEqual(first);
        expect(KINDS).toContain(first.kind);
        expect(first.status).toBe(r.status);
        expect(typeof first.source).toBe('string');
        if (first.retryAfter !== null) {
          expect(Number.isInteger(first.retryAfter)).toBe(true);
          expect(first.retryAfter).toBeGreaterThanOrEqual(0);
          expect(first.retryAfter).toBeLessThanOrEqual(86400);
        }
        for (const value of Object.values(first.fields)) expect(typeof value).toBe('string');
        for (const text of [
          first.code,
          first.apiMessage,
          first.requiredScope,
          first.grantedScope,
          first.existingId,
        ]) {
          expect(text === null || typeof text === 'string').toBe(true);
        }
      }),
      RUNS,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never calls a success anything but a 2xx whose body is JSON (or empty) and not ok:false', () => {
    fc.assert(
      fc.property(response, (r) => {
        const like = responseLike(r);
        const signal = practice.classify(like, NOW);
        if (signal.kind !== 'ok') return;
        expect(r.status).toBeGreaterThanOrEqual(200);
        expect(r.status).toBeLessThan(300);
        const legacyFailure =
          typeof r.body === 'object' && r.body !== null && (r.body as Record<string, unknown>).ok === false;
        expect(legacyFailure).toBe(false);
      }),
      RUNS,
    );
  });

  it('builds messages that never contain a planted token or secret', () => {
    fc.assert(
      fc.property(response, planted, (r, p) => {
        const hostile = { ...r, body: plant(r.body, p), wwwAuthenticate: plant(r.wwwAuthenticate, p) };
        const signal = practice.classify(responseLike(hostile as FuzzResponse), NOW);
        // Only the two tokens are known secrets here; the shapeless secret is too.
        const message = practice.messageFor(signal, [p.accessToken, p.refreshToken, p.secret]);
        expect(leaks(message, p)).toEqual([]);
        // Tokens shaped pat_/prt_ are redacted even when nobody said they were secrets.
        const unlisted = practice.messageFor(signal, [p.secret]);
        expect(leaks(unlisted, p)).toEqual([]);
      }),
      RUNS,
    );
  });

  // Codes that name Object.prototype members once found inherited functions in the tables.
  it.each([
    [403, { error: { code: 'constructor' } }, undefined],
    [200, { ok: false, error: { code: 'toString' } }, undefined],
    [403, undefined, 'Bearer error="hasOwnProperty"'],
  ])('classifies HTTP %i %j %s as a documented kind', (s, b, www) => {
    const signal = practice.classify(
      {
        status: s,
        body: b,
        content: b ? JSON.stringify(b) : '',
        header: (n) => (n === 'www-authenticate' ? www : undefined),
      },
      NOW,
    );
    expect(KINDS).toContain(signal.kind);
  });

  // What the generator no longer plants unlisted: a token whose tail has no letter is not a
  // token by shape, so it must go as the known secret it is whenever the run knows it.
  it('removes a letter-less token the run knows (the seed -1246057334 counterexample)', () => {
    const token = 'prt__-_-_--_0_-_';
    const signal = practice.classify(
      {
        status: 400,
        body: { error: { code: 'invalid_request', message: `refresh token ${token} was refused` } },
        content: '{}',
        header: () => undefined,
      },
      NOW,
    );
    expect(practice.messageFor(signal, [token])).not.toContain(token);
    expect(practice.messageFor(signal, [token])).toContain('[redacted]');
  });

  // The token shapes once required a word boundary, missing tokens glued to a word.
  it('redacts an unlisted pat_ token glued to a word', () => {
    const signal = practice.classify(
      {
        status: 403,
        body: { error: { code: 'forbidden', message: 'token expiredpat_abcdefghijklmnop' } },
        content: '{}',
        header: () => undefined,
      },
      NOW,
    );
    expect(practice.messageFor(signal, [])).not.toContain('pat_abcdefghijklmnop');
  });
});

// ---- tokens.ts ------------------------------------------------------------------

const MIN_NOW = 1_000_000_000;
const MAX_NOW = 4_000_000_000;

describe('expiresAtFrom under fuzzing', () => {
  const expiresIn = fc.oneof(
    number,
    fc.string({ maxLength: 20 }),
    fc.stringMatching(/^\s*\d{1,15}(\.\d{0,4})?\s*$/),
    json,
    fc.constantFrom('3600', ' 3600 ', '0', '-1', '1e3', '0x10', '3600.9', 'Infinity', 'NaN', '', '31536001'),
  );

  it('returns 0 or a whole second between now+1 and now+365 days, for any now', () => {
    fc.assert(
      fc.property(expiresIn, fc.integer({ min: MIN_NOW, max: MAX_NOW }), (value, now) => {
        const at = expiresAtFrom(value, now);
        expect(at).toBe(expiresAtFrom(value, now));
        if (at === 0) return;
        expect(Number.isInteger(at)).toBe(true);
        expect(at).toBeGreaterThanOrEqual(now + 1);
        expect(at).toBeLessThanOrEqual(now + MAX_SANE_EXPIRES_IN);
      }),
      RUNS,
    );
  });

  it('never throws, whatever the clock says', () => {
    fc.assert(
      fc.property(expiresIn, number, (value, now) => {
        const at = expiresAtFrom(value, now);
        expect(at === 0 || Number.isInteger(at)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('practice.normaliseTokenResponse under fuzzing', () => {
  const tokenBody = fc.oneof(
    body,
    fc
      .record(
        {
          access_token: fc.oneof(
            tokenChars.map((t) => `pat_${t}`),
            json,
          ),
          refresh_token: fc.oneof(
            tokenChars.map((t) => `prt_${t}`),
            json,
          ),
          token_type: fc.oneof(fc.constantFrom('Bearer', 'bearer', 'mac', 'BEARER'), json),
          expires_in: fc.oneof(number, fc.string({ maxLength: 12 }), json),
          scope: json,
          error: fc.oneof(fc.constantFrom(...CODES), json),
          error_description: json,
        },
        { requiredKeys: [] },
      )
      .map((b) => JSON.parse(JSON.stringify(b)) as unknown),
  );
  const ctx = fc.record({
    grant: fc.constantFrom('authorization_code' as const, 'refresh_token' as const),
    previousRefreshToken: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    previousScope: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    nowSeconds: fc.integer({ min: MIN_NOW, max: MAX_NOW }),
  });

  // String() on such JSON once threw "Cannot convert object to primitive value".
  it.each([
    [401, { error: 'invalid_client', error_description: { toString: null } }],
    [
      200,
      { access_token: 'pat_abcdefghijkl', refresh_token: 'prt_abcdefghijkl', token_type: { toString: 1 } },
    ],
  ])('never throws on JSON that cannot be printed (HTTP %i %j)', (s, b) => {
    const body = JSON.parse(JSON.stringify(b)) as unknown;
    expect(() =>
      practice.normaliseTokenResponse(
        { status: s, body },
        { grant: 'refresh_token', nowSeconds: MIN_NOW, secrets: [] },
      ),
    ).not.toThrow();
  });

  it('never throws, is deterministic, and stores nothing undefined', () => {
    fc.assert(
      fc.property(status, tokenBody, ctx, (s, b, c) => {
        const context: TokenContext = { ...c, secrets: [] };
        const outcome = practice.normaliseTokenResponse({ status: s, body: b }, context);
        expect(practice.normaliseTokenResponse({ status: s, body: b }, context)).toEqual(outcome);
        if (outcome.ok) {
          const { access_token, refresh_token, expires_at, scope } = outcome.authData;
          expect(typeof access_token).toBe('string');
          expect(access_token.trim()).not.toBe('');
          expect(typeof refresh_token).toBe('string');
          expect(refresh_token.trim()).not.toBe('');
          expect(typeof scope).toBe('string');
          expect(expires_at === 0 || (expires_at > c.nowSeconds && Number.isInteger(expires_at))).toBe(true);
          expect(s >= 200 && s < 400 && s !== 401).toBe(true);
        } else {
          expect(PROBLEMS).toContain(outcome.problem);
          expect(outcome.status).toBe(s);
          expect(outcome.message.length).toBeGreaterThan(0);
          expect(outcome.message).not.toMatch(/\bundefined\b/);
        }
      }),
      RUNS,
    );
  });

  it.each([
    [401, { error: 'invalid_client', error_description: { text: 'bad client' } }],
    [
      200,
      { access_token: 'pat_abcdefghijkl', refresh_token: 'prt_abcdefghijkl', token_type: { kind: 'mac' } },
    ],
  ])('never prints [object Object] (HTTP %i %j)', (s, b) => {
    const outcome = practice.normaliseTokenResponse(
      { status: s, body: b },
      { grant: 'refresh_token', nowSeconds: MIN_NOW, secrets: [] },
    );
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).not.toMatch(/\[object Object\]/);
  });

  it('never puts a planted token or secret into its message', () => {
    fc.assert(
      fc.property(status, tokenBody, ctx, planted, (s, b, c, p) => {
        const outcome = practice.normaliseTokenResponse(
          { status: s, body: plant(b, p) },
          { ...c, previousRefreshToken: p.refreshToken, secrets: [p.accessToken, p.refreshToken, p.secret] },
        );
        if (!outcome.ok) expect(leaks(outcome.message, p)).toEqual([]);
      }),
      RUNS,
    );
  });
});

// ---- the afterResponse middleware -----------------------------------------------

describe('practice.middleware.named.throwForSignals under fuzzing', () => {
  const z = { errors: zapier.errors } as unknown as ZObject;
  const ZAPIER_ERRORS = ['RefreshAuthError', 'ThrottledError', 'AppError'];

  function httpResponse(r: FuzzResponse, url: string): HttpResponse {
    const like = responseLike(r);
    return {
      status: r.status,
      data: r.body,
      content: like.content,
      getHeader: (name: string) => like.header(name) ?? undefined,
      request: { url },
    } as unknown as HttpResponse;
  }

  function expectedName(signal: Signal): string | null {
    if (signal.kind === 'ok') return null;
    if (signal.kind === 'refresh') return 'RefreshAuthError';
    if (signal.kind === 'throttled') return 'ThrottledError';
    if (signal.kind === 'unavailable' && signal.retryAfter !== null) return 'ThrottledError';
    return 'AppError';
  }

  beforeAll(() => {
    process.env.BASE_URL = BASE_URL;
  });
  afterAll(() => {
    delete process.env.CLIENT_SECRET;
  });

  it('returns the response or throws only the Zapier error its signal calls for', () => {
    fc.assert(
      fc.property(response, planted, (r, p) => {
        const hostile = { ...r, body: plant(r.body, p) } as FuzzResponse;
        // The shapeless secret plays the client secret, which the middleware redacts too.
        process.env.CLIENT_SECRET = p.secret;
        const bundle = {
          authData: { access_token: p.accessToken, refresh_token: p.refreshToken },
        } as unknown as Bundle;
        const res = httpResponse(hostile, `${BASE_URL}/api/v1/clients`);
        const wanted = expectedName(practice.classify(responseLike(hostile)));
        let thrown: unknown;
        try {
          expect(practice.middleware.named.throwForSignals(res, z, bundle)).toBe(res);
        } catch (error) {
          thrown = error;
        }
        if (wanted === null) {
          expect(thrown).toBeUndefined();
          return;
        }
        expect(thrown).toBeInstanceOf(Error);
        const error = thrown as Error;
        expect(ZAPIER_ERRORS).toContain(error.name);
        expect(error.name).toBe(wanted);
        expect(leaks(error.message, p)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('leaves answers from other hosts and from the token endpoint alone', () => {
    fc.assert(
      fc.property(
        response,
        fc.constantFrom('https://elsewhere.example/api/v1/clients', `${BASE_URL}/oauth/token`),
        (r, url) => {
          const res = httpResponse(r, url);
          expect(
            practice.middleware.named.throwForSignals(res, z, { authData: {} } as unknown as Bundle),
          ).toBe(res);
        },
      ),
      RUNS,
    );
  });
});
