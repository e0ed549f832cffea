// patches/zapier-platform-cli+19.1.0.patch, applied by npm ci's postinstall
// (tools/scripts/apply-patches.mjs, which runs patch-package), and what it leaves in the
// installed CLI: `zapier-platform build` copies only what its production install keeps
// (so far fewer files than open-file limits allow, zapier/zapier-platform#820) and that
// install leaves out optional dependencies.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'tools', 'scripts', 'apply-patches.mjs');
const PATCHES = path.join(ROOT, 'patches');
const CLI_DIR = path.dirname(require.resolve('zapier-platform-cli/package.json'));
const PATCHED_FILES = ['src/utils/build.js'];
const cliRequire = createRequire(path.join(CLI_DIR, 'package.json'));

interface CliBuild {
  notKeptByProductionInstall: (
    appDir: string,
    packageManager: { executable: string },
  ) => (src: string) => boolean;
}
const { notKeptByProductionInstall } = cliRequire('./src/utils/build.js') as CliBuild;
const NPM = { executable: 'npm' };

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'practice-cli-patch-'));
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * Runs the postinstall in `dir` as npm does (in the project's folder), without CI and
 * NODE_ENV: patch-package fails by default only on CI or under NODE_ENV=test (as jest
 * sets it), and the postinstall must fail on a developer's machine too.
 */
function postinstall(dir: string) {
  const env = { ...process.env };
  delete env.CI;
  delete env.NODE_ENV;
  return spawnSync(process.execPath, [SCRIPT], { cwd: dir, encoding: 'utf8', env });
}

/**
 * A project folder holding this repository's patches/, the real patch-package, and a CLI
 * made of the installed CLI's patched files at `version`; `pristine` reverses the patch
 * first, which gives the files as published.
 */
function project(version: string, { pristine }: { pristine: boolean }): string {
  const dir = path.join(scratch, 'app');
  const cli = path.join(dir, 'node_modules', 'zapier-platform-cli');
  mkdirSync(path.join(cli, 'src', 'utils'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  symlinkSync(PATCHES, path.join(dir, 'patches'));
  symlinkSync(
    path.dirname(require.resolve('patch-package/package.json')),
    path.join(dir, 'node_modules', 'patch-package'),
  );
  writeFileSync(path.join(cli, 'package.json'), JSON.stringify({ name: 'zapier-platform-cli', version }));
  for (const file of PATCHED_FILES) copyFileSync(path.join(CLI_DIR, file), path.join(cli, file));
  if (pristine) {
    const patchPackage = require.resolve('patch-package/index.js');
    const reversed = spawnSync(process.execPath, [patchPackage, '--reverse', '--error-on-fail'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (reversed.status !== 0)
      throw new Error(`patch-package --reverse: ${reversed.stdout}${reversed.stderr}`);
  }
  return dir;
}

const cliFile = (dir: string, file: string) =>
  readFileSync(path.join(dir, 'node_modules', 'zapier-platform-cli', file), 'utf8');

describe('the postinstall: tools/scripts/apply-patches.mjs', () => {
  it('applies the CLI patch once and leaves a patched CLI alone the second time', () => {
    const dir = project('19.1.0', { pristine: true });
    for (const file of PATCHED_FILES) expect(cliFile(dir, file)).not.toContain('practice-zapier patch');

    const first = postinstall(dir);
    expect(first.status).toBe(0);
    for (const file of PATCHED_FILES)
      expect(cliFile(dir, file)).toBe(readFileSync(path.join(CLI_DIR, file), 'utf8'));

    const second = postinstall(dir);
    expect(second.status).toBe(0);
    for (const file of PATCHED_FILES)
      expect(cliFile(dir, file)).toBe(readFileSync(path.join(CLI_DIR, file), 'utf8'));
  });

  it('fails the install when the CLI is another version, even where the patch still applies', () => {
    const result = postinstall(project('19.2.0', { pristine: true }));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('version mismatch');
  });

  it('fails the install when the lines the patch changes are not there', () => {
    const dir = project('19.1.0', { pristine: true });
    const build = path.join(dir, 'node_modules', 'zapier-platform-cli', 'src', 'utils', 'build.js');
    writeFileSync(
      build,
      readFileSync(build, 'utf8').replace("['install', '--production']", "['ci', '--omit=dev']"),
    );
    const result = postinstall(dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('zapier-platform-cli');
  });

  it('does nothing where the CLI is not installed (installs without devDependencies)', () => {
    // npm ci --omit=dev, and the production install the CLI's build runs in its temp copy.
    writeFileSync(path.join(scratch, 'package.json'), '{}');
    mkdirSync(path.join(scratch, 'node_modules'));
    const result = postinstall(scratch);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('nothing to patch');
  });

  it('fails the install when the CLI is there but patch-package is not', () => {
    writeFileSync(path.join(scratch, 'package.json'), '{}');
    mkdirSync(path.join(scratch, 'node_modules', 'zapier-platform-cli'), { recursive: true });
    writeFileSync(path.join(scratch, 'node_modules', 'zapier-platform-cli', 'package.json'), '{}');
    const result = postinstall(scratch);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('patch-package is not');
  });
});

/** A project folder with a lockfile and the packages it names (each with a bin script). */
function lockedProject(
  lockEntries: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }>,
) {
  const dir = path.join(scratch, 'locked');
  const dependencies = { kept: '^1.0.0' };
  mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'locked', dependencies }));
  const packages: Record<string, object> = { '': { name: 'locked', dependencies } };
  for (const [key, flags] of Object.entries(lockEntries)) {
    packages[key] = { version: '1.0.0', ...flags };
    mkdirSync(path.join(dir, key), { recursive: true });
    writeFileSync(path.join(dir, key, 'cli.js'), '');
    if (!key.includes('/node_modules/')) {
      symlinkSync(
        path.join('..', path.basename(key), 'cli.js'),
        path.join(dir, 'node_modules', '.bin', path.basename(key)),
      );
    }
  }
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages }));
  return dir;
}

