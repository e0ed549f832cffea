// Every environment variable the layer reads, and nothing else reads process.env in the
// layer (ESLint enforces it). Values are read on every call, not at load time, so
// `zapier-platform env:set` and tests take effect without reloading the app.
//
// From the profile (layer/profile.ts), per API:
//   endpoints.baseEnv   the API's address instead of endpoints.base (named by the profile)
//   client.idEnv        the OAuth client id (named by the profile)
//   client.secretEnv    the OAuth client secret (named by the profile)
// Tuning, for tests and benchmarks; production needs none of them:
//   OAUTH_REQUEST_TIMEOUT_MS  one HTTP request's timeout (default 25000, under Zapier's 30 s)
//   OAUTH_REFRESH_BUDGET_MS   a refresh call's whole budget; may only lower the default 27000

/** A variable's value, trimmed; undefined when unset or blank. */
export function readEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** A positive whole number from the environment, or undefined. */
function positiveInteger(name: string): number | undefined {
  const value = Number(readEnv(name));
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 25_000;

/** One HTTP request's timeout: 25 s, under Zapier's 30 s step limit. */
export function requestTimeoutMs(): number {
  return positiveInteger('OAUTH_REQUEST_TIMEOUT_MS') ?? DEFAULT_REQUEST_TIMEOUT_MS;
}

/** The budget a refresh call asks for, if any (layer/refresh-coordination.ts decides what it accepts). */
export function askedRefreshBudgetMs(): number | undefined {
  return positiveInteger('OAUTH_REFRESH_BUDGET_MS');
}
