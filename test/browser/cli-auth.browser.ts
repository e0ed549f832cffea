// The real CLI and a real browser: `zapier-platform invoke auth start` against
// the sandbox, Debian's Chromium (driven by playwright-core) logging in and
// approving the consent page, then `invoke` of a trigger and an action with
// the auth data the CLI stored in .env.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  cpSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { DEMO_MEMBERS, startSandbox, type Sandbox } from '../../tools/sandbox/server';

const ROOT = path.resolve(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OWNER = DEMO_MEMBERS.find((m) => m.role === 'owner')!;

let sandbox: Sandbox;
let browser: Browser;
let appDir: string;

/** The app as `zapier-platform` sees it, in a folder of its own so .env is not the developer's. */
function stageApp(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'practice-cli-'));
  for (const entry of ['package.json', 'index.js', 'dist', '.zapierapprc']) {
    cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
    ...extra,
  };
  // The CLI must read these from .env like a developer's would, not inherit ours.
  delete env.BASE_URL;
  delete env.CLIENT_ID;
  delete env.CLIENT_SECRET;
  delete env.DISPLAY;
  delete env.XDG_CURRENT_DESKTOP;
  return env;
}

function waitFor<T>(
  probe: () => T | undefined,
  what: string,
  child: ChildProcess,
  output: () => string,
  ms = 30000,
): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const value = probe();
      if (value !== undefined) return resolve(value);
      if (child.exitCode !== null)
        return reject(new Error(`CLI exited (${child.exitCode}) before ${what}:\n${output()}`));
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}:\n${output()}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
  }
  if (!existsSync(path.join(ROOT, 'dist', 'index.js'))) throw new Error('Build first: npm run build');
  sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
  appDir = stageApp();
  writeFileSync(
    path.join(appDir, '.env'),
    `BASE_URL=${sandbox.url}\nCLIENT_ID=${sandbox.clientId}\nCLIENT_SECRET=${sandbox.clientSecret}\n`,
  );
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  if (appDir) rmSync(appDir, { recursive: true, force: true });
});

it('connects with `invoke auth start` in Chromium, then invokes a trigger and an action with the stored auth', async () => {
  // xdg-open (used by the CLI to open the browser) hands the URL to $BROWSER when no desktop runs.
  const urlFile = path.join(appDir, 'authorize-url.txt');
  const opener = path.join(appDir, 'capture-url.sh');
  writeFileSync(opener, `#!/bin/sh\nprintf '%s' "$1" > '${urlFile}'\n`);
  chmodSync(opener, 0o755);

  let output = '';
  const cli = spawn('zapier-platform', ['invoke', 'auth', 'start', '--non-interactive'], {
    cwd: appDir,
    env: cliEnv({ BROWSER: opener }),
  });
  cli.stdout.on('data', (d: Buffer) => (output += d.toString()));
  cli.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => cli.on('exit', resolve));

  try {
    const authorizeUrl = await waitFor(
      () => (existsSync(urlFile) ? readFileSync(urlFile, 'utf8') : undefined),
      'the authorize URL',
      cli,
      () => output,
    );
    expect(authorizeUrl).toContain(`${sandbox.url}/oauth/authorize?`);
    expect(authorizeUrl).toContain('code_challenge_method=S256');

    const page = await browser.newPage();
    await page.goto(authorizeUrl);
    await page.fill('#email', OWNER.email);
    await page.fill('#password', sandbox.demoPassword);
    expect(await page.locator('input[name="scope"]:checked').count()).toBe(8);
    await Promise.all([page.waitForURL(/localhost:9000/), page.click('#approve')]);
    expect(await page.textContent('body')).toContain('received successfully');

    expect(await exited).toBe(0);
  } finally {
    if (cli.exitCode === null) cli.kill();
  }

  const env = readFileSync(path.join(appDir, '.env'), 'utf8');
  expect(env).toMatch(/authData_access_token=.?pat_/);
  expect(env).toMatch(/authData_refresh_token=.?prt_/);
  expect(env).toMatch(/authData_expires_at=.?\d{10}/);
  const exchanges = sandbox.findRequests({ method: 'POST', path: '/oauth/token' });
  expect(exchanges.map((r) => r.status)).toEqual([200]);

  // Asynchronous on purpose: the sandbox answers from this very process.
  const run = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn('zapier-platform', ['invoke', ...args, '--non-interactive'], {
        cwd: appDir,
        env: cliEnv(),
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
      const timer = setTimeout(() => child.kill(), 60000);
      child.on('exit', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout });
      });
    });

  const label = await run(['auth', 'label']);
  expect(label.status).toBe(0);
  expect(label.stdout).toContain(`${OWNER.email} (`);

  const trigger = await run(['trigger', 'updated_client']);
  expect(trigger.status).toBe(0);
  expect(trigger.stdout).toMatch(/"cli_\d+/);

  const create = await run([
    'create',
    'create_client',
    '--inputData',
    JSON.stringify({ name: 'Made In Chromium Ltd' }),
  ]);
  expect(create.status).toBe(0);
  expect(create.stdout).toContain('"name": "Made In Chromium Ltd"');

  const api = sandbox
    .findRequests((r) => r.path.startsWith('/api/v1/'))
    .map((r) => `${r.method} ${r.path} ${r.status}`);
  expect(api).toEqual(['GET /api/v1/me 200', 'GET /api/v1/clients 200', 'POST /api/v1/clients 201']);
}, 120000);
