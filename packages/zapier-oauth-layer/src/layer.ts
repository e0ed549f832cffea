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
import { layerRequest, type LayerRequest } from './request';
import { secretsOf } from './secrets';
import { requestTimeoutMs } from './settings';
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
   * The app definition, hardened: the layer's beforeRequest after the app's own (it decides on
   * the request as it leaves), its afterResponse before the app's, core's early
   * 429 handling off (the layer reads Retry-After, HTTP dates included, and tells a throttled
   * token endpoint from a dead grant), every step's input checked against its fields, and
   * every function's errors leaving with their own redacted message (no bundle dump by core).
   *
   * Answers that concern the connection (expiry, a dead grant, a missing scope, a rate limit, a
   * refusal of the account's role or plan) are always the layer's to throw. Every other answer
   * (not found, validation, conflict, server errors…) reaches the app's own afterResponse and its
   * step as it would without the layer, core's throwForStatus and `skipThrowForStatus` included,
   * unless `options.messages` is 'all': the layer then throws them in the API's words where core
   * would throw its ResponseError (a request with `skipThrowForStatus` still gets its answer).
   */
  harden<T extends object>(app: T, options?: HardenOptions): T;
  /**
   * One call to the resource API, for a step: the URL under the API's base (`path`), core's
   * response back (`data` typed `T`), a timeout under Zapier's 30 s, and a failure below HTTP
   * (reset, refused, DNS, timeout) or a misconfigured base turned into a Zapier error that says
   * what happened and, for a write, that the API may have done it anyway. HTTP answers are the
   * middleware's (see harden); with `skipThrowForStatus` the caller reads the status itself.
   */
  request<T = unknown>(z: ZObject, call: LayerRequest): Promise<HttpResponse<T>>;
  /**
   * The timeout `request` gives a call, ms (under Zapier's 30 s), for a call the app makes with
   * z.request itself: to one of the provider's OAuth endpoints, say, with failureBelowHttp.
   */
  requestTimeoutMs(): number;
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

/** How harden() treats the app's answers. */
export interface HardenOptions {
  /**
   * Which answers of the API the layer throws in its own words. 'connection' (the default):
   * only those that concern the connection; the rest are the app's, as without the layer.
   * 'all': every error answer, where core would throw its ResponseError.
   */
  messages?: 'connection' | 'all';
}

const MESSAGES: ReadonlyArray<NonNullable<HardenOptions['messages']>> = ['connection', 'all'];

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
    harden<T extends object>(definition: T, options: HardenOptions = {}): T {
      const messages = options.messages ?? 'connection';
      if (!MESSAGES.includes(messages))
        throw new TypeError(`harden's messages is 'connection' or 'all', not ${JSON.stringify(messages)}`);
      const app = definition as T & HardenableApp;
      const hardened = {
        ...app,
        // Core 18+ turns every 429 into its own ThrottledError before afterResponse, reading only a
        // numeric Retry-After (src/http-middlewares/after/throw-for-throttling.js).
        flags: { ...(app.flags ?? {}), throwForThrottlingEarly: false },
        // The app's own first: it may build the URL (a path made absolute) or set headers, and the
        // layer decides on the request as it will leave where the access token goes, whether it
        // is due for renewal, and that no redirect is followed.
        beforeRequest: [...(app.beforeRequest ?? []), ...middleware.befores],
        // The connection's answers before the app sees any; with 'all', the layer's words last,
        // where core's throwForStatus would throw (it runs after every afterResponse).
        afterResponse: [
          ...middleware.afters,
          ...(app.afterResponse ?? []),
          ...(messages === 'all' ? middleware.wording : []),
        ],
      };
      return withOwnErrorsEverywhere(profile, withCheckedInput(hardened));
    },
    request: <T = unknown>(z: ZObject, call: LayerRequest) => layerRequest<T>(profile, z, call),
    requestTimeoutMs,
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
