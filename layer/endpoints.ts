// The only place that reads the integration's environment. Values are read on
// every call, not at load time, so `zapier-platform env:set` and tests take
// effect without reloading the app.

export const PRODUCTION_BASE_URL = 'https://api.practice.example';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

// A misconfiguration is the integration owner's to fix, never the Zap user's:
// the message says which variable and how to set it.
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function readEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

interface Base {
  origin: string;
  /** Path prefix without a trailing slash ('' for a bare host). */
  path: string;
}

// Every request asks where it is going several times; parse BASE_URL once per value.
let lastBase: { raw: string; base: Base } | undefined;

function practiceBase(): Base {
  const raw = readEnv('BASE_URL') ?? PRODUCTION_BASE_URL;
  if (lastBase?.raw === raw) return lastBase.base;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `BASE_URL "${raw}" is not a URL. The integration owner must set it with ` +
        '`zapier-platform env:set <version> BASE_URL=https://api.practice.example`.',
    );
  }
  // Plain HTTP would put bearer tokens on the wire; only a local sandbox may use it.
  const plainHttpAllowed = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !plainHttpAllowed) {
    throw new ConfigError(
      `BASE_URL "${raw}" must use https:// (plain http:// is allowed only for 127.0.0.1 or localhost).`,
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`BASE_URL "${raw}" must not carry a query, fragment or credentials.`);
  }
  const base = { origin: url.origin, path: url.pathname.replace(/\/+$/, '') };
  lastBase = { raw, base };
  return base;
}

/** BASE_URL without a trailing slash; production when unset. */
export function baseUrl(): string {
  const { origin, path } = practiceBase();
  return `${origin}${path}`;
}

export function apiUrl(path: string): string {
  return `${baseUrl()}${path}`;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export function clientCredentials(): ClientCredentials {
  const clientId = readEnv('CLIENT_ID');
  const clientSecret = readEnv('CLIENT_SECRET');
  const missing = [clientId ? null : 'CLIENT_ID', clientSecret ? null : 'CLIENT_SECRET'].filter(
    (name): name is string => name !== null,
  );
  if (!clientId || !clientSecret) {
    throw new ConfigError(
      `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set. The integration owner must set ` +
        'them with `zapier-platform env:set <version> CLIENT_ID=… CLIENT_SECRET=…` (or in .env for local runs).',
    );
  }
  return { clientId, clientSecret };
}

/** The client id if configured, for redaction; never throws. */
export function configuredClientId(): string | undefined {
  return readEnv('CLIENT_ID');
}

/** The client secret if configured, for redaction; never throws. */
export function configuredClientSecret(): string | undefined {
  return readEnv('CLIENT_SECRET');
}

type Destination = 'api' | 'token' | 'elsewhere';

/** Where a request goes: Practice's resource API, its OAuth endpoints, or another place. */
function destinationOf(url: string): Destination {
  const base = practiceBase();
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return 'elsewhere';
  }
  const underBase = target.pathname === base.path || target.pathname.startsWith(`${base.path}/`);
  if (target.origin !== base.origin || !underBase) return 'elsewhere';
  return target.pathname.startsWith(`${base.path}/oauth/`) ? 'token' : 'api';
}

/** Practice's resource API or its OAuth endpoints: requests that carry a credential. */
export function isPracticeRequest(url: string): boolean {
  return destinationOf(url) !== 'elsewhere';
}

/** BASE_URL's origin ("https://api.practice.example"). */
export function baseOrigin(): string {
  return practiceBase().origin;
}

/** Resource API requests: the only ones that carry the bearer token. */
export function isApiRequest(url: string): boolean {
  return destinationOf(url) === 'api';
}
