// Reading the errors zapier-platform-core throws. AppError, ThrottledError and
// ResponseError JSON-encode their payload into `message` (core's src/errors.js);
// errors without `doNotContextify` also get core's "What happened" trailer
// (src/middleware.js, enrichErrorMessages). One parser for all of them.

import { isRecord } from './values';

export const WHAT_HAPPENED = '\nWhat happened:';

export interface CoreErrorParts {
  name: string;
  /** The error's own text: the JSON payload's `message` when there is one, never the trailer. */
  message: string;
  /** AppError's code. */
  code: string | null;
  /** AppError's or ResponseError's HTTP status. */
  status: number | null;
  /** ThrottledError's delay in seconds. */
  delay: number | null;
  /** Core's "What happened" trailer, when core added one. */
  trailer: string | null;
}

export function parseCoreError(error: unknown): CoreErrorParts {
  const name = isRecord(error) && typeof error.name === 'string' ? error.name : 'Error';
  const raw =
    error instanceof Error || (isRecord(error) && typeof error.message === 'string')
      ? String((error as { message: unknown }).message)
      : String(error);
  const cut = raw.indexOf(WHAT_HAPPENED);
  const own = cut >= 0 ? raw.slice(0, cut) : raw;
  const trailer = cut >= 0 ? raw.slice(cut) : null;
  let payload: unknown;
  try {
    payload = JSON.parse(own);
  } catch {
    payload = undefined;
  }
  if (!isRecord(payload)) return { name, message: own, code: null, status: null, delay: null, trailer };
  return {
    name,
    message: typeof payload.message === 'string' ? payload.message : own,
    code: typeof payload.code === 'string' ? payload.code : null,
    status: typeof payload.status === 'number' ? payload.status : null,
    delay: typeof payload.delay === 'number' ? payload.delay : null,
    trailer,
  };
}
