// Many runs of one connection at once while its access token expires, as Zapier runs them:
// each run reads the connection's authData when it starts, calls refreshAccessToken on its
// own when it meets the expiry, and the result is merged back (last writer wins). z.cache is
// the harness's RPC stand-in with real set-if-absent semantics, shared by every run, as
// Zapier's store is. CONTRACT §6: "several runs refresh one connection at once, or a run
// refreshes with a refresh token another run already rotated -> one token request per
// rotation; every run gets the newest pair; a rotated refresh token never reaches the token
// endpoint again (K8 makes that fatal)".
import type { RpcServer } from 'zapier-oauth-layer/conformance';
import {
  type Connection,
  connectOwner,
  FIND,
  formatError,
  hasMethod,
  POLL,
  POLL_LIST,
  type PracticeRuns,
  type Sandbox,
  startPracticeRuns,
  withDeadline,
  type ZapierRunner,
} from '../../tools/harness/practice-runs';

let runs: PracticeRuns | undefined;
let sandbox: Sandbox;
let rpc: RpcServer;
let runner: ZapierRunner;
let clockOffsetMs = 0;

beforeAll(async () => {
  runs = await startPracticeRuns({ clock: () => Date.now() + clockOffsetMs });
  ({ sandbox, rpc, runner } = runs);
});

afterAll(async () => {
  await runs?.close();
});

beforeEach(() => {
  clockOffsetMs = 0;
  sandbox.setQuirks({ K8: false });
  sandbox.resetRateLimits();
  rpc.setFault(null);
});

