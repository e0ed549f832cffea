// Failures below HTTP (reset, refused, DNS, timeout) and configuration mistakes,
// turned into errors a person can act on. Shared by the resource API and the
// token endpoint, which must never hang or surface a raw FetchError either.

import type { ZObject } from 'zapier-platform-core';
import { ConfigError } from './endpoints';
import type { CheckedProfile } from './profile';

export interface Attempt {
  method: string;
  /** What was called, for the message: "GET /v2/contacts". Never a URL with a query. */
  what: string;
  /** Host name, for DNS failures. */
  host: string;
  timeoutMs: number;
  /** What the user should do after a failure (writes may have landed). */
  advice: string;
}

/**
 * The Zapier error for a network failure or a configuration error, or null when
 * `error` is neither (Zapier's own errors pass through untouched).
 */
export function failureBelowHttp(
  profile: CheckedProfile,
  z: ZObject,
  error: unknown,
  attempt: Attempt,
): Error | null {
  if (error instanceof ConfigError) return new z.errors.Error(error.message, error.code, 500);
  const { name, type, code } = (error ?? {}) as { name?: unknown; type?: unknown; code?: unknown };
  if (name !== 'FetchError') return null;
  const timedOut = type === 'request-timeout' || type === 'body-timeout';
  const reason = timedOut
    ? `${profile.name} did not answer within ${attempt.timeoutMs / 1000} seconds`
    : code === 'ECONNRESET' || code === 'EPIPE'
      ? `the connection was reset before ${profile.name} answered`
      : code === 'ECONNREFUSED'
        ? 'the connection was refused'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? `the address ${attempt.host} could not be resolved (DNS)`
          : code === 'ETIMEDOUT' || code === 'ECONNABORTED'
            ? 'the connection timed out'
            : 'the network request failed';
  return new z.errors.Error(
    `Could not reach ${profile.name}: ${reason} (${attempt.what}). ${attempt.advice}`,
    timedOut ? 'timeout' : 'network_error',
  );
}
