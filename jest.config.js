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
  // The layer as its source, whoever requires it (tests, the harness, the built app under test).
  moduleNameMapper: {
    '^zapier-oauth-layer$': '<rootDir>/packages/zapier-oauth-layer/src/index.ts',
    '^zapier-oauth-layer/internal$': '<rootDir>/packages/zapier-oauth-layer/src/internal.ts',
    '^zapier-oauth-layer/conformance$': '<rootDir>/packages/zapier-oauth-layer/src/conformance/index.ts',
    '^zapier-oauth-layer/standin$': '<rootDir>/packages/zapier-oauth-layer/src/standin/index.ts',
    '^zapier-oauth-layer/doctor$': '<rootDir>/packages/zapier-oauth-layer/src/doctor/index.ts',
  },
  setupFiles: ['<rootDir>/test/setup.ts'],
  // Every test must reach an assertion (test/assertions.ts).
  setupFilesAfterEnv: ['<rootDir>/test/assertions.ts'],
  testTimeout: 30000,
  // Most suites wait on servers and timers, not on a core: on CI's 2 cores jest's default (cores - 1)
  // runs one at a time. Two workers: 192 s instead of 330 s for the whole suite (docs/benchmarks.md).
  maxWorkers: 2,
  // core's Lambda handler exits the process once it has served 250 runs above 450 MB RSS
  // (memory-checker.js); jest workers that carry many suites must be recycled below that.
  workerIdleMemoryLimit: '300MB',
};
