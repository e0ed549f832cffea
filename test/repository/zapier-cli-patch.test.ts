// tools/scripts/patch-zapier-cli.mjs (npm ci's postinstall) and what it leaves in the
// installed CLI: `zapier-platform build` copies the project with bounded parallelism
// (zapier/zapier-platform#820) and installs production dependencies without optional ones.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { ReadStream } from 'node:fs';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'tools', 'scripts', 'patch-zapier-cli.mjs');
const CLI_DIR = path.dirname(require.resolve('zapier-platform-cli/package.json'));
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

/** A stand-in CLI folder holding exactly the lines the patch looks for. */
function fakeCli(version: string): string {
  const dir = path.join(scratch, 'cli');
  mkdirSync(path.join(dir, 'src', 'utils'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'zapier-platform-cli', version }));
  writeFileSync(
    path.join(dir, 'src', 'utils', 'files.js'),
    'const copyFile = (src, dest, mode) => {\n  return new Promise((resolve, reject) => {\n' +
      "    writeStream.once('finish', (err) => {\n      if (err) {\n        reject(err);\n      }\n      resolve();\n    });\n" +
      '  });\n};\n',
  );
  writeFileSync(
    path.join(dir, 'src', 'utils', 'build.js'),
    "const output = await runCommand(\n      packageManager.executable,\n      ['install', '--production'],\n      {});\n",
  );
  return dir;
}

function patch(dir: string) {
  return spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });
}

describe('tools/scripts/patch-zapier-cli.mjs', () => {
  it('patches both files once and leaves them alone the second time', () => {
    const dir = fakeCli('19.1.0');
    expect(patch(dir).status).toBe(0);
    const files = readFileSync(path.join(dir, 'src', 'utils', 'files.js'), 'utf8');
    const build = readFileSync(path.join(dir, 'src', 'utils', 'build.js'), 'utf8');
    expect(files).toContain('const COPY_LIMIT = 64;');
    expect(files).toContain("writeStream.once('close', closeOne);");
    expect(files).not.toContain("once('finish'");
    expect(build).toContain("['install', '--production', '--omit=optional']");

    const second = patch(dir);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('already patched');
    expect(readFileSync(path.join(dir, 'src', 'utils', 'files.js'), 'utf8')).toBe(files);
    expect(readFileSync(path.join(dir, 'src', 'utils', 'build.js'), 'utf8')).toBe(build);
  });

  it('fails the install, naming the upstream issue, when the CLI is another version', () => {
    const result = patch(fakeCli('19.2.0'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('zapier-platform-cli 19.2.0 is not a version this patch was written for');
    expect(result.stderr).toContain('zapier/zapier-platform#820');
  });

  it('does nothing where the CLI is not installed (production installs)', () => {
    const result = patch(path.join(scratch, 'nowhere'));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('nothing to patch');
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
