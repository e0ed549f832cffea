// HTTP middleware: one small function per concern.

import type {
  AfterResponseMiddleware,
  BeforeRequestMiddleware,
  Bundle,
  HttpResponse,
  RawHttpResponse,
} from 'zapier-platform-core';
import { classifyResponse } from './signals';
import { baseOrigin, isApiRequest, isPracticeRequest } from './endpoints';
import { errorFor } from './messages';
import { ownMessageOnly } from './own-errors';
import { secretsOf } from './secrets';
import { parseJson } from './values';

/** Refresh up to this many seconds before the known expiry, so a request never lands on a dead token. */
export const EXPIRY_SKEW_SECONDS = 10;

/** A positive whole number of seconds from authData (Zapier may store numbers as strings), or null. */
function storedSeconds(raw: unknown): number | null {
  const value =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** authData.expires_at as Unix seconds, or null when unknown (absent, 0, garbage). */
export function knownExpiry(bundle: Bundle): number | null {
  return storedSeconds(bundle.authData?.expires_at);
}

/**
 * How long before expiry to refresh: EXPIRY_SKEW_SECONDS, but never more than a quarter of
 * the lifetime the token was issued with (authData.expires_in), and at least the second in
 * which it expires. A token that lives 10 s or less would otherwise be "about to expire" the
 * moment it is issued and never be used.
 */
export function refreshMarginSeconds(bundle: Bundle): number {
  return refreshMarginFor(bundle.authData?.expires_in);
}

/** refreshMarginSeconds for a stored lifetime (authData.expires_in, number or numeric string). */
export function refreshMarginFor(expiresIn: unknown): number {
  const lifetime = storedSeconds(expiresIn);
  if (lifetime === null) return EXPIRY_SKEW_SECONDS;
  return Math.max(1, Math.min(EXPIRY_SKEW_SECONDS, Math.floor(lifetime / 4)));
}

// No request of the integration follows a redirect. node-fetch (under z.request) keeps the
// Authorization header on a redirect to the same host on any port or to any subdomain of
// it, re-sends a 307's body, and core would hand the target's answer to us as Practice's.
// With 'manual' node-fetch returns the 3xx itself, and refuseRedirects turns it into an error.
export const neverFollowRedirects: BeforeRequestMiddleware = (request) => ({
  ...request,
  redirect: 'manual',
});

/** "GET /api/v1/clients": method and path, never the query (cursors, search terms). */
function describeRequest(method: string | undefined, url: string): string {
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

const REDIRECT_ADVICE =
  'If BASE_URL is right, Practice or something in front of it moved the API: the integration owner must ' +
  'set BASE_URL to the address the API answers on itself (`zapier-platform env:set <version> BASE_URL=…`). ' +
  'Your connection is fine.';

/** The message for a refused redirect: status and the target's origin, never its path or a credential. */
export function redirectRefusedMessage(what: string, status: number, target: string): string {
  return (
    `Practice answered with a redirect (HTTP ${status} to ${target}) for ${what}. This integration never ` +
    `follows redirects, so no credentials and no data were sent there. ${REDIRECT_ADVICE}`
  );
}

/** The message for an answer whose final URL is not on BASE_URL's origin. */
export function answerFromElsewhereMessage(what: string, from: string, base: string): string {
  return `Practice's answer came from another origin (${from}, not BASE_URL's ${base}) for ${what}, and was refused. ${REDIRECT_ADVICE}`;
}

// Not stale (status 502): a moved API is the owner's or Practice's problem, never the user's.
export const refuseRedirects: AfterResponseMiddleware = (response, z) => {
  const requestUrl = response.request.url ?? '';
  const what = () => describeRequest(response.request.method, requestUrl);
  if (response.status >= 300 && response.status < 400) {
    const target = originOf(response.getHeader('location'), requestUrl);
    throw new z.errors.Error(
      redirectRefusedMessage(what(), response.status, target),
      'redirect_refused',
      502,
    );
  }
  // Belt and braces: an answer to a Practice request comes from BASE_URL's origin, and an
  // answer that went through a redirect is refused whoever sent it. (An answer from the URL
  // that was asked for needs no parsing: a Practice URL is on BASE_URL's origin by definition.)
  const { url: finalUrl, redirected } = response as HttpResponse & { url?: unknown; redirected?: unknown };
  const final = typeof finalUrl === 'string' && finalUrl !== '' ? finalUrl : requestUrl;
  const fromElsewhere =
    final !== requestUrl && isPracticeRequest(requestUrl) && originOf(final, requestUrl) !== baseOrigin();
  if (redirected === true || fromElsewhere) {
    const message = answerFromElsewhereMessage(what(), originOf(final, requestUrl), baseOrigin());
    throw new z.errors.Error(message, 'redirect_refused', 502);
  }
  return response;
};

/**
 * Requests made with `raw: true` to the resource API (webhook subscriptions, practice/api.ts) are
 * read here instead of by core, so core's HTTP log records no body for them: core's log
 * scrubber knows neither the webhook secret nor most of its encodings. The answer then
 * looks to the middleware below and to practice/api.ts like any other.
 */
export const readQuietBody: AfterResponseMiddleware = async (response, z) => {
  if (response.request.raw !== true || !isApiRequest(response.request.url ?? '')) return response;
  const raw = response as unknown as RawHttpResponse & { url?: string };
  const content = await raw.text();
  const data = parseJson(content);
  const read: HttpResponse & { url?: string } = {
    status: raw.status,
    url: raw.url,
    headers: raw.headers,
    getHeader: (name: string) => raw.getHeader(name),
    content,
    data,
    json: data,
    request: raw.request,
    skipThrowForStatus: raw.skipThrowForStatus,
    throwForStatus: () => {
      if (read.status >= 400 && read.status < 600) throw new z.errors.ResponseError(read);
    },
  };
  return read;
};

// A known-dead token would only buy a 403 from Practice: refresh first, spend nothing.
export const refreshBeforeExpiry: BeforeRequestMiddleware = (request, z, bundle) => {
  if (!isApiRequest(request.url) || !bundle.authData?.access_token) return request;
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
      new z.errors.RefreshAuthError(
        `The Practice access token ${when} (known from expires_at). Zapier refreshes it before calling Practice.`,
      ),
      secretsOf(bundle),
    );
  }
  return request;
};

