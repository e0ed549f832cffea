// Every error a step or an auth function throws carries its own message and nothing else.
//
// Core appends "What happened: Executing <method> with bundle {…}" to any error that lacks
// `doNotContextify` (src/middleware.js enrichErrorMessages, fed by
// src/app-middlewares/before/add-app-context.js): the bundle minus authData, i.e. the
// step's inputData and, for REST hooks, subscribeData with the webhook signing secret.
// RefreshAuthError, ExpiredAuthError and core's own errors from z.request (the blank
// RefreshAuthError it makes of every 401, RPC failures of z.cache) lack the flag, and
// that text is what the Zap user and support read.

import type { Bundle, ZObject } from 'zapier-platform-core';
import type { CheckedProfile } from './profile';
import { redact } from './redact';
import { secretsOf } from './secrets';
import { isRecord } from './values';

/** What a blank RefreshAuthError (core's answer to a 401) says instead of nothing. */
export function blankRefreshMessage(profile: CheckedProfile): string {
  return `${profile.name} rejected the access token (HTTP 401). Zapier refreshes it and retries the step.`;
}

/** Marks `error` so core adds no bundle dump, and redacts what it says; returns it. */
export function ownMessageOnly(
  profile: CheckedProfile,
  error: unknown,
  secrets: ReadonlyArray<string | undefined>,
): unknown {
  if (!isRecord(error) && !(error instanceof Error)) return error;
  const target = error as Error & { doNotContextify?: boolean };
  // An error whose message or stack cannot be written (a frozen error, a DOMException) keeps
  // them; the original error must reach Zapier, not a TypeError about it.
  try {
    if (typeof target.message === 'string') {
      const own =
        target.name === 'RefreshAuthError' && target.message.trim() === ''
          ? blankRefreshMessage(profile)
          : target.message;
      target.message = redact(own, secrets, profile.tokenPrefixes);
    }
    if (typeof target.stack === 'string') target.stack = redact(target.stack, secrets, profile.tokenPrefixes);
    target.doNotContextify = true;
  } catch {
    // left as it is
  }
  return target;
}

type Operation = (z: ZObject, bundle: Bundle) => unknown;

/** `fn`, with whatever it throws passed through ownMessageOnly. */
export function withOwnErrors<F extends Operation>(profile: CheckedProfile, fn: F): F {
  const wrapped = async (z: ZObject, bundle: Bundle) => {
    try {
      return await fn(z, bundle);
    } catch (error) {
      throw ownMessageOnly(profile, error, secretsOf(profile, bundle));
    }
  };
  return wrapped as F;
}

/**
 * The app definition with every function a step, a dynamic field or the
 * authentication runs wrapped by withOwnErrors. Middleware needs no wrapping: it
 * runs inside z.request, whose errors reach the wrapped function that called it.
 */
export function withOwnErrorsEverywhere<T extends object>(profile: CheckedProfile, app: T): T {
  const wrapFunctions = (node: unknown, skipKeys: readonly string[]): unknown => {
    if (typeof node === 'function') return withOwnErrors(profile, node as Operation);
    if (Array.isArray(node)) return node.map((item) => wrapFunctions(item, []));
    if (!isRecord(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] = skipKeys.includes(key) ? value : wrapFunctions(value, []);
    }
    return out;
  };
  return wrapFunctions(app, ['beforeRequest', 'afterResponse']) as T;
}
