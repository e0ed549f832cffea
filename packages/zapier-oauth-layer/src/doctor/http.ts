// The doctor's own requests: plain fetch, answers shaped for the integration's classifier
// (layer/signals.ts ResponseLike) and token normaliser (layer/tokens.ts TokenAnswer). The
// profile-bound helpers send what the integration would send for that profile (its token
// endpoint, its client authentication, its Authorization scheme); the raw ones serve
// --discover, which has no profile yet.
import { createHash, randomBytes } from 'node:crypto';
import {
  accessTokenHeader,
  type Layer,
  type ResponseLike,
  originOf,
  requestTimeoutMs,
  basicAuth,
  parseJson,
} from '../internal';

export interface Answer extends ResponseLike {
  /** Local clock when the answer arrived, ms. */
  receivedAtMs: number;
  /** Every header of the answer, names in lower case (for reports of what an API sends). */
  headerNames: readonly string[];
}

/** First 12 hex chars of SHA-256, as the sandbox's request log prints them: tells tokens apart, reveals nothing. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

/**
 * A token no server can have issued: the probes use it so the real connection is never
 * touched. Practice's probes look like its tokens ("pat_", "prt_"); other APIs get "doctor".
 */
export function probeToken(prefix: string): string {
  return `${prefix}_doctor_probe_${randomBytes(16).toString('hex')}`;
}

/** A redirect the doctor refused to follow, as the integration refuses it (layer/middleware.ts). */
export class RedirectRefused extends Error {
  override name = 'RedirectRefused';
}

/** One request, no redirect followed, the answer read whole. */
export async function send(url: string, init: RequestInit): Promise<Answer> {
  // Like the integration, the doctor follows no redirect: its requests carry the client
  // credentials or a token, and a redirect target's answer is not the API's.
  const response = await fetch(url, {
    ...init,
    redirect: 'manual',
    signal: AbortSignal.timeout(requestTimeoutMs()),
  });
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    const target = originOf(response.headers.get('location'), url);
    const path = new URL(url).pathname;
    throw new RedirectRefused(
      `${init.method ?? 'GET'} ${path} was answered with a redirect (HTTP ${response.status}) to ${target}, which the doctor, like the integration, does not follow`,
    );
  }
  const content = await response.text();
  const body = parseJson(content);
  const headers = response.headers;
  return {
    status: response.status,
    header: (name: string) => headers.get(name),
    body,
    content,
    receivedAtMs: Date.now(),
    headerNames: [...headers.keys()].map((name) => name.toLowerCase()),
  };
}

/** How a probe is sent: GET, or POST with a JSON body (a GraphQL query). */
export interface ProbeRequest {
  method: 'GET' | 'POST';
  body?: string;
}

/** `url` with the access token under an Authorization scheme ("Bearer", "Zoho-oauthtoken"). */
export function authorizedRequest(
  url: string,
  scheme: string,
  accessToken: string,
  how: ProbeRequest = { method: 'GET' },
): Promise<Answer> {
  return requestWithToken(url, { Authorization: `${scheme} ${accessToken}` }, how);
}

function requestWithToken(url: string, token: Record<string, string>, how: ProbeRequest): Promise<Answer> {
  const headers: Record<string, string> = { Accept: 'application/json', ...token };
  if (how.body !== undefined) headers['Content-Type'] = 'application/json';
  return send(url, { method: how.method, headers, ...(how.body !== undefined ? { body: how.body } : {}) });
}

/** GET `url` with the access token under an Authorization scheme. */
export function authorizedGet(url: string, scheme: string, accessToken: string): Promise<Answer> {
  return authorizedRequest(url, scheme, accessToken);
}

/** How a token request authenticates the client (RFC 6749 §2.3.1). */
export interface TokenClient {
  clientId: string;
  clientSecret: string;
  /** client_secret_basic or client_secret_post. */
  method: 'basic' | 'body';
}

/** POST grant_type=refresh_token to `url`, the client authenticated as `client.method` says. */
export function refreshAt(url: string, client: TokenClient, refreshToken: string): Promise<Answer> {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
  if (client.method === 'basic') headers.Authorization = basicAuth(client.clientId, client.clientSecret);
  else {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  }
  return send(url, { method: 'POST', headers, body: form.toString() });
}

/** GET on the resource API with an access token, as the integration sends it for this profile. */
export function apiGet(layer: Layer, url: string, accessToken: string): Promise<Answer> {
  return apiCall(layer, { url, method: 'GET' }, accessToken);
}

/** A request of the API checks (a GET, or --probe-method POST with its body), the token sent as the layer sends it. */
export function apiCall(
  layer: Layer,
  call: ProbeRequest & { url: string },
  accessToken: string,
): Promise<Answer> {
  return requestWithToken(call.url, accessTokenHeader(layer.profile, accessToken), call);
}

/** A refresh at the profile's refresh (else token) endpoint, the client authenticated as the profile says. */
export function refreshRequest(layer: Layer, refreshToken: string): Promise<Answer> {
  const { clientId, clientSecret } = layer.endpoints.clientCredentials();
  return refreshAt(
    layer.endpoints.endpoint(layer.profile.endpoints.refresh ?? layer.profile.endpoints.token),
    { clientId, clientSecret, method: layer.profile.client.authMethod },
    refreshToken,
  );
}

/** What went wrong below HTTP, without the URL's query or any header. */
export function networkFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError')
    return `no answer within ${requestTimeoutMs()} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  return cause || (error instanceof Error ? error.message : String(error));
}
