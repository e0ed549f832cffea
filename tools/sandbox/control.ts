// /_sandbox/*: the in-process controls over HTTP, for the demo script and for tests that
// drive the sandbox from another process. Unauthenticated by design — the sandbox binds to
// 127.0.0.1 — but refused to other web pages and to DNS rebinding (same-origin.ts, mounted
// in front of this router), and not recorded in the request log, which is about API traffic.
import express, { type Request, type Response, type Router } from 'express';
import { parseQuirks } from './quirks';
import type { RequestLogEntry } from './request-log';
import { isRole } from './store';
import type { Sandbox } from './server';
import type { Tamper } from './webhooks';

// Bad input to a control (unknown member, out-of-range TTL …): a 400 over HTTP.
export class SandboxInputError extends Error {
  override name = 'SandboxInputError';
}

function body(req: Request): Record<string, unknown> {
  const value: unknown = req.body;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
}

function text(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SandboxInputError(`${name} must be a string`);
  return value;
}

function integer(input: Record<string, unknown>, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw new SandboxInputError(`${name} must be an integer`);
  return n;
}

const TAMPERS: readonly Tamper[] = ['wrong_signature', 'missing_signature', 'stale_timestamp'];

// Query-string filter for GET /_sandbox/requests: exact matches on the logged fields.
function requestFilter(query: Request['query']): (entry: RequestLogEntry) => boolean {
  const wanted = Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string');
  return (entry) =>
    wanted.every(([key, value]) => {
      if (!(key in entry)) return true;
      const actual = entry[key as keyof RequestLogEntry];
      return String(actual) === value;
    });
}

export function controlRouter(sandbox: Sandbox): Router {
  const router = express.Router();
  router.use(express.json());

  const handle =
    (action: (req: Request) => unknown | Promise<unknown>) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        const result = await action(req);
        res.status(200).json(result ?? { ok: true });
      } catch (err) {
        if (!(err instanceof SandboxInputError)) throw err;
        res.status(400).json({ error: err.message });
      }
    };

  router.get(
    '/',
    handle(() => ({
      url: sandbox.url,
      client_id: sandbox.clientId,
      quirks: sandbox.quirks,
      access_token_ttl: sandbox.accessTokenTtlSeconds,
      members: sandbox.members,
      grants: sandbox.grants(),
      token_stats: sandbox.tokenStats(),
    })),
  );

  router.post(
    '/expire-tokens',
    handle(() => ({ expired: sandbox.expireAccessTokens() })),
  );

  router.post(
    '/revoke',
    handle((req) => {
      const input = body(req);
      const target = text(input, 'grant_id') ?? text(input, 'email');
      if (!target) throw new SandboxInputError('give grant_id or email');
      return { revoked: sandbox.revokeGrant(target) };
    }),
  );

  router.post(
    '/role',
    handle((req) => {
      const input = body(req);
      const email = text(input, 'email');
      const role = input.role === 'removed' ? null : input.role;
      if (!email) throw new SandboxInputError('email is required');
      if (role !== null && !isRole(role))
        throw new SandboxInputError('role must be owner, admin, staff, or null/"removed"');
      sandbox.setMemberRole(email, role);
      return { members: sandbox.members };
    }),
  );

  router.post(
    '/password',
    handle((req) => {
      const input = body(req);
      const email = text(input, 'email');
      const password = text(input, 'password');
      if (!email || !password) throw new SandboxInputError('email and password are required');
      return { revoked: sandbox.setMemberPassword(email, password) };
    }),
  );

  router.post(
    '/rate-limit',
    handle((req) => {
      const input = body(req);
      const status = integer(input, 'status');
      if (status !== undefined && status !== 403 && status !== 429)
        throw new SandboxInputError('status must be 403 or 429');
      sandbox.triggerRateLimit(text(input, 'token'), {
        retryAfter: integer(input, 'retry_after'),
        count: integer(input, 'count'),
        status,
      });
      return { ok: true };
    }),
  );

  router.get(
    '/quirks',
    handle(() => sandbox.quirks),
  );
  router.post(
    '/quirks',
    handle((req) => {
      try {
        return sandbox.setQuirks(parseQuirks(req.body));
      } catch (err) {
        if (err instanceof TypeError) throw new SandboxInputError(err.message);
        throw err;
      }
    }),
  );

  router.post(
    '/ttl',
    handle((req) => {
      const seconds = integer(body(req), 'seconds');
      if (seconds === undefined) throw new SandboxInputError('seconds is required');
      sandbox.setAccessTokenTtl(seconds);
      return { access_token_ttl: seconds };
    }),
  );

  router.get(
    '/requests',
    handle((req) => ({ data: sandbox.requests.filter(requestFilter(req.query)) })),
  );
  router.get(
    '/token-stats',
    handle(() => sandbox.tokenStats()),
  );
  // Between test cases: a fresh request log (and token stats) and no throttling carried over.
  router.post(
    '/reset',
    handle(() => {
      sandbox.resetRequestLog();
      sandbox.resetRateLimits();
    }),
  );

  router.get(
    '/grants',
    handle(() => ({ data: sandbox.grants() })),
  );
  router.get(
    '/events',
    handle(() => ({ data: sandbox.webhookEvents })),
  );
  router.get(
    '/deliveries',
    handle(() => ({ data: sandbox.webhookDeliveries })),
  );

  router.post(
    '/redeliver',
    handle(async (req) => {
      const input = body(req);
      const eventId = text(input, 'event_id');
      const tamper = text(input, 'tamper');
      if (!eventId) throw new SandboxInputError('event_id is required');
      const known = TAMPERS.find((t) => t === tamper);
      if (tamper !== undefined && !known)
        throw new SandboxInputError(`tamper must be one of: ${TAMPERS.join(', ')}`);
      return { data: await sandbox.redeliverWebhookEvent(eventId, known) };
    }),
  );

  router.use((req, res) => {
    res.status(404).json({ error: `no control ${req.method} /_sandbox${req.path}` });
  });

  return router;
}
