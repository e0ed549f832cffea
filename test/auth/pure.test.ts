// Direct unit tests of the pure functions behind the middleware and the token exchange.
import {
  parseBearerChallenge,
  parseRetryAfter,
  type ResponseLike,
  REDACTED,
  redact,
  serverText,
  expiresAtFrom,
  lifetimeOf,
  MAX_SANE_EXPIRES_IN,
  type Profile,
  type TokenContext,
} from 'zapier-oauth-layer/internal';
import { practice } from '../../practice/layer';
const PREFIXES = practice.profile.tokenPrefixes;

const NOW_MS = Date.parse('2026-03-01T12:00:00Z');
const NOW = NOW_MS / 1000;

function response(
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
  content = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
): ResponseLike {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    status,
    header: (name) => lower[name.toLowerCase()],
    body: typeof body === 'string' ? undefined : body,
    content,
  };
}

const apiError = (code: string, message = 'm', details: Record<string, unknown> = {}) => ({
  error: { code, message, details },
});
const legacy = (code: string, details: Record<string, unknown> = {}) => ({
  ok: false,
  ...apiError(code, 'm', details),
});

describe('practice.classify', () => {
  it.each([
    ['200 with a JSON body', response(200, { data: [] }), 'ok'],
    ['201 with a JSON body', response(201, { id: 'cli_1' }), 'ok'],
    ['204 with no body', response(204), 'ok'],
    ['200 ok:true', response(200, { ok: true, data: [] }), 'ok'],
    ['200 with HTML', response(200, '<html>login</html>'), 'bad_response'],
    ['401 without a body', response(401), 'refresh'],
    ['401 invalid_token', response(401, apiError('invalid_token')), 'refresh'],
    ['401 with any other code', response(401, apiError('forbidden')), 'refresh'],
    ['403 token_expired (K1)', response(403, apiError('token_expired')), 'refresh'],
    [
      '403 header-only invalid_token (K1)',
      response(403, undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }),
      'refresh',
    ],
    ['403 insufficient_scope (K4)', response(403, apiError('insufficient_scope')), 'scope'],
    [
      '403 header-only insufficient_scope',
      response(403, undefined, {
        'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="tasks:write"',
      }),
      'scope',
    ],
    ['403 forbidden (K5)', response(403, apiError('forbidden')), 'forbidden'],
    ['403 with no body and no challenge', response(403), 'forbidden'],
    [
      '403 forbidden even if a challenge says invalid_token (the body wins)',
      response(403, apiError('forbidden'), { 'WWW-Authenticate': 'Bearer error="invalid_token"' }),
      'forbidden',
    ],
    ['403 rate_limited (K3)', response(403, apiError('rate_limited')), 'throttled'],
    ['429', response(429), 'throttled'],
    ['200 ok:false token_expired (K2)', response(200, legacy('token_expired')), 'refresh'],
    ['200 ok:false invalid_token (K2)', response(200, legacy('invalid_token')), 'refresh'],
    ['200 ok:false insufficient_scope', response(200, legacy('insufficient_scope')), 'scope'],
    ['200 ok:false forbidden', response(200, legacy('forbidden')), 'forbidden'],
    ['200 ok:false rate_limited', response(200, legacy('rate_limited')), 'throttled'],
    ['200 ok:false validation_failed', response(200, legacy('validation_failed')), 'validation'],
    ['200 ok:false not_found', response(200, legacy('not_found')), 'not_found'],
    ['200 ok:false conflict', response(200, legacy('conflict')), 'conflict'],
    ['200 ok:false unknown code', response(200, legacy('mystery')), 'error'],
    ['200 ok:false without error', response(200, { ok: false }), 'error'],
    ['400', response(400, apiError('invalid_request')), 'bad_request'],
    ['404', response(404, apiError('not_found')), 'not_found'],
    ['409', response(409, apiError('conflict')), 'conflict'],
    ['422', response(422, apiError('validation_failed')), 'validation'],
    ['500', response(500, apiError('internal')), 'server'],
    ['502 HTML', response(502, '<html>bad gateway</html>'), 'unavailable'],
    ['503', response(503, apiError('unavailable')), 'unavailable'],
    ['504', response(504), 'unavailable'],
    ['418', response(418), 'error'],
    ['599', response(599), 'server'],
  ])('classifies %s', (_label, res, kind) => {
    expect(practice.classify(res, NOW_MS).kind).toBe(kind);
  });

  it('names the cause of a K1 403 in its source', () => {
    expect(practice.classify(response(403, apiError('token_expired')), NOW_MS).source).toBe(
      'HTTP 403 token_expired',
    );
    expect(
      practice.classify(
        response(403, undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }),
        NOW_MS,
      ).source,
    ).toBe('HTTP 403 with WWW-Authenticate error="invalid_token" and no body');
  });

  it('reads required and granted scope from details, or the required scope from the challenge', () => {
    const fromBody = practice.classify(
      response(
        403,
        apiError('insufficient_scope', 'm', { required_scope: 'tasks:write', granted_scope: 'clients:read' }),
        { 'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="projects:write"' },
      ),
      NOW_MS,
    );
    expect(fromBody).toMatchObject({ requiredScope: 'tasks:write', grantedScope: 'clients:read' });
    const fromHeader = practice.classify(
      response(403, undefined, {
        'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="tasks:write"',
      }),
      NOW_MS,
    );
    expect(fromHeader).toMatchObject({ requiredScope: 'tasks:write', grantedScope: null });
  });

  it('reads Retry-After from the header, else from details.retry_after', () => {
    expect(practice.classify(response(429, undefined, { 'Retry-After': '30' }), NOW_MS).retryAfter).toBe(30);
    expect(
      practice.classify(response(200, legacy('rate_limited', { retry_after: 8 })), NOW_MS).retryAfter,
    ).toBe(8);
    expect(
      practice.classify(
        response(200, legacy('rate_limited', { retry_after: 8 }), { 'Retry-After': '3' }),
        NOW_MS,
      ).retryAfter,
    ).toBe(3);
    expect(practice.classify(response(429), NOW_MS).retryAfter).toBeNull();
  });

  it('collects field errors from strings and lists, ignoring other shapes', () => {
    const signal = practice.classify(
      response(
        422,
        apiError('validation_failed', 'm', {
          fields: { email: 'is invalid', tags: ['too many', 42, 'too long'], phone: { nested: true } },
        }),
      ),
      NOW_MS,
    );
    expect(signal.fields).toEqual({ email: 'is invalid', tags: 'too many; too long' });
  });

  it('carries the API code, message and existing id', () => {
    const signal = practice.classify(
      response(409, apiError('conflict', 'external_id taken', { existing_id: 'cli_7' })),
      NOW_MS,
    );
    expect(signal).toMatchObject({ code: 'conflict', apiMessage: 'external_id taken', existingId: 'cli_7' });
  });

  it.each([
    ['a list body', response(403, [1, 2])],
    ['a null body', response(403, null)],
    ['an error that is a string', response(403, { error: 'nope' })],
    ['details that are a string', response(422, { error: { code: 'validation_failed', details: 'x' } })],
    ['a garbage challenge', response(403, undefined, { 'WWW-Authenticate': 'Bearer ,,,=="' })],
  ])('never throws on %s', (_label, res) => {
    expect(() => practice.classify(res, NOW_MS)).not.toThrow();
    expect(practice.classify(res, NOW_MS).kind).not.toBe('ok');
  });
});

