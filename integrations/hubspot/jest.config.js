/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // The tests' TypeScript, and the repository's harness and stand-in they use (../../tools);
    // the app itself is the built one (index.js -> dist/). Type-checking is tsc's job.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  // The harness runs the app through core's Lambda handler: this folder's core, the app's own.
  moduleNameMapper: { '^zapier-platform-core$': '<rootDir>/node_modules/zapier-platform-core' },
  testTimeout: 30000,
};
