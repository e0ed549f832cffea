// `npm run doctor -- --discover` against the Practice sandbox and every provider's stand-in: what
// the draft says it OBSERVED agrees, field by field, with the profile written by hand from the
// provider's documentation; every field it did not observe carries an UNOBSERVED marker that
// --profile reads back; and no secret reaches the draft or the output.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLayer, type CheckedProfile, type ResponseLike } from 'zapier-oauth-layer/internal';
import { practiceProfile } from '../../practice/profile';
import { doctor } from '../../tools/doctor/cli';
import { unobservedFields } from 'zapier-oauth-layer/doctor';
import { startSandbox } from '../../tools/sandbox/server';
import type { SuiteStandIn } from 'zapier-oauth-layer/standin';
import { CASES } from '../conformance/support';
import { leaksIn } from '../encodings';
import { loadProfile } from 'zapier-oauth-layer/doctor';
import { connect } from './support';
import { answerOf, discoverStandIn, startHostileApi, tokenPathOf, type Discovered } from './discover-support';

/** The test URL answering a token that cannot be valid, as the classifier reads answers. */
function invalidTokenAnswer(standIn: SuiteStandIn, scheme: string): Promise<ResponseLike> {
  return answerOf(new URL(standIn.probePath, standIn.url), {
    authorization: `${scheme} not-a-token-${Date.now()}`,
    accept: 'application/json',
  });
}

/** Every secret the discovery met, as far as the test can know them: the connection's and the rotated ones. */
function secretsOf(found: Discovered, standIn: SuiteStandIn): string[] {
  const env = (() => {
    try {
      return readFileSync(path.join(found.dir, '.env'), 'utf8');
    } catch {
      return '';
    }
  })();
  const written = [...env.matchAll(/^authData_(?:access|refresh)_token='([^']+)'$/gm)].map((m) => m[1] ?? '');
  return [
    found.connection.access_token,
    found.connection.refresh_token,
    standIn.client.secret,
    ...written,
  ].filter((s) => s.length >= 8);
}

const status = (found: Discovered, at: string) => found.report.fields.find((f) => f.path === at)?.status;

