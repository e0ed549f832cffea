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

/** BASE_URL without a trailing slash; production when unset. */
export function baseUrl(): string {
  const raw = readEnv('BASE_URL') ?? PRODUCTION_BASE_URL;
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
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
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

/** The client secret if configured, for redaction; never throws. */
export function configuredClientSecret(): string | undefined {
  return readEnv('CLIENT_SECRET');
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for URLs on BASE_URL's origin and under its path. */
export function isPracticeUrl(url: string): boolean {
  const target = parse(url);
  const base = parse(baseUrl());
  if (!target || !base) return false;
  const basePath = base.pathname.replace(/\/+$/, '');
  return (
    target.origin === base.origin &&
    (target.pathname === basePath || target.pathname.startsWith(`${basePath}/`))
  );
}

/** The OAuth endpoints: they authenticate the client, never the bearer. */
export function isTokenEndpoint(url: string): boolean {
  const target = parse(url);
  if (!target || !isPracticeUrl(url)) return false;
  const basePath = new URL(baseUrl()).pathname.replace(/\/+$/, '');
  return target.pathname.startsWith(`${basePath}/oauth/`);
}

/** Resource API requests: the only ones that carry the bearer token. */
export function isApiRequest(url: string): boolean {
  return isPracticeUrl(url) && !isTokenEndpoint(url);
}
