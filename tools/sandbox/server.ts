// The Practice API sandbox: a real HTTP server implementing docs/practice-api.md §1–4, known
// behaviours included, plus controls that let tests and demos provoke every auth signal.
// Never imported by the Zapier app.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';
import { apiRouter } from './api';
import { defaultClient, type RegisteredClient } from './clients';
import { controlRouter, SandboxInputError } from './control';
import { ApiError, sendApiError } from './errors';
import { gateway } from './gateway';
import { AUTHORIZATION_CODE_LIFETIME_S, createModel, REFRESH_TOKEN_LIFETIME_S } from './oauth-model';
import { oauthRouter, type TokenFault } from './oauth';
import { DEFAULT_QUIRKS, type Quirks } from './quirks';
import { RateLimiter } from './rate-limit';
import { metaOf, RequestLog, type RequestFilter, type RequestLogEntry } from './request-log';
import { TokenHolds, type TokenHold } from './holds';
import { guardControls, type ListenAddress } from './same-origin';
import { DEMO_PASSWORD, seed } from './seed';
import { isoTime, publicMember, Store, type Member, type Role } from './store';
import { tokenStatsOf, type TokenStats } from './token-stats';
import { WebhookDispatcher, type DeliveryRecord, type Tamper, type WebhookEventRecord } from './webhooks';

export type { Quirks } from './quirks';
export type { RegisteredClient } from './clients';
export type { HeldRequest, TokenHold } from './holds';
export type { RequestFilter, RequestLogEntry, TokenGrantType } from './request-log';
export type { RotationOutcome } from './oauth-model';
export type { TokenStats } from './token-stats';
export type { TokenFault } from './oauth';
export type { DeliveryRecord, Tamper, WebhookEventRecord } from './webhooks';
export type { Member, Role } from './store';
export { tokenFingerprint } from './request-log';
export { signature as webhookSignature } from './webhooks';
export { DEMO_MEMBERS, DEMO_PASSWORD } from './seed';
export { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, ZAPIER_CLI_REDIRECT_URI } from './clients';
export { DEFAULT_QUIRKS } from './quirks';
export { SandboxInputError } from './control';

export interface SandboxOptions {
  host?: string;
  /** 0 = ephemeral. Default 4010. */
  port?: number;
  /** Default 3600, allowed 1..86400. */
  accessTokenTtlSeconds?: number;
  quirks?: Partial<Quirks>;
  /** Replaces the default client entirely. */
  clients?: RegisteredClient[];
  /** For the default client. */
  clientId?: string;
  clientSecret?: string;
  /** Extra exact redirect URIs for the default client. */
  redirectUris?: string[];
  /** Milliseconds since the epoch; tests inject one to move time without sleeping. */
  clock?: () => number;
  /** Where the sandbox reports webhook trouble; silent by default. Never given tokens. */
  log?: (line: string) => void;
  /**
   * The most items one page of a list holds, 1..100, whatever `limit` asks (default: as many
   * as it asks). An API may answer fewer than asked, with a cursor to the rest: tests use it to
   * reach a second page of the demo data, which fits in one page of 100.
   */
  pageSize?: number;
}

export interface GrantSummary {
  id: string;
  clientId: string;
  memberId: string;
  email: string | null;
  scope: string;
  createdAt: string;
  revoked: boolean;
  revokedReason: string | null;
}

export interface RateLimitOptions {
  retryAfter?: number;
  count?: number;
  /** Overrides K3 for these requests. */
  status?: 403 | 429;
}

export interface Sandbox {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly demoPassword: string;
  readonly members: Member[];
  readonly quirks: Readonly<Quirks>;
  readonly accessTokenTtlSeconds: number;
  readonly requests: readonly RequestLogEntry[];
  readonly webhookEvents: readonly WebhookEventRecord[];
  readonly webhookDeliveries: readonly DeliveryRecord[];
  now(): number;
  close(): Promise<void>;
  /** Expires every live access token now; returns how many. */
  expireAccessTokens(): number;
  /** Revokes one grant by id, or every grant of the member with that email; returns how many. */
  revokeGrant(grantIdOrUserEmail: string): number;
  /** null removes the member, which revokes their grants. */
  setMemberRole(email: string, role: Role | null): void;
  /** A password change revokes the member's grants; returns how many. */
  setMemberPassword(email: string, password: string): number;
  /** The next `count` API requests (bearing `token`, if given) are rate-limited. */
  triggerRateLimit(token?: string, opts?: RateLimitOptions): void;
  /** The next `count` authenticated API requests are refused as the member's role would (K5); 0 stops it. */
  forbidRequests(count: number): void;
  /** The next `count` token requests fail as `kind`: 503 outage, 429 throttled, 401 invalid_client. */
  failTokenRequests(count: number, kind: TokenFault): void;
  setQuirks(partial: Partial<Quirks>): Quirks;
  setAccessTokenTtl(seconds: number): void;
  resetRequestLog(): void;
  /** Forgets K7 counters and pending triggered rate limits. */
  resetRateLimits(): void;
  countRequests(filter?: RequestFilter): number;
  findRequests(filter?: RequestFilter): RequestLogEntry[];
  /** Token endpoint counts since start or the last resetRequestLog(): requests, rotations, grace replays, reuses, grants revoked. */
  tokenStats(): TokenStats;
  grants(): GrantSummary[];
  redeliverWebhookEvent(eventId: string, tamper?: Tamper): Promise<DeliveryRecord[]>;
  /** Resolves when every webhook delivery started so far has finished. */
  settleWebhooks(): Promise<void>;
  /** Holds the next `count` token requests (default: all) until the test releases or drops each. */
  holdTokenRequests(count?: number): TokenHold;
  /**
   * The owner rotates the client secret: a new one becomes `clientSecret`, the old one keeps
   * working (as during a rotation at a real provider) until `retireSecrets()`.
   */
  rotateClientSecret(): string;
  retireSecrets(): void;
}

