// The kit outside this repository, as an adopter has it: a project of its own in a temp folder
// ("type": "module"), with the package as `npm pack` packs it (so nothing from outside the
// package folder can be reached) and a link to zapier-platform-core (the peer dependency), the
// worked example of docs/conformance-kit.md (its profile and its stand-in, taken from the page and
// stripped of their types as the template's build does) and a node:test file that calls the kit.
// Run by node's own test runner in a child process; everything on 127.0.0.1.
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transformSync } from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE = path.join(ROOT, 'packages', 'zapier-oauth-layer');
const DOC = path.join(ROOT, 'docs', 'conformance-kit.md');

/** The worked example's files: each ```ts block of the page whose first line is `// <its path>`. */
function exampleFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [, file, rest] of readFileSync(DOC, 'utf8').matchAll(/```ts\n\/\/ ([\w./-]+)\n([\s\S]*?)```/g)) {
    files.set(file!, `// ${file}\n${rest}`);
  }
  return files;
}

/** A node:test file that calls the kit on the example, with node:test's hooks and no expect. */
const kitTest = (profileModule: string) => `import { after, before, describe, it } from 'node:test';
import { conformance } from 'zapier-oauth-layer/conformance';
import { profile } from '${profileModule}';
import { spec } from './standin.js';

conformance({ profile, standIn: spec, describe, it, beforeAll: before, afterAll: after });
`;

interface Run {
  code: number | null;
  output: string;
}

/** node --test on one file of the project, with nothing of this process's environment but PATH. */
function nodeTest(cwd: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const count = (output: string, what: string): number =>
  Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(output)?.[1] ?? NaN);

let project: string;

beforeAll(() => {
  project = mkdtempSync(path.join(os.tmpdir(), 'conformance-kit-'));
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

it('runs in a project of its own, from the packed package, on the worked example of docs/conformance-kit.md', async () => {
  // The package as published: npm pack of the built dist/ (npm test builds it first).
  expect(existsSync(path.join(PACKAGE, 'dist', 'conformance.js'))).toBe(true);
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', project], {
      cwd: PACKAGE,
      encoding: 'utf8',
    }),
  ) as { filename: string; files: { path: string }[] }[];
  const files = packed!.files.map((file) => file.path);
  expect(
    files.filter((file) => !/^(dist\/|README\.md$|CHANGELOG\.md$|LICENSE$|package\.json$)/.test(file)),
  ).toEqual([]);
  expect(files).toEqual(
    expect.arrayContaining([
      'dist/conformance.js',
      'dist/conformance/index.d.ts',
      'dist/standin.js',
      'dist/standin/index.d.ts',
    ]),
  );
  const installed = path.join(project, 'node_modules', 'zapier-oauth-layer');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', [
    '-xzf',
    path.join(project, packed!.filename),
    '-C',
    installed,
    '--strip-components=1',
  ]);
  symlinkSync(
    path.join(ROOT, 'node_modules', 'zapier-platform-core'),
    path.join(project, 'node_modules', 'zapier-platform-core'),
    'dir',
  );
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'kit-outside', private: true, type: 'module' }),
  );

  // The page's profile and stand-in, without their types (as tsc's build would emit them).
  const example = exampleFiles();
  expect([...example.keys()].sort()).toEqual([
    'src/profile.ts',
    'test/conformance.test.ts',
    'test/standin.ts',
  ]);
  for (const file of ['src/profile.ts', 'test/standin.ts']) {
    const target = path.join(project, file.replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, transformSync(example.get(file)!, { loader: 'ts', format: 'esm' }).code);
  }
  // And a profile that misreads the API's rotation, which the kit must catch.
  const profile = readFileSync(path.join(project, 'src', 'profile.js'), 'utf8');
  expect(profile).toContain('kind: "none"');
  writeFileSync(
    path.join(project, 'src', 'wrong-rotation.js'),
    profile.replace('kind: "none"', 'kind: "always"'),
  );
  writeFileSync(path.join(project, 'test', 'conformance.node.test.js'), kitTest('../src/profile.js'));
  writeFileSync(path.join(project, 'test', 'wrong.node.test.js'), kitTest('../src/wrong-rotation.js'));

  const [right, wrong] = await Promise.all([
    nodeTest(project, ['test/conformance.node.test.js']),
    nodeTest(project, ['--test-name-pattern=declares the rotation', 'test/wrong.node.test.js']),
  ]);

  // Every test of the suite passes: one family with one expiry and one rate-limit signal makes
  // the 18 the page announces, among them one test per signal of the stand-in.
  expect({ code: right.code, pass: count(right.output, 'pass'), fail: count(right.output, 'fail') }).toEqual({
    code: 0,
    pass: 18,
    fail: 0,
  });
  expect(right.output).toMatch(/^\s*ok \d+ - 401 invalid_token$/m);
  expect(right.output).toMatch(/^\s*ok \d+ - 429 Retry-After$/m);
  expect(right.output).toMatch(/^\s*ok \d+ - declares the rotation its provider has$/m);
  // The wrong rotation fails, with node:assert's message naming the value, what it must be and what it was.
  expect({ code: wrong.code, fail: count(wrong.output, 'fail') }).toEqual({ code: 1, fail: 1 });
  expect(wrong.output).toMatch(/^\s*not ok \d+ - declares the rotation its provider has$/m);
  expect(wrong.output).toContain('token.rotation.kind: expected "none", got "always"');
}, 60_000);
