// Signal -> the Zapier error a person will read, in the API's own name (profile.name). Messages speak to the Zap user
// and say what to do; every bit of server text is redacted first.

import type { ZObject } from 'zapier-platform-core';
import type { CheckedProfile } from './profile';
import { redact, serverText } from './redact';
import type { Signal } from './signals';

function apiSays(
  profile: CheckedProfile,
  signal: Signal,
  secrets: ReadonlyArray<string | undefined>,
): string {
  const text = serverText(signal.apiMessage, secrets);
  return text ? ` ${profile.name} says: "${text}"` : '';
}

function scopeLabel(profile: CheckedProfile, scope: string): string | undefined {
  const labels = profile.authorization.scopeLabels ?? {};
  return Object.hasOwn(labels, scope) ? labels[scope] : undefined;
}

/** `text` as a sentence: one full stop at its end, not a second after the one the API or profile wrote. */
export function stop(text: string): string {
  return /[.!?…]["')]*$/.test(text) ? text : `${text}.`;
}

/** The advice for a signal: its endpoint family's sentences over the profile's. */
function adviceFor(profile: CheckedProfile, signal: Signal) {
  const family = signal.family ? profile.signals.families?.find((f) => f.name === signal.family) : undefined;
  return { ...profile.advice, ...family?.advice };
}

function seconds(n: number): string {
  return n === 1 ? '1 second' : `${n} seconds`;
}

/** The message for a signal; exported so docs and tests can list them. */
export function messageFor(
  profile: CheckedProfile,
  signal: Signal,
  secrets: ReadonlyArray<string | undefined>,
): string {
  // A last pass over the whole text: the error code in `source` and field names come from the server too.
  return redact(compose(profile, signal, secrets), secrets, profile.tokenPrefixes);
}

/** The API's error code as the Zapier error code, unless it is not code-shaped or carries a secret. */
function errorCode(signal: Signal, secrets: ReadonlyArray<string | undefined>): string {
  const code = signal.code;
  if (code && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(code) && redact(code, secrets) === code) return code;
  // A header-only scope error names no code; use the API's, so both forms read alike.
  return signal.kind === 'scope' ? 'insufficient_scope' : signal.kind;
}

function compose(
  profile: CheckedProfile,
  signal: Signal,
  secrets: ReadonlyArray<string | undefined>,
): string {
  const name = profile.name;
  const says = () => apiSays(profile, signal, secrets);
  const advice = adviceFor(profile, signal);
  switch (signal.kind) {
    case 'ok':
      return '';
    case 'refresh':
      return `The ${name} access token expired or was rejected (${signal.source}). Zapier refreshes it and retries the step.`;
    case 'revoked':
      return `${name} no longer accepts this connection (${signal.source}).${says()} Reconnect your ${name} account in Zapier.`;
    case 'scope': {
      const scope = signal.requiredScope ? serverText(signal.requiredScope, secrets, 60) : '';
      const label = scope ? scopeLabel(profile, scope) : undefined;
      const what = scope
        ? `the "${scope}" permission${label ? ` (${label})` : ''}`
        : 'a permission this step needs';
      const approve = label
        ? `approve "${label}"`
        : scope
          ? `approve "${scope}"`
          : 'approve every permission';
      // Without a scope to name, the API's own words may name it ("Required access: read_products").
      return (
        `Your ${name} connection is missing ${what}, so ${name} refused this step (${signal.source}).${scope ? '' : says()} ` +
        `Reconnect your ${name} account in Zapier and ${approve} on ${name}'s consent page. ` +
        'Refreshing the token cannot add a permission.'
      );
    }
    case 'forbidden':
      return (
        `${name} does not let ${advice.forbiddenWho ?? 'your account'} do this (${signal.source}).${says()} ` +
        stop(
          advice.forbidden ??
            `Ask an administrator of your ${name} account for access, or connect an account that has it`,
        )
      );
    case 'throttled':
      return (
        `${name}'s rate limit was reached (${signal.source}). Zapier will retry ` +
        (signal.retryAfter !== null ? `after ${seconds(signal.retryAfter)}.` : 'shortly.')
      );
    case 'unavailable':
      return (
        `${name} is temporarily unavailable (${signal.source}).` +
        (signal.retryAfter !== null
          ? ` Zapier will retry after ${seconds(signal.retryAfter)}.`
          : ' Try again in a few minutes.')
      );
    case 'validation': {
      const entries = Object.entries(signal.fields);
      // Each field's texts without their own full stops, the list with one.
      const list = entries
        .map(([field, problem]) => `${field}: ${serverText(problem, secrets, 160).replace(/\.(?=;|$)/g, '')}`)
        .join('; ');
      return list
        ? `${name} rejected the input. ${stop(list)} Fix these fields in the Zap step and try again.`
        : `${name} rejected the input (${signal.source}).${says()}`;
    }
    case 'conflict':
      return signal.existingId
        ? `That record already exists in ${name} (id ${serverText(signal.existingId, secrets, 80)}).${says()}` +
            (advice.conflict ? ` ${stop(advice.conflict)}` : '')
        : `${name} reported a conflict (${signal.source}).${says()}`;
    case 'not_found':
      return `${name} could not find what this step refers to (${signal.source}).${says()} Check the IDs in the step.`;
    case 'bad_request':
      return `${name} rejected the request (${signal.source}).${says()}`;
    case 'server':
      return `${name} had an internal error (${signal.source}).${says()} Try again in a few minutes.`;
    case 'bad_response':
      return `${name} answered with something this integration cannot read (${signal.source}). Try again in a few minutes.`;
    case 'error':
      return `${name} reported an error (${signal.source}).${says()}`;
  }
}

/** Builds the Zapier error for a non-ok signal. */
export function errorFor(
  z: ZObject,
  profile: CheckedProfile,
  signal: Signal,
  secrets: ReadonlyArray<string | undefined>,
): Error {
  const message = messageFor(profile, signal, secrets);
  switch (signal.kind) {
    case 'refresh':
      return new z.errors.RefreshAuthError(message);
    case 'revoked':
      // The grant is gone: Zapier marks the connection for reconnecting instead of refreshing in vain.
      return new z.errors.ExpiredAuthError(message);
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
