// `npx tsx test/doctor/capture.ts DIR`: the doctor's output in every mode, written to DIR one file
// per run, with what differs from run to run by nature (token fingerprints, times, ports, temporary
// folders) replaced by placeholders. Run it before and after a change to the doctor and compare the
// folders (`diff -r`): what Practice prints must not move unless the change meant it to.
//
// Modes: --sandbox (default behaviours, K8, all off, K1 header-only; text and --json); the
// connection in .env against a sandbox (as it is, --refresh, a wrong secret, a narrow grant, an
// expired token with K1 on, header-only and off, no configuration); --profile practice; --profile
// NAME and --discover on every provider's stand-in; --discover on an API that quotes secrets.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { doctor } from '../../tools/doctor/cli';
import { startSandbox, type Sandbox } from '../../tools/sandbox/server';
import type { SuiteStandIn } from 'zapier-oauth-layer/standin';
import { CASES } from '../conformance/support';
import { discoverStandIn, startHostileApi } from './discover-support';
import { connect, projectWithEnv } from './support';

/** What changes between two runs of the same mode, whatever the code. */
export function normalise(text: string): string {
  return text
    .replace(/\b[0-9a-f]{12}…/g, '<fingerprint>…')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f-]*/gi, '<uuid>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z/g, '<time>')
    .replace(/\b\d{4}-\d\d-\d\d(?: \d\d:[\d:.…]*)?/g, '<date>')
    .replace(/(127\.0\.0\.1|localhost):\d+/g, '$1:<port>')
    .replace(/\/tmp\/[\w.-]+/g, '<tmp>')
    .replace(/\b1\d{12}\b/g, '<epoch-ms>')
    .replace(/\b1\d{9}\b/g, '<epoch>')
    .replace(/expired \d+ (?:s|min|h) ago/g, 'expired <n> ago')
    .replace(/(?:valid for|in) \d+ (?:s|min|h)\b/g, (m) => m.replace(/\d+/, '<n>'))
    .replace(/\b\d+ (s|min|h) (early|late|ahead of|behind|away|past)\b/g, '<n> $1 $2');
}

let outDir = '';
function save(name: string, text: string): void {
  writeFileSync(path.join(outDir, `${name}.txt`), `${normalise(text)}\n`);
}

async function sandboxModes(): Promise<void> {
  const runs: Array<[string, string[]]> = [
    ['sandbox', []],
    ['sandbox-K8', ['--K8']],
    ['sandbox-all-off', ['--no-K1', '--no-K2', '--no-K3', '--no-K6', '--no-K7']],
    ['sandbox-K1-header-only', ['--K1-header-only']],
  ];
  for (const [name, flags] of runs) {
    save(name, (await doctor(['--sandbox', '--port', '0', ...flags], {}, process.cwd())).output);
  }
  save('sandbox.json', (await doctor(['--sandbox', '--port', '0', '--json'], {}, process.cwd())).output);
}

async function liveModes(sandbox: Sandbox): Promise<void> {
  const config = { BASE_URL: sandbox.url, CLIENT_ID: sandbox.clientId, CLIENT_SECRET: sandbox.clientSecret };
  const fresh = async (scopes?: readonly string[]) => projectWithEnv(config, await connect(sandbox, scopes));
  const runIn = async (name: string, argv: string[], env: NodeJS.ProcessEnv, dir: string) =>
    save(name, (await doctor(argv, env, dir)).output);
  await runIn('live', [], {}, (await fresh()).dir);
  await runIn('live.json', ['--json'], {}, (await fresh()).dir);
  await runIn('live-refresh', ['--refresh'], {}, (await fresh()).dir);
  await runIn('live-wrong-secret', [], { CLIENT_SECRET: 'not-the-secret' }, (await fresh()).dir);
  await runIn('live-narrow', [], {}, (await fresh(['clients:read', 'clients:write', 'offline_access'])).dir);
  for (const [name, quirks] of [
    ['live-expired-K1', { K1: true, K1HeaderOnly: false }],
    ['live-expired-K1-header-only', { K1: true, K1HeaderOnly: true }],
    ['live-expired-K1-off', { K1: false, K1HeaderOnly: false }],
  ] as const) {
    const { dir } = await fresh();
    sandbox.setQuirks(quirks);
    sandbox.expireAccessTokens();
    await runIn(name, [], {}, dir);
    sandbox.setQuirks({ K1: true, K1HeaderOnly: false });
  }
  await runIn('live-no-config', [], {}, '/nonexistent-doctor-folder');
  await runIn('profile-practice', ['--profile', 'practice'], {}, (await fresh()).dir);
  await runIn('profile-practice-refresh', ['--profile', 'practice', '--refresh'], {}, (await fresh()).dir);
}

async function profileModes(name: string, standIn: SuiteStandIn): Promise<void> {
  const profile = CASES.find((c) => c.name === name)?.profile;
  // Practice takes no --probe: --profile practice runs against the sandbox above.
  if (!profile || name === 'practice') return;
  for (const flags of [[], ['--refresh']]) {
    const conn = await standIn.connect();
    const env: NodeJS.ProcessEnv = {
      [profile.endpoints.baseEnv]: standIn.url,
      [profile.client.idEnv]: standIn.client.id,
      [profile.client.secretEnv]: standIn.client.secret,
      authData_access_token: conn.access_token,
      authData_refresh_token: conn.refresh_token,
      authData_scope: conn.scope,
      authData_expires_at: '4102444800',
    };
    const dir = mkdtempSync(path.join(tmpdir(), 'capture-'));
    const run = await doctor(['--profile', name, '--probe', standIn.probePath, ...flags], env, dir);
    save(`profile-${name}${flags.length > 0 ? '-refresh' : ''}`, run.output);
  }
}

async function discoverModes(name: string, standIn: SuiteStandIn): Promise<void> {
  const hand = CASES.find((c) => c.name === name)?.profile;
  if (!hand) return;
  for (const [suffix, flags] of [
    ['', []],
    ['-refresh', ['--refresh', '--probe-reuse']],
  ] as const) {
    const found = await discoverStandIn(hand, standIn, [...flags]);
    save(`discover-${name}${suffix}.json`, found.output);
    save(`discover-${name}${suffix}.draft`, found.draftText);
  }
}

async function hostile(): Promise<void> {
  const api = await startHostileApi();
  try {
    const dir = mkdtempSync(path.join(tmpdir(), 'capture-'));
    for (const [suffix, flags] of [
      ['', []],
      ['-refresh', ['--refresh']],
    ] as const) {
      const out = path.join(dir, `hostile${suffix}.draft.ts`);
      const run = await doctor(
        ['--discover', api.testUrl, '--token-url', '/oauth/token', '--out', out, ...flags],
        api.env,
        dir,
      );
      save(`discover-hostile${suffix}`, run.output);
      save(`discover-hostile${suffix}.draft`, readFileSync(out, 'utf8'));
    }
  } finally {
    await api.close();
  }
}

async function main(): Promise<void> {
  outDir = path.resolve(process.argv[2] ?? 'doctor-capture');
  mkdirSync(outDir, { recursive: true });
  await sandboxModes();
  const sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
  try {
    await liveModes(sandbox);
  } finally {
    await sandbox.close();
  }
  for (const c of CASES) {
    const standIn = await c.start();
    try {
      await profileModes(c.name, standIn);
      await discoverModes(c.name, standIn);
    } finally {
      await standIn.close();
    }
  }
  await hostile();
  process.stdout.write(`captured into ${outDir}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
