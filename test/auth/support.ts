// Helpers shared by the auth tests: run a step, catch what it throws, and read
// Zapier's error envelopes (AppError and ThrottledError JSON-encode their payload).
import nock from 'nock';
import { App, appTester, liveAuth } from '../helpers';

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

export const CLIENT_INPUT = { name: 'Acme Bookkeeping Ltd', email: 'accounts@acme.example' };
export const SEARCH_EMAIL = 'accounts@acme.example';

export type AuthData = ReturnType<typeof liveAuth>;

/** The steps the signal tests drive, one per endpoint family. */
export const steps = {
  newClient: (authData: Record<string, unknown> = liveAuth()) =>
    appTester(App.triggers.new_client.operation.perform, { authData }),
  createClient: (authData: Record<string, unknown> = liveAuth()) =>
    appTester(App.creates.create_client.operation.perform, { authData, inputData: { ...CLIENT_INPUT } }),
  findClient: (authData: Record<string, unknown> = liveAuth()) =>
    appTester(App.searches.find_client.operation.perform, { authData, inputData: { email: SEARCH_EMAIL } }),
};

export const WWW_EXPIRED = 'Bearer error="invalid_token", error_description="The access token expired"';
export const WWW_SCOPE = 'Bearer error="insufficient_scope", scope="tasks:write"';
