// Signal -> the Zapier error a person will read. Messages speak to the Zap user
// and say what to do; every bit of server text is redacted first.

import type { ZObject } from 'zapier-platform-core';
import type { Signal } from './signals';
import { redact, serverText } from './redact';
import { scopeLabel } from '../practice/scopes';

function apiSays(signal: Signal, secrets: ReadonlyArray<string | undefined>): string {
  const text = serverText(signal.apiMessage, secrets);
  return text ? ` Practice says: "${text}"` : '';
}

function seconds(n: number): string {
  return n === 1 ? '1 second' : `${n} seconds`;
}

/** The message for a signal; exported so docs and tests can list them. */
export function messageFor(signal: Signal, secrets: ReadonlyArray<string | undefined>): string {
  // A last pass over the whole text: the error code in `source` and field names come from the server too.
  return redact(compose(signal, secrets), secrets);
}

/** The API's error code as the Zapier error code, unless it is not code-shaped or carries a secret. */
function errorCode(signal: Signal, secrets: ReadonlyArray<string | undefined>): string {
  const code = signal.code;
  if (code && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(code) && redact(code, secrets) === code) return code;
  // A header-only scope error names no code; use the API's, so both forms read alike.
  return signal.kind === 'scope' ? 'insufficient_scope' : signal.kind;
}

function compose(signal: Signal, secrets: ReadonlyArray<string | undefined>): string {
  switch (signal.kind) {
    case 'ok':
      return '';
    case 'refresh':
      return `The Practice access token expired or was rejected (${signal.source}). Zapier refreshes it and retries the step.`;
    case 'scope': {
      const scope = signal.requiredScope ? serverText(signal.requiredScope, secrets, 60) : '';
      const label = scope ? scopeLabel(scope) : undefined;
      const what = scope
        ? `the "${scope}" permission${label ? ` (${label})` : ''}`
        : 'a permission this step needs';
      const approve = label
        ? `approve "${label}"`
        : scope
          ? `approve "${scope}"`
          : 'approve every permission';
      return (
        `Your Practice connection is missing ${what}, so Practice refused this step (${signal.source}). ` +
        `Reconnect your Practice account in Zapier and ${approve} on Practice's consent page. ` +
        'Refreshing the token cannot add a permission.'
      );
    }
    case 'forbidden':
      return (
        `Practice does not let your member role do this (${signal.source}).${apiSays(signal, secrets)} ` +
        'Ask a Practice owner or admin to change your role, or connect a member who may do it.'
      );
    case 'throttled':
      return (
        `Practice's rate limit was reached (${signal.source}). Zapier will retry ` +
        (signal.retryAfter !== null ? `after ${seconds(signal.retryAfter)}.` : 'shortly.')
      );
    case 'unavailable':
      return (
        `Practice is temporarily unavailable (${signal.source}).` +
        (signal.retryAfter !== null
          ? ` Zapier will retry after ${seconds(signal.retryAfter)}.`
          : ' Try again in a few minutes.')
      );
    case 'validation': {
      const entries = Object.entries(signal.fields);
      const list = entries
        .map(([field, problem]) => `${field}: ${serverText(problem, secrets, 160)}`)
        .join('; ');
      return list
        ? `Practice rejected the input. ${list}. Fix these fields in the Zap step and try again.`
        : `Practice rejected the input (${signal.source}).${apiSays(signal, secrets)}`;
    }
    case 'conflict':
      return signal.existingId
        ? `That record already exists in Practice (id ${serverText(signal.existingId, secrets, 80)}).${apiSays(signal, secrets)} ` +
            'Use a different external ID, or update the existing record instead.'
        : `Practice reported a conflict (${signal.source}).${apiSays(signal, secrets)}`;
    case 'not_found':
      return `Practice could not find what this step refers to (${signal.source}).${apiSays(signal, secrets)} Check the IDs in the step.`;
    case 'bad_request':
      return `Practice rejected the request (${signal.source}).${apiSays(signal, secrets)}`;
    case 'server':
      return `Practice had an internal error (${signal.source}).${apiSays(signal, secrets)} Try again in a few minutes.`;
    case 'bad_response':
      return `Practice answered with something this integration cannot read (${signal.source}). Try again in a few minutes.`;
    case 'error':
      return `Practice reported an error (${signal.source}).${apiSays(signal, secrets)}`;
  }
}

/** Builds the Zapier error for a non-ok signal. */
export function errorFor(z: ZObject, signal: Signal, secrets: ReadonlyArray<string | undefined>): Error {
  const message = messageFor(signal, secrets);
  switch (signal.kind) {
    case 'refresh':
      return new z.errors.RefreshAuthError(message);
    case 'throttled':
      return new z.errors.ThrottledError(message, signal.retryAfter ?? undefined);
    case 'unavailable':
      // With a Retry-After the outage is announced and short: let Zapier come back later.
      return signal.retryAfter !== null
        ? new z.errors.ThrottledError(message, signal.retryAfter)
        : new z.errors.Error(message, errorCode(signal, secrets), signal.status);
    default:
      return new z.errors.Error(message, errorCode(signal, secrets), signal.status);
  }
}
