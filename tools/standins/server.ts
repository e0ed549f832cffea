// The skeleton every provider stand-in shares: one node:http server on 127.0.0.1, the grants and
// tokens it has issued, and the controls of types.ts. It decides *whether* a request succeeds
// (client authentication, codes, rotation, expiry, scopes, injected failures); the provider's
// file decides *how* each outcome is written on the wire, from that provider's documentation.
// Token values never appear in thrown errors or logs.
import { randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StandIn, StandInConnection, TokenStats } from './types';

export type Rotation = StandIn['rotation'];

/** One HTTP answer: JSON when `json` is set, otherwise `text` (with its own content type). */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

/** What the token endpoint just issued, for the provider to write in its own shape. */
export interface Issued {
  /** The stand-in's own http://127.0.0.1:<port>, for answers that name a URL (Salesforce instance_url). */
  baseUrl: string;
  grantId: string;
  accessToken: string;
  /** The refresh token the client must keep from now on (the same one under rotation 'none'). */
  refreshToken: string;
  /** True when `refreshToken` is a new value in this answer. */
  refreshTokenIsNew: boolean;
  expiresIn: number;
  scopes: readonly string[];
  issuedAtMs: number;
  /** Whatever the client sent (form body and query string merged), e.g. Accept negotiation. */
  request: TokenRequest;
}

