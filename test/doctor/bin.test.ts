// The doctor as an adopter runs it: the package's bin, built (dist/doctor.js; `npm test` builds
// first), in a process of its own, in a project folder of the adopter's that holds its .env and its
// profile, with the package installed in node_modules as npm installs it (a copy of what `npm pack`
// ships) and nothing of this repository's. The project is the ES module project the official
// `zapier-platform init --template oauth2 --language typescript` makes ("type": "module",
// NodeNext): its profile imports `from 'zapier-oauth-layer'` and a sibling as `./scopes.js`.
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROFILES } from '../../profiles';
import { start as shopify } from '../../tools/standins/shopify';
import type { SuiteStandIn } from 'zapier-oauth-layer/standin';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE = path.join(ROOT, 'packages', 'zapier-oauth-layer');
const BIN = path.join(PACKAGE, 'dist', 'doctor.js');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node <bin> …argv` in `cwd`, with no environment of this process's but PATH and HOME. */
async function doctorAt(
  bin: string,
  argv: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...argv], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * An adopter's project: package.json ("type": "module"), tsconfig (NodeNext), the package
 * installed as a copy of what it ships (package.json and dist/; its index.js also writes `marker`
 * when loaded, to tell which copy a profile got), and TypeScript unless `typescript` is false.
 */
function adopterProject(options: { typescript: boolean; marker: string }): { dir: string; bin: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'doctor-adopter-'));
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'acme-zapier', type: 'module', dependencies: { 'zapier-oauth-layer': '1.0.0' } }),
  );
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  );
  const installed = path.join(dir, 'node_modules', 'zapier-oauth-layer');
  mkdirSync(installed, { recursive: true });
  cpSync(path.join(PACKAGE, 'package.json'), path.join(installed, 'package.json'));
  cpSync(path.join(PACKAGE, 'dist'), path.join(installed, 'dist'), { recursive: true });
  appendFileSync(
    path.join(installed, 'dist', 'index.js'),
    `\nrequire('node:fs').writeFileSync(${JSON.stringify(options.marker)}, __filename);\n`,
  );
  if (options.typescript)
    symlinkSync(
      path.join(ROOT, 'node_modules', 'typescript'),
      path.join(dir, 'node_modules', 'typescript'),
      'dir',
    );
  return { dir, bin: path.join(installed, 'dist', 'doctor.js') };
}

/** Shopify's profile as plain data (defineProfile's mark left out), for a file that defines it. */
function plainShopify(): Record<string, unknown> {
  const profile: Record<string, unknown> = { ...PROFILES.shopify! };
  delete profile.checked;
  return profile;
}

/** Shopify's profile as an adopter writes it: TypeScript, its scopes in a sibling imported as ./scopes.js. */
function writeProfile(dir: string): void {
  const profile = plainShopify();
  const { scopes, ...authorization } = PROFILES.shopify!.authorization;
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(
    path.join(dir, 'src', 'scopes.ts'),
    `export const SCOPES: readonly string[] = ${JSON.stringify(scopes)};\n`,
  );
  writeFileSync(
    path.join(dir, 'src', 'profile.ts'),
    [
      "import { defineProfile, type ProfileInput } from 'zapier-oauth-layer';",
      "import { SCOPES } from './scopes.js';",
      '',
      `const authorization = ${JSON.stringify(authorization)};`,
      `const rest = ${JSON.stringify({ ...profile, authorization: undefined })};`,
      'export const shopifyProfile = defineProfile({ ...rest, authorization: { ...authorization, scopes: [...SCOPES] } } as ProfileInput);',
      '',
    ].join('\n'),
  );
}

/** The connection and configuration in the project's .env, as `zapier-platform invoke auth start` leaves them. */
async function writeEnv(dir: string, standIn: SuiteStandIn): Promise<string[]> {
  const profile = PROFILES.shopify!;
  const conn = await standIn.connect();
  const lines = [
    `${profile.endpoints.baseEnv}=${standIn.url}`,
    `${profile.client.idEnv}=${standIn.client.id}`,
    `${profile.client.secretEnv}=${standIn.client.secret}`,
    `authData_access_token='${conn.access_token}'`,
    `authData_refresh_token='${conn.refresh_token}'`,
    `authData_scope='${conn.scope}'`,
    `authData_expires_at='${Math.floor(Date.now() / 1000) + conn.expires_in}'`,
  ];
  writeFileSync(path.join(dir, '.env'), `${lines.join('\n')}\n`);
  return [conn.access_token, conn.refresh_token, standIn.client.secret];
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is not built: run \`npm run build\` first (npm test does)`);
});

