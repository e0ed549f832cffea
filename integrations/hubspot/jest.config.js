/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // The tests' TypeScript, and the repository's stand-in they use (../../tools/standins);
    // the app itself is the built one (index.js -> dist/). Type-checking is tsc's job.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  // The harness runs the app through core's Lambda handler: this folder's core, the app's own.
  // The layer is the package this folder installs, for the tests and the harness alike.
  moduleNameMapper: {
    '^zapier-platform-core$': '<rootDir>/node_modules/zapier-platform-core',
    '^zapier-oauth-layer$': '<rootDir>/node_modules/zapier-oauth-layer',
    '^zapier-oauth-layer/internal$': '<rootDir>/node_modules/zapier-oauth-layer/dist/internal.js',
    '^zapier-oauth-layer/conformance$': '<rootDir>/node_modules/zapier-oauth-layer/dist/conformance.js',
    '^zapier-oauth-layer/standin$': '<rootDir>/node_modules/zapier-oauth-layer/dist/standin.js',
  },
  testTimeout: 30000,
};
