// Chaos soak for coordinated refresh: bursts of concurrent runs that all meet an expired token,
// with z.cache misbehaving in every way a shared store does, under every rotation kind. Everything
// runs as Zapier would run it (core's Lambda handler, z.cache over the RPC stand-in, refresh +
// retry once, Zapier's stale rule, and Zapier's later retry of a step that ended with a retryable
// error, which reads the connection as it is by then). Seeded: a failing run is replayed with its seed.
//
//   npm run soak -- [--seed N] [--connections N] [--rounds N] [--max-burst N] [--outage-seconds N]
//                   [--rotation-rounds N] [--json]
//
// 1. Practice (strict rotation; K8 on: a refresh token presented twice revokes the grant, K8 off:
//    the sandbox forgives it for 60 s): z.cache faults for a few calls or a window (down, slow,
//    garbage, errors, every read, every lock read), every call slow just below and just above the
//    old 2 s per-call timeout, every call slow just below and just above PATIENCE (no refresh can
//    finish then: every run is retried), outcome records written and lost, records evicted before
//    late runs come, late runs holding the rotated token, and holders killed mid-request.
// 2. One outage of z.cache (`--outage-seconds`, 60 by default; every call refused), with a burst of
//    runs on every connection every few seconds throughout, then the store back.
// 3. Every rotation kind, each through a stand-in of a provider that has it (tools/standins) and
//    that provider's profile: strict (Salesforce), single-use (Slack), grace (Xero), always
//    (Microsoft), none (HubSpot), with the same kinds of store trouble, a short outage included.
//
// Reports connections lost (stale), grants revoked, and token requests per expiry; exits 1 when a
// connection was lost, a grant revoked, a refresh token presented twice where its provider punishes
// it, a run refreshed alone where reuse is punished, or an expiry cost more than one coordinated
// token request. Runs that refreshed alone (the store did not answer within PATIENCE and the
// rotation forgives reuse, by design) say so in their log and are counted apart.
import { PROFILES } from '../../profiles';
import { type RpcFault, type RpcServer, startRpcServer, window } from 'zapier-oauth-layer/conformance';
import type { Connection, StepOutcome } from 'zapier-oauth-layer/conformance';
import { newConnection, ZapierRunner } from 'zapier-oauth-layer/conformance';
import { appFor, pointAt, PROBE } from 'zapier-oauth-layer/conformance';
import {
  connectOwner,
  FIND,
  killHolderMidRequest,
  POLL,
  POLL_LIST,
  startPracticeRuns,
} from '../harness/practice-runs';
import { start as hubspot } from '../standins/hubspot';
import { start as microsoft } from '../standins/microsoft';
import { start as salesforce } from '../standins/salesforce';
import { start as slack } from '../standins/slack';
import type { StandIn } from 'zapier-oauth-layer/standin';
import { start as xero } from '../standins/xero';

