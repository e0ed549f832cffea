// The boundaries the layout draws, as ESLint enforces them (eslint.config.mjs), held two ways:
// the repository's own files, linted with the project's config, cross none of them; and each
// rule refuses a line that crosses its boundary, linted as if it were in the file named, with
// the rule's own message (a rule that stopped matching would let the first check pass by
// finding nothing).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** The rules that draw the boundaries; other lint findings are `npm run lint`'s business. */
const BOUNDARY_RULES = [
  'no-restricted-imports',
  'no-restricted-syntax',
  'no-restricted-globals',
  'no-restricted-properties',
];

// ESLint's flat config is an ES module, which jest's sandbox cannot import: the repository and
// every case are linted by one child process with ESLint's own API. It shares `npm run lint`'s
// cache (package.json): results are reused only for a file whose content and config are the
// same, and after the lint CI runs first, only what changed since is linted again.
const LINT = `
import path from 'node:path';
import { ESLint } from 'eslint';
const { cases, rules } = JSON.parse(process.argv[1]);
const eslint = new ESLint({
  cwd: process.cwd(),
  cache: true,
  cacheLocation: 'node_modules/.cache/eslint/',
  cacheStrategy: 'content',
});
const boundary = (m) => rules.includes(m.ruleId);
const repository = (await eslint.lintFiles(['.'])).map((result) => ({
  file: path.relative(process.cwd(), result.filePath).split(path.sep).join('/'),
  crossings: result.messages.filter(boundary).map((m) => m.line + ':' + m.column + ' ' + m.message),
}));
const snippets = [];
for (const [filePath, code] of cases) {
  const [result] = await eslint.lintText(code + '\\nexport const used = [x];\\n', { filePath });
  snippets.push(result.messages.filter(boundary).map((m) => m.message));
}
console.log(JSON.stringify({ repository, snippets }));
`;

interface Linted {
  repository: Array<{ file: string; crossings: string[] }>;
  snippets: string[][];
}

function lint(cases: Array<[string, string]>): Linted {
  const output = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', LINT, JSON.stringify({ cases, rules: BOUNDARY_RULES })],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(output) as Linted;
}

const ENVIRONMENT = /only in its settings\.ts/;

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
    "import { classifyResponse as x } from '../packages/zapier-oauth-layer/src/signals';",
    /as its package/,
  ],
  [
    'the layer importing Practice',
    'packages/zapier-oauth-layer/src/tokens.ts',
    "import { practiceProfile as x } from '../practice/profile';",
    /no API of its own/,
  ],
  [
    'the layer reading the environment',
    'packages/zapier-oauth-layer/src/tokens.ts',
    'const x = process.env.X;',
    ENVIRONMENT,
  ],
  [
    'the layer reading the environment through a computed key',
    'packages/zapier-oauth-layer/src/tokens.ts',
    "const x = process['env'].X;",
    ENVIRONMENT,
  ],
  [
    'the layer reading the environment through a template key',
    'packages/zapier-oauth-layer/src/tokens.ts',
    'const x = process[`env`].X;',
    ENVIRONMENT,
  ],
  [
    'the layer reading the environment by destructuring',
    'packages/zapier-oauth-layer/src/tokens.ts',
    'const { env: x } = process;',
    ENVIRONMENT,
  ],
  [
    'the layer reading the environment through another name for process',
    'packages/zapier-oauth-layer/src/tokens.ts',
    'const p = process;\nconst x = p.env.X;',
    ENVIRONMENT,
  ],
  [
    'the layer reading the environment through globalThis',
    'packages/zapier-oauth-layer/src/tokens.ts',
    "const x = globalThis.process.env.X ?? globalThis['process'].env.Y;",
    ENVIRONMENT,
  ],
  [
    'the layer importing the environment from node:process',
    'packages/zapier-oauth-layer/src/tokens.ts',
    "import { env as x } from 'node:process';",
    ENVIRONMENT,
  ],
  [
    'the file of the layer that may log reading the environment',
    'packages/zapier-oauth-layer/src/log.ts',
    'const x = process.env.X;',
    ENVIRONMENT,
  ],
  [
    'a test importing a file of the layer',
    'test/auth/pure.test.ts',
    "import { classifyResponse as x } from '../../packages/zapier-oauth-layer/src/signals';",
    /as its package/,
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
    "import { redact as x } from 'zapier-oauth-layer/internal';",
    /apart from what they check/,
  ],
];
const ALLOWED: Array<[string, string, string]> = [
  [
    'the app importing the public surface',
    'practice/api.ts',
    "import { redact as x } from 'zapier-oauth-layer/internal';",
  ],
  ['layer/settings.ts reading the environment', 'layer/settings.ts', 'const x = process.env.X;'],
];

let linted: Linted;
beforeAll(() => {
  linted = lint([...CASES, ...ALLOWED].map(([, file, code]) => [file, code]));
});

describe("the repository's files cross no boundary", () => {
  it('lints every TypeScript file git tracks, with the project’s config', () => {
    const tracked = execFileSync('git', ['ls-files', '*.ts'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((file) => file !== '');
    const files = linted.repository.map((r) => r.file);
    expect(tracked.length).toBeGreaterThan(100);
    expect(tracked.filter((file) => !files.includes(file))).toEqual([]);
  });

  it('finds none crossed', () => {
    const crossings = linted.repository.flatMap(({ file, crossings }) =>
      crossings.map((c) => `${file}:${c}`),
    );
    expect(crossings).toEqual([]);
  });
});

describe('each boundary is drawn', () => {
  it.each(CASES.map(([what, , , message], i) => [what, i, message] as const))(
    'refuses %s',
    (_what, index, message) => {
      const messages = linted.snippets[index]!;
      expect(messages.length).toBeGreaterThan(0);
      expect(messages.every((m) => message.test(m))).toBe(true);
    },
  );

  it.each(ALLOWED.map(([what], i) => [what, CASES.length + i] as const))(
    'lets through %s',
    (_what, index) => {
      expect(linted.snippets[index]).toEqual([]);
    },
  );
});
