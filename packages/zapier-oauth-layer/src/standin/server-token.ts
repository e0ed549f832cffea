// The token endpoint every stand-in shares: client authentication as the provider accepts it,
// single-use codes bound to their redirect_uri, refresh and rotation, and the injected failures.
// It decides the outcome; the provider's answers (spec.answers.token / tokenFailure) write it.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Faults } from './server-faults';
import type { Grant, Grants, RefreshRecord } from './server-grants';
import { parseForm, readBody } from './server-http';
import type {
  ProviderSpec,
  Reply,
  TokenFailure,
  TokenFailureContext,
  TokenPath,
  TokenRequest,
} from './server-spec';
import { authorizationToken } from './server-util';

export interface TokenEndpoint {
  spec: ProviderSpec;
  grants: Grants;
  faults: Faults;
  now: () => number;
}

/** The token endpoint at `at` (spec.tokenPath, or one of moreTokenPaths), if `pathname` is one. */
export function tokenPathOf(spec: ProviderSpec, pathname: string): TokenPath | undefined {
  if (pathname === spec.tokenPath) return { path: pathname };
  return spec.moreTokenPaths?.find((t) => t.path === pathname);
}

/** POST to a token endpoint: form body and query string merged, as providers read them (the body alone where `at` says so). */
export async function tokenEndpoint(
  endpoint: TokenEndpoint,
  req: IncomingMessage,
  requestQuery: URLSearchParams,
  at: TokenPath,
): Promise<Reply> {
  const { spec, faults } = endpoint;
  faults.stats.tokenRequests += 1;
  const body = await readBody(req);
  const query = at.ignoreQuery ? new URLSearchParams() : requestQuery;
  const params = new URLSearchParams(query);
  for (const [k, v] of parseForm(req.headers, body)) params.set(k, v);
  await faults.waitIfHeld();

  // failTokenEndpoint(count, 'rate_limited') names no wait: providers that send one ask for 30 s.
  const ctx: TokenFailureContext = {
    nowMs: endpoint.now(),
    retryAfterSeconds: 30,
    headers: req.headers,
    params,
    path: at.path,
  };
  const isRefresh = params.get('grant_type') === 'refresh_token';
  const injected = faults.nextTokenFault();
  if (injected) {
    if (isRefresh) faults.stats.refreshRequests += 1;
    return spec.answers.tokenFailure(injected === 'bad_client' ? 'wrong_secret' : injected, ctx);
  }
  const clientFailure = authenticateClient(spec, req.headers, params, query);
  if (clientFailure) {
    if (isRefresh) faults.stats.refreshRequests += 1;
    return spec.answers.tokenFailure(clientFailure, ctx);
  }
  const grantType = params.get('grant_type') ?? (params.has('code') ? 'authorization_code' : '');
  if (grantType === 'authorization_code')
    return exchangeCode(endpoint, { grantType, params, headers: req.headers, path: at.path }, ctx);
  if (grantType === 'refresh_token')
    return refresh(endpoint, { grantType, params, headers: req.headers, path: at.path }, ctx);
  return spec.answers.tokenFailure('unsupported_grant_type', ctx);
}

function exchangeCode(endpoint: TokenEndpoint, request: TokenRequest, ctx: TokenFailureContext): Reply {
  const { spec, grants } = endpoint;
  const record = grants.spendCode(request.params.get('code') ?? '');
  if (!record) return spec.answers.tokenFailure('invalid_code', ctx);
  const redirectUri = request.params.get('redirect_uri');
  const redirectOk =
    redirectUri === null ? spec.redirectUriOptional === true : redirectUri === record.redirectUri;
  if (!redirectOk) return spec.answers.tokenFailure('redirect_uri_mismatch', ctx);
  return spec.answers.token(grants.newGrant(record.scopes, request));
}

function refresh(endpoint: TokenEndpoint, request: TokenRequest, ctx: TokenFailureContext): Reply {
  const { spec, grants, faults } = endpoint;
  faults.stats.refreshRequests += 1;
  const presented = request.params.get('refresh_token') ?? '';
  const { record, grant } = grants.refreshRecord(presented);
  if (!record || !grant) return spec.answers.tokenFailure('dead_grant', ctx);
  if (record.usedAtMs !== undefined) faults.stats.reusedRefreshTokens += 1;
  if (grant.revoked) return spec.answers.tokenFailure('dead_grant', ctx);
  const accepted = record.usedAtMs === undefined || reuseAccepted(endpoint, grant, record);
  if (accepted) grants.presented(record);
  if (accepted) {
    return spec.answers.token(grants.rotate(grant, presented, request));
  }
  return spec.answers.tokenFailure('dead_grant', ctx);
}

/** A refresh token already rotated away came back: whether the rotation kind lets it work again. */
function reuseAccepted(endpoint: TokenEndpoint, grant: Grant, record: RefreshRecord): boolean {
  const { spec, faults } = endpoint;
  switch (spec.rotation) {
    case 'always':
      return true;
    case 'grace':
      if (spec.graceEndsWhenReplacementUsed && record.retired) return false;
      return endpoint.now() - (record.usedAtMs ?? 0) <= (spec.graceSeconds ?? 0) * 1000;
    case 'strict':
      grant.revoked = true;
      faults.stats.revokedByReuse += 1;
      return false;
    case 'single-use':
    case 'none':
      return false;
  }
}

/** The failure for a request's client credentials, or undefined when they are the provider's client. */
export function authenticateClient(
  spec: ProviderSpec,
  headers: IncomingHttpHeaders,
  params: URLSearchParams,
  query: URLSearchParams,
): TokenFailure | undefined {
  let presented: { id: string; secret: string | undefined } | undefined;
  const basic = authorizationToken(headers, ['Basic']);
  if (basic !== undefined && spec.clientAuth.includes('basic')) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'unknown_client';
    presented = {
      id: decodeURIComponent(decoded.slice(0, colon)),
      secret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  } else {
    const source = spec.clientAuth.includes('body')
      ? params
      : spec.clientAuth.includes('query')
        ? query
        : new URLSearchParams();
    const id = source.get('client_id');
    if (id !== null) presented = { id, secret: source.get('client_secret') ?? undefined };
  }
  if (!presented || presented.id !== spec.client.id) return 'unknown_client';
  if (presented.secret !== spec.client.secret) return 'wrong_secret';
  return undefined;
}