describe('npx zapier-oauth-doctor (the built bin, in a process of its own)', () => {
  it('--help works in an empty folder with nothing configured, and lists the flags', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'doctor-empty-'));
    const help = await doctorAt(BIN, ['--help'], empty);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npx zapier-oauth-doctor \[options\]/);
    for (const flag of [
      '--json',
      '--refresh',
      '--profile',
      '--probe',
      '--probe-method',
      '--discover',
      '--token-url',
      '--out',
    ])
      expect([flag, help.stdout.includes(`${flag} `)]).toEqual([flag, true]);
    // This repository's own: not the package's.
    expect(help.stdout).not.toContain('--sandbox');
    expect(help.stdout).not.toContain('Practice');
    // Without --profile or --discover there is nothing to check: a usage error, with the usage.
    const bare = await doctorAt(BIN, [], empty);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Name the API: --profile FILE');
    expect(bare.stderr).toContain('Usage: npx zapier-oauth-doctor');
  });

  describe('--profile ./src/profile.ts in an ES module project', () => {
    let standIn: SuiteStandIn;
    beforeAll(async () => {
      standIn = (await shopify()) as unknown as SuiteStandIn;
    });
    afterAll(async () => {
      await standIn.close();
    });

    it('compiles the profile with the project’s TypeScript, reads .env there, and checks the API as the layer calls it', async () => {
      const marker = path.join(tmpdir(), `doctor-bin-layer-${process.pid}-${Date.now()}`);
      const { dir, bin } = adopterProject({ typescript: true, marker });
      writeProfile(dir);
      const secrets = await writeEnv(dir, standIn);
      const ran = await doctorAt(
        bin,
        ['--profile', './src/profile.ts', '--probe', standIn.probePath, '--json'],
        dir,
      );
      expect(ran.stderr).toBe('');
      expect(ran.code).toBe(0);
      const checks = (
        JSON.parse(ran.stdout) as {
          checks: Array<{ id: string; status: string; finding: string; fix: string }>;
        }
      ).checks;
      const byId = (id: string) => checks.find((c) => c.id === id);
      expect(byId('profile')?.status).toBe('pass');
      expect(byId('profile')?.finding).toContain('from src/profile.ts');
      expect(byId('config')?.finding).toContain('from the environment and .env');
      // Shopify takes the token in X-Shopify-Access-Token (endpoints.tokenHeader), as the layer sends it.
      expect(byId('test_call')?.status).toBe('pass');
      expect(byId('expiry_signal')?.status).toBe('pass');
      expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
      // Fixes say how to run the doctor again here.
      expect(byId('refresh')?.fix).toContain('npx zapier-oauth-doctor --profile ./src/profile.ts');
      // `from 'zapier-oauth-layer'` in the profile is the project's installed copy.
      expect(readFileSync(marker, 'utf8')).toBe(
        path.join(dir, 'node_modules', 'zapier-oauth-layer', 'dist', 'index.js'),
      );
      for (const secret of secrets) expect(`${ran.stdout}${ran.stderr}`).not.toContain(secret);
      // Run from elsewhere (npx without an install: this repository's build), the profile still
      // gets the project's copy.
      const fromElsewhere = await doctorAt(
        BIN,
        ['--profile', './src/profile.ts', '--probe', standIn.probePath, '--json'],
        dir,
      );
      expect(fromElsewhere.code).toBe(0);
      expect(readFileSync(marker, 'utf8')).toBe(
        path.join(dir, 'node_modules', 'zapier-oauth-layer', 'dist', 'index.js'),
      );
    });

    it('loads an ES module profile (.js in a "type": "module" project) by importing it', async () => {
      const marker = path.join(tmpdir(), `doctor-bin-esm-${process.pid}-${Date.now()}`);
      const { dir, bin } = adopterProject({ typescript: false, marker });
      const profile = plainShopify();
      writeFileSync(
        path.join(dir, 'profile.js'),
        `import { defineProfile } from 'zapier-oauth-layer';\nexport default defineProfile(${JSON.stringify(profile)});\n`,
      );
      await writeEnv(dir, standIn);
      const ran = await doctorAt(
        bin,
        ['--profile', 'profile.js', '--probe', standIn.probePath, '--json'],
        dir,
      );
      expect(ran.code).toBe(0);
      const checks = (
        JSON.parse(ran.stdout) as { checks: Array<{ id: string; status: string; finding: string }> }
      ).checks;
      expect(checks.find((c) => c.id === 'test_call')?.status).toBe('pass');
      expect(existsSync(marker)).toBe(true);
    });

    it('says what to install when the profile is TypeScript and the project has none', async () => {
      const marker = path.join(tmpdir(), `doctor-bin-nots-${process.pid}-${Date.now()}`);
      const { dir, bin } = adopterProject({ typescript: false, marker });
      writeProfile(dir);
      await writeEnv(dir, standIn);
      const ran = await doctorAt(bin, ['--profile', './src/profile.ts', '--probe', standIn.probePath], dir);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toContain('The profile ./src/profile.ts is TypeScript');
      expect(ran.stderr).toContain('npm install --save-dev typescript');
      expect(ran.stdout).toBe('');
    });
  });
});

describe('the package as npm packs it', () => {
  it('ships only files of its own folder, the doctor among them, and depends on nothing', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: PACKAGE,
      env: { ...process.env, npm_config_loglevel: 'silent' },
    });
    const [packed] = JSON.parse(stdout) as Array<{ name: string; files: Array<{ path: string }> }>;
    expect(packed?.name).toBe('zapier-oauth-layer');
    const files = (packed?.files ?? []).map((f) => f.path);
    expect(files).toContain('dist/doctor.js');
    expect(files).toContain('dist/layer.js');
    expect(files).toContain('package.json');
    // Every file is the package folder's own.
    const outside = files.filter((f) => {
      const at = path.resolve(PACKAGE, f);
      return path.isAbsolute(f) || path.relative(PACKAGE, at).startsWith('..') || !existsSync(at);
    });
    expect(outside).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.bin).toEqual({ 'zapier-oauth-doctor': 'dist/doctor.js' });
    // The bin runs as a program: its first line says with what.
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });
});
