// A draft says what was seen and nothing more: how an expired token is answered is observed only
// with a token that expired (the connection's own, and the doctor says so), and is otherwise marked
// UNOBSERVED with what would reveal it; rate-limit headers seen on answers that were not throttled
// say nothing of what a throttled answer carries; a lifetime unit read from a number's size is a
// guess. And `--profile` on a draft says how many of its behaviours are still unverified, and which.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLayer } from 'zapier-oauth-layer/internal';
import { doctor } from '../../tools/doctor/cli';
import type { DraftField } from 'zapier-oauth-layer/doctor';
import { loadProfile } from 'zapier-oauth-layer/doctor';
import { start as practice } from '../../tools/standins/practice';
import type { SuiteStandIn } from 'zapier-oauth-layer/standin';
import { answerOf, jsonServer } from './discover-support';

interface Report {
  fields: DraftField[];
  requests: string[];
  notes: string[];
}

async function discover(testUrl: string, env: NodeJS.ProcessEnv, flags: string[] = []) {
  const dir = mkdtempSync(path.join(tmpdir(), 'draft-truth-'));
  const out = path.join(dir, 'api.draft.ts');
  const run = await doctor(
    ['--discover', testUrl, '--token-url', '/oauth/token', '--id', 'api', '--out', out, '--json', ...flags],
    env,
    dir,
  );
  if (run.code !== 0) throw new Error(run.output);
  const report = JSON.parse(run.output) as Report;
  const field = (at: string) => report.fields.find((f) => f.path === at);
  return {
    dir,
    out,
    report,
    field,
    text: readFileSync(out, 'utf8'),
    profile: (await loadProfile(out, dir)).profile,
  };
}

