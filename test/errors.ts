// Catching and reading the errors a step throws. Zapier's AppError and ThrottledError
// JSON-encode their payload into `message`; core may append a "What happened" trailer.
import nock from 'nock';
import { parseCoreError, WHAT_HAPPENED } from 'zapier-oauth-layer/internal';

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

/** Our own text of an error, without core's "What happened" trailer. */
export function headline(error: CaughtError): string {
  const cut = error.message.indexOf(WHAT_HAPPENED);
  return cut >= 0 ? error.message.slice(0, cut) : error.message;
}

export interface AppErrorBody {
  message: string;
  code: string;
  status: number;
}

/** The payload of a `z.errors.Error` (name AppError). */
export function appError(error: CaughtError): AppErrorBody {
  expect(error.name).toBe('AppError');
  const { message, code, status } = parseCoreError(error);
  return { message, code: code ?? '', status: status ?? NaN };
}

/** The payload of a `z.errors.ThrottledError`. */
export function throttled(error: CaughtError): { message: string; delay?: number | null } {
  expect(error.name).toBe('ThrottledError');
  const { message, delay } = parseCoreError(error);
  return { message, delay };
}

/** Records every request nock could not match, to prove nothing left the process. */
export function unmatchedRequests(): { urls: string[]; stop: () => void } {
  const urls: string[] = [];
  const listener = (req: { href?: string; hostname?: string; path?: string }) => {
    urls.push(req.href ?? `${req.hostname ?? ''}${req.path ?? ''}`);
  };
  nock.emitter.on('no match', listener);
  return { urls, stop: () => nock.emitter.removeListener('no match', listener) };
}
