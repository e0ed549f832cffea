// Where the API lives and who the integration is to it: the base URL (profile.endpoints,
// replaceable from the environment), the OAuth client (profile.client), and which requests
// go where. Read on every call (layer/settings.ts), so `zapier-platform env:set` and tests
// take effect without reloading the app.

import type { CheckedProfile } from './profile';
import { readEnv } from './settings';

/** Hosts a plain-http base may use: only a local sandbox or stand-in. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

// A misconfiguration is the integration owner's to fix, never the Zap user's:
// the message says which variable and how to set it.
export class ConfigError extends Error {
  override name = 'ConfigError';
}

interface Base {
  origin: string;
  /** Path prefix without a trailing slash ('' for a bare host). */
  path: string;
}

// Every request asks where it is going several times; parse the base once per value.
const lastBase = new Map<string, { raw: string; base: Base }>();

function baseOf(profile: CheckedProfile): Base {
  const variable = profile.endpoints.baseEnv;
  const raw = readEnv(variable) ?? profile.endpoints.base;
  const last = lastBase.get(profile.id);
  if (last?.raw === raw) return last.base;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `${variable} "${raw}" is not a URL. The integration owner must set it with ` +
        `\`zapier-platform env:set <version> ${variable}=${profile.endpoints.base}\`.`,
    );
  }
  // Plain HTTP would put bearer tokens on the wire; only a local sandbox may use it.
  const plainHttpAllowed = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !plainHttpAllowed) {
    throw new ConfigError(
      `${variable} "${raw}" must use https:// (plain http:// is allowed only for 127.0.0.1 or localhost).`,
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`${variable} "${raw}" must not carry a query, fragment or credentials.`);
  }
  const base = { origin: url.origin, path: url.pathname.replace(/\/+$/, '') };
  lastBase.set(profile.id, { raw, base });
  return base;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

type Destination = 'api' | 'oauth' | 'elsewhere';

/** The endpoints of one profile's API. */
export interface Endpoints {
  /** The base without a trailing slash; production when the environment names none. */
  baseUrl(): string;
  /** The base's origin ("https://api.example.com"). */
  baseOrigin(): string;
  /** `path` under the base. */
  url(path: string): string;
  /** One of the profile's endpoints (a path or an absolute URL) as the URL to call. */
  endpoint(endpoint: string): string;
  /** `path` under the resource API's prefix. */
  apiUrl(path: string): string;
  /** The client id and secret, or ConfigError naming what is missing. */
  clientCredentials(): ClientCredentials;
  /** The client id if configured, for redaction; never throws. */
  configuredClientId(): string | undefined;
  /** The client secret if configured, for redaction; never throws. */
  configuredClientSecret(): string | undefined;
  /** Resource API requests: the only ones that carry the bearer token. */
  isApiRequest(url: string): boolean;
  /** The resource API or the OAuth endpoints: requests that carry a credential. */
  isOwnRequest(url: string): boolean;
}

const built = new WeakMap<CheckedProfile, Endpoints>();

export function endpointsOf(profile: CheckedProfile): Endpoints {
  let endpoints = built.get(profile);
  if (!endpoints) {
    endpoints = buildEndpoints(profile);
    built.set(profile, endpoints);
  }
  return endpoints;
}

function buildEndpoints(profile: CheckedProfile): Endpoints {
  const e = profile.endpoints;

  /**
   * An endpoint as an absolute URL: a path goes under the base; an absolute URL stays as it
   * is, unless the environment replaces the base (a stand-in), which then serves its path.
   */
  function resolve(endpoint: string): URL {
    const base = baseOf(profile);
    if (endpoint.startsWith('/')) return new URL(`${base.origin}${base.path}${endpoint}`);
    const absolute = new URL(endpoint);
    if (readEnv(e.baseEnv) === undefined) return absolute;
    return new URL(`${base.origin}${base.path}${absolute.pathname}`);
  }

  function destinationOf(url: string): Destination {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return 'elsewhere';
    }
    const where = `${target.origin}${target.pathname}`;
    // The token endpoint first: it may sit under the API's prefix (Slack's oauth.v2.access).
    const oauth = [e.authorize, e.token, ...(e.oauthOther ?? [])].map((endpoint) => resolve(endpoint));
    if (oauth.some((u) => `${u.origin}${u.pathname}` === where)) return 'oauth';
    const api = resolve(e.api);
    return where.startsWith(`${api.origin}${api.pathname}`) ? 'api' : 'elsewhere';
  }

  return {
    baseUrl: () => {
      const { origin, path } = baseOf(profile);
      return `${origin}${path}`;
    },
    baseOrigin: () => baseOf(profile).origin,
    url(path) {
      return `${this.baseUrl()}${path}`;
    },
    endpoint: (endpoint) => resolve(endpoint).toString(),
    apiUrl(path) {
      return `${resolve(e.api).toString().replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
    },
    clientCredentials() {
      const { idEnv, secretEnv } = profile.client;
      const clientId = readEnv(idEnv);
      const clientSecret = readEnv(secretEnv);
      const missing = [clientId ? null : idEnv, clientSecret ? null : secretEnv].filter(
        (name): name is string => name !== null,
      );
      if (!clientId || !clientSecret) {
        throw new ConfigError(
          `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set. The integration owner must set ` +
            `them with \`zapier-platform env:set <version> ${idEnv}=… ${secretEnv}=…\` (or in .env for local runs).`,
        );
      }
      return { clientId, clientSecret };
    },
    configuredClientId: () => readEnv(profile.client.idEnv),
    configuredClientSecret: () => readEnv(profile.client.secretEnv),
    isApiRequest: (url) => destinationOf(url) === 'api',
    isOwnRequest: (url) => destinationOf(url) !== 'elsewhere',
  };
}