export interface TokenRequest {
  grantType: 'authorization_code' | 'refresh_token';
  params: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/**
 * Ways the token endpoint refuses. `unknown_client` and `wrong_secret` are both a bad client
 * (failTokenEndpoint 'bad_client' answers `wrong_secret`); `dead_grant` is a refresh token that
 * is unknown, revoked, expired or rotated away.
 */
export type TokenFailure =
  | 'unknown_client'
  | 'wrong_secret'
  | 'invalid_code'
  | 'redirect_uri_mismatch'
  | 'dead_grant'
  | 'unsupported_grant_type'
  | 'outage'
  | 'rate_limited';

export interface TokenFailureContext {
  nowMs: number;
  retryAfterSeconds: number;
  headers: IncomingHttpHeaders;
  params: URLSearchParams;
}

export interface ProbeContext {
  baseUrl: string;
  nowMs: number;
  /** The scope the endpoint requires (the probe's, or a route's), for a missing-scope answer to name. */
  requiredScope: string;
  grantId: string;
  scopes: readonly string[];
  /** When the presented access token expires (or expired). */
  expiresAtMs: number;
  issuedAtMs: number;
  accessToken: string;
  headers: IncomingHttpHeaders;
}

export interface ProviderAnswers {
  token(issued: Issued): Reply;
  tokenFailure(failure: TokenFailure, ctx: TokenFailureContext): Reply;
  probe(ctx: ProbeContext): Reply;
  /** `signal` is one of expirySignals. */
  expired(signal: string, ctx: ProbeContext): Reply;
  /** No token at all, a token the stand-in never issued, or one whose grant was revoked. */
  invalidToken(why: 'missing' | 'unknown' | 'revoked', nowMs: number): Reply;
  missingScope(ctx: ProbeContext): Reply;
  /** `signal` is one of rateLimitSignals. */
  rateLimited(signal: string, retryAfterSeconds: number, nowMs: number): Reply;
  forbidden(ctx: ProbeContext): Reply;
}

/**
 * One more endpoint of the provider's API, beyond the token endpoint and the probe, for an
 * integration's end-to-end tests: its answers written from the provider's documentation like
 * the others (each route's source in the provider's file).
 */
export interface Route {
  method: 'GET' | 'POST';
  /** Matched against the whole path (query string aside); its groups reach `answer`. */
  path: RegExp;
  /**
   * The scope it requires: the request then passes the probe's checks first (injected rate
   * limit, token, expiry, scope, forbid). null: it takes no bearer token, and answers alone.
   */
  scope: string | null;
  answer(request: RouteRequest): Reply;
}

export interface RouteRequest {
  match: RegExpExecArray;
  query: URLSearchParams;
  /** The request's headers, for a route that takes the bearer token itself (scope null). */
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  body: unknown;
  nowMs: number;
  /** Who called, for routes with a scope. */
  caller?: ProbeContext;
  /** What the stand-in knows of an access token it issued (a token named in the path, say). */
  accessToken(token: string): IssuedAccess | undefined;
}

/** An access token the stand-in issued, as a token-information endpoint would describe it. */
export interface IssuedAccess {
  grantId: string;
  scopes: readonly string[];
  issuedAtMs: number;
  expiresAtMs: number;
  /** Ended early (expireAccessTokens, or its grant revoked): it no longer works. */
  ended: boolean;
}

export interface ProviderSpec {
  provider: string;
  tokenPath: string;
  /** Path only; the query string of a probe request is ignored when matching. */
  probePath: string;
  probeScope: string;
  allScopes: readonly string[];
  client: { id: string; secret: string };
  /** How the provider accepts client credentials at its token endpoint. */
  clientAuth: readonly ('basic' | 'body' | 'query')[];
  /** The provider's documented access-token lifetime, used unless the test asks for another. */
  accessTokenLifetimeSeconds: number;
  rotation: Rotation;
  /** The provider answers a missing scope exactly as an expired token (StandIn.scopeErrorIsExpiry). */
  scopeErrorIsExpiry?: boolean;
  /** How the token endpoint joins scopes in its `scope` field (connect() answers the same way). */
  scopeSeparator: ' ' | ',';
  /** Rotation 'grace': how long a rotated-away refresh token keeps working. */
  graceSeconds?: number;
  /** A refresh also ends the access token issued before it (GitHub). */
  refreshEndsPreviousAccessToken?: boolean;
  /** redirect_uri may be left out at the code exchange ("if one was sent"). */
  redirectUriOptional?: boolean;
  expirySignals: readonly string[];
  rateLimitSignals: readonly string[];
  newAccessToken(info: { scopes: readonly string[]; issuedAtMs: number; expiresAtMs: number }): string;
  newRefreshToken(): string;
  newAuthorizationCode(): string;
  /** The access token a probe request carries, read the way the provider reads it. */
  readAccessToken(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined;
  answers: ProviderAnswers;
  /** Endpoints beyond the probe (none for the conformance suite). */
  routes?: readonly Route[];
}

export interface StartOptions {
  accessTokenLifetimeSeconds?: number;
  /** Milliseconds since the epoch; tests pass one to move time without sleeping. */
  clock?: () => number;
}

// ---------------------------------------------------------------------------------------------

/** Random URL-safe characters. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function randomUuid(): string {
  const h = randomHex(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The token after `scheme ` in the Authorization header (scheme compared case-insensitively). */
export function authorizationToken(
  headers: IncomingHttpHeaders,
  schemes: readonly string[],
): string | undefined {
  const value = headers.authorization;
  if (!value) return undefined;
  const space = value.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = value.slice(0, space).toLowerCase();
  if (!schemes.some((s) => s.toLowerCase() === scheme)) return undefined;
  const token = value.slice(space + 1).trim();
  return token || undefined;
}

export class StandInUsageError extends Error {
  override name = 'StandInUsageError';
}

interface Grant {
  id: string;
  scopes: readonly string[];
  revoked: boolean;
}

interface AccessRecord {
  grantId: string;
  issuedAtMs: number;
  expiresAtMs: number;
  /** Set by expireAccessTokens(signal) or a refresh that ends the previous token. */
  endedWith?: string;
}

interface RefreshRecord {
  grantId: string;
  /** When it was rotated away (undefined while it is the grant's current refresh token). */
  usedAtMs?: number;
}

interface CodeRecord {
  redirectUri: string;
  scopes: readonly string[];
}

interface Queued<T> {
  value: T;
  remaining: number;
}

const MAX_BODY = 64 * 1024;

export async function startStandIn(spec: ProviderSpec, options: StartOptions = {}): Promise<StandIn> {
  const now = options.clock ?? Date.now;
  const lifetime = options.accessTokenLifetimeSeconds ?? spec.accessTokenLifetimeSeconds;
  if (!Number.isFinite(lifetime) || lifetime <= 0) {
    throw new StandInUsageError('accessTokenLifetimeSeconds must be a positive number');
  }

  const grants = new Map<string, Grant>();
  const accessTokens = new Map<string, AccessRecord>();
  const refreshTokens = new Map<string, RefreshRecord>();
  const currentRefresh = new Map<string, string>();
  const lastAccess = new Map<string, string>();
  const codes = new Map<string, CodeRecord>();
  const stats: TokenStats = {
    tokenRequests: 0,
    refreshRequests: 0,
    reusedRefreshTokens: 0,
    revokedByReuse: 0,
  };
  const tokenFailures: Queued<'outage' | 'rate_limited' | 'bad_client'>[] = [];
  const rateLimits: Queued<{ signal: string; retryAfterSeconds: number }>[] = [];
  let forbidden = false;
  let hold: { waiting: number; released: Promise<void>; release: () => void } | undefined;
  let grantSeq = 0;
  let baseUrl = '';

  const checkScopes = (scopes: readonly string[] | undefined): readonly string[] => {
    const chosen = scopes ?? spec.allScopes;
    for (const s of chosen) {
      if (!spec.allScopes.includes(s))
        throw new StandInUsageError(`${spec.provider} grants no scope named "${s}"`);
    }
    return [...chosen];
  };

  const issue = (
    grant: Grant,
    refreshToken: string,
    refreshTokenIsNew: boolean,
    request: TokenRequest,
  ): Issued => {
    const issuedAtMs = now();
    const expiresAtMs = issuedAtMs + lifetime * 1000;
    const accessToken = spec.newAccessToken({ scopes: grant.scopes, issuedAtMs, expiresAtMs });
    accessTokens.set(accessToken, { grantId: grant.id, issuedAtMs, expiresAtMs });
    lastAccess.set(grant.id, accessToken);
    return {
      baseUrl,
      grantId: grant.id,
      accessToken,
      refreshToken,
      refreshTokenIsNew,
      expiresIn: lifetime,
      scopes: grant.scopes,
      issuedAtMs,
      request,
    };
  };

  const newGrant = (scopes: readonly string[], request: TokenRequest): Issued => {
    const grant: Grant = { id: `g${++grantSeq}`, scopes, revoked: false };
    grants.set(grant.id, grant);
    const refreshToken = spec.newRefreshToken();
    refreshTokens.set(refreshToken, { grantId: grant.id });
    currentRefresh.set(grant.id, refreshToken);
    return issue(grant, refreshToken, true, request);
  };

  const rotate = (grant: Grant, presented: string, request: TokenRequest): Issued => {
    if (spec.refreshEndsPreviousAccessToken) {
      const previous = lastAccess.get(grant.id);
      const record = previous === undefined ? undefined : accessTokens.get(previous);
      if (record && record.endedWith === undefined) record.endedWith = spec.expirySignals[0];
    }
    if (spec.rotation === 'none') return issue(grant, presented, false, request);
    const current = currentRefresh.get(grant.id);
    if (current !== undefined) {
      const record = refreshTokens.get(current);
      if (record && record.usedAtMs === undefined) record.usedAtMs = now();
    }
    const next = spec.newRefreshToken();
    refreshTokens.set(next, { grantId: grant.id });
    currentRefresh.set(grant.id, next);
    return issue(grant, next, true, request);
  };

  // failTokenEndpoint(count, 'rate_limited') names no wait: providers that send one ask for 30 s.
  const failureContext = (headers: IncomingHttpHeaders, params: URLSearchParams): TokenFailureContext => ({
    nowMs: now(),
    retryAfterSeconds: 30,
    headers,
    params,
  });

  // -- token endpoint ---------------------------------------------------------------------------

  const tokenEndpoint = async (req: IncomingMessage, query: URLSearchParams): Promise<Reply> => {
    stats.tokenRequests += 1;
    const body = await readBody(req);
    const params = new URLSearchParams(query);
    for (const [k, v] of parseForm(req.headers, body)) params.set(k, v);

    if (hold) {
      const h = hold;
      h.waiting += 1;
      await h.released;
      h.waiting -= 1;
    }
    const ctx = failureContext(req.headers, params);
    const injected = tokenFailures[0];
    if (injected) {
      injected.remaining -= 1;
      if (injected.remaining <= 0) tokenFailures.shift();
      if (params.get('grant_type') === 'refresh_token') stats.refreshRequests += 1;
      const failure = injected.value === 'bad_client' ? 'wrong_secret' : injected.value;
      return spec.answers.tokenFailure(failure, ctx);
    }

    const clientFailure = authenticateClient(spec, req.headers, params, query);
    if (clientFailure) {
      if (params.get('grant_type') === 'refresh_token') stats.refreshRequests += 1;
      return spec.answers.tokenFailure(clientFailure, ctx);
    }

    const grantType = params.get('grant_type') ?? (params.has('code') ? 'authorization_code' : '');
    if (grantType === 'authorization_code') {
      const code = params.get('code') ?? '';
      const record = codes.get(code);
      if (!record) return spec.answers.tokenFailure('invalid_code', ctx);
      codes.delete(code); // single use, even when the redirect_uri turns out wrong
      const redirectUri = params.get('redirect_uri');
      const redirectOk =
        redirectUri === null ? spec.redirectUriOptional === true : redirectUri === record.redirectUri;
      if (!redirectOk) return spec.answers.tokenFailure('redirect_uri_mismatch', ctx);
      return spec.answers.token(newGrant(record.scopes, { grantType, params, headers: req.headers }));
    }
    if (grantType === 'refresh_token') {
      stats.refreshRequests += 1;
      const presented = params.get('refresh_token') ?? '';
      const record = refreshTokens.get(presented);
      const grant = record ? grants.get(record.grantId) : undefined;
      if (!record || !grant) return spec.answers.tokenFailure('dead_grant', ctx);
      if (record.usedAtMs !== undefined) stats.reusedRefreshTokens += 1;
      if (grant.revoked) return spec.answers.tokenFailure('dead_grant', ctx);
      const request: TokenRequest = { grantType, params, headers: req.headers };
      if (record.usedAtMs === undefined) return spec.answers.token(rotate(grant, presented, request));
      switch (spec.rotation) {
        case 'always':
          return spec.answers.token(rotate(grant, presented, request));
        case 'grace':
          if (now() - record.usedAtMs <= (spec.graceSeconds ?? 0) * 1000) {
            return spec.answers.token(rotate(grant, presented, request));
          }
          return spec.answers.tokenFailure('dead_grant', ctx);
        case 'strict':
          grant.revoked = true;
          stats.revokedByReuse += 1;
          return spec.answers.tokenFailure('dead_grant', ctx);
        case 'single-use':
        case 'none':
          return spec.answers.tokenFailure('dead_grant', ctx);
      }
    }
    return spec.answers.tokenFailure('unsupported_grant_type', ctx);
  };

  // -- resource requests: the probe and the routes that take the bearer token ---------------------

  // Order of the checks: an injected rate limit answers first (the next `count` resource
  // requests, whatever they carry), then the token (missing, unknown, revoked, ended, timed out),
  // then the grant's scopes, then forbid(), then the resource itself.
  const resourceEndpoint = (
    req: IncomingMessage,
    query: URLSearchParams,
    requiredScope: string,
    answer: (ctx: ProbeContext) => Reply,
  ): Reply => {
    const nowMs = now();
    const limited = rateLimits[0];
    if (limited) {
      limited.remaining -= 1;
      if (limited.remaining <= 0) rateLimits.shift();
      return spec.answers.rateLimited(limited.value.signal, limited.value.retryAfterSeconds, nowMs);
    }
    const token = spec.readAccessToken(req.headers, query);
    const record = token === undefined ? undefined : accessTokens.get(token);
    const grant = record ? grants.get(record.grantId) : undefined;
    if (token === undefined) return spec.answers.invalidToken('missing', nowMs);
    if (!record || !grant) return spec.answers.invalidToken('unknown', nowMs);
    if (grant.revoked) return spec.answers.invalidToken('revoked', nowMs);
    const ctx: ProbeContext = {
      baseUrl,
      nowMs,
      requiredScope,
      grantId: grant.id,
      scopes: grant.scopes,
      expiresAtMs: record.expiresAtMs,
      issuedAtMs: record.issuedAtMs,
      accessToken: token,
      headers: req.headers,
    };
    if (record.endedWith !== undefined) return spec.answers.expired(record.endedWith, ctx);
    if (nowMs >= record.expiresAtMs) return spec.answers.expired(spec.expirySignals[0] ?? '', ctx);
    if (!grant.scopes.includes(requiredScope)) return spec.answers.missingScope(ctx);
    if (forbidden) return spec.answers.forbidden(ctx);
    return answer(ctx);
  };

  const accessTokenInfo = (token: string): IssuedAccess | undefined => {
    const record = accessTokens.get(token);
    const grant = record ? grants.get(record.grantId) : undefined;
    if (!record || !grant) return undefined;
    return {
      grantId: grant.id,
      scopes: grant.scopes,
      issuedAtMs: record.issuedAtMs,
      expiresAtMs: record.expiresAtMs,
      ended: grant.revoked || record.endedWith !== undefined,
    };
  };

  const routeEndpoint = async (
    route: Route,
    match: RegExpExecArray,
    req: IncomingMessage,
    query: URLSearchParams,
  ): Promise<Reply> => {
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      body = undefined;
    }
    const request = (caller?: ProbeContext): RouteRequest => ({
      match,
      query,
      headers: req.headers,
      body,
      nowMs: caller?.nowMs ?? now(),
      caller,
      accessToken: accessTokenInfo,
    });
    if (route.scope === null) return route.answer(request());
    return resourceEndpoint(req, query, route.scope, (caller) => route.answer(request(caller)));
  };

