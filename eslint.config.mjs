import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = {
  require: 'readonly',
  module: 'writable',
  __dirname: 'readonly',
  process: 'readonly',
  console: 'readonly',
  URL: 'readonly',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'coverage/', 'zapierwrapper.js'] },
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
    // Every log line of the app is redacted first: layer/log.ts logLine is the only way to log.
    files: [
      'index.ts',
      'authentication.ts',
      'layer/**/*.ts',
      'practice/**/*.ts',
      'triggers/**/*.ts',
      'creates/**/*.ts',
      'searches/**/*.ts',
    ],
    ignores: ['layer/log.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='console']",
          message: 'Log through logLine (layer/log.ts), which redacts every secret first.',
        },
      ],
    },
  },
  {
    // Tests assert on results they have just checked exist; `!` keeps them readable.
    files: ['test/**/*.ts'],
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
