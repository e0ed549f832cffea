// Requests per step, counted where they land (the sandbox), next to the lower bound:
// one request per API call the step needs plus one per refresh that is really needed.
// Runs the built app (index.js -> dist/, or PRACTICE_APP_PATH) through ZapierRunner.
import path from 'node:path';
import {
  APP_PATH,
  type Connection,
  connectOwner,
  FIND,
  hasMethod,
  newRunner,
  POLL,
  POLL_LIST,
  type Sandbox,
  startQuietSandbox,
  useEnvironment,
  type ZapierRunner,
} from '../harness/practice-runs';
import { printTable } from './table';

interface Row {
  scenario: string;
  ours: number;
  bound: number;
  note: string;
}

const CONCURRENT_STEPS = 20;

async function counted(
  sandbox: Sandbox,
  run: () => Promise<unknown>,
): Promise<{ total: number; seen: string[] }> {
  sandbox.resetRequestLog();
  await run();
  const seen = sandbox.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
  return { total: seen.length, seen };
}

async function mustSucceed(runner: ZapierRunner, connection: Connection, method: string, inputData = {}) {
  const outcome = await runner.runStep(connection, method, { inputData });
  if (!outcome.ok) throw new Error(`${method} failed: ${outcome.error?.name} ${outcome.error?.message}`);
  return outcome;
}

/** Creates clients straight through the API so the dropdown has several pages. */
async function seedClients(sandbox: Sandbox, connection: Connection, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const res = await fetch(`${sandbox.url}/api/v1/clients`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${connection.authData.access_token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ name: `Bench Client ${i}` }),
    });
    if (res.status !== 201) throw new Error(`seeding client ${i}: HTTP ${res.status}`);
  }
}

/** Pages a canPaginate trigger as Zapier's dropdown does: page 0, 1, 2 … until one comes back empty. */
async function pageDropdown(
  runner: ZapierRunner,
  connection: Connection,
  method: string,
): Promise<{ pages: number; items: number }> {
  // One dropdown session: its pages share a storeKey, so z.cursor carries the cursor
  // between them through the runner's RPC stand-in (zapier-oauth-layer/conformance's rpc-server.ts).
  const storeKey = `bench-dropdown-${Date.now()}`;
  let items = 0;
  for (let page = 0; page < 50; page += 1) {
    const outcome = await runner.runStep<unknown[]>(connection, method, { meta: { page } }, { storeKey });
    if (!outcome.ok)
      throw new Error(`${method} page ${page}: ${outcome.error?.name} ${outcome.error?.message}`);
    const list = outcome.results ?? [];
    if (list.length === 0) return { pages: page + 1, items };
    items += list.length;
  }
  throw new Error('dropdown never ran out of pages');
}

