// The StandIn a test holds (types.ts): what the stand-in is, and its controls, on top of the
// grants it issued (server-grants.ts) and the faults it was asked to inject (server-faults.ts).
import type { Server } from 'node:http';
import { checkSignal, type Family } from './server-families';
import type { Faults } from './server-faults';
import type { Grants } from './server-grants';
import { closeServer } from './server-http';
import type { ProviderSpec, TokenRequest } from './server-spec';
import { StandInUsageError } from './server-util';
import type { StandIn, StandInConnection } from './types';

export interface Running {
  spec: ProviderSpec;
  families: readonly Family[];
  grants: Grants;
  faults: Faults;
  server: Server;
  baseUrl: string;
}

/**
 * The code a user's consent on the provider's authorize page yields, for an authorize URL the
 * app built: the page's path, the client, response_type=code and a redirect_uri are required;
 * the scopes are the URL's, or the client's registered defaults when it names none (absent or
 * empty). A URL the page would refuse is a usage error naming what is wrong.
 */
function consentTo(spec: ProviderSpec, grants: Grants, authorizeUrl: string): string {
  const authorize = spec.authorize;
  const url = new URL(authorizeUrl);
  const refuse = (why: string) =>
    new StandInUsageError(`${spec.provider}'s authorize page refuses this URL: ${why}`);
  if (!authorize) throw refuse('the stand-in has no authorize page');
  if (url.pathname !== authorize.path) throw refuse(`its path is ${authorize.path}, not ${url.pathname}`);
  if (url.searchParams.get('client_id') !== spec.client.id) throw refuse('unknown client_id');
  if (url.searchParams.get('response_type') !== 'code') throw refuse('response_type must be code');
  const redirectUri = url.searchParams.get('redirect_uri');
  if (!redirectUri) throw refuse('no redirect_uri');
  const asked = (url.searchParams.get('scope') ?? '').split(authorize.scopeSeparator).filter(Boolean);
  const scopes = asked.length > 0 ? asked : authorize.defaultScopes;
  if (!scopes) throw refuse('no scope, and the client has no default scopes');
  return grants.newCode(redirectUri, grants.checkScopes(scopes));
}

export function standInOf({ spec, families, grants, faults, server, baseUrl }: Running): StandIn {
  return {
    provider: spec.provider,
    url: baseUrl,
    families: families.map((family) => family.description),
    probePath: spec.probePath,
    probeScope: spec.probeScope,
    allScopes: spec.allScopes,
    accessTokenLifetimeSeconds: grants.lifetimeSeconds,
    client: { ...spec.client },
    expirySignals: spec.expirySignals,
    rateLimitSignals: spec.rateLimitSignals,
    rotation: spec.rotation,
    scopeErrorIsExpiry: spec.scopeErrorIsExpiry === true,

    connect(scopes?: readonly string[]): StandInConnection {
      const request: TokenRequest = {
        grantType: 'authorization_code',
        params: new URLSearchParams(),
        headers: {},
        path: '',
      };
      const issued = grants.newGrant(grants.checkScopes(scopes), request);
      return {
        access_token: issued.accessToken,
        refresh_token: issued.refreshToken,
        expires_in: issued.expiresIn,
        scope: issued.scopes.join(spec.scopeSeparator),
      };
    },
    authorizationCode: (redirectUri, scopes) => grants.newCode(redirectUri, grants.checkScopes(scopes)),
    ...(spec.authorize ? { consent: async (url: string) => consentTo(spec, grants, url) } : {}),
    expireAccessTokens(signal?: string): void {
      grants.endAccessTokens(checkSignal(spec.provider, families, signal, 'expirySignals'));
    },
    rateLimit(count: number, retryAfterSeconds: number, signal?: string): void {
      const chosen = checkSignal(spec.provider, families, signal, 'rateLimitSignals');
      faults.rateLimit(count, { signal: chosen, retryAfterSeconds });
    },
    forbid(on: boolean): void {
      faults.forbidden = on;
    },
    revokeAll: () => grants.revokeAll(),
    failTokenEndpoint: (count, kind) => faults.failTokenEndpoint(count, kind),
    holdTokenRequests: () => faults.holdTokenRequests(),
    tokenStats: () => ({ ...faults.stats }),
    close(): Promise<void> {
      faults.releaseAll();
      return closeServer(server);
    },
  };
}
