// Where the API lives and who the integration is to it: the base URL (profile.endpoints,
// replaceable from the environment), the OAuth client (profile.client), and which requests
// go where. Read on every call (layer/settings.ts), so `zapier-platform env:set` and tests
// take effect without reloading the app.

import {
  hostAllowed,
  HOST_PART,
  listOf,
  PLACEHOLDER,
  placeholdersOf,
  underPrefix,
  type CheckedProfile,
} from './profile';
import { readEnv } from './settings';

/** Hosts a plain-http base may use: only a local sandbox or stand-in. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

// A misconfiguration is the integration owner's to fix, never the Zap user's:
// the message says which variable and how to set it.
export class ConfigError extends Error {
  override name = 'ConfigError';
  /** The Zapier error code it leaves with. */
  constructor(
    message: string,
    readonly code = 'configuration',
  ) {
    super(message);
  }
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

export type Destination = 'api' | 'oauth' | 'elsewhere' | 'refused';

/** The endpoints of one profile's API. */
export interface Endpoints {
  /** The base without a trailing slash; production when the environment names none. */
  baseUrl(): string;
  /** The base's origin ("https://api.example.com"). */
  baseOrigin(): string;
  /** `path` under the base. */
  url(path: string): string;
  /**
   * One of the profile's endpoints (a path or an absolute URL; of a list, the first) as the URL
   * to call, its connection fields ({{key}}) read from `values` (authData, or the connection
   * form's inputData while connecting); ConfigError when one is missing or names a host the
   * profile does not allow.
   */
  endpoint(endpoint: string | readonly string[], values?: Readonly<Record<string, unknown>>): string;
  /** `path` under the resource API's (first) prefix, on the connection's own origin when the profile names one (apiFrom). */
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
  /**
   * Where a request goes: the resource API, an OAuth endpoint, elsewhere, or 'refused' (any
   * request but OAuth's when authData names an API origin the profile does not allow: not sent).
   */
  destination(url: string, authData?: Readonly<Record<string, unknown>>): Destination;
  /**
   * Why the API origin of this connection is refused (one authData names, endpoints.apiFrom, or
   * one its connection fields make), for the person who can act; null when it is not.
   */
  refusedApiOrigin(authData?: Readonly<Record<string, unknown>>): string | null;
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
export function canonicalPath(pathname: string): string {
  const decoded = pathname.replace(/%(2[dDeE]|5[fF]|7[eE]|[46][1-9a-fA-F]|[57][0-9aA]|3[0-9])/g, (escape) =>
    String.fromCharCode(parseInt(escape.slice(1), 16)),
  );
  const collapsed = decoded.replace(/\/{2,}/g, '/');
  return collapsed.length > 1 ? collapsed.replace(/\/+$/, '') : collapsed;
}

/**
 * The origin a token answer named (endpoints.apiFrom), when the access token may go there: the
 * API's own origin (a loopback stand-in's when the base variable names one), or https on the
 * default port on a host the profile allows. Null for anything else.
 */
function namedOrigin(value: unknown, own: string, hosts: readonly string[]): string | null {
  if (typeof value !== 'string') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (url.origin === own) return own;
  return hostAllowed(url.hostname, hosts) && url.protocol === 'https:' && url.port === '' ? url.origin : null;
}

/** A connection field's value as a user may type it ("EU", "https://acme.my.salesforce.com/"), as host labels. */
export function connectionValue(raw: unknown): string {
  return typeof raw === 'string'
    ? raw
        .trim()
        .toLowerCase()
        .replace(/^https:\/\//, '')
        .replace(/\/$/, '')
    : '';
}

type Values = Readonly<Record<string, unknown>> | undefined;
type Where = { origin: string; path: string };

function buildEndpoints(profile: CheckedProfile): Endpoints {
  const e = profile.endpoints;
  const fields = profile.connection?.fields ?? [];
  const apis = listOf(e.api);

  /** An absolute endpoint with its connection fields filled in from `values`, or ConfigError saying why not. */
  function fillIn(endpoint: string, values: Values): string {
    if (!profile.connection || !endpoint.includes('{{')) return endpoint;
    const { hosts } = profile.connection;
    const name = profile.name;
    const filled = endpoint.replace(PLACEHOLDER, (_, key: string) => {
      const field = fields.find((f) => f.key === key);
      const value = connectionValue(values?.[key]) || (field?.default ?? '');
      const label = field?.label ?? key;
      if (!value)
        throw new ConfigError(
          `This ${name} connection lacks a value that says where ${name} is: ${label} (connection field ` +
            `"${key}"). Reconnect your ${name} account in Zapier and fill in ${label}.`,
          'connection_field_missing',
        );
      const choices = field?.choices ? Object.keys(field.choices) : undefined;
      if (HOST_PART.test(value) && (!choices || choices.includes(value))) return value;
      throw new ConfigError(
        `This ${name} connection names a place this integration does not connect to: ${label} ` +
          `${JSON.stringify(value.slice(0, 60))} (connection field "${key}"${choices ? `: one of ${choices.join(', ')}` : ': host labels such as "eu"'}). ` +
          `Nothing was sent. Reconnect your ${name} account in Zapier with the ${label} ${name} shows you.`,
        'untrusted_connection_host',
      );
    });
    const url = new URL(filled);
    if (url.protocol !== 'https:' || url.port !== '' || !hostAllowed(url.hostname, hosts))
      throw new ConfigError(
        `This ${name} connection points at a host the integration does not send to: ${url.hostname} ` +
          `(connection fields: ${placeholdersOf(endpoint).join(', ')}), not one connection.hosts allows in profile ` +
          `"${profile.id}". Nothing was sent there. Reconnect your ${name} account with the values ${name} ` +
          `shows you; if ${name} documents ${url.hostname}, the integration owner adds it to connection.hosts.`,
        'untrusted_connection_host',
      );
    return filled;
  }

  /**
   * An endpoint as an absolute URL: a path goes under the base; an absolute URL stays as it
   * is (its connection fields filled in), unless the environment moves the base to another
   * origin (a stand-in), which then serves its path.
   */
  function resolve(endpoint: string, values: Values): URL {
    const base = baseOf(profile);
    if (endpoint.startsWith('/')) return new URL(`${base.origin}${base.path}${endpoint}`);
    const moved = readEnv(e.baseEnv) !== undefined && base.origin !== new URL(e.base).origin;
    if (moved)
      return new URL(`${base.origin}${base.path}${new URL(endpoint.replace(PLACEHOLDER, 'x')).pathname}`);
    return new URL(fillIn(endpoint, values));
  }

  const where = (u: URL): Where => ({ origin: u.origin, path: canonicalPath(u.pathname) });
  /** An endpoint resolved, or null when this connection's fields do not make one. */
  const whereOrNull = (endpoint: string, values: Values): Where | null => {
    try {
      return where(resolve(endpoint, values));
    } catch (error) {
      if (error instanceof ConfigError && endpoint.includes('{{')) return null;
      throw error;
    }
  };

  // Every request asks where it goes, several times: resolve the endpoints once per base value
  // (baseOf answers the same object while the variable is unchanged) and connection values.
  let cache = new Map<string, { oauth: Where[]; api: Array<Where | null> }>();
  let cachedBase: Base | undefined;
  function endpointsNow(values: Values) {
    const base = baseOf(profile);
    if (cachedBase !== base || cache.size > 64) [cache, cachedBase] = [new Map(), base];
    const key = fields.map((f) => connectionValue(values?.[f.key])).join('\0');
    let now = cache.get(key);
    if (!now) {
      now = {
        oauth: [e.authorize, e.token, ...(e.refresh ? [e.refresh] : []), ...(e.oauthOther ?? [])]
          .map((endpoint) => whereOrNull(endpoint, values))
          .filter((w): w is Where => w !== null),
        api: apis.map((api) => whereOrNull(api, values)),
      };
      cache.set(key, now);
    }
    return now;
  }

  /**
   * Where the resource API answers: the connection's own origin when the profile says so
   * (apiFrom), else the profile's; null when authData names an origin the profile does not
   * allow, or its connection fields make one.
   */
  function apiRoots(authData: Values): Where[] | null {
    const { api } = endpointsNow(authData);
    if (api.some((w) => w === null)) return null;
    const roots = api as Where[];
    const value = e.apiFrom && authData?.[e.apiFrom.field];
    // A connection stored without the field (made before the profile named it) uses the profile's own.
    if (!e.apiFrom || value === undefined || value === null || value === '') return roots;
    const origin = namedOrigin(value, roots[0]?.origin ?? '', e.apiFrom.hosts);
    return origin ? roots.map((root) => ({ origin, path: root.path })) : null;
  }

  function destinationOf(url: string, authData: Values): Destination {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return 'elsewhere';
    }
    const path = canonicalPath(target.pathname);
    // The token endpoint first: it may sit under the API's prefix (Slack's oauth.v2.access).
    if (endpointsNow(authData).oauth.some((u) => u.origin === target.origin && u.path === path))
      return 'oauth';
    const roots = apiRoots(authData);
    if (!roots) return 'refused';
    return roots.some((root) => target.origin === root.origin && underPrefix(path, root.path))
      ? 'api'
      : 'elsewhere';
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
    endpoint: (endpoint, values) => resolve(listOf(endpoint)[0] ?? '', values).toString(),
    apiUrl(path, authData) {
      // On a refused origin: the profile's own, where the middleware refuses the request.
      const root = apiRoots(authData)?.[0] ?? where(resolve(apis[0] ?? '/', undefined));
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
    destination: destinationOf,
    refusedApiOrigin(authData) {
      if (apiRoots(authData)) return null;
      for (const api of apis) {
        try {
          resolve(api, authData);
        } catch (error) {
          if (error instanceof ConfigError) return error.message;
          throw error;
        }
      }
      const field = e.apiFrom?.field ?? '';
      return (
        `${profile.name} named ${JSON.stringify(String(authData?.[field]).slice(0, 100))} as this connection's API ` +
        `address (${field}), not a host endpoints.apiFrom.hosts allows in profile "${profile.id}": nothing was sent ` +
        `there. This is for the integration owner to fix, not the Zap user: add the host if ${profile.name} ` +
        `documents it, else check ${e.baseEnv}. Reconnecting will not help.`
      );
    },
  };
}