interface Options {
  seed: number;
  connections: number;
  rounds: number;
  maxBurst: number;
  outageSeconds: number;
  rotationRounds: number;
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
    outageSeconds: 60,
    rotationRounds: 6,
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
    else if (flag === '--outage-seconds') options.outageSeconds = value();
    else if (flag === '--rotation-rounds') options.rotationRounds = value();
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

/** The budget of a refresh call in rounds that need its table smaller (PATIENCE 900 ms, PROTECT 9 s). */
const SMALL_BUDGET_MS = 2700;
/** The old per-call timeout, which slow stores are tried just below and just above. */
const OLD_CALL_TIMEOUT_MS = 2000;

/** One round's store trouble: a name for the report, the fault (made when the burst starts), and its budget. */
interface Trouble {
  name: string;
  fault: () => RpcFault | null;
  /** OAUTH_REFRESH_BUDGET_MS for the round, when not the production one. */
  budgetMs?: number;
  /** Outcome records evicted after the burst, before the late runs. */
  evict?: boolean;
}

function pickTrouble(rng: () => number, namespace: string): Trouble {
  const times = 1 + Math.floor(rng() * 3);
  const roll = rng();
  // Every read, or every read of a lock, fails for 0.3–1.5 s from 50–300 ms into the burst.
  const afterMs = 50 + Math.floor(rng() * 250);
  const forMs = 300 + Math.floor(rng() * 1200);
  const how = rng() < 0.5;
  const delayMs = 50 + Math.floor(rng() * 400);
  const below = rng() < 0.5;
  const outcomeKey = (key: string | null) => key?.startsWith(`${namespace}:refresh-outcome:`) === true;
  if (roll < 0.2) return { name: 'none', fault: () => null };
  if (roll < 0.28)
    return { name: 'down, a few calls', fault: () => ({ kind: 'down', how: how ? '503' : 'reset', times }) };
  if (roll < 0.34) return { name: 'slow, a few calls', fault: () => ({ kind: 'slow', delayMs, times }) };
  if (roll < 0.39)
    return {
      name: 'garbage, a few calls',
      fault: () => ({ kind: 'garbage', what: how ? 'result' : 'id', times }),
    };
  if (roll < 0.43)
    return {
      name: 'errors, a few calls',
      fault: () => ({ kind: 'error', message: 'zcache is busy', times }),
    };
  if (roll < 0.51)
    return {
      name: 'every read down for a while',
      fault: () => ({ kind: 'down', methods: ['zcache_get'], ...window(afterMs, forMs) }),
    };
  if (roll < 0.56)
    return {
      name: 'every lock read down for a while',
      fault: () => ({
        kind: 'down',
        methods: ['zcache_get'],
        when: (call) => call.key?.startsWith(`${namespace}:refresh-lock:`) === true,
        ...window(afterMs, forMs),
      }),
    };
  if (roll < 0.66) {
    // The old 2 s of a 27 s budget, scaled to the round's: 200 ms of 2.7 s, just below or above.
    const ms = Math.round(((OLD_CALL_TIMEOUT_MS * SMALL_BUDGET_MS) / 27_000) * (below ? 0.9 : 1.1));
    return {
      name: `every call slow, ${ms} ms (the old per-call timeout ${below ? '-' : '+'} 10 %, scaled to the budget)`,
      fault: () => ({ kind: 'slow', delayMs: ms }),
      budgetMs: SMALL_BUDGET_MS,
    };
  }
  if (roll < 0.76) {
    const patience = (3 * SMALL_BUDGET_MS) / 9;
    const ms = Math.round(patience * (below ? 0.9 : 1.1));
    return {
      name: `every call slow, ${ms} ms (PATIENCE ${below ? '-' : '+'} 10 %)`,
      fault: () => ({ kind: 'slow', delayMs: ms }),
      budgetMs: SMALL_BUDGET_MS,
    };
  }
  if (roll < 0.88)
    return {
      name: 'outcome records lost as written',
      fault: () => ({ kind: 'lose', methods: ['zcache_set'], when: (c) => outcomeKey(c.key) }),
    };
  return { name: 'outcome records evicted before the late runs', fault: () => null, evict: true };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs that refreshed without coordination, counted from what the app logs when it does
 * (layer/oauth.ts: "… renewed the … token without coordination."), which main() intercepts.
 */
const aloneRefreshes = { count: 0 };
const ALONE_LOG = /token without coordination\./;

interface Tally {
  rounds: number;
  runs: number;
  /** Runs that ended with a retryable error, and were retried by Zapier later. */
  retried: number;
  expiries: number;
  tokenRequests: number;
  worstPerExpiry: number;
  /** Token requests made by runs that refreshed alone while the store was unreachable (reuse forgiven). */
  alone: number;
  lost: number;
  revoked: number;
  killed: number;
}

const emptyTally = (): Tally => ({
  rounds: 0,
  runs: 0,
  retried: 0,
  expiries: 0,
  tokenRequests: 0,
  worstPerExpiry: 0,
  alone: 0,
  lost: 0,
  revoked: 0,
  killed: 0,
});

/** Zapier retries a step that ended with a retryable error later, reading the connection as it is by then. */
function retryable(outcome: StepOutcome): boolean {
  return !outcome.ok && !outcome.staled && outcome.error?.name !== 'StaleConnection';
}

/** The RPC stand-in's clock runs ahead of real time by what the soak has called "later" so far. */
function storeClock(rpc: RpcServer) {
  let ahead = 0;
  rpc.setClock(() => Date.now() + ahead);
  return {
    /** Zapier's retry, later: past every lock (PROTECT at the production budget: 90 s) and failure record. */
    later: () => {
      ahead += 95_000;
    },
  };
}

async function practiceRounds(options: Options, rng: () => number, failures: string[]) {
  const runs = await startPracticeRuns();
  const { sandbox, rpc, runner } = runs;
  const clock = storeClock(rpc);
  const tallies = { k8: emptyTally(), grace: emptyTally(), outage: emptyTally() };
  const byTrouble = new Map<string, number>();
  try {
    const connections: Connection[] = [];
    // One after another: a local authorization keeps its PKCE verifier per redirect URI.
    for (let i = 0; i < options.connections; i += 1) {
      connections.push(await connectOwner(runner, sandbox, { id: `soak-${i}`, userId: `user-${i}` }));
    }
    const tokenRequests = () =>
      sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth/token');
    const revokedNow = () => sandbox.grants().filter((g) => g.revoked).length;

    /** Runs `steps` on `connection` as Zapier would, and retries what ended retryably, later. */
    const runAll = async (
      tally: Tally,
      round: string,
      work: { connection: Connection; run: Connection; method: string }[],
    ): Promise<Connection[]> => {
      const outcomes = await Promise.all(
        work.map(async ({ run, method }) =>
          runner.runStep(run, method, { inputData: method === FIND ? { name: 'A' } : {} }),
        ),
      );
      tally.runs += outcomes.length;
      const again: Connection[] = [];
      outcomes.forEach((outcome, i) => {
        const { connection, run } = work[i] ?? { connection: undefined, run: undefined };
        if (!connection || !run) return;
        if (run !== connection && run.stale) connection.stale = true;
        if (retryable(outcome)) again.push(connection);
        else if (!outcome.ok)
          failures.push(`${round} ${connection.id}: ${outcome.error?.name}: ${outcome.error?.message}`);
      });
      return again;
    };

    for (let round = 0; round < options.rounds; round += 1) {
      const k8 = rng() < 0.5;
      const tally = k8 ? tallies.k8 : tallies.grace;
      sandbox.setQuirks({ K8: k8 });
      sandbox.resetRateLimits();
      const byK1 = rng() < 0.5;
      if (byK1) sandbox.expireAccessTokens();
      else for (const c of connections) c.authData.expires_at = Math.floor(Date.now() / 1000) - 1;
      const trouble = pickTrouble(rng, 'practice');
      byTrouble.set(trouble.name, (byTrouble.get(trouble.name) ?? 0) + 1);
      const revokedBefore = revokedNow();
      const aloneAtStart = aloneRefreshes.count;
      sandbox.resetRequestLog();
      if (trouble.budgetMs) process.env.OAUTH_REFRESH_BUDGET_MS = String(trouble.budgetMs);

      const live = connections.filter((c) => !c.stale);
      // One round in five: the first run of one connection dies holding its lock.
      const victim = rng() < 0.2 ? live[Math.floor(rng() * live.length)] : undefined;
      if (victim) {
        process.env.OAUTH_REFRESH_BUDGET_MS = String(SMALL_BUDGET_MS * 3);
        await killHolderMidRequest(sandbox, rpc, victim);
        tally.killed += 1;
      }
      rpc.setFault(trouble.fault());
      const name = `round ${round} (${trouble.name}${victim ? ', a holder killed' : ''})`;
      const bursts = live.map((connection) => {
        const size = 1 + Math.floor(rng() * options.maxBurst);
        const delays = Array.from({ length: size }, () => Math.floor(rng() * 40));
        const steps = Array.from({ length: size }, () => STEPS[Math.floor(rng() * STEPS.length)] ?? POLL);
        // A late run: started with the pair this connection had before the burst refreshed it.
        const late =
          rng() < 0.5
            ? newConnection(
                { ...connection.authData },
                { id: `${connection.id}-late`, userId: connection.userId },
              )
            : null;
        return { connection, delays, steps, late };
      });
      let again = (
        await Promise.all(
          bursts.map(async ({ connection, delays, steps }) =>
            runAll(
              tally,
              name,
              await Promise.all(
                delays.map(async (delay, i) => {
                  await pause(delay);
                  return { connection, run: connection, method: steps[i] ?? POLL };
                }),
              ),
            ),
          ),
        )
      ).flat();
      if (trouble.evict) rpc.evict((entry) => entry.key.startsWith('practice:refresh-outcome:'));
      // The late runs come back after the burst, holding the refresh token it rotated.
      const lateRuns = bursts.flatMap(({ connection, late }) =>
        late ? [{ connection, run: late, method: POLL }] : [],
      );
      again.push(...(await runAll(tally, `${name} late run`, lateRuns)));
      rpc.setFault(null);
      delete process.env.OAUTH_REFRESH_BUDGET_MS;
      // Zapier's retries, later, until every step has run (each pass is "later" again).
      for (let pass = 0; again.length > 0 && pass < 3; pass += 1) {
        tally.retried += again.length;
        clock.later();
        again = await runAll(
          tally,
          `${name} retry ${pass + 1}`,
          [...new Set(again)].map((connection) => ({ connection, run: connection, method: POLL })),
        );
      }
      for (const connection of again)
        failures.push(`${name}: ${connection.id} still failing after Zapier's retries`);

      const requests = tokenRequests();
      tally.expiries += live.length;
      const grants = new Map<string, number>();
      for (const r of requests) if (r.grantId) grants.set(r.grantId, (grants.get(r.grantId) ?? 0) + 1);
      for (const count of grants.values()) tally.worstPerExpiry = Math.max(tally.worstPerExpiry, count);
      tally.tokenRequests += requests.length;
      tally.rounds += 1;
      tally.revoked += revokedNow() - revokedBefore;
      const lostNow = live.filter((c) => c.stale).length;
      tally.lost += lostNow;
      if (lostNow > 0)
        failures.push(`${name}: ${lostNow} connection(s) went stale (K8 ${k8 ? 'on' : 'off'})`);
      // Practice rotates strictly: no run may ever present its token without the lock.
      if (aloneRefreshes.count > aloneAtStart)
        failures.push(`${name}: ${aloneRefreshes.count - aloneAtStart} run(s) refreshed alone`);
    }

    // The long outage: every call refused for outageSeconds, bursts on every connection throughout.
    if (options.outageSeconds > 0) {
      const tally = tallies.outage;
      sandbox.setQuirks({ K8: true });
      const live = connections.filter((c) => !c.stale);
      const revokedBefore = revokedNow();
      sandbox.resetRequestLog();
      await rpc.refuseConnections(true);
      const until = Date.now() + options.outageSeconds * 1000;
      let waves = 0;
      const failing = new Set<Connection>();
      while (Date.now() < until) {
        sandbox.expireAccessTokens();
        const again = await runAll(
          tally,
          `outage wave ${waves}`,
          live.flatMap((connection) =>
            Array.from({ length: 3 }, () => ({ connection, run: connection, method: POLL })),
          ),
        );
        for (const connection of again) failing.add(connection);
        waves += 1;
        await pause(Math.min(5_000, Math.max(0, until - Date.now())));
      }
      const duringOutage = tokenRequests().length;
      await rpc.refuseConnections(false);
      tally.retried += failing.size;
      clock.later();
      const after = await runAll(
        tally,
        'after the outage',
        [...failing].map((connection) => ({ connection, run: connection, method: POLL })),
      );
      for (const connection of after) failures.push(`after the outage: ${connection.id} still failing`);
      tally.rounds = waves;
      tally.expiries += live.length;
      tally.tokenRequests += tokenRequests().length;
      if (duringOutage > 0)
        failures.push(`during the outage: ${duringOutage} token request(s) under strict rotation`);
      const grants = new Map<string, number>();
      for (const r of tokenRequests()) if (r.grantId) grants.set(r.grantId, (grants.get(r.grantId) ?? 0) + 1);
      for (const count of grants.values()) tally.worstPerExpiry = Math.max(tally.worstPerExpiry, count);
      tally.revoked += revokedNow() - revokedBefore;
      tally.lost += live.filter((c) => c.stale).length;
    }
  } finally {
    await runs.close();
  }
  return { tallies, byTrouble };
}

/** A provider whose rotation is `kind`, its stand-in and its profile. */
const ROTATIONS = [
  { kind: 'strict', provider: 'salesforce', start: salesforce },
  { kind: 'single-use', provider: 'slack', start: slack },
  { kind: 'grace', provider: 'xero', start: xero },
  { kind: 'always', provider: 'microsoft', start: microsoft },
  { kind: 'none', provider: 'hubspot', start: hubspot },
] as const;

async function rotationRounds(options: Options, rng: () => number, failures: string[]) {
  const tallies: Record<string, Tally> = {};
  for (const { kind, provider, start } of ROTATIONS) {
    const tally = (tallies[`${kind} (${provider})`] = emptyTally());
    const profile = PROFILES[provider];
    if (!profile) throw new Error(`no profile for ${provider}`);
    const standIn: StandIn = await start();
    const restore = pointAt(profile, standIn);
    const rpc = await startRpcServer();
    const clock = storeClock(rpc);
    const runner = new ZapierRunner({ app: appFor(profile, standIn.probePath).app, rpc });
    const now = () => Math.floor(Date.now() / 1000);
    const connections = Array.from({ length: Math.min(options.connections, 3) }, (_, i) => {
      const pair = standIn.connect();
      return newConnection(
        { ...pair, expires_at: now() + pair.expires_in },
        { id: `${provider}-${i}`, userId: `user-${i}` },
      );
    });
    try {
      for (let round = 0; round < options.rotationRounds; round += 1) {
        const outage = round === options.rotationRounds - 1;
        const trouble: Trouble = outage
          ? { name: 'z.cache unreachable', fault: () => null, budgetMs: SMALL_BUDGET_MS }
          : pickTrouble(rng, profile.id);
        const name = `${kind} (${provider}) round ${round} (${trouble.name})`;
        standIn.expireAccessTokens();
        const before = standIn.tokenStats();
        if (trouble.budgetMs) process.env.OAUTH_REFRESH_BUDGET_MS = String(trouble.budgetMs);
        if (outage) await rpc.refuseConnections(true);
        rpc.setFault(trouble.fault());
        const live = connections.filter((c) => !c.stale);
        const work = live.flatMap((connection) =>
          Array.from({ length: 1 + Math.floor(rng() * options.maxBurst) }, () => connection),
        );
        const aloneAtStart = aloneRefreshes.count;
        const outcomes = await Promise.all(work.map((connection) => runner.runStep(connection, PROBE)));
        if (trouble.evict) rpc.evict((entry) => entry.key.startsWith(`${profile.id}:refresh-outcome:`));
        rpc.setFault(null);
        if (outage) await rpc.refuseConnections(false);
        delete process.env.OAUTH_REFRESH_BUDGET_MS;
        tally.runs += outcomes.length;
        let again = [...new Set(work.filter((_, i) => outcomes[i] && retryable(outcomes[i])))];
        outcomes.forEach((o, i) => {
          if (!o.ok && !retryable(o))
            failures.push(`${name} ${work[i]?.id}: ${o.error?.name}: ${o.error?.message}`);
        });
        for (let pass = 0; again.length > 0 && pass < 3; pass += 1) {
          tally.retried += again.length;
          clock.later();
          const retried = await Promise.all(again.map((connection) => runner.runStep(connection, PROBE)));
          tally.runs += retried.length;
          again = again.filter((_, i) => retried[i] && retryable(retried[i]));
        }
        for (const connection of again)
          failures.push(`${name}: ${connection.id} still failing after Zapier's retries`);
        const after = standIn.tokenStats();
        const requests = after.tokenRequests - before.tokenRequests;
        tally.rounds += 1;
        tally.expiries += live.length;
        // Runs that refreshed alone said so in their log: the store did not answer within PATIENCE
        // and the rotation forgives reuse. They are counted apart; every other request is one per expiry.
        const alone = aloneRefreshes.count - aloneAtStart;
        const coordinated = requests - alone;
        tally.alone += alone;
        tally.tokenRequests += coordinated;
        if (coordinated > live.length)
          failures.push(`${name}: ${coordinated} coordinated token requests for ${live.length} expiries`);
        tally.worstPerExpiry = Math.max(
          tally.worstPerExpiry,
          coordinated > live.length ? coordinated - live.length + 1 : 1,
        );
        const punished = kind === 'strict' || kind === 'single-use';
        if (punished && alone > 0)
          failures.push(`${name}: ${alone} run(s) refreshed alone under ${kind} rotation`);
        const reused = after.reusedRefreshTokens - before.reusedRefreshTokens;
        tally.revoked += after.revokedByReuse - before.revokedByReuse;
        if (punished && reused > 0)
          failures.push(`${name}: a refresh token presented ${reused} time(s) again`);
        const lostNow = live.filter((c) => c.stale).length;
        tally.lost += lostNow;
        if (lostNow > 0) failures.push(`${name}: ${lostNow} connection(s) went stale`);
      }
    } finally {
      restore();
      await rpc.close();
      await standIn.close();
    }
  }
  return tallies;
}

export async function soak(options: Options) {
  const rng = random(options.seed);
  const failures: string[] = [];
  const practice = await practiceRounds(options, rng, failures);
  const rotations = options.rotationRounds > 0 ? await rotationRounds(options, rng, failures) : {};
  return { practice, rotations, failures };
}

function row(name: string, t: Tally): string {
  const perExpiry = t.expiries ? (t.tokenRequests / t.expiries).toFixed(2) : '–';
  return `| ${name} | ${t.rounds} | ${t.runs} | ${t.retried} | ${t.killed} | ${t.expiries} | ${t.tokenRequests} | ${perExpiry} | ${t.worstPerExpiry} | ${t.alone} | ${t.lost} | ${t.revoked} |`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  // What the app logs through z.console ("another run already renewed…") would drown the report.
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (args.some((arg) => typeof arg === 'string' && ALONE_LOG.test(arg))) aloneRefreshes.count += 1;
  };
  let result: Awaited<ReturnType<typeof soak>>;
  try {
    result = await soak(options);
  } finally {
    console.log = log;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const tallies: [string, Tally][] = [
    ['Practice, K8 on (strict)', result.practice.tallies.k8],
    ['Practice, K8 off (60 s grace at the sandbox)', result.practice.tallies.grace],
    [`Practice, z.cache refused for ${options.outageSeconds} s (K8)`, result.practice.tallies.outage],
    ...Object.entries(result.rotations),
  ];
  const bad =
    result.failures.length > 0 ||
    tallies.some(([, t]) => t.lost > 0 || t.revoked > 0 || t.worstPerExpiry > 1);
  if (options.json) {
    console.log(
      JSON.stringify({
        options,
        seconds: Number(seconds),
        ...result,
        byTrouble: [...result.practice.byTrouble],
      }),
    );
  } else {
    console.log(
      `Soak: seed ${options.seed}, ${options.connections} connections, ${options.rounds} rounds, bursts of 1–${options.maxBurst}, ` +
        `a ${options.outageSeconds} s outage, ${options.rotationRounds} rounds per rotation kind, ${seconds} s`,
    );
    console.log('');
    console.log(
      '| rotation | rounds | runs | runs retried by Zapier | holders killed | expiries | token requests | per expiry | worst expiry | alone (store down, reuse forgiven) | connections lost | grants revoked |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [name, t] of tallies) console.log(row(name, t));
    console.log('');
    console.log(
      `Practice rounds by store trouble: ${[...result.practice.byTrouble].map(([n, c]) => `${n} ×${c}`).join('; ')}`,
    );
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