describe('parseBearerChallenge', () => {
  it('reads error, error_description and scope from a Bearer challenge', () => {
    expect(
      parseBearerChallenge('Bearer error="invalid_token", error_description="The access token expired"'),
    ).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
    expect(parseBearerChallenge('Bearer error="insufficient_scope", scope="tasks:write"')).toEqual({
      error: 'insufficient_scope',
      scope: 'tasks:write',
    });
  });

  it('finds the Bearer challenge after another scheme', () => {
    expect(parseBearerChallenge('Basic realm="practice", Bearer error="invalid_token"')).toEqual({
      error: 'invalid_token',
    });
  });

  it("stops at the next challenge: its parameters are not the Bearer one's", () => {
    expect(parseBearerChallenge('Bearer realm="api", Basic error="y"')).toEqual({ realm: 'api' });
    expect(parseBearerChallenge('Bearer realm="api", Basic realm="x", error="y"')).toEqual({ realm: 'api' });
    expect(parseBearerChallenge('Bearer, Basic error="y"')).toEqual({});
    expect(parseBearerChallenge('Bearer realm="a, b", error="invalid_token", Newauth realm="x"')).toEqual({
      realm: 'a, b',
      error: 'invalid_token',
    });
  });

  it('accepts token values, any case of the scheme and parameter names, and escaped quotes', () => {
    expect(parseBearerChallenge('bearer Error=invalid_token, realm="a \\"b\\""')).toEqual({
      error: 'invalid_token',
      realm: 'a "b"',
    });
  });

  it('keeps the first of repeated parameters', () => {
    expect(parseBearerChallenge('Bearer error="invalid_token", error="insufficient_scope"')).toEqual({
      error: 'invalid_token',
    });
  });

  it.each([[undefined], [null], [''], ['Basic realm="x"'], ['Bearer'], ['Bearerish error="invalid_token"']])(
    'returns no parameters for %p',
    (header) => {
      expect(parseBearerChallenge(header)).toEqual({});
    },
  );
});

