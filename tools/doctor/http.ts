// The doctor's own requests: plain fetch, answers shaped for the integration's classifier
// (layer/signals.ts ResponseLike) and token normaliser (layer/tokens.ts TokenAnswer).
import { createHash, randomBytes } from 'node:crypto';
import { type ResponseLike, originOf, requestTimeoutMs, basicAuth, parseJson } from '../../layer';
import { practice } from '../../practice/layer';

export interface Answer extends ResponseLike {
  /** Local clock when the answer arrived, ms. */
  receivedAtMs: number;
}

/** First 12 hex chars of SHA-256, as the sandbox's request log prints them: tells tokens apart, reveals nothing. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

/** A token no server can have issued: the probes use it so the real connection is never touched. */
export function probeToken(prefix: 'pat' | 'prt'): string {
  return `${prefix}_doctor_probe_${randomBytes(16).toString('hex')}`;
}

/** A redirect the doctor refused to follow, as the integration refuses it (layer/middleware.ts). */
export class RedirectRefused extends Error {
  override name = 'RedirectRefused';
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  // Like the integration, the doctor follows no redirect: its requests carry the client
  // credentials or a token, and a redirect target's answer is not Practice's.
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
  };
}

/** GET on the resource API with a bearer token. */
export function apiGet(path: string, accessToken: string): Promise<Answer> {
  return send(practice.endpoints.url(path), {
    method: 'GET',
    headers: { Accept: 'application/json', Authorization: `Bearer ${accessToken}` },
  });
}

/** POST /oauth/token with grant_type=refresh_token, client_secret_basic as the integration sends it. */
export function refreshRequest(refreshToken: string): Promise<Answer> {
  const { clientId, clientSecret } = practice.endpoints.clientCredentials();
  return send(practice.endpoints.url('/oauth/token'), {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
      Authorization: basicAuth(clientId, clientSecret),
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });
}

/** What went wrong below HTTP, without the URL's query or any header. */
export function networkFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError')
    return `no answer within ${requestTimeoutMs()} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  return cause || (error instanceof Error ? error.message : String(error));
}
