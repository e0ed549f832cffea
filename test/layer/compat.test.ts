// Every profile written for the format before issue 26 keeps loading and behaving the same.
// test/layer/compat/profiles holds them byte for byte as they were (profiles/*.ts,
// practice/profile.ts; integrations/hubspot uses profiles/hubspot.ts); each is loaded
// unchanged and made to read the same table of answers, resource API and token endpoint,
// whose outcomes were recorded from the code before issue 26 (the snapshot file beside this).
import {
  createLayer,
  type CheckedProfile,
  type ResponseLike,
  type TokenAnswer,
} from 'zapier-oauth-layer/internal';
import { PROFILES } from './compat/profiles';
import { practiceProfile } from './compat/profiles/practice';

const NOW = Date.parse('2026-03-01T12:00:00Z') / 1000;
const TODAY: Record<string, CheckedProfile> = { practice: practiceProfile, ...PROFILES };

/** `body` with `value` at a body path, arrays made where a step is a number ("0.errorCode"). */
function put(body: unknown, path: string | undefined, value: unknown): unknown {
  if (path === undefined) return body;
  const steps = path.split('.');
  const root: unknown = body ?? (/^\d+$/.test(steps[0]!) ? [] : {});
  let node = root as Record<string, unknown>;
  steps.forEach((step, i) => {
    if (i === steps.length - 1) node[step] = value;
    else node = (node[step] ??= /^\d+$/.test(steps[i + 1]!) ? [] : {}) as Record<string, unknown>;
  });
  return root;
}

function answer(status: number, body?: unknown, headers: Record<string, string> = {}): ResponseLike {
  const content = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return {
    status,
    header: (name) => headers[name.toLowerCase()],
    body: typeof body === 'string' ? undefined : body,
    content,
  };
}

/** Answers of the resource API: the profile's own codes where it reads them, and HTTP's. */
function resourceAnswers(p: CheckedProfile): Array<[string, ResponseLike]> {
  const b = p.signals.body;
  const env = p.signals.envelope;
  const errorBody = (code: string, enveloped: boolean) => {
    let body: unknown = undefined;
    for (const [path, value] of [
      [b.code, code],
      [b.message, 'Something is off.'],
      [b.requiredScope, 'needed.scope'],
      [b.grantedScope, ['one', 'two']],
      [b.fields, { amount: 'must be positive.', name: ['is required', 'is too short'] }],
      [b.field, 'title'],
      [b.existingId, 'rec_42'],
      [b.retryAfter, 17],
    ] as Array<[string | undefined, unknown]>)
      body = put(body, path, value);
    return enveloped && env && 'failure' in env ? put(body, env.path, env.failure) : (body ?? {});
  };
  const out: Array<[string, ResponseLike]> = [
    ['200 {}', answer(200, {})],
    ['200 []', answer(200, [])],
    ['204', answer(204)],
    ['200 html', answer(200, '<html>login</html>')],
  ];
  for (const status of [400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504]) {
    out.push([`${status}`, answer(status)], [`${status} {}`, answer(status, {})]);
  }
  for (const code of [...Object.keys(p.signals.codes), 'SOMETHING_ELSE']) {
    for (const status of [400, 401, 403])
      out.push([`${status} ${code}`, answer(status, errorBody(code, false))]);
    out.push([`200 ${code}`, answer(200, errorBody(code, false))]);
    if (env) out.push([`200 enveloped ${code}`, answer(200, errorBody(code, true))]);
  }
  out.push(
    [
      '403 challenge invalid_token',
      answer(403, undefined, { 'www-authenticate': 'Bearer error="invalid_token"' }),
    ],
    [
      '403 challenge insufficient_scope',
      answer(403, undefined, { 'www-authenticate': 'Bearer error="insufficient_scope", scope="x:y"' }),
    ],
    ['400 challenge invalid_token', answer(400, {}, { 'www-authenticate': 'Bearer error="invalid_token"' })],
    ['429 Retry-After 30', answer(429, {}, { 'retry-after': '30' })],
    ['503 Retry-After date', answer(503, undefined, { 'retry-after': 'Sun, 01 Mar 2026 12:01:00 GMT' })],
    ['403 Retry-After 5', answer(403, {}, { 'retry-after': '5' })],
    [
      '403 x-ratelimit-remaining 0',
      answer(403, {}, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW + 90) }),
    ],
    ['404 x-ratelimit-remaining 0', answer(404, {}, { 'x-ratelimit-remaining': '0' })],
    [
      '403 scope headers',
      answer(403, {}, { 'x-accepted-oauth-scopes': 'repo, public_repo', 'x-oauth-scopes': 'user:email' }),
    ],
  );
  return out;
}