describe('parseRetryAfter', () => {
  it.each([
    ['"120"', '120', 120],
    ['" 7 "', ' 7 ', 7],
    ['"0"', '0', 0],
    ['120 (number)', 120, 120],
    ['1.2 (number, rounded up)', 1.2, 2],
    // Shopify's REST 429 writes "Retry-After: 2.0"; read as no delay, Zapier would retry at once.
    ['"2.0" (Shopify\'s, a decimal)', '2.0', 2],
    ['"1.5" (rounded up: never sooner than asked)', '1.5', 2],
    ['an absurd delay (capped at a day)', '99999999', 86400],
    ['an HTTP-date 30 s ahead', new Date(NOW_MS + 30_000).toUTCString(), 30],
    ['an HTTP-date in the past', 'Wed, 21 Oct 2015 07:28:00 GMT', 0],
    ['an RFC 850 date in the past', 'Sunday, 06-Nov-94 08:49:37 GMT', 0],
    ['an HTTP-date two days ahead (capped)', new Date(NOW_MS + 2 * 86400_000).toUTCString(), 86400],
  ])('reads %s', (_label, value, seconds) => {
    expect(parseRetryAfter(value, NOW_MS)).toBe(seconds);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
    ['words', 'soon'],
    ['a negative number', -3],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a negative string', '-1'],
    ['a fraction without digits before it', '.5'],
    ['two points', '1.2.3'],
    ['digits with junk', '12abc'],
    ['an object', { seconds: 5 }],
  ])('returns null for %s', (_label, value) => {
    expect(parseRetryAfter(value, NOW_MS)).toBeNull();
  });
});

describe('expiresAtFrom', () => {
  it.each([
    [3600, NOW + 3600],
    ['3600', NOW + 3600],
    [' 3600 ', NOW + 3600],
    ['3600.0', NOW + 3600],
    [3600.9, NOW + 3600],
    [1, NOW + 1],
    [MAX_SANE_EXPIRES_IN, NOW + MAX_SANE_EXPIRES_IN],
  ])('turns expires_in %p into now + seconds', (expiresIn, expected) => {
    expect(expiresAtFrom(expiresIn, NOW)).toBe(expected);
  });

  it.each([
    [undefined],
    [null],
    [0],
    [0.5],
    [-5],
    ['-5'],
    ['abc'],
    [''],
    ['1e3'],
    [1e12],
    [MAX_SANE_EXPIRES_IN + 1],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [true],
    [{}],
    [[3600]],
  ])('gives 0 (unknown) for expires_in %p', (expiresIn) => {
    expect(expiresAtFrom(expiresIn, NOW)).toBe(0);
  });

  it('gives 0 when the clock itself is not sane', () => {
    expect(expiresAtFrom(3600, Number.NaN)).toBe(0);
    expect(expiresAtFrom(3600, 0)).toBe(0);
  });
});

