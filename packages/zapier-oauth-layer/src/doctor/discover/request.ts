// What --discover is asked to do, checked before anything is sent: the test URL, the token
// endpoint, the auth scheme, the machine name. And what observe hands draft: Observations.
import { LOOPBACK_HOSTS } from '../../internal';
import type { Answer, ProbeRequest, TokenClient } from '../http';
import { idFromHost } from './answers';

export class DiscoverUsageError extends Error {
  override name = 'DiscoverUsageError';
}

export interface DiscoverRequest {
  /** The one test URL: a GET of the API that changes nothing. */
  testUrl: string;
  /** The token endpoint (URL, or path on the test URL's origin); null: from the server's metadata, if any. */
  tokenUrl: string | null;
  /** How the access token is sent: "Bearer" unless the API wants its own scheme. */
  authScheme: string;
  /** How the client authenticates at the token endpoint; null: HTTP Basic, then the form body. */
  clientAuth: 'basic' | 'body' | null;
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** The connection, as `authData_*` in .env. */
  authData: Readonly<Record<string, string>>;
  refresh: boolean;
  probeReuse: boolean;
  id: string | null;
  name: string | null;
  /** Where --refresh keeps the new tokens, so the connection goes on working. */
  saveTokens?: (fields: Record<string, string>) => void;
  /** Told, line by line, which host gets which credential, before any is sent. */
  say?: (line: string) => void;
  /** How the test URL is asked (--probe-method, --probe-body): GET unless it must be a POST (GraphQL). */
  probe?: ProbeRequest;
}

/** The request, checked: URLs parsed, names settled. */
export interface Plan {
  request: DiscoverRequest;
  test: URL;
  /** --token-url, resolved on the test URL's origin. */
  tokenUrlGiven: URL | null;
  scheme: string;
  id: string;
  name: string;
  /** The prefix of the variables the draft names ("ACME" in ACME_BASE_URL). */
  env: string;
  /** How the test URL is asked, and how reports name that request ("GET /v2/me"). */
  probe: ProbeRequest;
  shown: string;
}

/** An http(s) URL the doctor may send to: https, or http on a loopback host. */
export function httpUrl(raw: string, base: string | undefined, what: string): URL {
  let url: URL;
  try {
    url = base === undefined ? new URL(raw) : new URL(raw, base);
  } catch {
    throw new DiscoverUsageError(`${what} "${raw}" is not a URL`);
  }
  const local = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !local)
    throw new DiscoverUsageError(`${what} must be https:// (http:// only for 127.0.0.1, localhost or [::1])`);
  if (url.username || url.password || url.hash)
    throw new DiscoverUsageError(`${what} must not carry credentials or a fragment`);
  return url;
}

export function planOf(request: DiscoverRequest): Plan {
  const test = httpUrl(request.testUrl, undefined, '--discover');
  const tokenUrlGiven =
    request.tokenUrl === null ? null : httpUrl(request.tokenUrl, test.origin, '--token-url');
  if (!/^[A-Za-z][A-Za-z0-9._~+/-]*$/.test(request.authScheme))
    throw new DiscoverUsageError(`--auth-scheme "${request.authScheme}" is not an HTTP auth scheme name`);
  const id = request.id ?? idFromHost(test.hostname);
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(id))
    throw new DiscoverUsageError(
      `--id "${id}" must be lowercase letters, digits and "-", starting with a letter`,
    );
  const name = request.name ?? id.charAt(0).toUpperCase() + id.slice(1);
  const probe = request.probe ?? { method: 'GET' };
  return {
    request,
    test,
    tokenUrlGiven,
    scheme: request.authScheme,
    id,
    name,
    env: id.toUpperCase().replace(/-/g, '_'),
    probe,
    shown: `${probe.method} ${test.pathname}`,
  };
}

/** One refresh answer with tokens (--refresh). */
export interface Refreshed {
  answer: Answer;
  body: Record<string, unknown>;
  access: string;
  refresh: string | null;
  receivedAtS: number;
}

/** What presenting the rotated-away refresh token again did (--probe-reuse). */
export interface Reuse {
  accepted: boolean;
  newestWorks: boolean | null;
  detail: string;
}

/** Everything observe saw, for draft to read: pure data, no server needed to replay it. */
export interface Observations {
  plan: Plan;
  /** The server's RFC 8414 / OpenID metadata, if it publishes any. */
  metadata: Record<string, unknown> | null;
  /** The token endpoint asked (--token-url, or the metadata's where it may be used). */
  tokenUrl: URL | null;
  /** Which host got which kind of credential, as said before any was sent. */
  credentials: string[];
  /** The test URL answering the connection's token (or the refreshed one) as a success. */
  success: Answer | null;
  /** The test URL refusing the connection's own token. */
  ownRefused: Answer | null;
  /** The test URL answering a token that cannot be valid. */
  invalid: Answer | null;
  /** The token endpoint refusing a refresh token that cannot exist, with the client it took. */
  tokenProbe: Answer | null;
  client: TokenClient['method'] | null;
  /** Client authentications refused as client errors, with their answers. */
  clientRefusals: Array<{ method: TokenClient['method']; answer: Answer }>;
  refreshed: Refreshed | null;
  reuse: Reuse | null;
  /** What was sent, in order, and what else a person should know. */
  requests: string[];
  notes: string[];
  /** Every secret met, and the token prefixes seen. */
  secrets: string[];
  prefixes: string[];
  /** When it was observed, in seconds. */
  nowSeconds: number;
}
