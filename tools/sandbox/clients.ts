// OAuth clients registered with the sandbox and how their redirect URIs are matched.
import { timingSafeEqual } from 'node:crypto';

export interface RegisteredClient {
  clientId: string;
  clientSecret: string;
  /** Secrets that still work while the owner moves to `clientSecret` (a secret rotation). */
  previousSecrets?: string[];
  name: string;
  // Matched exactly, character for character.
  redirectUris: string[];
  // Whole-string patterns, for redirect URIs that embed an app id.
  redirectUriPatterns?: RegExp[];
}

export const DEFAULT_CLIENT_ID = 'practice-sandbox-client';
export const DEFAULT_CLIENT_SECRET = 'practice-sandbox-secret-do-not-use-in-production';

// `zapier-platform invoke auth start` listens here by default.
export const ZAPIER_CLI_REDIRECT_URI = 'http://localhost:9000';
// Zapier production: https://zapier.com/dashboard/auth/oauth/return/App123456CLIAPI/
export const ZAPIER_PRODUCTION_REDIRECT =
  /^https:\/\/zapier\.com\/dashboard\/auth\/oauth\/return\/App\d+CLIAPI\/$/;

export function defaultClient(opts: {
  clientId?: string;
  clientSecret?: string;
  extraRedirectUris?: string[];
}): RegisteredClient {
  return {
    clientId: opts.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: opts.clientSecret ?? DEFAULT_CLIENT_SECRET,
    name: 'Zapier (Practice integration)',
    redirectUris: [ZAPIER_CLI_REDIRECT_URI, ...(opts.extraRedirectUris ?? [])],
    redirectUriPatterns: [ZAPIER_PRODUCTION_REDIRECT],
  };
}

export function isRegisteredRedirect(client: RegisteredClient, uri: string): boolean {
  if (client.redirectUris.includes(uri)) return true;
  return (client.redirectUriPatterns ?? []).some((pattern) => {
    const match = pattern.exec(uri);
    return match !== null && match[0] === uri;
  });
}

export function secretMatches(client: RegisteredClient, secret: string): boolean {
  const given = Buffer.from(secret);
  // Every candidate is compared, so the time taken says nothing about which one matched.
  let matched = false;
  for (const candidate of [client.clientSecret, ...(client.previousSecrets ?? [])]) {
    const expected = Buffer.from(candidate);
    if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
  }
  return matched;
}
