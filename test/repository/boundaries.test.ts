// The boundaries the layout draws, as ESLint enforces them (eslint.config.mjs): each case is
// a line that crosses one, linted as if it were in the file named, and must be refused with
// the rule's own message.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

// ESLint's flat config is an ES module, which jest's sandbox cannot import: every case is
// linted by one child process with ESLint's own API.
const LINT_ALL = `
import { ESLint } from 'eslint';
const cases = JSON.parse(process.argv[1]);
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const [filePath, code] of cases) {
  const [result] = await eslint.lintText(code + '\\nexport const used = [x];\\n', { filePath });
  out.push(result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message));
}
console.log(JSON.stringify(out));
`;

function lintAll(cases: Array<[string, string]>): string[][] {
  const output = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', LINT_ALL, JSON.stringify(cases)],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return JSON.parse(output) as string[][];
}

const CASES: Array<[string, string, string, RegExp]> = [
  [
    'shipped code importing the tooling',
    'triggers/clients.ts',
    "import { startSandbox as x } from '../tools/sandbox/server';",
    /never imports tooling/,
  ],
  [
    'the app importing a file of the layer',
    'practice/api.ts',
    "import { classifyResponse as x } from '../layer/signals';",
    /public surface/,
  ],
  [
    'the layer importing Practice',
    'layer/tokens.ts',
    "import { practiceProfile as x } from '../practice/profile';",
    /no API of its own/,
  ],
  [
    'the layer reading the environment',
    'layer/tokens.ts',
    'const x = process.env.X;',
    /only in layer\/settings\.ts/,
  ],
  [
    'a test importing a file of the layer',
    'test/auth/pure.test.ts',
    "import { classifyResponse as x } from '../../layer/signals';",
    /public surface/,
  ],
  [
    'a tool importing the tests',
    'tools/bench/run.ts',
    "import { x } from '../../test/helpers';",
    /Tools never import tests/,
  ],
  [
    'a tool importing a command line',
    'tools/scripts/start.ts',
    "import { main as x } from '../sandbox/cli';",
    /entry point/,
  ],
  [
    'a stand-in importing the profile it is checked against',
    'tools/standins/slack.ts',
    "import { slackProfile as x } from '../../profiles/slack';",
    /apart from what they check/,
  ],
  [
    'the sandbox importing the layer',
    'tools/sandbox/api.ts',
    "import { redact as x } from '../../layer';",
    /apart from what they check/,
  ],
];
const ALLOWED: [string, string] = ['practice/api.ts', "import { redact as x } from '../layer';"];

describe('the layout is enforced by lint', () => {
  let results: string[][] = [];
  beforeAll(() => {
    results = lintAll([...CASES.map(([, file, code]) => [file, code] as [string, string]), ALLOWED]);
  });

  it.each(CASES.map((c, i) => [c[0], i, c[3]] as const))('refuses %s', (_what, index, message) => {
    expect(results[index]!.some((m) => message.test(m))).toBe(true);
  });

  it('lets the public surface through', () => {
    expect(results[CASES.length]).toEqual([]);
  });
});