describe.each(CASES)('--discover on the $name stand-in', ({ profile: hand, start }) => {
  let standIn: SuiteStandIn;
  let plain: Discovered;
  let refreshed: Discovered;

  beforeAll(async () => {
    standIn = await start();
    plain = await discoverStandIn(hand, standIn);
    refreshed = await discoverStandIn(hand, standIn, ['--refresh', '--probe-reuse']);
  });

  afterAll(async () => {
    await standIn.close();
  });

  it('observes what the hand-written profile says of errors, envelopes, rate-limit headers and scopes', async () => {
    for (const found of [plain, refreshed]) {
      const draft = found.loaded.profile;
      expect(status(found, 'signals.envelope')).toBe('observed');
      expect(draft.signals.envelope).toEqual(hand.signals.envelope);
      expect(status(found, 'signals.body.code')).toBe('observed');
      expect(draft.signals.body.code).toBe(hand.signals.body.code);
      // The remaining header is seen on any answer; what a throttled one carries only on a throttled one.
      const rate = draft.signals.rateLimitHeaders
        ? 'signals.rateLimitHeaders.remainingHeader'
        : 'signals.rateLimitHeaders';
      expect(status(found, rate)).toBe('observed');
      if (draft.signals.rateLimitHeaders)
        expect(status(found, 'signals.rateLimitHeaders.resetHeader')).toBe('unobserved');
      expect(draft.signals.rateLimitHeaders?.remainingHeader).toBe(
        hand.signals.rateLimitHeaders?.remainingHeader,
      );
      expect(draft.signals.rateLimitHeaders?.resetHeader).toBe(hand.signals.rateLimitHeaders?.resetHeader);
      expect(status(found, 'authorization.scopeSeparator')).toBe('observed');
      expect(draft.authorization.scopeSeparator).toBe(hand.authorization.scopeSeparator);
      expect(status(found, 'token.errorsAs200')).toBe('observed');
      expect(draft.token.errorsAs200).toBe(hand.token.errorsAs200);
      expect(status(found, 'token.errorCode')).toBe('observed');
      expect(draft.token.errorCode).toBe(hand.token.errorCode);
      // The refusal's own code means what the hand-written profile says it means.
      for (const [code, problem] of Object.entries(draft.token.codes ?? {}))
        expect([code, hand.token.codes?.[code]]).toEqual([code, problem]);
    }
  });

  it('reads the invalid-token answer as the hand-written profile does, listing a code only where the status does not decide', async () => {
    const draft = plain.loaded.profile;
    const answer = await invalidTokenAnswer(standIn, hand.endpoints.authorizationScheme ?? 'Bearer');
    const mine = createLayer(draft).classify(answer);
    const theirs = createLayer(hand).classify(answer);
    expect(mine.kind).toBe('refresh');
    expect(mine.kind).toBe(theirs.kind);
    expect(mine.code).toBe(theirs.code);
    for (const [code, kind] of Object.entries(draft.signals.codes))
      expect([code, hand.signals.codes[code]]).toEqual([code, kind]);
  });

  it('without --refresh leaves the lifetime, token types and rotation UNOBSERVED', () => {
    for (const at of ['token.lifetime', 'token.rotation', 'token.tokenTypes', 'token.refreshTokenInRefresh'])
      expect([at, status(plain, at)]).toEqual([at, 'unobserved']);
    expect(plain.report.requests.filter((r) => r.includes("connection's refresh token"))).toEqual([]);
  });

  it('with --refresh observes the lifetime and rotation the hand-written profile names', () => {
    const draft = refreshed.loaded.profile;
    expect(status(refreshed, 'token.lifetime.field')).toBe('observed');
    expect(draft.token.lifetime.field).toBe(hand.token.lifetime.field);
    if (hand.token.lifetime.field !== null) {
      // Observed where one reading alone is plausible; otherwise the shorter reading, marked (Tallybook's
      // 3600000 as milliseconds, which its documentation confirms).
      const unitStatus = status(refreshed, 'token.lifetime.unit');
      expect(unitStatus).toBe(hand.token.lifetime.unit === 'milliseconds' ? 'unobserved' : 'observed');
      expect(draft.token.lifetime.unit).toBe(hand.token.lifetime.unit);
    } else {
      expect(status(refreshed, 'token.lifetime.assumeSeconds')).toBe('unobserved');
    }
    const kind = draft.token.rotation.kind;
    if (status(refreshed, 'token.rotation') === 'observed') {
      expect(kind).toBe(hand.token.rotation.kind);
    } else {
      // The rotated-away token still worked right after: always, or grace for a while.
      expect(kind).toBe('always');
      expect(['always', 'grace']).toContain(hand.token.rotation.kind);
    }
    expect(draft.token.refreshTokenInRefresh).toBe(hand.token.refreshTokenInRefresh);
  });

  it('marks every field it did not observe, and --profile reads the same markers back', () => {
    for (const found of [plain, refreshed]) {
      const reported = found.report.fields.filter((f) => f.status === 'unobserved').map((f) => f.path);
      expect(found.loaded.unobserved.map((u) => u.path)).toEqual(reported);
      expect(unobservedFields(found.draftText).every((u) => u.path !== '' && u.reveal.length > 10)).toBe(
        true,
      );
      expect(found.draftText).toContain('import { defineProfile }');
    }
  });

  it('writes no secret in the draft or the output', () => {
    for (const found of [plain, refreshed]) {
      for (const secret of secretsOf(found, standIn)) {
        expect(found.draftText).not.toContain(secret);
        expect(found.output).not.toContain(secret);
      }
    }
  });

  it('--profile on the draft runs every check and warns about what is still UNOBSERVED', async () => {
    const conn = await standIn.connect();
    const draft = plain.loaded.profile;
    const env: NodeJS.ProcessEnv = {
      [draft.endpoints.baseEnv]: standIn.url,
      [draft.client.idEnv]: standIn.client.id,
      [draft.client.secretEnv]: standIn.client.secret,
      authData_access_token: conn.access_token,
      authData_refresh_token: conn.refresh_token,
      authData_scope: conn.scope,
    };
    const file = path.relative(plain.dir, plain.report.draft);
    const run = await doctor(['--profile', file, '--probe', standIn.probePath, '--json'], env, plain.dir);
    const checks = (
      JSON.parse(run.output) as { checks: Array<{ id: string; status: string; finding: string }> }
    ).checks;
    const profileCheck = checks.find((c) => c.id === 'profile');
    expect(profileCheck?.status).toBe('warn');
    expect(profileCheck?.finding).toContain('token.rotation');
    expect(profileCheck?.finding).toContain(
      `${plain.loaded.unobserved.length} behaviours are unverified (marked UNOBSERVED`,
    );
    expect(checks.find((c) => c.id === 'client_credentials')?.status).toBe('pass');
    expect(checks.find((c) => c.id === 'expiry_signal')?.status).toBe('pass');
    expect(checks.find((c) => c.id === 'test_call')?.status).toBe('pass');
  });
});