describe("lifetimeOf: a token answer's lifetime in each unit a profile can name", () => {
  type Lifetime = Profile['token']['lifetime'];
  const lifetime = (
    unit: Lifetime['unit'],
    field: string | null = 'expires_in',
    assumeSeconds: number | null = null,
  ): Lifetime => ({ field, unit, assumeSeconds });

  // One hour in every unit, as a number and as the string some token endpoints send.
  it.each<[Lifetime['unit'], number]>([
    ['seconds', 3600],
    ['milliseconds', 3_600_000],
    ['epoch-seconds', NOW + 3600],
    ['epoch-milliseconds', (NOW + 3600) * 1000],
  ])('reads one hour written in %s (%p) as 3600 seconds', (unit, written) => {
    expect(lifetimeOf(lifetime(unit), { expires_in: written }, NOW)).toBe(3600);
    expect(lifetimeOf(lifetime(unit), { expires_in: String(written) }, NOW)).toBe(3600);
  });

  it.each<[Lifetime['unit'], number, number]>([
    ['seconds', 3599.9, 3599],
    ['milliseconds', 1_999, 1],
    ['epoch-seconds', NOW + 59.5, 59],
    ['epoch-milliseconds', (NOW + 59) * 1000 + 999, 59],
  ])('rounds %s down to whole seconds (%p -> %p)', (unit, written, seconds) => {
    expect(lifetimeOf(lifetime(unit), { expires_in: written }, NOW)).toBe(seconds);
  });

  it.each<[Lifetime['unit'], number]>([
    ['seconds', 0],
    ['milliseconds', 999],
    ['epoch-seconds', NOW - 60],
    ['epoch-milliseconds', NOW * 1000],
    ['seconds', MAX_SANE_EXPIRES_IN + 1],
    ['milliseconds', (MAX_SANE_EXPIRES_IN + 1) * 1000],
  ])("takes the profile's assumption when %s makes no lifetime of %p", (unit, written) => {
    expect(lifetimeOf(lifetime(unit, 'expires_in', 7200), { expires_in: written }, NOW)).toBe(7200);
    expect(lifetimeOf(lifetime(unit), { expires_in: written }, NOW)).toBe(0);
  });

  it('reads the field the profile names, and only that one', () => {
    const body = { expires_in: 60, expires_on: NOW + 3600 };
    expect(lifetimeOf(lifetime('epoch-seconds', 'expires_on'), body, NOW)).toBe(3600);
    expect(lifetimeOf(lifetime('seconds', null, 1800), body, NOW)).toBe(1800);
    expect(lifetimeOf(lifetime('seconds', 'expires_at'), body, NOW)).toBe(0);
  });
});

