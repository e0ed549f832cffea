// docs/troubleshooting.md is what support reads when a user pastes an error: every message the
// integration can produce must have its row. Each message is built by the code itself; its
// fixed opening (up to the first filled-in part) must appear in the doc.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import zapier, { type ZObject } from 'zapier-platform-core';
import { idProblem } from '../../practice/api';
import {
  type ResponseLike,
  checkedField,
  checkValue,
  type CheckedField,
  answerFromElsewhereMessage,
  redirectRefusedMessage,
  type Grant,
  blankRefreshMessage,
  parseCoreError,
  bySubject,
  RefreshCoordinator,
  SealedCache,
  type TokenAuthData,
  createLayer,
  defineProfile,
  type ProfileInput,
} from 'zapier-oauth-layer/internal';
import { practice } from '../../practice/layer';
import { PROFILES } from '../../profiles';

const doc = readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'troubleshooting.md'), 'utf8').replace(
  /\s+/g,
  ' ',
);

/**
 * The fixed opening of a message: its first sentence, cut before the first filled-in value
 * ("(…)", a quote, a number, a field list after a colon), at most six words.
 */
function opening(message: string): string {
  // A message about a step's input starts with the field it names: `"Task" (task_id) …`.
  // What follows "; got" or "; item" is filled in too.
  const field = /^"[^"]*" \([^)]*\) /.exec(message);
  if (field) {
    const rest = message.slice(field[0].length);
    const stop = rest.search(/; (?:got|item) /);
    return `"…" (…) ${opening(stop > 0 ? rest.slice(0, stop) : rest)}`;
  }
  const sentence = message.split(/(?<=\.) /)[0] ?? message;
  const cut = sentence.search(/[("“:]|\d/);
  const fixed = (cut > 0 ? sentence.slice(0, cut) : sentence).trim();
  return fixed.split(' ').slice(0, 6).join(' ');
}

function response(status: number, body: unknown, headers: Record<string, string> = {}): ResponseLike {
  return {
    status,
    body,
    content: body === undefined ? '' : JSON.stringify(body),
    header: (name) => headers[name.toLowerCase()] ?? null,
  };
}
const apiError = (code: string, details: Record<string, unknown> = {}) => ({
  error: { code, message: 'm', details },
});

const signalMessages = [
  response(403, apiError('token_expired')),
  response(403, apiError('insufficient_scope', { required_scope: 'tasks:write' })),
  response(403, apiError('forbidden')),
  response(429, apiError('rate_limited'), { 'retry-after': '5' }),
  response(503, apiError('unavailable')),
  response(422, apiError('validation_failed', { fields: { email: 'bad' } })),
  response(409, apiError('conflict', { existing_id: 'c1' })),
  response(404, apiError('not_found')),
  response(400, apiError('invalid_request')),
  response(500, apiError('internal')),
  response(418, apiError('teapot')),
].map((r) => practice.messageFor(practice.classify(r), []));

const tokenAnswers: Array<[number, unknown]> = [
  [401, undefined],
  [400, { error: 'unauthorized_client' }],
  [400, { error: 'invalid_grant' }],
  [400, { error: 'invalid_scope' }],
  [400, { error: 'invalid_request' }],
  [200, { token_type: 'bearer' }],
  [200, { access_token: 'pat_x', token_type: 'mac' }],
  [502, { error: 'bad_gateway' }],
  [429, {}],
  [200, undefined],
  [403, { error: 'access_denied' }],
];
const tokenMessages = (['authorization_code', 'refresh_token'] as Grant[]).flatMap((grant) =>
  tokenAnswers.map(([status, body]) => {
    const outcome = practice.normaliseTokenResponse(
      { status, body },
      { grant, nowSeconds: 1_700_000_000, secrets: [] },
    );
    if (outcome.ok) throw new Error(`expected a failure for ${status}`);
    return outcome.message;
  }),
);
const formEncoded = practice.normaliseTokenResponse(
  { status: 200, body: undefined, contentType: 'application/x-www-form-urlencoded' },
  { grant: 'refresh_token', nowSeconds: 1_700_000_000, secrets: [] },
);
const redirectMessages = [
  redirectRefusedMessage(practice.profile, 'GET /api/v1/clients', 302, 'https://evil.api.practice.example'),
  redirectRefusedMessage(practice.profile, 'POST /oauth/token', 303, 'https://api.practice.example:8443'),
  answerFromElsewhereMessage(
    practice.profile,
    'GET /api/v1/clients',
    'https://evil.example',
    'https://api.practice.example',
  ),
];
const missingRefresh = practice.normaliseTokenResponse(
  { status: 200, body: { access_token: 'pat_x' } },
  { grant: 'authorization_code', nowSeconds: 1_700_000_000, secrets: [] },
);

const kinds = ['string', 'integer', 'number', 'boolean', 'datetime'].map((type) =>
  checkedField({ key: 'f', label: 'F', type })!,
);
const list = checkedField({ key: 'tags', label: 'Tags', type: 'string', list: true })!;
const required = checkedField({ key: 'name', label: 'Name', type: 'string', required: true })!;
const problems: Array<[CheckedField, unknown]> = [
  ...kinds.map((field): [CheckedField, unknown] => [field, { an: 'object' }]),
  [list, { an: 'object' }],
  [list, ['ok', { an: 'object' }]],
  [required, undefined],
  [required, ' '],
  [required, '\uD800'],
  [list, ['\uD800']],
];
const inputMessages = [
  ...problems.map(([field, value]) => {
    const outcome = checkValue(field, value);
    return outcome.ok ? '' : outcome.problem;
  }),
  idProblem({ label: 'Task', key: 'task_id' }, '..'),
];

/** Per-connection hosts refused, as an API of Practice's name with Zoho's and Salesforce's connection fields says it. */
function connectionMessages(): string[] {
  const as = (profile: ProfileInput) =>
    createLayer(defineProfile({ ...profile, name: 'Practice', checked: undefined } as ProfileInput));
  const sf = PROFILES.salesforce!;
  const required = as({
    ...sf,
    connection: { ...sf.connection!, fields: [{ ...sf.connection!.fields[0]!, default: undefined }] },
  });
  const attempts: Array<[ReturnType<typeof as>, string, Record<string, string>]> = [
    [as(PROFILES.zoho!), PROFILES.zoho!.endpoints.token, { dc: 'evil.example' }],
    [as(sf), sf.endpoints.token, { login_host: 'evil.example' }],
    [required, sf.endpoints.token, {}],
  ];
  return attempts.map(([layer, endpoint, values]) => {
    try {
      layer.endpoints.endpoint(endpoint, values);
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  });
}

/** A z over an in-memory store; `fails(purpose, op)` says which calls fail ("refresh-outcome", "refresh-lock"). */
function storeZ(fails: (purpose: string, op: 'get' | 'set') => boolean = () => false): ZObject {
  const data = new Map<string, unknown>();
  const purpose = (key: string) => key.split(':')[1] ?? '';
  const check = (key: string, op: 'get' | 'set') => {
    if (fails(purpose(key), op))
      throw new Error('RPC request failed after 3 attempts: Unable to reach the RPC server');
  };
  const cache = {
    get: async (key: string) => {
      check(key, 'get');
      return data.get(key) ?? null;
    },
    set: async (key: string, value: unknown, _ttl?: number, _scope?: unknown, nx?: boolean) => {
      check(key, 'set');
      if (nx && data.has(key)) return null;
      data.set(key, value);
      return true;
    },
    delete: async (key: string) => data.delete(key),
  };
  return { cache, errors: zapier.errors, console: { log: () => undefined } } as unknown as ZObject;
}

/** What the coordinator says when it does not refresh: each way a run can end without a pair. */
async function coordinatorMessages(): Promise<string[]> {
  const token = 'prt_refresh_token_0123456789';
  const lockedBy = async (z: ZObject, until: number) => {
    await new SealedCache(z, bySubject('practice'), 'refresh-lock').set(
      token,
      { owner: 'another run', until },
      90,
    );
    return z;
  };
  const unreadable = storeZ();
  await unreadable.cache.set(
    new SealedCache(unreadable, bySubject('practice'), 'refresh-outcome').key(token),
    'v2.x.y.z',
  );
  let locked = false;
  const scripts: ZObject[] = [
    // The store does not answer at all, and the rotation punishes reuse.
    storeZ(() => true),
    // The lock is taken, then the store fails: the holder cannot take its second look.
    storeZ((purpose, op) => {
      if (purpose === 'refresh-lock' && op === 'set') locked = true;
      return locked && purpose === 'refresh-outcome' && op === 'get';
    }),
    // Another run holds the lock, and its call is still going.
    await lockedBy(storeZ(), Date.now() + 60_000),
    // Another run held the lock; its call is over, and nothing was recorded.
    await lockedBy(storeZ(), Date.now() - 1),
    // An entry about the token exists but does not open.
    unreadable,
  ];
  process.env.OAUTH_REFRESH_BUDGET_MS = '900';
  try {
    const out: string[] = [];
    for (const z of scripts) {
      const coordinator = new RefreshCoordinator(z, {
        namespace: 'practice',
        name: 'Practice',
        rotation: practice.profile.token.rotation,
      });
      const never = () => new Promise<TokenAuthData>(() => undefined);
      const error = await coordinator.refresh({ accessToken: 'pat_a', refreshToken: token }, never).then(
        () => undefined,
        (e: unknown) => e,
      );
      out.push(parseCoreError(error).message);
    }
    return out;
  } finally {
    delete process.env.OAUTH_REFRESH_BUDGET_MS;
  }
}

describe('docs/troubleshooting.md', () => {
  it('has a row for every way coordinated refresh ends a run without a pair', async () => {
    const messages = await coordinatorMessages();
    expect(new Set(messages).size).toBe(messages.length);
    for (const message of messages)
      expect({ message, found: doc.includes(opening(message)) }).toEqual({ message, found: true });
  });

  it.each([
    ...signalMessages,
    ...tokenMessages,
    formEncoded.ok ? '' : formEncoded.message,
    ...redirectMessages,
    missingRefresh.ok ? '' : missingRefresh.message,
    blankRefreshMessage(practice.profile),
    ...inputMessages,
    ...connectionMessages(),
  ])('has a row for "%s"', (message) => {
    expect(message).toBeTruthy();
    expect(doc).toContain(opening(message ?? ''));
  });

  it('would notice a message it does not describe', () => {
    expect(doc).not.toContain(opening('Practice sent a carrier pigeon instead (HTTP 999).'));
    expect(doc).not.toContain(opening('"Task" (task_id) was eaten by a carrier pigeon.'));
  });
});
