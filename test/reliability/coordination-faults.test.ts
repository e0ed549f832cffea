// Coordinated refresh at its edges, end to end: core's Lambda handler, z.cache over the RPC
// stand-in with faults hooked to methods, keys, callers and time windows, and the sandbox with
// strict rotation (K8) holding token requests in flight. Each test is a way the promise "one
// token request per expiry, no connection lost" broke before (layer/refresh-coordination.ts).
import { type RpcCall, type RpcServer } from 'zapier-oauth-layer/conformance';
import { newConnection } from 'zapier-oauth-layer/conformance';
import {
  APP_PATH,
  type Connection,
  connectOwner,
  formatError,
  killHolderMidRequest,
  POLL,
  type PracticeRuns,
  type Sandbox,
  startPracticeRuns,
  useEnvironment,
  withDeadline,
  ZapierRunner,
} from '../../tools/harness/practice-runs';

const OUTCOME = 'practice:refresh-outcome:';
const LOCK = 'practice:refresh-lock:';

let runs: PracticeRuns | undefined;
let sandbox: Sandbox;
let rpc: RpcServer;
let runner: ZapierRunner;

beforeAll(async () => {
  runs = await startPracticeRuns({ quirks: { K8: true } });
  ({ sandbox, rpc, runner } = runs);
});

afterAll(async () => {
  await runs?.close();
});

beforeEach(() => {
  sandbox.setQuirks({ K8: true });
  rpc.setFault(null);
  rpc.clear();
});

