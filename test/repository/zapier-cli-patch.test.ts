// patches/zapier-platform-cli+19.1.0.patch, applied by npm ci's postinstall
// (tools/scripts/apply-patches.mjs, which runs patch-package), and what it leaves in the
// installed CLI: `zapier-platform build` copies the project with bounded parallelism
// (zapier/zapier-platform#820) and installs production dependencies without optional ones.
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
import type { ReadStream } from 'node:fs';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'tools', 'scripts', 'apply-patches.mjs');
const PATCHES = path.join(ROOT, 'patches');
const CLI_DIR = path.dirname(require.resolve('zapier-platform-cli/package.json'));
const PATCHED_FILES = ['src/utils/build.js', 'src/utils/files.js'];
const cliRequire = createRequire(path.join(CLI_DIR, 'package.json'));

interface FsExtra {
  createReadStream: (file: string) => ReadStream;
}
interface CliFiles {
  copyDir: (src: string, dst: string, options: { filter: (src: string) => boolean }) => Promise<unknown>;
}

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

describe('the installed zapier-platform-cli', () => {
  it('copies a project with at most 64 files open at once, every file intact', async () => {
    const src = path.join(scratch, 'src');
    const names: string[] = [];
    for (let d = 0; d < 10; d++) {
      mkdirSync(path.join(src, `dir${d}`, 'nested'), { recursive: true });
      for (let f = 0; f < 30; f++) {
        const name = path.join(`dir${d}`, f % 2 ? 'nested' : '', `file${f}.txt`);
        writeFileSync(path.join(src, name), `content of ${name}\n`.repeat(50));
        names.push(name);
      }
    }
    // files.js reads fs-extra's createReadStream at call time: count streams open at once.
    const fse = cliRequire('fs-extra') as FsExtra;
    const original = fse.createReadStream.bind(fse);
    let open = 0;
    let most = 0;
    jest.spyOn(fse, 'createReadStream').mockImplementation((file: string) => {
      const stream = original(file);
      open += 1;
      most = Math.max(most, open);
      stream.once('close', () => {
        open -= 1;
      });
      return stream;
    });
    const { copyDir } = cliRequire('./src/utils/files.js') as CliFiles;

    const dst = path.join(scratch, 'dst');
    await copyDir(src, dst, { filter: () => true });

    expect(most).toBeLessThanOrEqual(64);
    expect(most).toBeGreaterThan(1);
    for (const name of names) {
      expect(readFileSync(path.join(dst, name), 'utf8')).toBe(readFileSync(path.join(src, name), 'utf8'));
    }
    expect(readdirSync(dst).sort()).toEqual(readdirSync(src).sort());
  });

  it('runs its production install without optional dependencies', () => {
    const build = readFileSync(path.join(CLI_DIR, 'src', 'utils', 'build.js'), 'utf8');
    expect(build).toContain("['install', '--production', '--omit=optional']");
  });
});