describe('practice.normaliseTokenResponse', () => {
  const secret = 'cs_pure_secret_value';
  const ctx = (over: Partial<TokenContext> = {}): TokenContext => ({
    grant: 'refresh_token',
    previousRefreshToken: 'prt_old',
    previousScope: 'clients:read',
    nowSeconds: NOW,
    secrets: ['pat_old', 'prt_old', secret],
    ...over,
  });

  it('builds authData from a full answer', () => {
    expect(
      practice.normaliseTokenResponse(
        {
          status: 200,
          body: {
            access_token: 'pat_new',
            token_type: 'bearer',
            expires_in: '60',
            refresh_token: 'prt_new',
            scope: 'clients:read tasks:read',
          },
        },
        ctx(),
      ),
    ).toStrictEqual({
      ok: true,
      authData: {
        access_token: 'pat_new',
        refresh_token: 'prt_new',
        expires_at: NOW + 60,
        expires_in: 60,
        scope: 'clients:read tasks:read',
      },
    });
  });

  it('keeps the previous refresh token and scope when the answer omits them', () => {
    const outcome = practice.normaliseTokenResponse(
      { status: 200, body: { access_token: 'pat_new' } },
      ctx(),
    );
    expect(outcome).toStrictEqual({
      ok: true,
      authData: {
        access_token: 'pat_new',
        refresh_token: 'prt_old',
        expires_at: 0,
        expires_in: 0,
        scope: 'clients:read',
      },
    });
  });

  it.each([
    ['401 (whatever the body)', 401, undefined, 'invalid_client'],
    ['200 with error (K6)', 200, { error: 'invalid_grant' }, 'invalid_grant'],
    ['400 invalid_grant', 400, { error: 'invalid_grant' }, 'invalid_grant'],
    ['400 invalid_scope', 400, { error: 'invalid_scope' }, 'invalid_scope'],
    ['400 unauthorized_client', 400, { error: 'unauthorized_client' }, 'unauthorized_client'],
    ['400 without a body', 400, undefined, 'unknown_error'],
    ['500', 500, { error: 'server_error' }, 'server_error'],
    ['200 that is not an object', 200, undefined, 'unreadable_answer'],
    ['200 without access_token', 200, { refresh_token: 'prt_x' }, 'missing_access_token'],
    [
      '200 with a non-Bearer token type',
      200,
      { access_token: 'pat_x', token_type: 'mac' },
      'unsupported_token_type',
    ],
  ])('reports %s', (_label, status, body, problem) => {
    const outcome = practice.normaliseTokenResponse({ status, body }, ctx());
    expect(outcome).toMatchObject({ ok: false, problem, status });
  });

  it('reports a missing refresh token at code exchange, where there is no previous one', () => {
    const outcome = practice.normaliseTokenResponse(
      { status: 200, body: { access_token: 'pat_x' } },
      ctx({ grant: 'authorization_code', previousRefreshToken: undefined }),
    );
    expect(outcome).toMatchObject({ ok: false, problem: 'missing_refresh_token' });
  });

  it('redacts secrets and token-shaped text that the server echoes back', () => {
    const outcome = practice.normaliseTokenResponse(
      {
        status: 400,
        body: { error: 'invalid_grant', error_description: `prt_old and ${secret} and pat_other123` },
      },
      ctx(),
    );
    expect(outcome.ok).toBe(false);
    const message = outcome.ok ? '' : outcome.message;
    expect(message).toContain(`invalid_grant: ${REDACTED} and ${REDACTED} and ${REDACTED}`);
    expect(message).not.toContain('prt_old');
    expect(message).not.toContain(secret);
    expect(message).not.toContain('pat_other123');
  });
});

