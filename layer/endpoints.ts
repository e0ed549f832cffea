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
  /** `path` under the resource API's prefix, on the connection's own origin when the profile names one (apiFrom). */
  apiUrl(path: string, authData?: Readonly<Record<string, unknown>>): string;
  /** The client id and secret, or ConfigError naming what is missing. */
  clientCredentials(): ClientCredentials;
  /** The client id if configured, for redaction; never throws. */
  configuredClientId(): string | undefined;
  /** The client secret if configured, for redaction; never throws. */
  configuredClientSecret(): string | undefined;
  /** Resource API requests: the only ones that carry the access token. `authData` for a profile with apiFrom. */
  isApiRequest(url: string, authData?: Readonly<Record<string, unknown>>): boolean;
  /** The resource API or the OAuth endpoints: requests that carry a credential. */
  isOwnRequest(url: string, authData?: Readonly<Record<string, unknown>>): boolean;
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

/**
 * A path as servers read it, for comparing: percent-encoded unreserved characters decoded,
 * repeated slashes collapsed, no trailing slash ("/v2//oauth.token%2Ejson/" is
 * "/v2/oauth.token.json"), so that no spelling of the token endpoint passes for the API.
 */
function canonicalPath(pathname: string): string {
  const decoded = pathname.replace(/%(2[dDeE]|5[fF]|7[eE]|[46][1-9a-fA-F]|[57][0-9aA]|3[0-9])/g, (escape) =>
    String.fromCharCode(parseInt(escape.slice(1), 16)),
  );
  const collapsed = decoded.replace(/\/{2,}/g, '/');
  return collapsed.length > 1 ? collapsed.replace(/\/+$/, '') : collapsed;
}

/** An http(s) origin a token answer named (instance_url, api_domain), or null when it is not one the token may go to. */
function namedOrigin(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    const plainAllowed = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
    if ((url.protocol !== 'https:' && !plainAllowed) || url.username || url.password) return null;
    return url.origin;
  } catch {
    return null;
  }
}

function buildEndpoints(profile: CheckedProfile): Endpoints {
  const e = profile.endpoints;

  /**
   * An endpoint as an absolute URL: a path goes under the base; an absolute URL stays as it
   * is, unless the environment moves the base to another origin (a stand-in), which then
   * serves its path.
   */
  function resolve(endpoint: string): URL {
    const base = baseOf(profile);
    if (endpoint.startsWith('/')) return new URL(`${base.origin}${base.path}${endpoint}`);
    const absolute = new URL(endpoint);
    const moved = readEnv(e.baseEnv) !== undefined && base.origin !== new URL(e.base).origin;
    return moved ? new URL(`${base.origin}${base.path}${absolute.pathname}`) : absolute;
  }

  // Every request asks where it goes, several times: resolve the endpoints once per base value
  // (baseOf answers the same object while the variable is unchanged).
  let resolved:
    | { base: Base; oauth: Array<{ origin: string; path: string }>; api: { origin: string; path: string } }
    | undefined;
  function endpointsNow() {
    const base = baseOf(profile);
    if (resolved?.base !== base) {
      const where = (u: URL) => ({ origin: u.origin, path: canonicalPath(u.pathname) });
      resolved = {
        base,
        oauth: [e.authorize, e.token, ...(e.oauthOther ?? [])].map((endpoint) => where(resolve(endpoint))),
        api: where(resolve(e.api)),
      };
    }
    return resolved;
  }

  /** Where the resource API answers: the connection's own origin when the profile says so (apiFrom), else the profile's. */
  function apiRoot(authData?: Readonly<Record<string, unknown>>): { origin: string; path: string } {
    const { api } = endpointsNow();
    const own = e.apiFrom && authData ? namedOrigin(authData[e.apiFrom]) : null;
    return { origin: own ?? api.origin, path: api.path };
  }

  function destinationOf(url: string, authData?: Readonly<Record<string, unknown>>): Destination {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return 'elsewhere';
    }
    const path = canonicalPath(target.pathname);
    // The token endpoint first: it may sit under the API's prefix (Slack's oauth.v2.access).
    if (endpointsNow().oauth.some((u) => u.origin === target.origin && u.path === path)) return 'oauth';
    const api = apiRoot(authData);
    if (target.origin !== api.origin) return 'elsewhere';
    const prefix = api.path === '/' ? '/' : `${api.path}/`;
    return path === api.path || path.startsWith(prefix) ? 'api' : 'elsewhere';
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
    apiUrl(path, authData) {
      const root = apiRoot(authData);
      const prefix = root.path === '/' ? '' : root.path;
      return `${root.origin}${prefix}/${path.replace(/^\/+/, '')}`;
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
    isApiRequest: (url, authData) => destinationOf(url, authData) === 'api',
    isOwnRequest: (url, authData) => destinationOf(url, authData) !== 'elsewhere',
  };
}
