/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // `require('../index')` in unit tests resolves the TypeScript source, not dist/.
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json', 'node'],
  transform: {
    // Type-checking is `npm run typecheck`'s job; the transform only strips types.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  setupFiles: ['<rootDir>/test/setup.ts'],
  testTimeout: 30000,
  // core's Lambda handler exits the process once it has served 250 runs above 450 MB RSS
  // (memory-checker.js); jest workers that carry many suites must be recycled below that.
  workerIdleMemoryLimit: '300MB',
};