function checkTtl(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) {
    throw new SandboxInputError('access token TTL must be a whole number of seconds from 1 to 86400');
  }
  return seconds;
}

function listen(app: express.Express, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const now = opts.clock ?? Date.now;
  const host = opts.host ?? '127.0.0.1';
  let ttl = checkTtl(opts.accessTokenTtlSeconds ?? 3600);
  if (
    opts.pageSize !== undefined &&
    !(Number.isInteger(opts.pageSize) && opts.pageSize >= 1 && opts.pageSize <= 100)
  ) {
    throw new SandboxInputError('pageSize must be a whole number from 1 to 100');
  }
  let quirks: Quirks = { ...DEFAULT_QUIRKS, ...opts.quirks };
  const log = opts.log ?? (() => undefined);

  const clients = opts.clients ?? [
    defaultClient({
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      extraRedirectUris: opts.redirectUris,
    }),
  ];
  const primary = clients[0];
  if (!primary) throw new SandboxInputError('at least one client must be registered');

  const store = new Store(now);
  seed(store);
  const requestLog = new RequestLog(now);
  const holds = new TokenHolds(now);
  // Revocations before this index belong to a window the request log has forgotten.
  let revocationsBefore = 0;
  const limiter = new RateLimiter(now);
  const forbidden = { remaining: 0 };
  const tokenFaults: { remaining: number; kind: TokenFault } = { remaining: 0, kind: 'outage' };
  const webhooks = new WebhookDispatcher(store, log);
  const oauth = new OAuth2Server({
    model: createModel({
      store,
      clients,
      accessTokenTtlSeconds: () => ttl,
      strictRotation: () => quirks.K8,
    }),
    accessTokenLifetime: ttl,
    refreshTokenLifetime: REFRESH_TOKEN_LIFETIME_S,
    authorizationCodeLifetime: AUTHORIZATION_CODE_LIFETIME_S,
    allowEmptyState: true,
    allowBearerTokensInQueryString: false,
    alwaysIssueNewRefreshToken: true,
  });

  const memberByEmail = (email: string) => {
    const member = store.findMemberByEmail(email);
    if (!member) throw new SandboxInputError(`no member with email ${email}`);
    return member;
  };

  // The port is known once listening (0 = ephemeral); no request arrives before that.
  const address: ListenAddress = { host, port: opts.port ?? 4010 };

  const app = express();
  app.disable('x-powered-by');
  // Controls need the Sandbox object, which exists only once the port is known; they are
  // mounted first all the same so control calls never reach the request log. Cross-site
  // and DNS-rebinding requests are refused before any control runs (same-origin.ts).
  const started: { controls?: express.Router } = {};
  app.use(
    '/_sandbox',
    guardControls(() => address),
    (req, res, next) => {
      if (!started.controls) return next(new Error('sandbox is starting'));
      started.controls(req, res, next);
    },
  );
  // Before the log: a dropped request never reached Practice, a released one is logged as usual.
  app.use(holds.middleware());
  app.use(requestLog.middleware());
  app.use(
    '/oauth',
    oauthRouter({ store, server: oauth, clients, quirks: () => quirks, address: () => address, tokenFaults }),
  );
  // Body parsing after the gateway: a real gateway rejects a bad token before reading JSON.
  app.use(
    '/api/v1',
    gateway({ store, server: oauth, limiter, quirks: () => quirks, forbidden }),
    express.json({ limit: '100kb' }),
    express.urlencoded({ extended: false }),
    apiRouter({ store, webhooks, pageSize: opts.pageSize }),
  );
  app.get('/', (_req, res) => {
    res.json({
      name: 'Practice API sandbox',
      api: '/api/v1',
      authorize: '/oauth/authorize',
      token: '/oauth/token',
    });
  });
  app.use((req) => {
    throw ApiError.notFound('Endpoint', `${req.method} ${req.path}`);
  });
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const apiError = toApiError(err);
    if (apiError.status >= 500) log(`internal error on ${req.method} ${req.path}: ${String(err)}`);
    const meta = metaOf(req);
    meta.errorCode = apiError.code;
    sendApiError(res, apiError, { legacy: meta.legacy ?? false, quirks });
  });

  const server = await listen(app, host, opts.port ?? 4010);
  const port = (server.address() as AddressInfo).port;
  address.port = port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const grants = (): GrantSummary[] =>
    [...store.grants.values()].map((g) => ({
      id: g.id,
      clientId: g.clientId,
      memberId: g.memberId,
      email: store.members.get(g.memberId)?.email ?? null,
      scope: g.scope.join(' '),
      createdAt: isoTime(g.createdAt),
      revoked: !store.isGrantLive(g.id),
      revokedReason: g.revokedReason ?? (store.members.has(g.memberId) ? null : 'member removed'),
    }));

  const sandbox: Sandbox = {
    url,
    host,
    port,
    clientId: primary.clientId,
    get clientSecret() {
      return primary.clientSecret;
    },
    demoPassword: DEMO_PASSWORD,
    get members() {
      return [...store.members.values()].map(publicMember);
    },
    get quirks() {
      return { ...quirks };
    },
    get accessTokenTtlSeconds() {
      return ttl;
    },
    get requests() {
      return requestLog.all;
    },
    get webhookEvents() {
      return webhooks.events;
    },
    get webhookDeliveries() {
      return webhooks.deliveries;
    },
    now,
    async close() {
      holds.releaseAll();
      await webhooks.settle();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections (fetch keeps them) would hold close() open.
        server.closeAllConnections();
      });
    },
    expireAccessTokens() {
      const at = now();
      let count = 0;
      for (const token of store.accessTokens.values()) {
        if (token.revokedAt === undefined && token.expiresAt > at) {
          token.expiresAt = at;
          count += 1;
        }
      }
      return count;
    },
    revokeGrant(target) {
      if (store.grants.has(target)) return store.revokeGrant(target, 'revoked in Practice') ? 1 : 0;
      return store.revokeGrantsOfMember(memberByEmail(target).id, 'revoked in Practice');
    },
    setMemberRole(email, role) {
      const member = memberByEmail(email);
      if (role === null) {
        store.revokeGrantsOfMember(member.id, 'member removed');
        store.members.delete(member.id);
      } else {
        member.role = role;
      }
    },
    setMemberPassword(email, password) {
      const member = memberByEmail(email);
      member.password = password;
      return store.revokeGrantsOfMember(member.id, 'password changed');
    },
    failTokenRequests(count, kind) {
      if (!Number.isInteger(count) || count < 0) throw new SandboxInputError('count must be a whole number');
      tokenFaults.remaining = count;
      tokenFaults.kind = kind;
    },
    forbidRequests(count) {
      if (!Number.isInteger(count) || count < 0) throw new SandboxInputError('count must be a whole number');
      forbidden.remaining = count;
    },
    triggerRateLimit(token, options = {}) {
      const count = options.count ?? 1;
      const retryAfter = options.retryAfter ?? 30;
      if (!Number.isInteger(count) || count < 1)
        throw new SandboxInputError('count must be a positive integer');
      if (!Number.isInteger(retryAfter) || retryAfter < 0) {
        throw new SandboxInputError('retryAfter must be a whole number of seconds');
      }
      limiter.force({ token, remaining: count, retryAfter, status: options.status });
    },
    setQuirks(partial) {
      quirks = { ...quirks, ...partial };
      return { ...quirks };
    },
    setAccessTokenTtl(seconds) {
      ttl = checkTtl(seconds);
    },
    resetRequestLog() {
      requestLog.reset();
      revocationsBefore = store.revocations.length;
    },
    resetRateLimits() {
      limiter.reset();
    },
    countRequests: (filter) => requestLog.count(filter),
    findRequests: (filter) => requestLog.filter(filter),
    tokenStats: () => tokenStatsOf(requestLog.all, store.revocations.length - revocationsBefore),
    grants,
    redeliverWebhookEvent: (eventId, tamper) => webhooks.redeliver(eventId, tamper ?? null),
    settleWebhooks: () => webhooks.settle(),
    holdTokenRequests: (count) => holds.hold(count),
    rotateClientSecret() {
      const fresh = `practice-sandbox-secret-${randomBytes(24).toString('base64url')}`;
      primary.previousSecrets = [...(primary.previousSecrets ?? []), primary.clientSecret];
      primary.clientSecret = fresh;
      return fresh;
    },
    retireSecrets() {
      primary.previousSecrets = [];
    },
  };
  started.controls = controlRouter(sandbox);
  return sandbox;
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  // body-parser's errors carry the HTTP status they mean.
  if (typeof err === 'object' && err !== null && 'type' in err && err.type === 'entity.parse.failed') {
    return new ApiError(400, 'invalid_request', 'The request body is not valid JSON');
  }
  if (typeof err === 'object' && err !== null && 'status' in err && err.status === 413) {
    return new ApiError(413, 'invalid_request', 'The request body is too large');
  }
  return new ApiError(500, 'internal', 'The sandbox failed to answer this request; its log has the details');
}
