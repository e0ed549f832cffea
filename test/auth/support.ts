// Helpers shared by the auth tests: run a step, catch what it throws, and read
// Zapier's error envelopes (AppError and ThrottledError JSON-encode their payload).
// Test files import helpers through this module.
import zapier, { type Bundle, type ZObject } from 'zapier-platform-core';
import { App, liveAuth as storedAuth, testers } from '../helpers';

export {
  ACCESS_TOKEN,
  api,
  App,
  BASE_URL,
  CLIENT_ID,
  CLIENT_SECRET,
  REFRESH_TOKEN,
  useTestEnvironment,
} from '../helpers';
export { appError, failureOf, headline, throttled, unmatchedRequests } from '../errors';
export type { AppErrorBody, CaughtError } from '../errors';

/** The OAuth2 config and connection test, typed as authentication.ts defines them. */
export { default as authentication } from '../../authentication';

type Perform = (z: ZObject, bundle: Bundle) => unknown;
export interface TestBundle {
  authData?: Record<string, unknown>;
  inputData?: Record<string, unknown>;
}
const runOnApp = zapier.createAppTester(App) as unknown as ((
  fn: Perform,
  bundle: TestBundle,
) => Promise<unknown>) & {
  zcacheTestObj: Record<string, unknown>;
};
testers.push(runOnApp);

/** createAppTester for any function of the app, or an ad-hoc `(z, bundle) => …`; authData may hold numbers. */
export function appTester(fn: Perform, bundle: TestBundle = {}): Promise<unknown> {
  return runOnApp(fn, bundle);
}

/** authData of a healthy connection (as Zapier stores it), with any values overridden. */
export function liveAuth(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...storedAuth(), ...overrides };
}

const newClientOperation = App.triggers.new_client.operation as unknown as {
  perform: Perform;
  performList?: Perform;
};
/** new_client's poll of GET /api/v1/clients: performList once it is a REST hook, else perform. */
const listNewClients: Perform = newClientOperation.performList ?? newClientOperation.perform;

/** Sets or (with undefined) removes one environment variable. */
export function setEnv(name: string, value: string | undefined): void {
  if (value === undefined) Reflect.deleteProperty(process.env, name);
  else process.env[name] = value;
}

/**
 * Runs `fn` with core's detailed HTTP log on (LOG_TO_STDOUT, DETAILED_LOG_TO_STDOUT), and
 * returns its result with everything written to console.log meanwhile, one line per call.
 */
export async function withCoreHttpLog<T>(fn: () => Promise<T>): Promise<{ result: T; log: string }> {
  const lines: string[] = [];
  const saved = { LOG_TO_STDOUT: process.env.LOG_TO_STDOUT, DETAILED: process.env.DETAILED_LOG_TO_STDOUT };
  process.env.LOG_TO_STDOUT = '1';
  process.env.DETAILED_LOG_TO_STDOUT = '1';
  const spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  });
  try {
    const result = await fn();
    return { result, log: lines.join('\n') };
  } finally {
    spy.mockRestore();
    setEnv('LOG_TO_STDOUT', saved.LOG_TO_STDOUT);
    setEnv('DETAILED_LOG_TO_STDOUT', saved.DETAILED);
  }
}

export const CLIENT_INPUT = { name: 'Acme Bookkeeping Ltd', email: 'accounts@acme.example' };
export const SEARCH_EMAIL = 'accounts@acme.example';

/** A step's perform, which the types also allow to be a shorthand request. */
function performOf(perform: unknown): Perform {
  if (typeof perform !== 'function') throw new Error('expected a perform function, not a shorthand request');
  return perform as Perform;
}

/** The steps the signal tests drive, one per endpoint family. */
export const steps = {
  newClient: (authData: Record<string, unknown> = liveAuth()) => appTester(listNewClients, { authData }),
  createClient: (authData: Record<string, unknown> = liveAuth()) =>
    appTester(performOf(App.creates.create_client.operation.perform), {
      authData,
      inputData: { ...CLIENT_INPUT },
    }),
  findClient: (authData: Record<string, unknown> = liveAuth()) =>
    appTester(performOf(App.searches.find_client.operation.perform), {
      authData,
      inputData: { email: SEARCH_EMAIL },
    }),
};

export const WWW_EXPIRED = 'Bearer error="invalid_token", error_description="The access token expired"';
export const WWW_SCOPE = 'Bearer error="insufficient_scope", scope="tasks:write"';
