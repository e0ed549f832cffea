// tools/scripts/adopt-template/vitest-report.mjs: how `npm run adopt-template` (in .ci/run) reads
// vitest's report of the template's tests. With CI set, as on the project's CI, vitest colours its
// report even into a pipe; a check that read the raw text failed a passing run there.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const MODULE = pathToFileURL(
  path.resolve(__dirname, '..', '..', 'tools', 'scripts', 'adopt-template', 'vitest-report.mjs'),
).href;

interface Count {
  passed: number;
  total: number;
  text: string;
}
interface Report {
  files: Count;
  tests: Count;
  passedFiles: string[];
}

/** The module's answer for `output`, from a Node process (it is an ES module, jest runs CommonJS). */
function vitestReport(output: string, names: string[]): Report {
  const script = `import { vitestReport } from ${JSON.stringify(MODULE)};
let input = '';
for await (const chunk of process.stdin) input += chunk;
const { output, names } = JSON.parse(input);
process.stdout.write(JSON.stringify(vitestReport(output, names)));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify({ output, names }),
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout) as Report;
}

const NAMES = ['src/test/authentication.test.ts', 'test/conformance.test.ts'];

// The lines of the CI's log of the refused run (vitest 2.1.9, CI set), escape codes as printed.
const E = '\u001b';
const COLOURED = [
  ` ${E}[32m✓${E}[39m src/test/authentication.test.ts ${E}[2m(${E}[22m${E}[2m4 tests${E}[22m${E}[2m)${E}[22m${E}[90m 81${E}[2mms${E}[22m${E}[39m`,
  ` ${E}[32m✓${E}[39m test/conformance.test.ts ${E}[2m(${E}[22m${E}[2m18 tests${E}[22m${E}[2m)${E}[22m${E}[33m 4667${E}[2mms${E}[22m${E}[39m`,
  '',
  `${E}[2m Test Files ${E}[22m ${E}[1m${E}[32m2 passed${E}[39m${E}[22m${E}[90m (2)${E}[39m`,
  `${E}[2m      Tests ${E}[22m ${E}[1m${E}[32m22 passed${E}[39m${E}[22m${E}[90m (22)${E}[39m`,
].join('\n');
// The same report as vitest prints it without CI into a pipe.
const PLAIN = [
  ' ✓ src/test/authentication.test.ts (4 tests) 81ms',
  ' ✓ test/conformance.test.ts (18 tests) 4667ms',
  '',
  ' Test Files  2 passed (2)',
  '      Tests  22 passed (22)',
].join('\n');

describe("adopt-template's reading of vitest's report", () => {
  it.each([
    ['coloured, as with CI set', COLOURED],
    ['plain', PLAIN],
  ])('finds both files passed and every test counted in the report %s', (_, output) => {
    expect(vitestReport(output, NAMES)).toEqual({
      files: { passed: 2, total: 2, text: '2 passed (2)' },
      tests: { passed: 22, total: 22, text: '22 passed (22)' },
      passedFiles: NAMES,
    });
  });

  it('does not count a file that failed, nor a file vitest did not report', () => {
    const output = PLAIN.replace(' ✓ test/conformance.test.ts', ' ❯ test/conformance.test.ts')
      .replace('2 passed (2)', '1 failed | 1 passed (2)')
      .replace('22 passed (22)', '1 failed | 21 passed (22)');
    const report = vitestReport(output, [...NAMES, 'test/other.test.ts']);
    expect(report.passedFiles).toEqual(['src/test/authentication.test.ts']);
    expect(report.files).toEqual({ passed: 1, total: 2, text: '1 failed | 1 passed (2)' });
    expect(report.tests).toEqual({ passed: 21, total: 22, text: '1 failed | 21 passed (22)' });
  });

  it('refuses a report without its summary', () => {
    expect(() => vitestReport(' ✓ test/conformance.test.ts (18 tests) 4667ms', NAMES)).toThrow(
      'vitest printed no "Test Files" line',
    );
  });
});