describe('redact', () => {
  it('replaces every known secret value', () => {
    expect(redact('a SECRET1 b SECRET1 c TOKEN22', ['SECRET1', 'TOKEN22'])).toBe(
      `a ${REDACTED} b ${REDACTED} c ${REDACTED}`,
    );
  });

  it('replaces a longer secret whole before a shorter one it contains', () => {
    expect(redact('x abcdefgh y', ['abcd', 'abcdefgh'])).toBe(`x ${REDACTED} y`);
  });

  it('ignores values too short to be secrets, and undefined ones', () => {
    expect(redact('a b abc', ['abc', undefined, ''])).toBe('a b abc');
  });

  it('replaces token-shaped text even when the value is not known', () => {
    expect(redact('got pat_AAA.bbb-CCC_0123456789 and prt_xyz~1abcdefghijklmn', [], PREFIXES)).toBe(
      `got ${REDACTED} and ${REDACTED}`,
    );
    expect(redact('Authorization: Bearer abc.def', [])).toBe(`Authorization: ${REDACTED}`);
    expect(redact('Authorization: Basic cHJhY3RpY2U6c2VjcmV0', [])).toBe(`Authorization: ${REDACTED}`);
  });

  it('leaves ordinary text alone', () => {
    expect(redact('Staff members cannot archive clients', ['s3cr3t-value'])).toBe(
      'Staff members cannot archive clients',
    );
  });

  it.each([
    ['Basic accounting plan', 'a plan name'],
    ['Basic plan, Bearer tokens expire.', 'scheme names used as words'],
    ['Upgrade to the Basic subscription', 'a long word after Basic'],
    ['Set compat_mode, compat_settings and pat_ on the form', 'identifiers that contain a token prefix'],
    ['Bearer authentication failed', 'a word after Bearer'],
    ['WWW-Authenticate: Bearer error="invalid_token"', 'a Bearer challenge (RFC 6750 §3)'],
    ['Bearer realm="api", error="insufficient_scope", scope="tasks:write"', 'a challenge with its realm'],
  ])('leaves honest text alone: "%s" (%s)', (text) => {
    expect(redact(text, [], PREFIXES)).toBe(text);
  });

  it('still redacts real credentials after Basic and Bearer, JWTs and base64 included', () => {
    const basic = Buffer.from('client-id:client-secret-value').toString('base64');
    expect(redact(`Authorization: Basic ${basic}`, [])).toBe(`Authorization: ${REDACTED}`);
    expect(redact('Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature', [])).toBe(REDACTED);
    expect(redact('use Bearer 0123456789abcdef.', [])).toBe(`use ${REDACTED}.`);
    // A token that ends in padding before a quote is no challenge: only an auth-param name is.
    expect(redact('"Authorization": "Bearer abcdEFGH="', [])).toBe(`"Authorization": "${REDACTED}"`);
  });

  describe('every form a known secret travels in', () => {
    // `!'()~` are escaped by URLSearchParams and not by encodeURIComponent, `/` is escaped by
    // some JSON writers, its base64 has a "/" and padding (38 bytes, "?" third of three): every
    // form below differs from the others.
    const secret = `cs? super/secret+value="42"&more (!'~)`;
    const b64 = Buffer.from(secret).toString('base64');
    const b64url = Buffer.from(secret).toString('base64url');
    const forms: Array<[string, string]> = [
      ['as is', secret],
      ['URL-encoded', encodeURIComponent(secret)],
      [
        'URL-encoded, lower-case escapes',
        encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
      ],
      ['form-encoded (Basic)', encodeURIComponent(secret).replace(/%20/g, '+')],
      ['form-encoded (URLSearchParams)', new URLSearchParams({ v: secret }).toString().slice(2)],
      ['JSON-escaped', JSON.stringify(secret).slice(1, -1)],
      ['JSON-escaped, "/" as "\\/"', JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/')],
      ['base64', b64],
      ['base64 without padding', b64.replace(/=+$/, '')],
      ['base64url', b64url],
      ['base64url with padding', b64url.padEnd(Math.ceil(b64url.length / 4) * 4, '=')],
      ['base64, URL-encoded', encodeURIComponent(b64)],
      ['base64, JSON-escaped "/" as "\\/"', b64.replace(/\//g, '\\/')],
      ['base64 of id:secret', Buffer.from(`client-id:${secret}`).toString('base64')],
    ];

    it('differ from one another for this secret: no row repeats another', () => {
      expect(new Set(forms.map(([, text]) => text)).size).toBe(forms.length);
    });

    it.each(forms)('%s', (_form, text) => {
      const secrets = [secret, `client-id:${secret}`];
      expect(redact(`before ${text} after`, secrets)).toBe(`before ${REDACTED} after`);
    });

    it('base64 of the secret inside a larger blob, at each alignment, but for the 4 characters each side that also encode a neighbour', () => {
      for (const lead of ['', 'x', 'xy', 'xyz']) {
        const blob = Buffer.from(`${lead}${secret}tail`).toString('base64');
        const out = redact(blob, [secret]);
        expect(out).toContain(REDACTED);
        const [left = '', right = ''] = out.split(REDACTED);
        // What is left either side encodes the neighbours and at most 2 bytes of the secret.
        expect(left.length - Math.floor(lead.length / 3) * 4).toBeLessThanOrEqual(4);
        expect(right.length).toBeLessThanOrEqual(12);
      }
    });

    it('removes a shorter secret only as it is, and leaves honest text that merely looks encoded alone', () => {
      expect(redact('c2hvcnQ= short', ['short'])).toBe(`c2hvcnQ= ${REDACTED}`);
      const honest =
        'See https://docs.practice.example/api%2Fv1 and base64 "YWJjZGVmZ2hpams=" for abcdefghijk-other';
      expect(redact(honest, ['s3cr3t-value-9'])).toBe(honest);
    });
  });

  it('serverText collapses whitespace, redacts, truncates and ignores non-strings', () => {
    expect(serverText('  a \n\t b  ', [])).toBe('a b');
    expect(serverText('key s3cr3t-value', ['s3cr3t-value'])).toBe(`key ${REDACTED}`);
    expect(serverText('x'.repeat(50), [], 10)).toBe(`${'x'.repeat(9)}…`);
    expect(serverText(42, [])).toBe('');
  });
});
