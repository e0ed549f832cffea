// Shared by unit tests: a fixed environment, the app under createAppTester, and
// no network at all (nock fails any request not explicitly mocked).
import nock from 'nock';
import zapier, { type Bundle, type ZObject } from 'zapier-platform-core';

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
    // z.cache remembers refresh outcomes and PKCE verifiers: each test starts with an empty store.
    for (const tester of testers) tester.zcacheTestObj = {};
  });
  afterAll(() => {
    nock.enableNetConnect();
    // Core wraps http.request once per process; a later file's nock must wrap it afresh.
    nock.restore();
  });
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const App = require('../index') as typeof import('../index');
export const appTester = zapier.createAppTester(App);

/** Every createAppTester in use; their local z.cache is emptied after each test. */
export const testers: Array<{ zcacheTestObj: Record<string, unknown> }> = [
  appTester as unknown as { zcacheTestObj: Record<string, unknown> },
];

type Perform = (z: ZObject, bundle: Bundle) => unknown;

/** The function at a dotted path of the app definition ('triggers.new_client.operation.perform'). */
export function at(path: string): Perform {
  let node: unknown = App;
  for (const key of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
  if (typeof node !== 'function') throw new Error(`No function at ${path}`);
  return node as Perform;
}

/** appTester by method path or function; authData may hold numbers, as Zapier's may. */
export function invoke(
  method: string | Perform,
  bundle: {
    authData?: Record<string, unknown>;
    inputData?: Record<string, unknown>;
    [key: string]: unknown;
  } = {},
): Promise<unknown> {
  const run = appTester as unknown as (fn: Perform, bundle: unknown) => Promise<unknown>;
  return run(typeof method === 'string' ? at(method) : method, bundle);
}

/** authData of a healthy connection whose token expires in an hour (values as Zapier stores them: strings). */
export function liveAuth(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    access_token: ACCESS_TOKEN,
    refresh_token: REFRESH_TOKEN,
    expires_at: String(Math.floor(Date.now() / 1000) + 3600),
    scope: 'clients:read clients:write offline_access',
    ...overrides,
  };
}

export function api() {
  return nock(BASE_URL);
}