// The bearer token goes to Practice's own API and nowhere else, not even its token endpoint.
export const addBearerToken: BeforeRequestMiddleware = (request, _z, bundle) => {
  if (!isApiRequest(request.url)) {
    const headers = Object.fromEntries(
      Object.entries(request.headers ?? {}).filter(
        ([name, value]) => !(name.toLowerCase() === 'authorization' && /^bearer\s/i.test(value)),
      ),
    );
    return { ...request, headers };
  }
  const headers: Record<string, string> = { Accept: 'application/json', ...(request.headers ?? {}) };
  if (bundle.authData?.access_token) headers.Authorization = `Bearer ${bundle.authData.access_token}`;
  return { ...request, headers };
};

function toResponseLike(response: HttpResponse) {
  return {
    status: response.status,
    header: (name: string) => response.getHeader(name),
    body: response.data as unknown,
    content: typeof response.content === 'string' ? response.content : '',
  };
}

// Turns every Practice error signal into the right Zapier error (contract §6);
// token endpoint answers are left to authentication.ts.
export const throwForPracticeSignals: AfterResponseMiddleware = (response, z, bundle) => {
  if (!isApiRequest(response.request.url ?? '')) return response;
  const signal = classifyResponse(toResponseLike(response));
  if (signal.kind === 'ok') return response;
  const secrets = secretsOf(bundle);
  throw ownMessageOnly(errorFor(z, signal, secrets), secrets);
};

export const befores = [neverFollowRedirects, refreshBeforeExpiry, addBearerToken];
export const afters = [refuseRedirects, readQuietBody, throwForPracticeSignals];