/** Answers of the token endpoint, for a refresh and for a code. */
function tokenAnswers(p: CheckedProfile): Array<[string, TokenAnswer]> {
  const kept = Object.fromEntries((p.token.keep ?? []).map((f) => [f, `https://kept.example/${f}`]));
  const good = {
    access_token: 'at_1',
    refresh_token: 'rt_1',
    token_type: p.token.tokenTypes[0],
    expires_in: 3600,
    scope: 'a b',
    ...kept,
  };
  const out: Array<[string, TokenAnswer]> = [
    ['200 full', { status: 200, body: good }],
    ['200 expires_in "3599"', { status: 200, body: { ...good, expires_in: '3599' } }],
    ['200 expires_in 3600000', { status: 200, body: { ...good, expires_in: 3_600_000 } }],
    ['200 no expires_in', { status: 200, body: { ...good, expires_in: undefined } }],
    [
      '200 issued_at in ms, no expires_in',
      { status: 200, body: { ...good, expires_in: undefined, issued_at: String((NOW - 60) * 1000) } },
    ],
    ['200 no refresh_token', { status: 200, body: { ...good, refresh_token: undefined } }],
    ['200 token_type mac', { status: 200, body: { ...good, token_type: 'mac' } }],
    ['200 no access_token', { status: 200, body: { ...good, access_token: undefined } }],
    ['200 not json', { status: 200, body: undefined, contentType: 'text/html' }],
    ['401', { status: 401, body: {} }],
    ['429', { status: 429, body: {} }],
    ['500', { status: 500, body: undefined }],
  ];
  const codes = [
    ...Object.keys(p.token.codes ?? {}),
    'invalid_grant',
    'invalid_client',
    'invalid_request',
    'something_else',
  ];
  for (const code of codes) {
    const body = put(put({}, p.token.errorCode, code), p.token.errorDescription, 'It is refused.');
    out.push([`400 ${code}`, { status: 400, body }], [`200 ${code}`, { status: 200, body }]);
  }
  if (p.signals.envelope && 'failure' in p.signals.envelope) {
    const { path, failure } = p.signals.envelope;
    out.push(['200 enveloped, no code', { status: 200, body: put({}, path, failure) }]);
  }
  return out;
}

/** What the layer makes of every answer, one line each. */
function behaviour(p: CheckedProfile): string {
  const layer = createLayer(p);
  const lines: string[] = [];
  for (const [label, response] of resourceAnswers(p)) {
    const s = layer.classify(response, NOW * 1000);
    const fields = JSON.stringify(s.fields);
    lines.push(
      `${label} -> ${s.kind} | ${s.code} | ${s.source} | ${s.apiMessage} | retry ${s.retryAfter} | ` +
        `scope ${s.requiredScope} / ${s.grantedScope} | ${fields} | ${s.existingId}`,
      `  ${layer.messageFor(s, [])}`,
    );
  }
  for (const grant of ['refresh_token', 'authorization_code'] as const) {
    for (const [label, token] of tokenAnswers(p)) {
      const outcome = layer.normaliseTokenResponse(token, {
        grant,
        previousRefreshToken: grant === 'refresh_token' ? 'rt_0' : undefined,
        previousScope: 'a',
        nowSeconds: NOW,
        secrets: [],
      });
      lines.push(
        `${grant} ${label} -> ` +
          (outcome.ok
            ? JSON.stringify(outcome.authData)
            : `${outcome.problem} ${outcome.status} ${outcome.message}`),
      );
    }
  }
  return lines.join('\n');
}

describe("profiles written for today's format", () => {
  it('are all here, byte for byte', () => {
    expect(Object.keys(TODAY).sort()).toEqual(
      [
        'github',
        'hubspot',
        'microsoft',
        'practice',
        'salesforce',
        'slack',
        'tallybook',
        'xero',
        'zoho',
      ].sort(),
    );
  });

  it.each(Object.keys(TODAY))('%s loads unchanged and reads every answer as before', (id) => {
    const profile = TODAY[id]!;
    expect(profile.checked).toBe(true);
    expect(behaviour(profile)).toMatchSnapshot();
  });
});