describe('how an expired token is answered', () => {
  let standIn: SuiteStandIn;
  beforeEach(async () => {
    standIn = await practice();
  });
  afterEach(async () => {
    await standIn.close();
  });

  const envOf = (
    conn: { access_token: string; refresh_token: string; scope: string },
    expiresAt: number,
  ) => ({
    CLIENT_ID: standIn.client.id,
    CLIENT_SECRET: standIn.client.secret,
    authData_access_token: conn.access_token,
    authData_refresh_token: conn.refresh_token,
    authData_scope: conn.scope,
    authData_expires_at: String(expiresAt),
  });

  it('is observed with the connection’s own token once it has expired, and the doctor says so', async () => {
    const conn = await standIn.connect();
    standIn.expireAccessTokens('403 token_expired (K1)');
    const probe = new URL(standIn.probePath, standIn.url).toString();
    const found = await discover(probe, envOf(conn, Math.floor(Date.now() / 1000) - 600));
    expect(found.report.requests.join('\n')).toMatch(
      /with the connection's access token \(expired 10 min ago, by its expires_at\): HTTP 403/,
    );
    expect(found.text).toMatch(
      /Observed: an expired token \(the connection's own, expired 10 min ago by its expires_at\) gets HTTP 403 token_expired\./,
    );
    // The draft reads that answer as a token to refresh (a 403 alone would not be).
    const expired = await answerOf(probe, { authorization: `Bearer ${conn.access_token}` });
    expect(createLayer(found.profile).classify(expired).kind).toBe('refresh');
  });

  it('is marked UNOBSERVED, with what would reveal it, while the connection’s token is valid', async () => {
    const conn = await standIn.connect();
    const found = await discover(
      new URL(standIn.probePath, standIn.url).toString(),
      envOf(conn, Math.floor(Date.now() / 1000) + 3600),
    );
    const marked = found.report.fields.filter(
      (f) => f.status === 'unobserved' && /expired token/.test(f.how),
    );
    expect(marked.map((f) => f.path)).toEqual(['signals.codes']);
    expect(marked[0]?.how).toMatch(/once its expires_at \(\S+\) has passed/);
    expect(found.text).toMatch(/UNOBSERVED: how Api answers an expired token/);
  });
});

/** An API whose answers carry a rate-limit header and whose refresh answer names a lifetime. */
async function tinyApi(options: { headers: Record<string, string>; expiresIn: unknown }) {
  const ACCESS = 'tiny_access_token_0123456789';
  const { origin, close } = await jsonServer((req, url, _raw, json) => {
    if (url.pathname === '/oauth/token')
      return req.headers.authorization === 'Basic ' + Buffer.from('tiny:tiny-secret').toString('base64')
        ? json(200, { access_token: ACCESS, expires_in: options.expiresIn, token_type: 'bearer' })
        : json(400, { error: 'invalid_client' });
    if (req.headers.authorization === `Bearer ${ACCESS}`) return json(200, { items: [] }, options.headers);
    return json(401, { error: 'invalid_token' }, options.headers);
  });
  return {
    url: `${origin}/v1/items`,
    env: {
      CLIENT_ID: 'tiny',
      CLIENT_SECRET: 'tiny-secret',
      authData_access_token: ACCESS,
      authData_refresh_token: 'tiny_refresh_token_0123456789',
      authData_scope: 'read write',
    },
    close,
  };
}

describe('what only a throttled answer would show', () => {
  it.each([
    ['without a reset header', { 'x-ratelimit-remaining': '59' }],
    ['with a reset header', { 'x-ratelimit-remaining': '59', 'x-ratelimit-reset': '30' }],
  ])('stays UNOBSERVED when the headers came on answers that were not throttled (%s)', async (_, headers) => {
    const api = await tinyApi({ headers, expiresIn: 3600 });
    try {
      const found = await discover(api.url, api.env);
      const rate = found.report.fields.filter((f) => f.path.startsWith('signals.rateLimitHeaders'));
      expect(rate.filter((f) => f.status === 'observed').map((f) => f.path)).toEqual([
        'signals.rateLimitHeaders.remainingHeader',
      ]);
      expect(rate.some((f) => f.status === 'unobserved' && /a throttled answer/.test(f.how))).toBe(true);
      expect(found.profile.signals.rateLimitHeaders?.remainingHeader).toBe('x-ratelimit-remaining');
    } finally {
      await api.close();
    }
  });
});

describe('the lifetime unit', () => {
  it.each([
    [3600000, 'milliseconds', 'unobserved'],
    [3600, 'seconds', 'observed'],
  ] as const)('of expires_in %s reads as %s, %s', async (expiresIn, unit, status) => {
    const api = await tinyApi({ headers: {}, expiresIn });
    try {
      const found = await discover(api.url, api.env, ['--refresh']);
      expect([found.profile.token.lifetime.unit, found.field('token.lifetime.unit')?.status]).toEqual([
        unit,
        status,
      ]);
    } finally {
      await api.close();
    }
  });
});

describe('--profile on a draft', () => {
  it('says how many of its behaviours are unverified, and which, even when nothing failed', async () => {
    const api = await tinyApi({ headers: { 'x-ratelimit-remaining': '59' }, expiresIn: 3600 });
    try {
      const found = await discover(api.url, api.env);
      const env = {
        ...api.env,
        API_BASE_URL: new URL(api.url).origin,
        API_CLIENT_ID: 'tiny',
        API_CLIENT_SECRET: 'tiny-secret',
      };
      const run = await doctor(['--profile', found.out, '--probe', '/v1/items'], env, found.dir);
      const marked = found.report.fields.filter((f) => f.status === 'unobserved').length;
      const last = run.output.trim().split('\n').at(-1) ?? '';
      expect(last).toMatch(
        new RegExp(`nothing failed, but ${marked} behaviours of this profile are unverified`),
      );
      expect(run.output).toMatch(
        new RegExp(`WARN  profile .*${marked}\\s+behaviours\\s+are\\s+unverified`, 's'),
      );
      // Each check whose verdict rests on one says which.
      expect(run.output).toMatch(/PASS {2}expiry_signal .*Unverified:\s+rests\s+on\s+signals\.codes/s);
    } finally {
      await api.close();
    }
  });
});
