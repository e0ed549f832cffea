// One call to the resource API for an adopter's step: the URL under the API's base, a timeout
// under Zapier's 30 s, and a failure below HTTP (reset, refused, DNS, timeout) or a configuration
// mistake turned into a message a person can act on, a write's saying the API may have done it.
// What the answer means is the middleware's business (harden), not this function's.

import type { Bundle, HttpMethod, HttpRequestOptions, HttpResponse, ZObject } from 'zapier-platform-core';
import { endpointsOf } from './endpoints';
import { describeRequest } from './middleware';
import { failureBelowHttp } from './network';
import type { CheckedProfile } from './profile';
import { redact } from './redact';
import { secretsOf } from './secrets';
import { requestTimeoutMs } from './settings';

/** One call of `layer.request`. */
export interface LayerRequest {
  /** Under the API's base and one of endpoints.api's prefixes: '/crm/v3/objects/contacts'. Ids from input are the caller's to encode. */
  path: string;
  /** GET unless said. */
  method?: HttpMethod;
  /** The query; undefined and null values are left out. */
  params?: Record<string, string | number | boolean | null | undefined>;
  /** A JSON body, sent with Content-Type: application/json. */
  json?: unknown;
  /** Any other body (a form object, text), as z.request takes it; not with `json`. */
  body?: HttpRequestOptions['body'];
  headers?: Record<string, string>;
  /** How a message names the call ("GET /v1/me" by default): name it yourself when the path holds a secret. */
  what?: string;
  /**
   * The call changes something (default: any method but GET, HEAD and OPTIONS): after a failure
   * below HTTP the message says the API may have done it anyway, instead of "try again".
   */
  writes?: boolean;
  /** Core's own: the answer comes back whatever its status (only connection problems are thrown). */
  skipThrowForStatus?: boolean;
  /**
   * Keep the answer's body out of core's HTTP log (it carries a secret, such as a webhook's
   * signing secret): the layer reads it instead, and `data` is there as usual.
   */
  quiet?: boolean;
  /**
   * The step's bundle, when you have it: its secrets are kept out of this function's messages
   * (harden's wrapper redacts them again from whatever leaves the step). The URL is always under
   * the profile's base: for a host the connection names (endpoints.apiFrom) call z.request with
   * layer.endpoints.apiUrl.
   */
  bundle?: Partial<Bundle>;
}

const READS: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];

export async function layerRequest<T = unknown>(
  profile: CheckedProfile,
  z: ZObject,
  call: LayerRequest,
): Promise<HttpResponse<T>> {
  const method = (call.method ?? 'GET').toUpperCase() as HttpMethod;
  // Mistakes of the integration's own code, told to its developer at once.
  if (typeof call.path !== 'string' || !call.path.startsWith('/') || call.path.startsWith('//'))
    throw new TypeError(
      `layer.request takes a path under the API's base starting with one "/", not ${JSON.stringify(call.path)}`,
    );
  if (call.json !== undefined && call.body !== undefined)
    throw new TypeError('layer.request takes a JSON body (json) or another body (body), not both');

  const timeoutMs = requestTimeoutMs();
  const what = call.what ?? describeRequest(method, call.path);
  const writes = call.writes ?? !READS.includes(method);
  const endpoints = endpointsOf(profile);
  let url: string | undefined;
  try {
    url = endpoints.url(call.path);
    // Only the API carries the access token, and only its answers are classified: a path outside
    // it would leave without the token, and its 401 would cost the connection a pointless refresh.
    if (endpoints.destination(url, call.bundle?.authData) !== 'api') {
      const prefixes = ([] as string[]).concat(profile.endpoints.api).join(', ');
      throw new TypeError(
        `layer.request calls ${profile.name}'s API (endpoints.api: ${prefixes}); ${what} is not under it: ` +
          'call z.request for anything else',
      );
    }
    const params = Object.fromEntries(
      Object.entries(call.params ?? {})
        .filter(([, value]) => value !== undefined && value !== null)
        .map(([key, value]) => [key, String(value)]),
    );
    const headers = {
      ...(call.json !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(call.headers ?? {}),
    };
    return (await z.request({
      url,
      method,
      params,
      headers,
      timeout: timeoutMs,
      // Encoded here: core drops a falsy body (null, 0, false) and sends a string as it is.
      ...(call.json !== undefined ? { body: JSON.stringify(call.json) } : {}),
      ...(call.body !== undefined ? { body: call.body } : {}),
      ...(call.skipThrowForStatus !== undefined ? { skipThrowForStatus: call.skipThrowForStatus } : {}),
      // Read by the layer's readQuietBody before anything else sees the answer.
      ...(call.quiet === true ? { raw: true } : {}),
    })) as HttpResponse<T>;
  } catch (error) {
    let host = profile.endpoints.baseEnv;
    try {
      if (url !== undefined) host = new URL(url).hostname;
    } catch {
      // the variable's name, then
    }
    const failure = failureBelowHttp(profile, z, error, {
      method,
      what,
      host,
      timeoutMs,
      // A write may have reached the API before the connection failed: retrying blindly could duplicate it.
      advice: writes
        ? `${profile.name} may have received the request anyway: check ${profile.name} before running this step again.`
        : `Try again in a few minutes; if it keeps happening, ${profile.name} may be down.`,
    });
    if (failure === null) throw error;
    failure.message = redact(failure.message, secretsOf(profile, call.bundle), profile.tokenPrefixes);
    throw failure;
  }
}
