// HTTP middleware: one small function per concern, made for one profile (middlewareFor).

import type {
  AfterResponseMiddleware,
  BeforeRequestMiddleware,
  HttpResponse,
  RawHttpResponse,
} from 'zapier-platform-core';
import { endpointsOf } from './endpoints';
import { knownExpiry, refreshMarginSeconds } from './expiry';
import { errorFor } from './messages';
import { ownMessageOnly } from './own-message';
import type { CheckedProfile } from './profile';
import { secretsOf } from './secrets';
import { classifyResponse, concernsConnection, type ResponseLike } from './signals';
import { parseJson } from './values';
import { Readable } from 'node:stream';

// No request of the integration follows a redirect. node-fetch (under z.request) keeps the
// Authorization header on a redirect to the same host on any port or to any subdomain of
// it, re-sends a 307's body, and core would hand the target's answer to us as the API's.
// With 'manual' node-fetch returns the 3xx itself, and refuseRedirects turns it into an error.
export const neverFollowRedirects: BeforeRequestMiddleware = (request) => ({
  ...request,
  redirect: 'manual',
});

/** "GET /v2/contacts": method and path, never the query (cursors, search terms); a URL or a path. */
export function describeRequest(method: string | undefined, url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.replace(/[?#].*$/, '');
  }
  return `${(method ?? 'GET').toUpperCase()} ${path}`;
}

/** Only the origin of an address a server named: its path or query may carry anything. */
export function originOf(location: string | null | undefined, base: string): string {
  if (!location) return 'no address (the Location header is missing)';
  try {
    const { origin, protocol } = new URL(location, base);
    return origin !== 'null' ? origin : `a ${protocol} address`;
  } catch {
    return 'an address that is not a URL';
  }
}

function redirectAdvice(profile: CheckedProfile): string {
  const variable = profile.endpoints.baseEnv;
  return (
    `If ${variable} is right, ${profile.name} or something in front of it moved the API: the integration owner must ` +
    `set ${variable} to the address the API answers on itself (\`zapier-platform env:set <version> ${variable}=…\`). ` +
    'Your connection is fine.'
  );
}

/** The message for a refused redirect: status and the target's origin, never its path or a credential. */
export function redirectRefusedMessage(
  profile: CheckedProfile,
  what: string,
  status: number,
  target: string,
): string {
  return (
    `${profile.name} answered with a redirect (HTTP ${status} to ${target}) for ${what}. This integration never ` +
    `follows redirects, so no credentials and no data were sent there. ${redirectAdvice(profile)}`
  );
}

/** The message for an answer whose final URL is not on the base's origin. */
export function answerFromElsewhereMessage(
  profile: CheckedProfile,
  what: string,
  from: string,
  base: string,
): string {
  return `${profile.name}'s answer came from another origin (${from}, not ${profile.endpoints.baseEnv}'s ${base}) for ${what}, and was refused. ${redirectAdvice(profile)}`;
}

/**
 * The header that carries the access token to the resource API for this profile: its own header
 * alone when the profile names one (Shopify's X-Shopify-Access-Token), else Authorization under
 * `endpoints.authorizationScheme`. The one place that says it: the middleware sends the token so,
 * and the doctor and the conformance kit ask the API as the layer would.
 */
export function accessTokenHeader(profile: CheckedProfile, accessToken: string): Record<string, string> {
  const { tokenHeader, authorizationScheme } = profile.endpoints;
  return tokenHeader
    ? { [tokenHeader]: accessToken }
    : { Authorization: `${authorizationScheme ?? 'Bearer'} ${accessToken}` };
}

/** An HttpResponse as the classifier reads it. */
export function toResponseLike(response: HttpResponse): ResponseLike {
  return {
    status: response.status,
    header: (name: string) => response.getHeader(name),
    body: response.data as unknown,
    content: typeof response.content === 'string' ? response.content : '',
    request: { method: response.request?.method, url: response.request?.url },
  };
}

export interface Middleware {
  befores: BeforeRequestMiddleware[];
  /** Before the app's own afterResponse: redirects refused, raw bodies read, the connection's signals thrown. */
  afters: AfterResponseMiddleware[];
  /** After the app's own afterResponse, with `messages: 'all'`: every other error signal in the API's words. */
  wording: AfterResponseMiddleware[];
  /** Each of them by name, for tests and benchmarks. */
  named: {
    neverFollowRedirects: BeforeRequestMiddleware;
    refreshBeforeExpiry: BeforeRequestMiddleware;
    addBearerToken: BeforeRequestMiddleware;
    refuseRedirects: AfterResponseMiddleware;
    readQuietBody: AfterResponseMiddleware;
    throwForConnection: AfterResponseMiddleware;
    throwForSignals: AfterResponseMiddleware;
  };
}

/** The layer's middleware for one API, in the order they must run. */
export function middlewareFor(profile: CheckedProfile): Middleware {
  const endpoints = endpointsOf(profile);

  // Not stale (status 502): a moved API is the owner's or the API's problem, never the user's.
  const refuseRedirects: AfterResponseMiddleware = (response, z, bundle) => {
    const requestUrl = response.request.url ?? '';
    const what = () => describeRequest(response.request.method, requestUrl);
    if (response.status >= 300 && response.status < 400) {
      const target = originOf(response.getHeader('location'), requestUrl);
      throw new z.errors.Error(
        redirectRefusedMessage(profile, what(), response.status, target),
        'redirect_refused',
        502,
      );
    }
    // Belt and braces: an answer to one of the API's requests comes from the base's origin, and
    // an answer that went through a redirect is refused whoever sent it. (An answer from the URL
    // that was asked for needs no parsing: the API's URLs are on the base's origin by definition.)
    const { url: finalUrl, redirected } = response as HttpResponse & { url?: unknown; redirected?: unknown };
    const final = typeof finalUrl === 'string' && finalUrl !== '' ? finalUrl : requestUrl;
    const asked = originOf(requestUrl, requestUrl);
    const fromElsewhere =
      final !== requestUrl &&
      endpoints.isOwnRequest(requestUrl, bundle.authData) &&
      originOf(final, requestUrl) !== asked;
    if (redirected === true || fromElsewhere) {
      const message = answerFromElsewhereMessage(profile, what(), originOf(final, requestUrl), asked);
      throw new z.errors.Error(message, 'redirect_refused', 502);
    }
    return response;
  };

  /**
   * Requests made with `raw: true` to the resource API (webhook subscriptions, say) are read
   * here instead of by core, so core's HTTP log records no body for them: core's log scrubber
   * knows neither a webhook secret nor most of its encodings. The answer then looks to the
   * middleware below and to the caller like any other, and still like the raw answer it was:
   * `body` (a stream, which z.stashFile pipes), `buffer()`, `text()` and `json()` give the bytes
   * read, so that a file downloaded with `raw: true` arrives whole (as text it would be decoded
   * as UTF-8 and a binary file corrupted).
   */
  const readQuietBody: AfterResponseMiddleware = async (response, z, bundle) => {
    if (response.request.raw !== true || !endpoints.isApiRequest(response.request.url ?? '', bundle.authData))
      return response;
    const raw = response as unknown as RawHttpResponse & { url?: string };
    const bytes = await raw.buffer();
    const content = bytes.toString('utf8');
    const data = parseJson(content);
    const read: HttpResponse & { url?: string } = {
      status: raw.status,
      url: raw.url,
      headers: raw.headers,
      getHeader: (name: string) => raw.getHeader(name),
      content,
      data,
      request: raw.request,
      skipThrowForStatus: raw.skipThrowForStatus,
      throwForStatus: () => {
        if (read.status >= 400 && read.status < 600) throw new z.errors.ResponseError(read);
      },
    };
    // The raw answer's own interface, over the bytes read (node-fetch's: json() rejects on a body that is not JSON).
    Object.defineProperty(read, 'body', { get: () => Readable.from([bytes]), enumerable: false });
    Object.assign(read, {
      buffer: () => Promise.resolve(Buffer.from(bytes)),
      text: () => Promise.resolve(content),
      json: () => Promise.resolve().then(() => JSON.parse(content) as unknown),
    });
    return read;
  };

  // A known-dead token would only buy a refused request: refresh first, spend nothing.
  // Also before a request refused for its connection's API origin (addBearerToken): the renewal
  // that is due anyway may name an origin the profile allows.
  const refreshBeforeExpiry: BeforeRequestMiddleware = (request, z, bundle) => {
    const where = endpoints.destination(request.url, bundle.authData);
    if ((where !== 'api' && where !== 'refused') || !bundle.authData?.access_token) return request;
    const expiresAt = knownExpiry(bundle);
    const now = Math.floor(Date.now() / 1000);
    if (expiresAt !== null && expiresAt - now < refreshMarginSeconds(bundle)) {
      const when =
        expiresAt <= now
          ? `expired at ${new Date(expiresAt * 1000).toISOString()}`
          : `expires in ${expiresAt - now} s`;
      // Marked here too: the `request` command (API Request actions) runs z.request with no step
      // function of ours around it (core's src/execute-request.js).
      throw ownMessageOnly(
        profile,
        new z.errors.RefreshAuthError(
          `The ${profile.name} access token ${when} (known from expires_at). Zapier refreshes it before calling ${profile.name}.`,
        ),
        secretsOf(profile, bundle),
      );
    }
    return request;
  };

  // The access token goes to the resource API and nowhere else, not even its token endpoint.
  const scheme = profile.endpoints.authorizationScheme ?? 'Bearer';
  // A header of its own (Shopify's X-Shopify-Access-Token) carries nothing but the token.
  const tokenHeader = profile.endpoints.tokenHeader?.toLowerCase();
  const carriesAccessToken = new RegExp(
    `^\\s*(?:bearer|${scheme.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')})\\s`,
    'i',
  );
  const addBearerToken: BeforeRequestMiddleware = (request, z, bundle) => {
    // The connection's API origin, named by a token answer, is not one the profile allows:
    // nothing leaves, and the integration owner is told (not stale: the user can do nothing).
    const where = endpoints.destination(request.url, bundle.authData);
    if (where === 'refused') {
      const message = endpoints.refusedApiOrigin(bundle.authData) ?? '';
      throw ownMessageOnly(
        profile,
        new z.errors.Error(message, 'untrusted_api_host', 500),
        secretsOf(profile, bundle),
      );
    }
    if (where !== 'api') {
      // Whoever set it, an access token does not leave for anywhere but the API.
      const headers = Object.fromEntries(
        Object.entries(request.headers ?? {}).filter(
          ([name, value]) =>
            name.toLowerCase() !== tokenHeader &&
            !(
              name.toLowerCase() === 'authorization' &&
              (typeof value !== 'string' || carriesAccessToken.test(value))
            ),
        ),
      );
      return { ...request, headers };
    }
    const headers: Record<string, string> = { Accept: 'application/json', ...(request.headers ?? {}) };
    const token = bundle.authData?.access_token;
    return {
      ...request,
      headers: token ? { ...headers, ...accessTokenHeader(profile, String(token)) } : headers,
    };
  };

  /** The answer's signal, or null when it is not the resource API's (token endpoint answers are oauth.ts's). */
  const signalOf = (response: HttpResponse, bundle: { authData?: Record<string, unknown> }) => {
    // An app's own afterResponse may have returned something that is no response: core's job then.
    if (typeof response?.getHeader !== 'function') return null;
    if (!endpoints.isApiRequest(response.request?.url ?? '', bundle.authData)) return null;
    return classifyResponse(profile, toResponseLike(response));
  };

  // Before the app's own afterResponse: the answers that concern the connection (CONNECTION_KINDS)
  // become the right Zapier error whatever the app or the request asked; the rest go on to the app.
  const throwForConnection: AfterResponseMiddleware = (response, z, bundle) => {
    const signal = signalOf(response, bundle);
    if (signal === null || !concernsConnection(signal.kind)) return response;
    const secrets = secretsOf(profile, bundle);
    throw ownMessageOnly(profile, errorFor(z, profile, signal, secrets), secrets);
  };

  // After the app's own afterResponse, with harden(app, { messages: 'all' }) only: every other
  // error signal of the resource API in the API's words, where core's throwForStatus would throw
  // its ResponseError; an answer whose request set skipThrowForStatus is handed back, as core does.
  const throwForSignals: AfterResponseMiddleware = (response, z, bundle) => {
    const signal = signalOf(response, bundle);
    if (signal === null || signal.kind === 'ok') return response;
    if (response.skipThrowForStatus === true && !concernsConnection(signal.kind)) return response;
    const secrets = secretsOf(profile, bundle);
    throw ownMessageOnly(profile, errorFor(z, profile, signal, secrets), secrets);
  };

  return {
    befores: [neverFollowRedirects, refreshBeforeExpiry, addBearerToken],
    afters: [refuseRedirects, readQuietBody, throwForConnection],
    wording: [throwForSignals],
    named: {
      neverFollowRedirects,
      refreshBeforeExpiry,
      addBearerToken,
      refuseRedirects,
      readQuietBody,
      throwForConnection,
      throwForSignals,
    },
  };
}
