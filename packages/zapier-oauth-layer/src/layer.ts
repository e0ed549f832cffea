// createLayer(profile): everything the layer does for one API, bound to its profile.

import type { Bundle, HttpResponse, ZObject } from 'zapier-platform-core';
import { endpointsOf, type Endpoints } from './endpoints';
import { withCheckedInput } from './input';
import { logLine } from './log';
import { errorFor, messageFor } from './messages';
import { middlewareFor, toResponseLike, type Middleware } from './middleware';
import {
  authenticationFor,
  configured,
  oauthFor,
  type AuthenticationParts,
  type OAuthFunctions,
} from './oauth';
import { failureBelowHttp, type Attempt } from './network';
import { ownMessageOnly, withOwnErrorsEverywhere } from './own-message';
import type { CheckedProfile } from './profile';
import { secretsOf } from './secrets';
import { classifyResponse, type ResponseLike, type Signal } from './signals';
import { normaliseTokenResponse, type TokenAnswer, type TokenContext, type TokenOutcome } from './tokens';

/** Everything the layer does for one API, bound to its profile. */
export interface Layer {
  readonly profile: CheckedProfile;
  readonly endpoints: Endpoints;
  readonly middleware: Middleware;
  readonly oauth: OAuthFunctions;
  /** The app's `authentication`: the layer's OAuth functions with the integration's test and label. */
  authentication(parts: AuthenticationParts): ReturnType<typeof authenticationFor>;
  /**
   * The app definition, hardened: the layer's middleware before the app's own, core's early
   * 429 handling off (the layer reads Retry-After, HTTP dates included, and tells a throttled
   * token endpoint from a dead grant), every step's input checked against its fields, and
   * every function's errors leaving with their own redacted message (no bundle dump by core).
   */
  harden<T extends object>(app: T): T;
  /** `path` under the API's base, or a Zapier error naming the misconfigured variable. */
  url(z: ZObject, path: string): string;
  /** Every secret a message or log line of this run must not contain. */
  secretsOf(bundle: Partial<Bundle> | undefined): string[];
  /** Writes one redacted line to Zapier's log (the only way the app logs). */
  logLine(
    z: ZObject,
    bundle: Partial<Bundle> | undefined,
    text: string,
    moreSecrets?: ReadonlyArray<string | undefined>,
  ): void;
  /** The Zapier error for a network failure or a configuration error, or null. */
  failureBelowHttp(z: ZObject, error: unknown, attempt: Attempt): Error | null;
  /** What one answer of the resource API means. */
  classify(response: ResponseLike, nowMs?: number): Signal;
  messageFor(signal: Signal, secrets: ReadonlyArray<string | undefined>): string;
  errorFor(z: ZObject, signal: Signal, secrets: ReadonlyArray<string | undefined>): Error;
  normaliseTokenResponse(answer: TokenAnswer, ctx: TokenContext): TokenOutcome;
  /** Marks an error so core adds no bundle dump, with its message redacted. */
  ownMessageOnly(error: unknown, secrets: ReadonlyArray<string | undefined>): unknown;
  /** An HttpResponse as the classifier reads it. */
  responseLike(response: HttpResponse): ResponseLike;
}

/** The parts of an app definition harden() touches. */
export interface HardenableApp {
  flags?: Record<string, unknown>;
  beforeRequest?: unknown[];
  afterResponse?: unknown[];
}

export function createLayer(profile: CheckedProfile): Layer {
  if (profile.checked !== true) throw new Error('createLayer takes a profile made by defineProfile');
  const endpoints = endpointsOf(profile);
  const middleware = middlewareFor(profile);
  const oauth = oauthFor(profile);
  return {
    profile,
    endpoints,
    middleware,
    oauth,
    authentication: (parts) => authenticationFor(profile, parts),
    harden<T extends object>(definition: T): T {
      const app = definition as T & HardenableApp;
      const hardened = {
        ...app,
        // Core 18+ turns every 429 into its own ThrottledError before afterResponse, reading only a
        // numeric Retry-After (src/http-middlewares/after/throw-for-throttling.js).
        flags: { ...(app.flags ?? {}), throwForThrottlingEarly: false },
        beforeRequest: [...middleware.befores, ...(app.beforeRequest ?? [])],
        afterResponse: [...middleware.afters, ...(app.afterResponse ?? [])],
      };
      return withOwnErrorsEverywhere(profile, withCheckedInput(hardened));
    },
    url: (z, path) => configured(z, () => endpoints.url(path)),
    secretsOf: (bundle) => secretsOf(profile, bundle),
    logLine: (z, bundle, text, moreSecrets) => logLine(profile, z, bundle, text, moreSecrets),
    failureBelowHttp: (z, error, attempt) => failureBelowHttp(profile, z, error, attempt),
    classify: (response, nowMs) => classifyResponse(profile, response, nowMs),
    messageFor: (signal, secrets) => messageFor(profile, signal, secrets),
    errorFor: (z, signal, secrets) => errorFor(z, profile, signal, secrets),
    normaliseTokenResponse: (answer, ctx) => normaliseTokenResponse(profile, answer, ctx),
    ownMessageOnly: (error, secrets) => ownMessageOnly(profile, error, secrets),
    responseLike: toResponseLike,
  };
}
