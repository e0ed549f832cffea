// HTTP middleware: one small function per concern.

import type {
  AfterResponseMiddleware,
  BeforeRequestMiddleware,
  Bundle,
  HttpResponse,
} from 'zapier-platform-core';
import { classifyResponse } from './auth-signals';
import { isApiRequest } from './config';
import { errorFor } from './errors';
import { ownMessageOnly } from './own-errors';
import { secretsOf } from './secrets';

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

export const befores = [refreshBeforeExpiry, addBearerToken];
export const afters = [throwForPracticeSignals];