/** A mix of K1 (403) and K2 (200 ok:false) endpoints. */
function stepAt(i: number): { method: string; inputData: Record<string, unknown> } {
  const methods = [POLL, FIND, POLL_LIST].filter(hasMethod);
  const method = methods[i % methods.length] ?? POLL;
  return { method, inputData: method === FIND ? { name: 'A' } : {} };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `runs` steps at once, or started `staggerMs` apart so later ones see earlier refreshes merged. */
async function burst(connection: Connection, runs: number, staggerMs = 0) {
  sandbox.resetRequestLog();
  return withDeadline(
    Promise.all(
      Array.from({ length: runs }, async (_, i) => {
        if (staggerMs > 0) await pause(i * staggerMs);
        const { method, inputData } = stepAt(i);
        return runner.runStep(connection, method, { inputData });
      }),
    ),
    60_000,
    'the burst of steps',
  );
}

function tokenRequests() {
  return sandbox.findRequests({ method: 'POST', path: '/oauth/token' });
}

function expire(connection: Connection, how: 'K1' | 'expires_at'): void {
  sandbox.expireAccessTokens();
  if (how === 'expires_at') connection.authData.expires_at = Math.floor(Date.now() / 1000) - 5;
}

/** The connection still works once every grace period is over: its refresh token was the newest. */
async function expectHealthyAfterGrace(connection: Connection): Promise<void> {
  clockOffsetMs += 61_000;
  sandbox.expireAccessTokens();
  sandbox.resetRequestLog();
  const later = await runner.runStep(connection, POLL);
  expect(formatError(later.error)).toBe('(no error)');
  expect(later).toMatchObject({ ok: true, refreshed: true });
  expect(sandbox.grants().filter((g) => g.revoked)).toEqual([]);
}

describe('one token request per expiry, however many runs meet it', () => {
  describe.each([
    ['with the 60 s grace period', false],
    ['with strict rotation (K8)', true],
  ])('%s', (_label, k8) => {
    it.each([
      [2, 'K1'],
      [8, 'K1'],
      [50, 'K1'],
      [2, 'expires_at'],
      [8, 'expires_at'],
      [50, 'expires_at'],
    ] as const)(
      '%i concurrent runs, expiry by %s: one token request, every run succeeds, grant alive',
      async (runs, how) => {
        sandbox.setQuirks({ K8: k8 });
        const connection = await connectOwner(runner, sandbox);
        expire(connection, how);

        const outcomes = await burst(connection, runs);

        expect(outcomes.map((o) => formatError(o.error))).toEqual(Array(runs).fill('(no error)'));
        expect(tokenRequests().map((r) => `${r.status} ${r.rotation}`)).toEqual(['200 rotated']);
        expect(connection.stale).toBe(false);
        expect(sandbox.grants().filter((g) => g.revoked)).toEqual([]);
        if (how === 'expires_at') {
          // Nothing spent on the dead token: every API request carried the new one.
          const api = sandbox.findRequests((r) => r.path.startsWith('/api/'));
          expect(api.map((r) => r.status)).toEqual(Array(runs).fill(200));
        }
        await expectHealthyAfterGrace(connection);
      },
    );
  });

  it.each([2, 5, 10])(
    'keeps the newest refresh token when 20 runs start %i ms apart under K8',
    async (staggerMs) => {
      sandbox.setQuirks({ K8: true });
      const connection = await connectOwner(runner, sandbox);
      sandbox.expireAccessTokens();

      const outcomes = await burst(connection, 20, staggerMs);

      expect(outcomes.map((o) => formatError(o.error))).toEqual(Array(20).fill('(no error)'));
      expect(tokenRequests()).toHaveLength(1);
      expect(sandbox.grants().filter((g) => g.revoked)).toEqual([]);
      await expectHealthyAfterGrace(connection);
    },
  );

  it('hands a late run, started before the refresh, the newest pair instead of presenting its rotated token (K8)', async () => {
    sandbox.setQuirks({ K8: true });
    const connection = await connectOwner(runner, sandbox);
    const startedEarlier = { ...connection, authData: { ...connection.authData } };
    sandbox.expireAccessTokens();
    expect((await burst(connection, 4)).every((o) => o.ok)).toBe(true);

    sandbox.resetRequestLog();
    const late = await runner.runStep(startedEarlier, POLL);

    expect(formatError(late.error)).toBe('(no error)');
    expect(late.refreshed).toBe(true);
    expect(startedEarlier.authData.refresh_token).toBe(connection.authData.refresh_token);
    expect(tokenRequests()).toEqual([]);
    expect(sandbox.grants().filter((g) => g.revoked)).toEqual([]);
  });

  it('keeps nothing readable in z.cache: no token, only hashed keys and sealed values', async () => {
    rpc.clear();
    const connection = await connectOwner(runner, sandbox);
    sandbox.expireAccessTokens();
    await burst(connection, 8);
    const entries = rpc.entries();
    expect(entries.length).toBeGreaterThan(0);
    const dump = JSON.stringify(entries);
    for (const value of Object.values(connection.authData)) {
      if (typeof value === 'string' && value.length > 8) expect(dump).not.toContain(value);
    }
    expect(dump).not.toMatch(/pat_|prt_|access_token|refresh_token/);
  });
});

describe('when z.cache misbehaves, no connection is lost', () => {
  afterEach(() => {
    delete process.env.OAUTH_REFRESH_BUDGET_MS;
  });

  it.each([
    ['down (503)', { kind: 'down', how: '503' }],
    ['down (connection reset)', { kind: 'down', how: 'reset' }],
    ['answering garbage', { kind: 'garbage', what: 'result' }],
    ['answering errors', { kind: 'error', message: 'store unavailable' }],
  ] as const)(
    'no run presents the refresh token while the store is %s for the whole burst: Zapier retries them, and the connection works once it answers',
    async (_label, fault) => {
      // Practice rotates strictly: without the store, no run can know it alone presents the token.
      process.env.OAUTH_REFRESH_BUDGET_MS = '3000';
      const connection = await connectOwner(runner, sandbox);
      sandbox.expireAccessTokens();
      rpc.setFault(fault);

      const outcomes = await burst(connection, 8);
      rpc.setFault(null);

      expect(new Set(outcomes.map((o) => o.error?.name))).toEqual(new Set(['ThrottledError']));
      expect(outcomes.some((o) => o.staled)).toBe(false);
      expect(tokenRequests()).toEqual([]);
      expect(connection.stale).toBe(false);

      const retried = await burst(connection, 8);
      expect(retried.map((o) => formatError(o.error))).toEqual(Array(8).fill('(no error)'));
      expect(tokenRequests()).toHaveLength(1);
      expect(sandbox.grants().filter((g) => g.revoked)).toEqual([]);
    },
  );

  it('still makes one token request when every store call is slow but answers in time', async () => {
    sandbox.setQuirks({ K8: true });
    const connection = await connectOwner(runner, sandbox);
    sandbox.expireAccessTokens();
    rpc.setFault({ kind: 'slow', delayMs: 150 });

    const outcomes = await burst(connection, 8);
    rpc.setFault(null);

    expect(outcomes.map((o) => formatError(o.error))).toEqual(Array(8).fill('(no error)'));
    expect(tokenRequests()).toHaveLength(1);
    expect(sandbox.grants().filter((g) => g.revoked)).toEqual([]);
  });

  it('absorbs a store that fails a few calls under K8: one token request, grant alive', async () => {
    sandbox.setQuirks({ K8: true });
    const connection = await connectOwner(runner, sandbox);
    sandbox.expireAccessTokens();
    rpc.setFault({ kind: 'error', message: 'busy', times: 3 });

    const outcomes = await burst(connection, 8);

    expect(outcomes.map((o) => formatError(o.error))).toEqual(Array(8).fill('(no error)'));
    expect(tokenRequests()).toHaveLength(1);
    expect(sandbox.grants().filter((g) => g.revoked)).toEqual([]);
  });
});