afterEach(() => {
  delete process.env.OAUTH_REFRESH_BUDGET_MS;
  useEnvironment(sandbox);
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tokenRequests() {
  return sandbox.findRequests({ method: 'POST', path: '/oauth/token' });
}

function revoked() {
  return sandbox.grants().filter((g) => g.revoked);
}

/** Resolves once `check` holds, polling every 10 ms; fails the test after `ms`. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`);
    await pause(10);
  }
}

/** A run of `connection` as another Zapier worker: same tokens, its own identity for the RPC hooks. */
function worker(connection: Connection, id: string): Connection {
  return { ...newConnection({ ...connection.authData }, { id, userId: connection.userId }) };
}

async function expiredConnection(): Promise<Connection> {
  const connection = await connectOwner(runner, sandbox);
  sandbox.expireAccessTokens();
  sandbox.resetRequestLog();
  return connection;
}

describe('a run that has seen a holder never sends the same refresh token (K8)', () => {
  it("waits out a store that fails every read while the holder's token request is in flight", async () => {
    const connection = await expiredConnection();
    const hold = sandbox.holdTokenRequests(1);
    const burst = Promise.all(Array.from({ length: 8 }, () => runner.runStep(connection, POLL)));
    const held = await withDeadline(hold.next(), 10_000, 'the token request');
    // Every run has looked and tried the lock: 8 first looks, 7 lock reads, the holder's second look.
    await until(() => rpc.counts.zcache_get >= 16, 5_000, 'every run waiting');
    rpc.addFault({ kind: 'down', methods: ['zcache_get'], from: Date.now(), until: Date.now() + 1500 });
    await pause(1600);
    held.release();
    hold.end();
    const outcomes = await withDeadline(burst, 30_000, 'the burst');

    expect(outcomes.map((o) => formatError(o.error))).toEqual(Array(8).fill('(no error)'));
    expect(tokenRequests().map((r) => `${r.status} ${r.rotation}`)).toEqual(['200 rotated']);
    expect(revoked()).toEqual([]);
  });

  it('takes a refused lock for a holder even when reading who holds it fails', async () => {
    const connection = await expiredConnection();
    const hold = sandbox.holdTokenRequests(1);
    const first = runner.runStep(connection, POLL);
    const held = await withDeadline(hold.next(), 10_000, 'the token request');
    rpc.addFault({
      kind: 'down',
      methods: ['zcache_get'],
      when: (call: RpcCall) => call.key?.startsWith(LOCK) === true,
    });
    const others = Promise.all(Array.from({ length: 7 }, () => runner.runStep(connection, POLL)));
    await until(() => rpc.counts.zcache_set >= 8, 5_000, 'every run trying the lock');
    await pause(300);
    held.release();
    hold.end();
    const outcomes = await withDeadline(Promise.all([first, others]), 30_000, 'the burst');

    expect(outcomes.flat().map((o) => formatError(o.error))).toEqual(Array(8).fill('(no error)'));
    expect(tokenRequests().map((r) => `${r.status} ${r.rotation}`)).toEqual(['200 rotated']);
    expect(revoked()).toEqual([]);
  });

  it("never sends its token when its second look fails, although another run's rotation is recorded", async () => {
    const connection = await expiredConnection();
    const late = worker(connection, 'late-worker');
    let lateLocked = false;
    // The late run's first look is answered slowly, with what the store held when it asked
    // (nothing yet); meanwhile another run refreshes, records and lets go. Then the late run
    // takes the lock, and its second look fails a few times.
    rpc.addFault({
      kind: 'slow',
      delayMs: 1500,
      times: 1,
      when: (call) =>
        call.identity.connection === late.id &&
        call.method === 'zcache_get' &&
        call.key?.startsWith(OUTCOME) === true,
    });
    rpc.addFault({
      kind: 'down',
      times: 9,
      when: (call) => {
        if (call.identity.connection !== late.id) return false;
        if (call.method === 'zcache_set' && call.nx) lateLocked = true;
        return lateLocked && call.method === 'zcache_get' && call.key?.startsWith(OUTCOME) === true;
      },
    });
    const lateRun = runner.runStep(late, POLL);
    await pause(100);
    const first = await runner.runStep(connection, POLL);
    expect(formatError(first.error)).toBe('(no error)');
    const outcome = await withDeadline(lateRun, 30_000, 'the late run');

    expect(lateLocked).toBe(true);
    expect(formatError(outcome.error)).toBe('(no error)');
    expect(late.authData.refresh_token).toBe(connection.authData.refresh_token);
    expect(tokenRequests().map((r) => `${r.status} ${r.rotation}`)).toEqual(['200 rotated']);
    expect(revoked()).toEqual([]);
  });
});

describe("every refresh call ends inside Zapier's 30 s", () => {
  // A 9 s budget stands for the 27 s one, and the runner's limit is scaled with it (30 s -> 10 s).
  const BUDGET_MS = 9_000;
  const LIMIT_MS = 10_000;

  it('abandons a token request that hangs in time for Zapier to hear about it, without staling', async () => {
    process.env.OAUTH_REFRESH_BUDGET_MS = String(BUDGET_MS);
    const connection = await expiredConnection();
    const limited = new ZapierRunner({ appPath: APP_PATH, rpc, limitMs: LIMIT_MS });
    const hold = sandbox.holdTokenRequests(1);
    const started = Date.now();
    const refresh = await withDeadline(limited.refresh(connection), 40_000, 'the refresh');
    const took = Date.now() - started;
    hold.end();

    expect(refresh.error?.name).not.toBe('ZapierTimeout');
    expect(took).toBeLessThanOrEqual(BUDGET_MS + 500);
    expect(refresh.staled).toBe(false);
    expect(connection.stale).toBe(false);
  }, 45_000);

  it('a holder killed mid-request: the next runs wait or retry within their budget, then one takes over (K8)', async () => {
    process.env.OAUTH_REFRESH_BUDGET_MS = String(BUDGET_MS);
    const connection = await expiredConnection();
    const limited = new ZapierRunner({ appPath: APP_PATH, rpc, limitMs: LIMIT_MS });
    await killHolderMidRequest(sandbox, rpc, connection, 'doomed-worker');

    const timed = async (who: Connection) => {
      const started = Date.now();
      const outcome = await limited.runStep(who, POLL);
      return { outcome, took: Date.now() - started };
    };
    // Starts while the dead run's lock stands: it must give up in time, retryably.
    const soon = await timed(worker(connection, 'soon-worker'));
    // Zapier's retry, later: by then the lock has outlived every run that could hold the dead
    // run's answer (PROTECT: 30 ninths of the budget, 30 s here) and this run takes over.
    const skewMs = (30 * BUDGET_MS) / 9 + 1_000;
    rpc.setClock(() => Date.now() + skewMs);
    const retry = await timed(connection);
    rpc.setClock(Date.now);

    expect(formatError(soon.outcome.error)).toMatch(/^ThrottledError/);
    expect(soon.outcome.staled).toBe(false);
    expect(formatError(retry.outcome.error)).toBe('(no error)');
    for (const { took } of [soon, retry]) expect(took).toBeLessThan(2 * BUDGET_MS + 1000);
    expect(tokenRequests().map((r) => `${r.status} ${r.rotation}`)).toEqual(['200 rotated']);
    expect(revoked()).toEqual([]);
  }, 60_000);
});

describe('the owner changes CLIENT_SECRET', () => {
  it('a late run still finds the rotation recorded under the old secret and never presents the rotated token (K8)', async () => {
    const connection = await expiredConnection();
    const startedEarlier = worker(connection, 'early-worker');
    expect(formatError((await runner.runStep(connection, POLL)).error)).toBe('(no error)');

    // The owner rotates the secret at Practice and in Zapier; the old one still works there for now.
    process.env.CLIENT_SECRET = sandbox.rotateClientSecret();
    sandbox.resetRequestLog();
    const late = await runner.runStep(startedEarlier, POLL);
    sandbox.retireSecrets();

    expect(formatError(late.error)).toBe('(no error)');
    expect(startedEarlier.authData.refresh_token).toBe(connection.authData.refresh_token);
    expect(tokenRequests()).toEqual([]);
    expect(revoked()).toEqual([]);
  });
});
