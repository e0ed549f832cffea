// Shared by unit tests: a fixed environment, the app under createAppTester, and
// no network at all (nock fails any request not explicitly mocked).
import nock from 'nock';
import zapier from 'zapier-platform-core';

export const BASE_URL = 'https://api.practice.example';
export const CLIENT_ID = 'practice-client-id';
export const CLIENT_SECRET = 'cs_super_secret_value_42';
export const ACCESS_TOKEN = 'pat_live_access_token_abc123';
export const REFRESH_TOKEN = 'prt_live_refresh_token_def456';

export function useTestEnvironment(): void {
  beforeAll(() => {
    process.env.BASE_URL = BASE_URL;
    process.env.CLIENT_ID = CLIENT_ID;
    process.env.CLIENT_SECRET = CLIENT_SECRET;
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
  });
  afterAll(() => {
    nock.enableNetConnect();
  });
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const App = require('../index') as typeof import('../index');
export const appTester = zapier.createAppTester(App);

/** authData of a healthy connection whose token expires in an hour. */
export function liveAuth(overrides: Record<string, unknown> = {}) {
  return {
    access_token: ACCESS_TOKEN,
    refresh_token: REFRESH_TOKEN,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    scope: 'clients:read clients:write offline_access',
    ...overrides,
  };
}

export function api() {
  return nock(BASE_URL);
}
