// Chaos soak for coordinated refresh: many connections, bursts of concurrent runs that all
// meet an expired token, random start delays, strict rotation (K8) on and off, random
// transient faults in z.cache (a few calls, or every read for a window of up to 1.5 s in the
// middle of a burst, or only the reads of locks), and rounds in which the run holding a
// connection's lock is killed mid-request (its own process, SIGKILL, its token request
// dropped before Practice handles it). Everything runs through the harness as Zapier would run it
// (core's Lambda handler, z.cache over the RPC stand-in, refresh + retry once, Zapier's stale
// rule) against the sandbox on 127.0.0.1. Seeded: a failing run is replayed with its seed.
//
//   npm run soak -- [--seed N] [--connections N] [--rounds N] [--max-burst N] [--json]
//
// Reports connections lost (stale), grants revoked and token requests per expiry, for K8 on
// and off; exits 1 when a connection was lost, a grant revoked, or an expiry cost more than one
// token request.
import { type RpcFault, type RpcServer, startRpcServer, window } from '../harness/rpc-server';
import type { Connection } from '../harness/zapier-runner';
import {
  connectOwner,
  FIND,
  killHolderMidRequest,
  newRunner,
  POLL,
  POLL_LIST,
  startQuietSandbox,
  useEnvironment,
} from '../harness/practice-runs';

interface Options {
  seed: number;
  connections: number;
  rounds: number;
  maxBurst: number;
  json: boolean;
}

// A plain endpoint (K1 is a 403), a legacy one (K2 is a 200 ok:false), and a polling list.
const STEPS = [POLL, FIND, POLL_LIST];

