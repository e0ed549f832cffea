// Helpers shared by the auth tests: run a step, catch what it throws, and read
// Zapier's error envelopes (AppError and ThrottledError JSON-encode their payload).
// test/helpers loads the app through index.js, that is from dist/, which a concurrent
// `npm run build` deletes and rewrites. Point it at the TypeScript source instead, so these
// tests exercise the code as it is now. Test files import helpers through this module.
jest.mock('../../index', () => jest.requireActual('../../index.ts'));

import nock from 'nock';
import zapier, { type Bundle, type ZObject } from 'zapier-platform-core';
import { App, liveAuth as storedAuth, useTestEnvironment as useSharedEnvironment } from '../helpers';

export { ACCESS_TOKEN, api, App, BASE_URL, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN } from '../helpers';

/**
 * helpers' environment, plus: take nock's interceptor off node's http/https when the file
 * is done. Jest runs several files in one process with fresh module registries, and core
 * wraps http.request once per process around the first file's nock; without this, the
 * next file's requests slip past its own nock and try the real network.
 */
export function useTestEnvironment(): void {
  useSharedEnvironment();
  afterAll(() => {
    nock.restore();
  });
}

/** The OAuth2 config and connection test, typed as authentication.ts defines them. */
export { default as authentication } from '../../authentication';

type Perform = (z: ZObject, bundle: Bundle) => unknown;
export interface TestBundle {
  authData?: Record<string, unknown>;
  inputData?: Record<string, unknown>;
}
const runOnApp = zapier.createAppTester(App) as unknown as (
  fn: Perform,
  bundle: TestBundle,
) => Promise<unknown>;

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

export interface CaughtError {
  name: string;
  message: string;
  stack?: string;
}

function isErrorLike(value: unknown): value is CaughtError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function failureOf(promise: Promise<unknown>): Promise<CaughtError> {
  let result: unknown;
  try {
    result = await promise;
  } catch (error) {
    if (isErrorLike(error)) return error;
    throw new Error(`rejected with a non-error: ${String(error)}`);
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(result)}`);
}

/** Our own text of a RefreshAuthError/ExpiredAuthError, without core's "What happened" trailer. */
export function headline(error: CaughtError): string {
  return error.message.split('\nWhat happened:')[0] ?? '';
}

export interface AppErrorBody {
  message: string;
  code: string;
  status: number;
}

/** The payload of a `z.errors.Error` (name AppError). */
export function appError(error: CaughtError): AppErrorBody {
  expect(error.name).toBe('AppError');
  return JSON.parse(error.message) as AppErrorBody;
}

/** The payload of a `z.errors.ThrottledError`. */
export function throttled(error: CaughtError): { message: string; delay?: number | null } {
  expect(error.name).toBe('ThrottledError');
  return JSON.parse(error.message) as { message: string; delay?: number | null };
}

/** Records every request nock could not match, so a test can prove nothing left the process. */
export function unmatchedRequests(): { urls: string[]; stop: () => void } {
  const urls: string[] = [];
  const listener = (req: { href?: string; path?: string; hostname?: string }) => {
    urls.push(req.href ?? `${req.hostname ?? ''}${req.path ?? ''}`);
  };
  nock.emitter.on('no match', listener);
  return { urls, stop: () => nock.emitter.removeListener('no match', listener) };
}

/** Sets or (with undefined) removes one environment variable. */
export function setEnv(name: string, value: string | undefined): void {
  if (value === undefined) Reflect.deleteProperty(process.env, name);
  else process.env[name] = value;
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