export async function requestsBench(): Promise<{ rows: Row[]; refreshes: Record<string, number> }> {
  let clockOffsetMs = 0;
  const sandbox = await startQuietSandbox({ quirks: { K7: false }, clock: () => Date.now() + clockOffsetMs });
  useEnvironment(sandbox);
  const runner = newRunner();
  const rows: Row[] = [];
  const refreshes: Record<string, number> = {};
  const poll = hasMethod(POLL) ? POLL : POLL_LIST;
  try {
    const fresh = () => connectOwner(runner, sandbox);

    let c = await fresh();
    let r = await counted(sandbox, () => mustSucceed(runner, c, poll));
    rows.push({ scenario: 'valid token (poll)', ours: r.total, bound: 1, note: r.seen.join(', ') });

    c = await fresh();
    sandbox.expireAccessTokens();
    c.authData.expires_at = Math.floor(Date.now() / 1000) - 5;
    r = await counted(sandbox, () => mustSucceed(runner, c, poll));
    rows.push({ scenario: 'expiry known from expires_at', ours: r.total, bound: 2, note: r.seen.join(', ') });

    for (const [label, headerOnly] of [
      ['expiry signalled by K1 (403 + body)', false],
      ['expiry signalled by K1 (header only)', true],
    ] as const) {
      sandbox.setQuirks({ K1HeaderOnly: headerOnly });
      c = await fresh();
      sandbox.expireAccessTokens();
      r = await counted(sandbox, () => mustSucceed(runner, c, poll));
      rows.push({ scenario: label, ours: r.total, bound: 2, note: r.seen.join(', ') });
    }
    sandbox.setQuirks({ K1HeaderOnly: false });

    c = await fresh();
    sandbox.expireAccessTokens();
    r = await counted(sandbox, () => mustSucceed(runner, c, FIND, { name: 'A' }));
    rows.push({
      scenario: 'expiry signalled by K2 (legacy 200 ok:false)',
      ours: r.total,
      bound: 2,
      note: r.seen.join(', '),
    });

    // Rotation: the refresh returns a new refresh token; the next step and the next refresh use it.
    c = await fresh();
    const firstRefreshToken = c.authData.refresh_token;
    r = await counted(sandbox, async () => {
      sandbox.expireAccessTokens();
      await mustSucceed(runner, c, poll);
      await mustSucceed(runner, c, poll);
      clockOffsetMs += 61_000; // past the grace period: a stale refresh token would now be fatal
      sandbox.expireAccessTokens();
      await mustSucceed(runner, c, poll);
    });
    if (c.authData.refresh_token === firstRefreshToken) throw new Error('refresh token did not rotate');
    rows.push({
      scenario: 'rotation: K1 step, step on rotated pair, K1 step after grace',
      ours: r.total,
      bound: 5,
      note: `${sandbox.grants().filter((g) => g.revoked).length} grants revoked; ${r.seen.join(', ')}`,
    });
    clockOffsetMs = 0;

    c = await fresh();
    await mustSucceed(runner, c, poll);
    r = await counted(sandbox, () => mustSucceed(runner, c, poll));
    rows.push({ scenario: 'poll on an unchanged firm', ours: r.total, bound: 1, note: r.seen.join(', ') });

    const dropdown = 'triggers.clients.operation.perform';
    if (hasMethod(dropdown)) {
      c = await fresh();
      await seedClients(sandbox, c, 220);
      let paged = { pages: 0, items: 0 };
      r = await counted(sandbox, async () => {
        paged = await pageDropdown(runner, c, dropdown);
      });
      rows.push({
        scenario: `dropdown 'clients': ${paged.items} clients, ${paged.pages} pages asked`,
        ours: r.total,
        bound: Math.ceil(paged.items / 100),
        note: r.seen.join(', '),
      });
    } else {
      rows.push({ scenario: "dropdown 'clients' (not in the app yet)", ours: NaN, bound: NaN, note: '' });
    }

    // Concurrency: CONCURRENT_STEPS steps of one connection while its token expires, with the
    // 60 s grace period and with strict rotation (K8). The figure is token requests per burst:
    // the lower bound is one, whatever the number of runs.
    for (const k8 of [false, true]) {
      for (const [label, announce] of [
        ['K1', false],
        ['expires_at', true],
      ] as const) {
        sandbox.setQuirks({ K8: k8 });
        c = await fresh();
        sandbox.expireAccessTokens();
        if (announce) c.authData.expires_at = Math.floor(Date.now() / 1000) - 5;
        r = await counted(sandbox, async () => {
          const outcomes = await Promise.all(
            Array.from({ length: CONCURRENT_STEPS }, () => runner.runStep(c, poll)),
          );
          const failed = outcomes.filter((o) => !o.ok).length;
          if (failed) throw new Error(`${failed} concurrent steps failed`);
        });
        refreshes[`${label}${k8 ? ' K8' : ''}`] = c.refreshes;
        const tokenCalls = sandbox.requests.filter((q) => q.path === '/oauth/token').length;
        rows.push({
          scenario: `${CONCURRENT_STEPS} concurrent steps, expiry by ${label}, ${k8 ? 'K8 (no grace)' : '60 s grace'}: token requests`,
          ours: tokenCalls,
          bound: 1,
          note: `${r.total} requests in all (bound ${CONCURRENT_STEPS + (announce ? 1 : CONCURRENT_STEPS + 1)}); ${sandbox.grants().filter((g) => g.revoked).length} grants revoked`,
        });
      }
    }
    sandbox.setQuirks({ K8: false });
  } finally {
    await sandbox.close();
  }
  return { rows, refreshes };
}

export async function main(): Promise<void> {
  // Relative to the repository, so a pasted table names no folder of this machine.
  const app = path.relative(path.resolve(__dirname, '..', '..'), APP_PATH) || APP_PATH;
  console.log(`\n## Requests per step (sandbox count; app: ${app})\n`);
  const { rows } = await requestsBench();
  printTable(
    ['scenario', 'ours', 'lower bound', 'seen at the sandbox'],
    rows.map((row) => [row.scenario, String(row.ours), String(row.bound), row.note]),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