function parseOptions(argv: string[]): Options {
  const options: Options = {
    seed: Date.now() % 1_000_000,
    connections: 5,
    rounds: 16,
    maxBurst: 12,
    json: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = () => {
      const raw = argv[++i];
      if (raw === undefined || !/^\d+$/.test(raw)) throw new Error(`${flag} needs a whole number`);
      return Number(raw);
    };
    if (flag === '--seed') options.seed = value();
    else if (flag === '--connections') options.connections = Math.max(1, value());
    else if (flag === '--rounds') options.rounds = Math.max(1, value());
    else if (flag === '--max-burst') options.maxBurst = Math.max(1, value());
    else if (flag === '--json') options.json = true;
    else throw new Error(`unknown option ${flag}; see the header of tools/bench/soak.ts`);
  }
  return options;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A transient store fault, or none: the kinds of trouble a shared store has for a moment.
 * Drawn before the round; made when its burst starts (a window counts from then).
 */
function pickFault(rng: () => number): () => RpcFault | null {
  const times = 1 + Math.floor(rng() * 3);
  const roll = rng();
  // Every read, or every read of a lock, fails for 0.3–1.5 s from 50–300 ms into the burst:
  // by then most runs have seen the holder.
  const afterMs = 50 + Math.floor(rng() * 250);
  const forMs = 300 + Math.floor(rng() * 1200);
  const how = rng() < 0.5;
  const delayMs = 50 + Math.floor(rng() * 400);
  if (roll < 0.3) return () => null;
  if (roll < 0.42) return () => ({ kind: 'down', how: how ? '503' : 'reset', times });
  if (roll < 0.54) return () => ({ kind: 'slow', delayMs, times });
  if (roll < 0.64) return () => ({ kind: 'garbage', what: how ? 'result' : 'id', times });
  if (roll < 0.72) return () => ({ kind: 'error', message: 'zcache is busy', times });
  if (roll < 0.86) return () => ({ kind: 'down', methods: ['zcache_get'], ...window(afterMs, forMs) });
  return () => ({
    kind: 'down',
    methods: ['zcache_get'],
    when: (call) => call.key?.startsWith('practice:refresh-lock:') === true,
    ...window(afterMs, forMs),
  });
}

/** The budget of a refresh call in rounds with a killed holder: its lock (10 s) expires soon. */
const KILL_ROUND_BUDGET_MS = 9000;
const KILL_ROUND_LOCK_MS = 10_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Tally {
  rounds: number;
  runs: number;
  failedRuns: number;
  expiries: number;
  tokenRequests: number;
  worstPerExpiry: number;
  lost: number;
  revoked: number;
  killed: number;
}

const emptyTally = (): Tally => ({
  rounds: 0,
  runs: 0,
  failedRuns: 0,
  expiries: 0,
  tokenRequests: 0,
  worstPerExpiry: 0,
  lost: 0,
  revoked: 0,
  killed: 0,
});

export async function soak(options: Options): Promise<{ k8: Tally; grace: Tally; failures: string[] }> {
  const rng = random(options.seed);
  const sandbox = await startQuietSandbox();
  const rpc: RpcServer = await startRpcServer();
  useEnvironment(sandbox);
  const runner = newRunner(rpc);
  const tallies = { k8: emptyTally(), grace: emptyTally() };
  const failures: string[] = [];
  try {
    const connections: Connection[] = [];
    // One after another: a local authorization keeps its PKCE verifier per redirect URI.
    for (let i = 0; i < options.connections; i += 1) {
      connections.push(await connectOwner(runner, sandbox, { id: `soak-${i}`, userId: `user-${i}` }));
    }

    for (let round = 0; round < options.rounds; round += 1) {
      const k8 = rng() < 0.5;
      const tally = k8 ? tallies.k8 : tallies.grace;
      sandbox.setQuirks({ K8: k8 });
      sandbox.resetRateLimits();
      const byK1 = rng() < 0.5;
      if (byK1) sandbox.expireAccessTokens();
      else for (const c of connections) c.authData.expires_at = Math.floor(Date.now() / 1000) - 1;
      const fault = pickFault(rng);
      const revokedBefore = sandbox.grants().filter((g) => g.revoked).length;
      sandbox.resetRequestLog();

      const live = connections.filter((c) => !c.stale);
      // One round in five: the first run of one connection dies holding its lock.
      const victim = rng() < 0.2 ? live[Math.floor(rng() * live.length)] : undefined;
      if (victim) {
        process.env.OAUTH_REFRESH_BUDGET_MS = String(KILL_ROUND_BUDGET_MS);
        await killHolderMidRequest(sandbox, rpc, victim);
        tally.killed += 1;
      }
      const lockedAt = Date.now();
      rpc.setFault(fault());
      const bursts = live.map((connection) => {
        const size = 1 + Math.floor(rng() * options.maxBurst);
        const delays = Array.from({ length: size }, () => Math.floor(rng() * 40));
        const steps = Array.from({ length: size }, () => STEPS[Math.floor(rng() * STEPS.length)] ?? POLL);
        // A late run: started with the pair this connection had before the burst refreshed it.
        const late = rng() < 0.5 ? { ...connection, authData: { ...connection.authData } } : null;
        return { connection, delays, steps, late };
      });
      await Promise.all(
        bursts.flatMap(({ connection, delays, steps }) =>
          delays.map(async (delay, i) => {
            await pause(delay);
            const method = steps[i] ?? POLL;
            const outcome = await runner.runStep(connection, method, {
              inputData: method === FIND ? { name: 'A' } : {},
            });
            tally.runs += 1;
            if (!outcome.ok) {
              tally.failedRuns += 1;
              if (outcome.error?.name !== 'ThrottledError') {
                failures.push(
                  `round ${round} ${connection.id}: ${outcome.error?.name}: ${outcome.error?.message}`,
                );
              }
            }
          }),
        ),
      );
      // The late runs come back after the burst, holding the refresh token it rotated.
      await Promise.all(
        bursts.map(async ({ late, connection }) => {
          if (!late) return;
          const outcome = await runner.runStep(late, POLL);
          tally.runs += 1;
          if (!outcome.ok) {
            tally.failedRuns += 1;
            failures.push(
              `round ${round} late run of ${connection.id}: ${outcome.error?.name}: ${outcome.error?.message}`,
            );
          }
          if (late.stale) connection.stale = true;
        }),
      );
      rpc.setFault(null);
      if (victim) {
        // Zapier retries the victim's runs later: once the dead run's lock has expired, one takes over.
        await pause(Math.max(0, lockedAt + KILL_ROUND_LOCK_MS + 200 - Date.now()));
        const retry = await runner.runStep(victim, POLL);
        tally.runs += 1;
        if (!retry.ok) {
          tally.failedRuns += 1;
          failures.push(
            `round ${round} retry after a killed holder: ${retry.error?.name}: ${retry.error?.message}`,
          );
        }
        delete process.env.OAUTH_REFRESH_BUDGET_MS;
      }

      const requests = sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth/token');
      // Every live connection met one expiry this round.
      tally.expiries += bursts.length;
      // Per connection: its grant's token requests this round (each connection is one grant).
      const grants = new Map<string, number>();
      for (const r of requests) if (r.grantId) grants.set(r.grantId, (grants.get(r.grantId) ?? 0) + 1);
      for (const count of grants.values()) tally.worstPerExpiry = Math.max(tally.worstPerExpiry, count);
      tally.tokenRequests += requests.length;
      tally.rounds += 1;
      tally.revoked += sandbox.grants().filter((g) => g.revoked).length - revokedBefore;
      const lostNow = live.filter((c) => c.stale).length;
      tally.lost += lostNow;
      if (lostNow > 0)
        failures.push(
          `round ${round}: ${lostNow} connection(s) went stale (K8 ${k8 ? 'on' : 'off'}, fault ${JSON.stringify(fault())})`,
        );
    }
  } finally {
    await rpc.close();
    await sandbox.close();
  }
  return { ...tallies, failures };
}

function row(name: string, t: Tally): string {
  const perExpiry = t.expiries ? (t.tokenRequests / t.expiries).toFixed(2) : '–';
  return `| ${name} | ${t.rounds} | ${t.runs} | ${t.failedRuns} | ${t.killed} | ${t.expiries} | ${t.tokenRequests} | ${perExpiry} | ${t.worstPerExpiry} | ${t.lost} | ${t.revoked} |`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  // What the app logs through z.console ("another run already renewed…") would drown the report.
  const log = console.log;
  console.log = () => undefined;
  let result: Awaited<ReturnType<typeof soak>>;
  try {
    result = await soak(options);
  } finally {
    console.log = log;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const bad =
    result.failures.length > 0 ||
    [result.k8, result.grace].some((t) => t.lost > 0 || t.revoked > 0 || t.worstPerExpiry > 1);
  if (options.json) {
    console.log(JSON.stringify({ options, seconds: Number(seconds), ...result }));
  } else {
    console.log(
      `Soak: seed ${options.seed}, ${options.connections} connections, ${options.rounds} rounds, bursts of 1–${options.maxBurst}, ${seconds} s`,
    );
    console.log('');
    console.log(
      '| K8 | rounds | runs | runs failed (retried by Zapier) | holders killed | expiries | token requests | per expiry | worst expiry | connections lost | grants revoked |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    console.log(row('on', result.k8));
    console.log(row('off', result.grace));
    for (const failure of result.failures) console.log(`  ${failure}`);
    console.log('');
    console.log(bad ? `FAILED (replay: npm run soak -- --seed ${options.seed})` : 'OK');
  }
  process.exitCode = bad ? 1 : 0;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