describe('the installed zapier-platform-cli', () => {
  it('leaves out of its copy what `npm install --production --omit=optional` removes', () => {
    const dir = lockedProject({
      'node_modules/kept': {},
      'node_modules/kept/node_modules/nested-dev': { dev: true },
      'node_modules/tool': { dev: true },
      'node_modules/peer-of-kept': { optional: true },
      'node_modules/used-by-both': { devOptional: true },
    });
    const notKept = notKeptByProductionInstall(dir, NPM);
    const at = (...parts: string[]) => path.join(dir, 'node_modules', ...parts);
    expect(notKept(at('kept'))).toBe(false);
    expect(notKept(at('kept', 'node_modules', 'nested-dev'))).toBe(true);
    expect(notKept(at('tool'))).toBe(true);
    expect(notKept(at('peer-of-kept'))).toBe(true);
    expect(notKept(at('used-by-both'))).toBe(true);
    expect(notKept(at('.bin', 'kept'))).toBe(false);
    expect(notKept(at('.bin', 'tool'))).toBe(true);
    expect(notKept(at('.bin', 'peer-of-kept'))).toBe(true);
    for (const own of ['package.json', 'package-lock.json', 'node_modules', 'dist', 'tools', 'test']) {
      expect(notKept(path.join(dir, own))).toBe(false);
    }
  });

  it('leaves out another project in a subfolder, and keeps the packages the lockfile lists', () => {
    const dir = lockedProject({ 'node_modules/kept': {}, 'packages/local': {} });
    for (const project of ['integrations/hubspot', 'packages/local'])
      mkdirSync(path.join(dir, project), { recursive: true });
    writeFileSync(path.join(dir, 'integrations', 'hubspot', 'package.json'), '{}');
    writeFileSync(path.join(dir, 'packages', 'local', 'package.json'), '{}');
    const notKept = notKeptByProductionInstall(dir, NPM);
    expect(notKept(path.join(dir, 'integrations', 'hubspot'))).toBe(true);
    expect(notKept(path.join(dir, 'integrations'))).toBe(false);
    // A file: dependency of the app's lives in a subfolder too: the lockfile lists it.
    expect(notKept(path.join(dir, 'packages', 'local'))).toBe(false);
    expect(notKept(path.join(dir, 'node_modules', 'kept'))).toBe(false);
  });

  it('copies everything, as published, where it cannot trust an npm lockfile', () => {
    const dir = lockedProject({ 'node_modules/tool': { dev: true } });
    const tool = path.join(dir, 'node_modules', 'tool');
    expect(notKeptByProductionInstall(dir, { executable: 'yarn' })(tool)).toBe(false);
    // A stale lockfile: package.json now depends on what the lockfile calls dev-only.
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ dependencies: { kept: '^1.0.0', tool: '^1.0.0' } }),
    );
    expect(notKeptByProductionInstall(dir, NPM)(tool)).toBe(false);
    rmSync(path.join(dir, 'package-lock.json'));
    expect(notKeptByProductionInstall(dir, NPM)(tool)).toBe(false);
  });

  it('copies this project with a few thousand files, a fraction of the open-file limit', () => {
    // The CLI's copy opens every file at once, two descriptors each (zapier/zapier-platform#820);
    // where this project is developed the limit is 20,000. Count what the build copies here.
    const notKept = notKeptByProductionInstall(ROOT, NPM);
    const copied: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (full.endsWith('.zip') || notKept(full)) continue;
        if (entry.isDirectory()) walk(full);
        else copied.push(path.relative(ROOT, full));
      }
    };
    walk(ROOT);
    expect(copied.length).toBeLessThan(5000);
    const top = new Set(copied.map((file) => file.split(path.sep).slice(0, 2).join('/')));
    for (const needed of ['package.json', 'index.js', 'node_modules/zapier-platform-core']) {
      expect(top).toContain(needed);
    }
    for (const devOnly of [
      'zapier-platform-cli',
      'jest',
      'typescript',
      'eslint',
      'patch-package',
      'encoding',
    ]) {
      expect(top).not.toContain(`node_modules/${devOnly}`);
    }
  });

  it('runs its production install without optional dependencies', () => {
    const build = readFileSync(path.join(CLI_DIR, 'src', 'utils', 'build.js'), 'utf8');
    expect(build).toContain("['install', '--production', '--omit=optional']");
  });
});
