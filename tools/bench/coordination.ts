// What coordinated refresh costs z.cache, and how long waiters lag behind the holder: bursts
// of 50 runs of one connection meet an expired token (K1, strict rotation K8) while the one
// token request is held at the sandbox for 2 s. Counted at the RPC stand-in (every z.cache
// call core sends, its own retries included) and timed from the moment the sandbox lets the
// token request through (its answer follows within milliseconds).
//
//   npx tsx tools/bench/coordination.ts [--bursts N]
import { RPC_METHODS } from 'zapier-oauth-layer/conformance';
import { connectOwner, POLL, startPracticeRuns } from '../harness/practice-runs';
import { median, printTable } from './table';

const RUNS = 50;
const HOLD_MS = 2_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface CoordinationFigures {
  bursts: number;
  callsPerRun: number[];
  lastWaiterMs: number[];
  waiterMs: number[];
  tokenRequests: number[];
}

export async function coordinationBench(bursts: number): Promise<CoordinationFigures> {
  const runs = await startPracticeRuns({ quirks: { K8: true } });
  const { sandbox, rpc, runner } = runs;
  const figures: CoordinationFigures = {
    bursts,
    callsPerRun: [],
    lastWaiterMs: [],
    waiterMs: [],
    tokenRequests: [],
  };
  const log = console.log;
  console.log = () => undefined;
  try {
    for (let burst = 0; burst < bursts; burst += 1) {
      const connection = await connectOwner(runner, sandbox);
      sandbox.expireAccessTokens();
      sandbox.resetRequestLog();
      rpc.clear();
      const hold = sandbox.holdTokenRequests(1);
      let releasedAt = 0;
      const finished: number[] = [];
      const runs = Promise.all(
        Array.from({ length: RUNS }, async () => {
          const outcome = await runner.runStep(connection, POLL);
          if (!outcome.ok) throw new Error(`a run failed: ${outcome.error?.name} ${outcome.error?.message}`);
          finished.push(Date.now());
        }),
      );
      const held = await hold.next();
      await pause(HOLD_MS);
      releasedAt = Date.now();
      held.release();
      hold.end();
      await runs;
      const calls = RPC_METHODS.filter((m) => m.startsWith('zcache_')).reduce(
        (sum, m) => sum + rpc.counts[m],
        0,
      );
      figures.callsPerRun.push(calls / RUNS);
      const lags = finished.map((at) => at - releasedAt);
      figures.lastWaiterMs.push(Math.max(...lags));
      figures.waiterMs.push(...lags);
      figures.tokenRequests.push(sandbox.findRequests({ method: 'POST', path: '/oauth/token' }).length);
    }
  } finally {
    console.log = log;
    await runs.close();
  }
  return figures;
}

export async function main(bursts = 5): Promise<void> {
  console.log(
    `\n## Coordinated refresh: ${RUNS} runs meet one expiry, the token request takes ${HOLD_MS / 1000} s (K8, ${bursts} bursts)\n`,
  );
  const f = await coordinationBench(bursts);
  const fmt = (n: number) => n.toFixed(1);
  printTable(
    ['figure', 'median', 'worst', 'note'],
    [
      [
        'z.cache calls per run',
        fmt(median(f.callsPerRun)),
        fmt(Math.max(...f.callsPerRun)),
        'goal: at most 10 on average; lower bound 3 (look, try the lock, read the outcome once)',
      ],
      [
        'last waiter finishes, ms after the token response',
        fmt(median(f.lastWaiterMs)),
        fmt(Math.max(...f.lastWaiterMs)),
        'per burst: the slowest of its runs',
      ],
      [
        'a waiter finishes, ms after the token response',
        fmt(median(f.waiterMs)),
        fmt(Math.max(...f.waiterMs)),
        `all ${f.waiterMs.length} runs`,
      ],
      [
        'token requests per burst',
        fmt(median(f.tokenRequests)),
        fmt(Math.max(...f.tokenRequests)),
        'lower bound 1',
      ],
    ],
  );
}

if (require.main === module) {
  const at = process.argv.indexOf('--bursts');
  const bursts = at >= 0 ? Number(process.argv[at + 1]) : 5;
  main(Number.isInteger(bursts) && bursts > 0 ? bursts : 5).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
