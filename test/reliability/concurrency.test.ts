// Many steps of one connection at once while its access token expires, as Zapier
// runs them: each step reads the shared connection's authData when it starts and
// merges a refresh result back into it (harness/zapier-runner.ts). Practice rotates
// refresh tokens with a 60 s grace period (docs/practice-api.md §2.5), so the concurrent
// refreshes must all succeed, and the connection must end up holding a refresh token
// that still works after the grace period is over.
import {
  type Connection,
  connectOwner,
  FIND,
  formatError,
  hasMethod,
  newRunner,
  POLL,
  POLL_LIST,
  type Sandbox,
  startQuietSandbox,
  useEnvironment,
  withDeadline,
  type ZapierRunner,
} from './support';

const STEPS = 20;

let sandbox: Sandbox;
let runner: ZapierRunner;
let clockOffsetMs = 0;

beforeAll(async () => {
  sandbox = await startQuietSandbox({ clock: () => Date.now() + clockOffsetMs });
  useEnvironment(sandbox);
  runner = newRunner();
});

afterAll(async () => {
  await sandbox?.close();
});

beforeEach(() => {
  clockOffsetMs = 0;
  sandbox.resetRateLimits();
});

/** A mix of K1 (403) and K2 (200 ok:false) endpoints. */
function stepAt(i: number): { method: string; inputData: Record<string, unknown> } {
  const methods = [POLL, FIND, POLL_LIST].filter(hasMethod);
  const method = methods[i % methods.length] ?? POLL;
  return { method, inputData: method === FIND ? { name: 'A' } : {} };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** STEPS steps at once, or started `staggerMs` apart so later ones see earlier refreshes merged. */
async function burst(connection: Connection, staggerMs = 0) {
  sandbox.resetRequestLog();
  const outcomes = await withDeadline(
    Promise.all(
      Array.from({ length: STEPS }, async (_, i) => {
        if (staggerMs > 0) await pause(i * staggerMs);
        const { method, inputData } = stepAt(i);
        return runner.runStep(connection, method, { inputData });
      }),
    ),
    20_000,
    'the burst of steps',
  );
  return outcomes;
}

function tokenRequests(): { status: number }[] {
  return sandbox.findRequests({ method: 'POST', path: '/oauth/token' });
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

describe(`${STEPS} concurrent steps on one connection`, () => {
  it('all succeed after at most one refresh each when the token expires unannounced (K1/K2)', async () => {
    const connection = await connectOwner(runner, sandbox);
    expect(sandbox.expireAccessTokens()).toBeGreaterThan(0);

    const outcomes = await burst(connection);

    expect(outcomes.map((o) => formatError(o.error))).toEqual(Array(STEPS).fill('(no error)'));
    expect(outcomes.every((o) => o.ok && o.refreshed)).toBe(true);
    // The runner refreshes at most once per step; every refresh reached Practice and succeeded.
    expect(connection.refreshes).toBeLessThanOrEqual(STEPS);
    expect(tokenRequests()).toHaveLength(connection.refreshes);
    expect(tokenRequests().every((r) => r.status === 200)).toBe(true);
    expect(connection.stale).toBe(false);
    expect(sandbox.grants().filter((g) => g.revoked)).toEqual([]);
    console.log(`K1/K2 burst: ${connection.refreshes} refreshes for ${STEPS} concurrent steps`);

    await expectHealthyAfterGrace(connection);
  });

  it.each([2, 5, 10])(
    'all succeed, and the connection keeps the newest refresh token, when steps start %i ms apart',
    async (staggerMs) => {
      const connection = await connectOwner(runner, sandbox);
      sandbox.expireAccessTokens();

      const outcomes = await burst(connection, staggerMs);

      expect(outcomes.map((o) => formatError(o.error))).toEqual(Array(STEPS).fill('(no error)'));
      expect(connection.refreshes).toBeLessThanOrEqual(STEPS);
      expect(sandbox.grants().filter((g) => g.revoked)).toEqual([]);
      console.log(`staggered ${staggerMs} ms: ${connection.refreshes} refreshes for ${STEPS} steps`);

      await expectHealthyAfterGrace(connection);
    },
  );

  it('all succeed and spend no API request on the dead token when expires_at announces the expiry', async () => {
    const connection = await connectOwner(runner, sandbox);
    sandbox.expireAccessTokens();
    connection.authData.expires_at = Math.floor(Date.now() / 1000) - 5;

    const outcomes = await burst(connection);

    expect(outcomes.map((o) => formatError(o.error))).toEqual(Array(STEPS).fill('(no error)'));
    expect(connection.refreshes).toBeLessThanOrEqual(STEPS);
    expect(tokenRequests()).toHaveLength(connection.refreshes);
    // Every API request carried a live token: one per step, none refused.
    const api = sandbox.findRequests((r) => r.path.startsWith('/api/'));
    expect(api.map((r) => r.status)).toEqual(Array(STEPS).fill(200));
    expect(sandbox.grants().filter((g) => g.revoked)).toEqual([]);
    console.log(`expires_at burst: ${connection.refreshes} refreshes for ${STEPS} concurrent steps`);

    await expectHealthyAfterGrace(connection);
  });
});
