// zapier-oauth-layer/standin: the skeleton every provider stand-in shares, so that a stand-in
// is only its API's routes, token answers and signals (a ProviderSpec given to startStandIn).
// Split as the repository's tools/sandbox/ is: one node:http server
// on 127.0.0.1 (server-http.ts), the grants and tokens it has issued (server-grants.ts), the
// token endpoint (server-token.ts), the checks every API request passes (server-resource.ts),
// the faults a test injects (server-faults.ts), the API's endpoint families (server-families.ts)
// and the StandIn a test holds (server-controls.ts).
// It decides *whether* a request succeeds (client authentication, codes, rotation, expiry,
// scopes, injected failures); the provider's file, a ProviderSpec (server-spec.ts), decides
// *how* each outcome is written on the wire, from that provider's documentation. Token values
// never appear in thrown errors or logs.
import { standInOf } from './server-controls';
import { Faults } from './server-faults';
import { Grants } from './server-grants';
import { listen } from './server-http';
import { familiesOf, familyOfProbe } from './server-families';
import { findRoute, probeEndpoint, routeEndpoint, type Resources } from './server-resource';
import type { ProviderSpec, Reply, StartOptions } from './server-spec';
import { tokenEndpoint, tokenPathOf } from './server-token';
import { StandInUsageError } from './server-util';
import type { StandIn } from './types';

export type * from './server-spec';
export type * from './types';
export { describeFamilies } from './server-families';
export { authorizationToken, randomHex, randomToken, randomUuid, StandInUsageError } from './server-util';

const noSuchEndpoint = (spec: ProviderSpec): Reply => ({
  status: 404,
  json: { standIn: spec.provider, error: 'no such endpoint in this stand-in' },
});

export async function startStandIn(spec: ProviderSpec, options: StartOptions = {}): Promise<StandIn> {
  const now = options.clock ?? Date.now;
  const lifetime = options.accessTokenLifetimeSeconds ?? spec.accessTokenLifetimeSeconds;
  if (!Number.isFinite(lifetime) || lifetime <= 0) {
    throw new StandInUsageError('accessTokenLifetimeSeconds must be a positive number');
  }
  const grants = new Grants(spec, lifetime, now);
  const faults = new Faults();
  const families = familiesOf(spec);
  const resources: Resources = { spec, families, grants, faults, now };
  const { server, baseUrl } = await listen(spec.provider, async (req, url): Promise<Reply> => {
    if (spec.retired?.(url.pathname, now())) return noSuchEndpoint(spec);
    const tokenPath = req.method === 'POST' ? tokenPathOf(spec, url.pathname) : undefined;
    if (tokenPath) return tokenEndpoint(resources, req, url.searchParams, tokenPath);
    const family = familyOfProbe(families, req.method, url.pathname);
    if (family) return probeEndpoint(resources, family, req, url.searchParams);
    const found = findRoute(spec, req.method, url.pathname);
    if (found) return routeEndpoint(resources, found, req, url.searchParams);
    return noSuchEndpoint(spec);
  });
  grants.baseUrl = baseUrl;
  return standInOf({ spec, families, grants, faults, server, baseUrl });
}
