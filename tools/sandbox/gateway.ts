// What stands in front of every /api/v1 handler, in the order a real gateway applies it:
// forced throttling, token transport, token lookup (via the OAuth library), expiry (K1),
// the per-token rate limit (K7). Handlers then find the caller with `callerOf(req)`.
import type { NextFunction, Request, Response } from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';
import { ApiError } from './errors';
import type { Quirks } from './quirks';
import { RateLimiter, REQUESTS_PER_MINUTE, type Throttle } from './rate-limit';
import { bearerFrom, metaOf, tokenFingerprint } from './request-log';
import type { MemberRecord, Scope, Store } from './store';

export interface Caller {
  grantId: string;
  member: MemberRecord;
  scope: Scope[];
}

const callers = new WeakMap<Request, Caller>();

export function callerOf(req: Request): Caller {
  const caller = callers.get(req);
  if (!caller) throw new Error('gateway did not run for this request');
  return caller;
}

// K2: the endpoints the contract marks (legacy).
const LEGACY_ROUTES: Array<[string, RegExp]> = [
  ['GET', /^\/api\/v1\/clients\/search\/?$/],
  ['GET', /^\/api\/v1\/tasks\/?$/],
  ['POST', /^\/api\/v1\/tasks\/?$/],
  ['POST', /^\/api\/v1\/tasks\/[^/]+\/complete\/?$/],
];

export function isLegacyRoute(method: string, path: string): boolean {
  return LEGACY_ROUTES.some(([m, pattern]) => m === method && pattern.test(path));
}

const EXPIRED_CHALLENGE = 'Bearer error="invalid_token", error_description="The access token expired"';
const INVALID_CHALLENGE = 'Bearer realm="Practice", error="invalid_token"';

export function rateLimited(throttle: Throttle, quirks: Quirks): ApiError {
  // K3: the same throttling may surface as 403 instead of 429.
  const status = throttle.status ?? (quirks.K3 ? 403 : 429);
  return new ApiError(
    status,
    'rate_limited',
    `Too many requests; retry in ${throttle.retryAfter} s`,
    { retry_after: throttle.retryAfter },
    { 'Retry-After': String(throttle.retryAfter) },
  );
}

export interface GatewayDeps {
  store: Store;
  server: OAuth2Server;
  limiter: RateLimiter;
  quirks: () => Quirks;
  /** API requests still to refuse as a role would (K5), whatever they ask: `forbidRequests`. */
  forbidden: { remaining: number };
}

function invalidToken(): ApiError {
  return new ApiError(
    401,
    'invalid_token',
    'The access token is invalid or was revoked',
    {},
    {
      'WWW-Authenticate': INVALID_CHALLENGE,
    },
  );
}

// The library knows RFC 6750 header parsing and token lookup; map its verdicts onto the
// contract's error codes.
function fromLibraryError(err: unknown): ApiError {
  if (err instanceof OAuth2Server.UnauthorizedRequestError) {
    return new ApiError(
      401,
      'invalid_token',
      'Missing access token: send Authorization: Bearer <token>',
      {},
      {
        'WWW-Authenticate': 'Bearer realm="Practice"',
      },
    );
  }
  if (err instanceof OAuth2Server.InvalidRequestError) {
    return new ApiError(
      401,
      'invalid_token',
      'Malformed Authorization header',
      {},
      { 'WWW-Authenticate': INVALID_CHALLENGE },
    );
  }
  if (err instanceof OAuth2Server.InvalidTokenError) return invalidToken();
  return new ApiError(500, 'internal', 'Authentication failed unexpectedly');
}

export function gateway(deps: GatewayDeps) {
  const { store, server, limiter } = deps;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const quirks = deps.quirks();
    const meta = metaOf(req);
    meta.legacy = isLegacyRoute(req.method, req.originalUrl.split('?')[0] ?? '');
    const bearer = bearerFrom(req);

    const forced = limiter.takeForced(bearer);
    if (forced) throw rateLimited(forced, quirks);

    if (req.query.access_token !== undefined) {
      throw new ApiError(
        400,
        'invalid_request',
        'Access tokens in the query string are rejected; send Authorization: Bearer <token>',
      );
    }

    let token: OAuth2Server.Token;
    try {
      // Header only: the query string is refused above and bodies never carry tokens here.
      token = await server.authenticate(
        new OAuth2Server.Request({
          method: req.method,
          headers: { authorization: req.get('authorization') ?? '' },
          query: {},
          body: {},
        }),
        new OAuth2Server.Response(),
      );
    } catch (err) {
      throw fromLibraryError(err);
    }

    const record = store.accessTokens.get(token.accessToken);
    const grant = record ? store.grants.get(record.grantId) : undefined;
    const member = grant ? store.members.get(grant.memberId) : undefined;
    if (!record || !grant || !member) throw invalidToken();
    meta.bearer = token.accessToken;
    meta.grantId = grant.id;
    meta.memberId = member.id;

    if (store.now() >= record.expiresAt) {
      // K1: production gateways say 403 here; RFC 6750 says 401 invalid_token.
      const message = 'The access token expired';
      const challenge = { 'WWW-Authenticate': EXPIRED_CHALLENGE };
      throw quirks.K1
        ? new ApiError(403, 'token_expired', message, {}, challenge)
        : new ApiError(401, 'invalid_token', message, {}, challenge);
    }

    if (quirks.K7) {
      const { throttle, remaining } = limiter.hit(tokenFingerprint(token.accessToken));
      res.set('X-RateLimit-Limit', String(REQUESTS_PER_MINUTE));
      res.set('X-RateLimit-Remaining', String(remaining));
      if (throttle) throw rateLimited(throttle, quirks);
    }

    if (deps.forbidden.remaining > 0) {
      deps.forbidden.remaining -= 1;
      throw ApiError.forbidden(`The ${member.role} role does not allow this in this firm`);
    }

    callers.set(req, { grantId: grant.id, member, scope: record.scope });
    next();
  };
}

// K4: the contract's details plus the RFC 6750 challenge naming what is missing.
export function requireScopes(req: Request, ...required: Scope[]): void {
  const caller = callerOf(req);
  const missing = required.filter((s) => !caller.scope.includes(s));
  if (missing.length === 0) return;
  const requiredScope = missing.join(' ');
  throw new ApiError(
    403,
    'insufficient_scope',
    `This action needs the ${requiredScope} scope; reconnect the account and approve it`,
    { required_scope: requiredScope, granted_scope: caller.scope.join(' ') },
    { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${requiredScope}"` },
  );
}
