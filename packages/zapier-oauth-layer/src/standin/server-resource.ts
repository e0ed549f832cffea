// Requests to the provider's API: every family's probe and the routes that take the bearer
// token pass the same checks, in one order, before the endpoint's own answer; a route without a
// scope answers alone. The answers of the request's family (server-families.ts) write every outcome.
import type { IncomingMessage } from 'node:http';
import { familyNamed, ownSignal, type Family } from './server-families';
import type { Faults } from './server-faults';
import type { Grants } from './server-grants';
import { parseForm, parseJsonBody, readBody } from './server-http';
import type { ProbeContext, ProviderSpec, Reply, Route, RouteRequest } from './server-spec';

export interface Resources {
  spec: ProviderSpec;
  families: readonly Family[];
  grants: Grants;
  faults: Faults;
  now: () => number;
}

/** What the checks need of the request. */
export interface ResourceRequest {
  req: IncomingMessage;
  query: URLSearchParams;
  /** Parsed JSON body (undefined for none). */
  body: unknown;
  family: Family;
  requiredScope: string;
}

// Order of the checks: an injected rate limit answers first (the next `count` resource
// requests, whatever they carry), then the token (missing, unknown, revoked, ended, timed out),
// then the grant's scopes, then forbid(), then the resource itself.
export function resourceEndpoint(
  resources: Resources,
  request: ResourceRequest,
  answer: (ctx: ProbeContext) => Reply,
): Reply {
  const { grants, faults } = resources;
  const { family, req } = request;
  const { answers, description } = family;
  const nowMs = resources.now();
  const limited = faults.nextRateLimit();
  if (limited) {
    const signal = ownSignal(limited.signal, description.rateLimitSignals);
    return answers.rateLimited(signal, limited.retryAfterSeconds, nowMs);
  }
  const token = family.readAccessToken(req.headers, request.query);
  if (token === undefined) return answers.invalidToken('missing', nowMs);
  const { record, grant } = grants.access(token);
  if (!record || !grant) return answers.invalidToken('unknown', nowMs);
  if (grant.revoked) return answers.invalidToken('revoked', nowMs);
  const ctx: ProbeContext = {
    baseUrl: grants.baseUrl,
    nowMs,
    family: description.name,
    method: req.method ?? 'GET',
    body: request.body,
    requiredScope: request.requiredScope,
    grantId: grant.id,
    scopes: grant.scopes,
    expiresAtMs: record.expiresAtMs,
    issuedAtMs: record.issuedAtMs,
    accessToken: token,
    headers: req.headers,
  };
  const expirySignals = description.expirySignals;
  if (record.endedWith !== undefined) return answers.expired(ownSignal(record.endedWith, expirySignals), ctx);
  if (nowMs >= record.expiresAtMs) return answers.expired(expirySignals[0] ?? '', ctx);
  if (!grant.scopes.includes(request.requiredScope)) return answers.missingScope(ctx);
  if (faults.forbidden) return answers.forbidden(ctx);
  return answer(ctx);
}

/** A family's probe request: its checks, then its probe answer. */
export async function probeEndpoint(
  resources: Resources,
  family: Family,
  req: IncomingMessage,
  query: URLSearchParams,
): Promise<Reply> {
  const body = req.method === 'GET' ? undefined : parseJsonBody(await readBody(req));
  const requiredScope = family.requiredScope(body);
  return resourceEndpoint(resources, { req, query, body, family, requiredScope }, family.answers.probe);
}

/** The route matching the whole path for this method, with its groups. */
export function findRoute(
  spec: ProviderSpec,
  method: string | undefined,
  pathname: string,
): { route: Route; match: RegExpExecArray } | undefined {
  for (const route of spec.routes ?? []) {
    const match = route.method === method ? route.path.exec(pathname) : null;
    if (match && match[0] === pathname) return { route, match };
  }
  return undefined;
}

export async function routeEndpoint(
  resources: Resources,
  found: { route: Route; match: RegExpExecArray },
  req: IncomingMessage,
  query: URLSearchParams,
): Promise<Reply> {
  const { route, match } = found;
  const text = await readBody(req);
  const body = parseJsonBody(text);
  const form = parseForm(req.headers, text);
  const request = (caller?: ProbeContext): RouteRequest => ({
    match,
    query,
    headers: req.headers,
    body,
    form,
    nowMs: caller?.nowMs ?? resources.now(),
    caller,
    accessToken: (token) => resources.grants.accessInfo(token),
  });
  if (route.scope === null) return route.answer(request());
  const family = familyNamed(resources.families, route.family);
  const checked: ResourceRequest = { req, query, body, family, requiredScope: route.scope };
  return resourceEndpoint(resources, checked, (caller) => route.answer(request(caller)));
}