describe('--discover on the Practice sandbox with its default behaviours (K2 legacy envelope as HTTP 200, K6, K7)', () => {
  it('sees the envelope on a 200, lists the code it needs, and names the K7 header the hand-written profile leaves out', async () => {
    const sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
    try {
      const standIn = {
        url: sandbox.url,
        // A legacy endpoint: K2 answers its errors with HTTP 200 {"ok": false, …}.
        probePath: '/api/v1/tasks',
        client: { id: sandbox.clientId, secret: sandbox.clientSecret },
        connect: async () => {
          const tokens = await connect(sandbox);
          return { ...tokens, expires_in: 3600 };
        },
      } as unknown as SuiteStandIn;
      const found = await discoverStandIn(practiceProfile, standIn, ['--refresh']);
      const draft: CheckedProfile = found.loaded.profile;
      expect(draft.signals.envelope).toEqual(practiceProfile.signals.envelope);
      expect(draft.signals.body.code).toBe(practiceProfile.signals.body.code);
      // The answer is a 200: without its code the layer would not refresh, so the code is listed.
      expect(draft.signals.codes).toEqual({ invalid_token: 'refresh' });
      expect(practiceProfile.signals.codes.invalid_token).toBe('refresh');
      expect(draft.token.errorsAs200).toBe(true);
      // K6: "expires_in": "3600", a string, read as seconds all the same.
      expect(draft.token.lifetime).toEqual({ field: 'expires_in', unit: 'seconds', assumeSeconds: null });
      expect(found.draftText).toMatch(/"expires_in" is a string "\d+"/);
      // K7's X-RateLimit-Remaining on every answer: the draft reads it; the hand-written profile
      // leaves it out (Practice names its throttling by code), which classifies the same answers.
      expect(draft.signals.rateLimitHeaders).toEqual({ remainingHeader: 'x-ratelimit-remaining' });
      expect(practiceProfile.signals.rateLimitHeaders).toBeUndefined();
      expect(tokenPathOf(practiceProfile)).toBe('/oauth/token');
    } finally {
      await sandbox.close();
    }
  });
});

describe('--discover refuses what it must not do', () => {
  it('sends nothing for a draft it could not keep, and takes --probe-reuse only with --refresh', async () => {
    const dir = path.dirname(require.resolve('../../tools/doctor/cli'));
    const taken = await doctor(
      ['--discover', 'http://127.0.0.1:9/x', '--out', path.join(dir, 'cli.ts')],
      {},
      dir,
    );
    expect(taken.code).toBe(2);
    expect(taken.output).toMatch(/exists: name another file with --out/);
    const reuse = await doctor(['--discover', 'http://127.0.0.1:9/x', '--probe-reuse'], {}, dir);
    expect(reuse.code).toBe(2);
    expect(reuse.output).toMatch(/--probe-reuse needs --refresh/);
    const plainHttp = await doctor(
      ['--discover', 'http://api.example.com/x', '--out', '/nonexistent/x.ts'],
      {},
      dir,
    );
    expect(plainHttp.code).toBe(2);
    expect(plainHttp.output).toMatch(/must be https:\/\//);
  });
});

describe('--discover against a hostile API that quotes every secret it was sent', () => {
  it('writes none of them, in any encoding, to the draft or the output', async () => {
    const hostile = await startHostileApi();
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'discover-hostile-'));
      const texts: Array<{ where: string; text: string }> = [];
      for (const [label, flags] of [
        ['json', ['--json']],
        ['text --refresh', ['--refresh', '--force']],
      ] as const) {
        const out = path.join(dir, 'hostile.draft.ts');
        const run = await doctor(
          ['--discover', hostile.testUrl, '--token-url', '/oauth/token', '--out', out, ...flags],
          hostile.env,
          dir,
        );
        expect(run.code).toBe(0);
        const draft = readFileSync(out, 'utf8');
        // The secrets it put where codes belong are there, redacted, as quoted keys.
        expect(draft).toMatch(/"\[redacted\]": ?"refresh"/);
        texts.push({ where: `${label} output`, text: run.output }, { where: `${label} draft`, text: draft });
      }
      expect(leaksIn(texts, hostile.secrets)).toEqual([]);
      // What the refresh wrote to .env is the one place the new tokens go.
      expect(readFileSync(path.join(dir, '.env'), 'utf8')).toContain(hostile.secrets['new refresh token']);
      expect((await loadProfile('hostile.draft.ts', dir)).profile.signals.envelope).toEqual({
        path: 'ok',
        failure: false,
      });
    } finally {
      await hostile.close();
    }
  });
});