  const findRoute = (method: string | undefined, pathname: string) => {
    for (const route of spec.routes ?? []) {
      const match = route.method === method ? route.path.exec(pathname) : null;
      if (match && match[0] === pathname) return { route, match };
    }
    return undefined;
  };

  // -- HTTP ---------------------------------------------------------------------------------------

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const handle = async (): Promise<Reply> => {
      if (url.pathname === spec.tokenPath && req.method === 'POST')
        return tokenEndpoint(req, url.searchParams);
      if (url.pathname === spec.probePath && req.method === 'GET')
        return resourceEndpoint(req, url.searchParams, spec.probeScope, spec.answers.probe);
      const found = findRoute(req.method, url.pathname);
      if (found) return routeEndpoint(found.route, found.match, req, url.searchParams);
      return { status: 404, json: { standIn: spec.provider, error: 'no such endpoint in this stand-in' } };
    };
    handle().then(
      (reply) => send(res, reply),
      (error: unknown) => {
        const message = error instanceof BodyTooLarge ? 'request body too large' : 'stand-in failure';
        send(res, {
          status: error instanceof BodyTooLarge ? 413 : 500,
          json: { standIn: spec.provider, error: message },
        });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  const checkSignal = (signal: string | undefined, list: readonly string[], what: string): string => {
    const chosen = signal ?? list[0];
    if (chosen === undefined || !list.includes(chosen)) {
      throw new StandInUsageError(`${spec.provider} has no ${what} named "${String(signal)}"`);
    }
    return chosen;
  };

  const standIn: StandIn = {
    provider: spec.provider,
    url: baseUrl,
    probePath: spec.probePath,
    probeScope: spec.probeScope,
    allScopes: spec.allScopes,
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
      };
      const issued = newGrant(checkScopes(scopes), request);
      return {
        access_token: issued.accessToken,
        refresh_token: issued.refreshToken,
        expires_in: issued.expiresIn,
        scope: issued.scopes.join(spec.scopeSeparator),
      };
    },
    authorizationCode(redirectUri: string, scopes?: readonly string[]): string {
      const code = spec.newAuthorizationCode();
      codes.set(code, { redirectUri, scopes: checkScopes(scopes) });
      return code;
    },
    expireAccessTokens(signal?: string): void {
      const chosen = checkSignal(signal, spec.expirySignals, 'expiry signal');
      for (const record of accessTokens.values()) {
        if (record.endedWith === undefined) record.endedWith = chosen;
      }
    },
    rateLimit(count: number, retryAfterSeconds: number, signal?: string): void {
      const chosen = checkSignal(signal, spec.rateLimitSignals, 'rate-limit signal');
      if (count > 0) rateLimits.push({ value: { signal: chosen, retryAfterSeconds }, remaining: count });
    },
    forbid(on: boolean): void {
      forbidden = on;
    },
    revokeAll(): void {
      for (const grant of grants.values()) grant.revoked = true;
    },
    failTokenEndpoint(count: number, kind: 'outage' | 'rate_limited' | 'bad_client'): void {
      if (count > 0) tokenFailures.push({ value: kind, remaining: count });
    },
    holdTokenRequests() {
      if (!hold) {
        let release = (): void => undefined;
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        hold = { waiting: 0, released, release };
      }
      const h = hold;
      return {
        waiting: () => h.waiting,
        release: () => {
          if (hold === h) hold = undefined;
          h.release();
        },
      };
    },
    tokenStats(): TokenStats {
      return { ...stats };
    },
    close(): Promise<void> {
      hold?.release();
      hold = undefined;
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return standIn;
}

// ---------------------------------------------------------------------------------------------

/** The failure for a request's client credentials, or undefined when they are the provider's client. */
function authenticateClient(
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

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Form-encoded bodies (what OAuth token endpoints take), and flat JSON objects. */
function parseForm(headers: IncomingHttpHeaders, body: string): URLSearchParams {
  if (!body) return new URLSearchParams();
  if ((headers['content-type'] ?? '').includes('application/json')) {
    const out = new URLSearchParams();
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object') {
        for (const [k, v] of Object.entries(parsed)) {
          if (typeof v === 'string' || typeof v === 'number') out.set(k, String(v));
        }
      }
    } catch {
      // Not JSON after all: no parameters.
    }
    return out;
  }
  return new URLSearchParams(body);
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...reply.headers };
  let payload = '';
  if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  } else if (reply.text !== undefined) {
    payload = reply.text;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}
