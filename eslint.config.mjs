import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What ships: the app at the top level, the layer (its package), Practice's code, and each integration's. */
const SHIPPED = [
  'index.ts',
  'authentication.ts',
  'packages/zapier-oauth-layer/src/**/*.ts',
  'practice/**/*.ts',
  'triggers/**/*.ts',
  'creates/**/*.ts',
  'searches/**/*.ts',
  'integrations/**/*.ts',
];

/**
 * The layer reads the environment in its settings.ts alone. Elsewhere in it `process` is not
 * named at all, so that neither `process.env` nor `process['env']`, `const { env } = process`,
 * `const p = process` or `globalThis.process` reads it by another road.
 */
const ENV_ONLY_IN_SETTINGS = 'The layer reads the environment only in its settings.ts.';
const LAYER_READS_NO_ENVIRONMENT = {
  'no-restricted-globals': ['error', { name: 'process', message: ENV_ONLY_IN_SETTINGS }],
  'no-restricted-properties': [
    'error',
    { object: 'globalThis', property: 'process', message: ENV_ONLY_IN_SETTINGS },
    { object: 'global', property: 'process', message: ENV_ONLY_IN_SETTINGS },
  ],
};

/** The package's test tooling (the conformance kit and the stand-in skeleton): not the layer an app runs. */
const KIT = ['packages/zapier-oauth-layer/src/conformance/**', 'packages/zapier-oauth-layer/src/standin/**'];

/** The doctor, the package's bin: a command line shipped in the package, apart from the layer. */
const DOCTOR = 'packages/zapier-oauth-layer/src/doctor/**/*.ts';

const nodeGlobals = {
  require: 'readonly',
  module: 'writable',
  __dirname: 'readonly',
  process: 'readonly',
  console: 'readonly',
  URL: 'readonly',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'packages/*/dist/',
      'build/',
      'coverage/',
      'zapierwrapper.js',
      // Each integration of integrations/ installs and builds in its own folder.
      'integrations/*/node_modules/',
      'integrations/*/dist/',
      'integrations/*/build/',
      'integrations/*/zapierwrapper.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Every log line of the app is redacted first: the layer's logLine (log.ts) is the only way to log.
    files: SHIPPED,
    ignores: ['packages/zapier-oauth-layer/src/log.ts', 'integrations/*/test/**', DOCTOR],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='console'], MemberExpression[object.name='console']",
          message: "Log through the layer's logLine (log.ts), which redacts every secret first.",
        },
      ],
    },
  },
  {
    // What ships never reaches into the tooling or the tests.
    files: SHIPPED,
    ignores: ['integrations/*/test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/tools/**', '**/test/**'], message: 'Shipped code never imports tooling or tests.' },
            {
              group: ['**/packages/**', '**/layer/**'],
              message: "Import the layer as its package: 'zapier-oauth-layer', never a path into it.",
            },
          ],
        },
      ],
    },
  },
  {
    // The layer knows nothing of any API but through a profile, and reads the environment in one place.
    files: ['packages/zapier-oauth-layer/src/**/*.ts'],
    ignores: [...KIT, DOCTOR],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'process', message: ENV_ONLY_IN_SETTINGS },
            { name: 'node:process', message: ENV_ONLY_IN_SETTINGS },
          ],
          patterns: [
            { group: ['**/tools/**', '**/test/**'], message: 'Shipped code never imports tooling or tests.' },
            {
              group: ['**/practice/**', '**/profiles/**', '../*'],
              message: 'The layer holds no API of its own: every fact comes from the profile it is given.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/zapier-oauth-layer/src/**/*.ts'],
    ignores: ['packages/zapier-oauth-layer/src/settings.ts', ...KIT, DOCTOR],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='console'], MemberExpression[object.name='console']",
          message: "Log through the layer's logLine (log.ts), which redacts every secret first.",
        },
      ],
      ...LAYER_READS_NO_ENVIRONMENT,
    },
  },
  {
    // The conformance kit is test tooling an integration runs, never part of its app: it sets the
    // variables that point a profile at its stand-in, and reaches the layer through its internal
    // entry and the stand-ins through the skeleton's, nothing else of the package.
    files: ['packages/zapier-oauth-layer/src/conformance/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/tools/**', '**/test/**'], message: 'The package never imports tooling or tests.' },
            {
              group: ['../*', '!../internal', '!../standin'],
              message:
                "The kit reaches the layer through '../internal' and the skeleton through '../standin'.",
            },
            {
              group: ['**/practice/**', '**/profiles/**'],
              message: 'The kit is given its profile and stand-in.',
            },
          ],
        },
      ],
    },
  },
  {
    // The stand-in skeleton imitates providers: like the stand-ins it serves, it never sees the
    // layer it checks (nothing outside its folder).
    files: ['packages/zapier-oauth-layer/src/standin/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', 'zapier-oauth-layer', 'zapier-oauth-layer/**', 'zapier-platform-core'],
              message: 'The stand-in skeleton is written apart from the layer it checks.',
            },
          ],
        },
      ],
    },
  },
  {
    // The one file that may log, still without reading the environment (the rules above).
    files: ['packages/zapier-oauth-layer/src/log.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // The doctor ships in the package as its bin (npx zapier-oauth-doctor), not in an app: a command
    // line, which reads its environment and prints. It reaches nothing outside the package (npm pack
    // takes only the package folder): the layer as ../internal, no API of its own.
    files: [DOCTOR],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/tools/**', '**/test/**'], message: 'Shipped code never imports tooling or tests.' },
            {
              group: [
                '**/practice/**',
                '**/profiles/**',
                '**/packages/**',
                'zapier-oauth-layer',
                'zapier-oauth-layer/**',
              ],
              message:
                "The doctor holds no API of its own and ships alone: the layer is '../internal', an app's own targets come through runDoctor's setup.",
            },
          ],
        },
      ],
    },
  },
  {
    // Tools never lean on the tests, and no tool imports another's command line.
    files: ['tools/**/*.ts'],
    ignores: ['tools/standins/**', 'tools/sandbox/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/test/**'],
              message: 'Tools never import tests: shared helpers live in tools/harness.',
            },
            {
              group: ['**/sandbox/cli', '**/doctor/cli'],
              message: 'A command line is an entry point, not a module.',
            },
            {
              group: ['**/packages/**', '**/layer/**'],
              message:
                "Import the layer as its package: 'zapier-oauth-layer' or 'zapier-oauth-layer/internal', never a path into it.",
            },
          ],
        },
      ],
    },
  },
  {
    // The sandbox imitates the Practice API and the stand-ins imitate other providers, from
    // their documentation: neither may see the layer, the profiles or the app they are checked against.
    files: ['tools/sandbox/**/*.ts', 'tools/standins/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // The layer in any entry but the stand-in skeleton's, which is written apart from
              // it like every stand-in (zapier-oauth-layer/standin).
              regex: '^zapier-oauth-layer(?!/standin$)(/.*)?$',
              message: "Stand-ins are written from the provider's documentation, apart from what they check.",
            },
            {
              group: ['**/packages/**', '**/practice/**', '**/profiles/**', '**/index', '**/authentication'],
              message: "Stand-ins are written from the provider's documentation, apart from what they check.",
            },
            { group: ['**/test/**'], message: 'Tools never import tests.' },
            { group: ['**/sandbox/cli'], message: 'A command line is an entry point, not a module.' },
          ],
        },
      ],
    },
  },
  {
    // Tests and profiles reach the layer through its public surface only.
    files: ['test/**/*.ts', 'profiles/**/*.ts', 'integrations/*/test/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/packages/**', '**/layer/**'],
              message:
                "Import the layer as its package: 'zapier-oauth-layer' or 'zapier-oauth-layer/internal', never a path into it.",
            },
          ],
        },
      ],
    },
  },
  {
    // Tests assert on results they have just checked exist; `!` keeps them readable.
    files: ['test/**/*.ts', 'integrations/*/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: nodeGlobals },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: nodeGlobals },
  },
);
