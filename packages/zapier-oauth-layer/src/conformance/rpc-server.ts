// A local stand-in for Zapier's RPC service, the one behind `z.cache`, `z.cursor` and the
// run log, so the built app meets a store with the real semantics instead of core's
// `zcacheTestObj` mock (which ignores ttl, scope and nx).
//
// Wire format, from zapier-platform-core 19.1.0's source:
// - src/tools/create-rpc-client.js: each call is `POST event.rpc_base` with the JSON body
//   `{id, storeKey, method, params}` and the header `X-Token: event.token`; the answer must be
//   JSON (`Content-Type: application/json`, src/tools/request-client-internal.js parses nothing
//   else) shaped `{id, result}` or `{id, error}`. Core retries up to 3 attempts, 100 ms apart,
//   while the status is >= 500 or the request itself fails, then throws
//   "RPC request failed after 3 attempts: Unable to reach the RPC server" (or the fetch error's
//   text). Below 500 it throws at once: a wrong id gives "Got id X but expected Y when calling
//   RPC", `{error}` gives the error's text, a body that is not JSON gives "Got id undefined…".
// - src/tools/create-cache.js: `z.cache.get(key, scope)` sends `zcache_get [key, scope]` and
//   JSON.parses a truthy result; `set(key, value, ttl, scope, nx)` sends
//   `zcache_set [key, JSON.stringify(value), ttl, scope, nx]`; `delete(key, scope)` sends
//   `zcache_delete [key, scope]`. Core checks only that ttl is an integer, scope a subset of
//   ['user', 'auth'] and nx a boolean. types/custom.d.ts types set's answer `boolean | null`.
// - src/tools/create-storekey-tool.js: `z.cursor.get()` sends `get_cursor []`, `set(cursor)`
//   sends `set_cursor [cursor]` (a string); the cursor belongs to `event.storeKey`.
// - src/tools/create-logger.js: with `event.token` set, core streams the run's log as NDJSON
//   to `process.env.LOGGING_ENDPOINT` (default httplogger.zapier.com) with the same X-Token;
//   the runner points that at `<url>/log` so no run ever reaches the internet.
//
// Semantics where core's source stops (Zapier's store is Redis-like; these are the stand-in's
// choices, each settable where a test may need the other answer):
// - ttl is in seconds on a clock tests can move (`setClock`); null means no expiry; a ttl
//   below 1 is refused, as Redis refuses a non-positive EX.
// - nx: set only when the key is absent or expired; otherwise nothing is stored and the answer
//   is "not set": `null` by default (Redis' SET NX answers nil), `false` with
//   `nxNotSet: false`. A stored value answers `true`.
// - scope: null is one namespace for the whole app; 'user' adds the calling user, 'auth' the
//   calling connection, both as named in X-Token (see `rpcToken`).
// - values are kept exactly as core sent them (JSON text); `entries()` shows them raw.
//
// Never imported by an app; packed in the conformance entry only (zapier-oauth-layer/conformance).

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isRecord } from '../internal';

export const RPC_METHODS = ['zcache_get', 'zcache_set', 'zcache_delete', 'get_cursor', 'set_cursor'] as const;
export type RpcMethod = (typeof RPC_METHODS)[number];

/**
 * What a faulty store does instead of answering:
 * - down: HTTP 503 (`how: '503'`, the default; core retries 3 times then gives up) or the
 *   socket closed without an answer (`how: 'reset'`; core retries the same way). For a
 *   refused connection, `close()` the server: core retries, then fails with ECONNREFUSED;
 * - slow: does the call at once and delivers its answer `delayMs` later (an answer slow in
 *   transit: a read answers what the store held when the call arrived);
 * - garbage: an answer core does not expect: `what: 'result'` (the default) a result of the wrong
 *   kind (zcache_get: text that is not JSON; zcache_set/zcache_delete: the string "OK";
 *   get_cursor: an object; set_cursor: a number), `what: 'id'` someone else's id,
 *   `what: 'body'` a 200 whose body is not JSON;
 * - error: `{id, error: message}`;
 * - lose: a write the store answers `true` for and then does not keep (a Redis failover that
 *   drops the last writes, an eviction right after the write): zcache_set stores nothing.
 * Which calls it hits: `methods` (default: all), `times` (the next n calls it would hit),
 * `from`/`until` (a window on the server's clock, ms since the epoch; see `window`), and `when`,
 * a hook asked once per call with what the call is (after the other conditions, in order).
 */
export type RpcFault = (
  | { kind: 'down'; how?: '503' | 'reset' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'garbage'; what?: 'result' | 'id' | 'body' }
  | { kind: 'error'; message?: string }
  | { kind: 'lose' }
) & {
  methods?: RpcMethod[];
  times?: number;
  from?: number;
  until?: number;
  when?: (call: RpcCall) => boolean;
};

/** One call as a fault's `when` hook sees it. */
export interface RpcCall {
  method: RpcMethod;
  /** Who called: the run's user and connection. */
  identity: RpcIdentity;
  /** zcache_*: the key as the app named it; otherwise null. */
  key: string | null;
  /** zcache_set: whether it was set-if-absent. */
  nx: boolean;
  /** When the server received it, on its clock (ms). */
  at: number;
}

/** `{from, until}` for a fault that hits calls from `afterMs` to `afterMs + forMs` from now (real time). */
export function window(afterMs: number, forMs: number): { from: number; until: number } {
  const from = Date.now() + afterMs;
  return { from, until: from + forMs };
}

export interface RpcIdentity {
  /** Zapier user id: the 'user' scope. */
  user: string;
  /** Connection (authentication) id: the 'auth' scope. */
  connection: string;
}

export interface CacheEntry {
  /** The key as the app named it. */
  key: string;
  /** The namespace it lives in: 'app', or e.g. 'user=u1' / 'auth=c1' / 'user=u1,auth=c1'. */
  namespace: string;
  /** Exactly what core sent: JSON text. */
  value: string;
  /** Expiry on the server's clock, ms; null = never. */
  expiresAt: number | null;
}

export interface RpcLogLine {
  identity: RpcIdentity | null;
  logType: string;
  message: string;
}

export interface RpcServerOptions {
  /** What zcache_set with nx answers when the key exists. Default null. */
  nxNotSet?: null | false;
  /** The clock expiry is judged by, ms since the epoch. Default Date.now. */
  clock?: () => number;
  /** Do not keep the process alive for this server (a lazily started shared default). */
  unref?: boolean;
}

export interface RpcServer {
  /** The RPC endpoint, for `event.rpc_base`. */
  url: string;
  /** Where core streams run logs, for `LOGGING_ENDPOINT`. */
  logUrl: string;
  close(): Promise<void>;
  /** Live cache entries, raw. */
  entries(): CacheEntry[];
  /** Cursors by storeKey. */
  cursors(): Record<string, string>;
  /** Log lines core streamed, secrets already scrubbed by core. */
  logs(): RpcLogLine[];
  /** Forgets every entry, cursor, log line and count (not the fault or clock). */
  clear(): void;
  /** Drops the live entries `which` picks, as an eviction would; returns how many. */
  evict(which: (entry: CacheEntry) => boolean): number;
  /**
   * Stops accepting connections (`true`: every call is refused, ECONNREFUSED, and open sockets
   * are closed) or listens again on the same port (`false`): a store unreachable outright.
   */
  refuseConnections(refuse: boolean): Promise<void>;
  /** Replaces every fault with this one (null: none). */
  setFault(fault: RpcFault | null): void;
  /** Adds a fault beside the others; the first that hits a call decides it. */
  addFault(fault: RpcFault): void;
  setClock(clock: () => number): void;
  setNxNotSet(answer: null | false): void;
  /** Calls received per method, faulted ones included. */
  readonly counts: Record<RpcMethod, number>;
}

const TOKEN_PREFIX = 'hz1.';

/** The X-Token the runner sends: names the calling user and connection. */
export function rpcToken(identity: RpcIdentity): string {
  return TOKEN_PREFIX + Buffer.from(JSON.stringify(identity)).toString('base64url');
}

/**
 * A storeKey that carries its caller: `<rpcToken>|<key>`. The runner names the caller this way
 * rather than with an event token, because an event token also makes core stream its logs
 * over HTTP and abort that stream 200 ms after a run (src/tools/create-logger.js), which on
 * a loaded machine fails runs with "connect ECANCELED".
 */
export function storeKeyFor(identity: RpcIdentity, key: string): string {
  return `${rpcToken(identity)}|${key}`;
}

function fromStoreKey(storeKey: unknown): { identity: RpcIdentity | null; key: unknown } {
  if (typeof storeKey !== 'string') return { identity: null, key: storeKey };
  const bar = storeKey.indexOf('|');
  if (bar < 0) return { identity: null, key: storeKey };
  const identity = identityOf(storeKey.slice(0, bar));
  return identity ? { identity, key: storeKey.slice(bar + 1) } : { identity: null, key: storeKey };
}

export function identityOf(token: string | undefined): RpcIdentity | null {
  if (!token?.startsWith(TOKEN_PREFIX)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!isRecord(parsed) || typeof parsed.user !== 'string' || typeof parsed.connection !== 'string') {
    return null;
  }
  return { user: parsed.user, connection: parsed.connection };
}

function isRpcMethod(value: unknown): value is RpcMethod {
  return typeof value === 'string' && (RPC_METHODS as readonly string[]).includes(value);
}

class RpcInputError extends Error {}

function namespaceOf(scope: unknown, identity: RpcIdentity): string {
  if (scope === null || scope === undefined) return 'app';
  if (!Array.isArray(scope) || !scope.every((s) => s === 'user' || s === 'auth')) {
    throw new RpcInputError('scope must be null or a list of "user" / "auth"');
  }
  const parts: string[] = [];
  if (scope.includes('user')) parts.push(`user=${identity.user}`);
  if (scope.includes('auth')) parts.push(`auth=${identity.connection}`);
  return parts.length ? parts.join(',') : 'app';
}

function keyOf(params: unknown[]): string {
  const key = params[0];
  if (typeof key !== 'string') throw new RpcInputError('key must be a string');
  return key;
}

export async function startRpcServer(opts: RpcServerOptions = {}): Promise<RpcServer> {
  let clock = opts.clock ?? Date.now;
  let nxNotSet: null | false = opts.nxNotSet === false ? false : null;
  let faults: (RpcFault & { left: number })[] = [];
  /** namespace -> key -> entry */
  const store = new Map<string, Map<string, { value: string; expiresAt: number | null }>>();
  const cursorStore = new Map<string, string>();
  const logLines: RpcLogLine[] = [];
  const counts = Object.fromEntries(RPC_METHODS.map((m) => [m, 0])) as Record<RpcMethod, number>;
  const sockets = new Set<Socket>();

  const live = (entry: { expiresAt: number | null } | undefined) =>
    entry !== undefined && (entry.expiresAt === null || entry.expiresAt > clock());

  function call(method: RpcMethod, params: unknown[], identity: RpcIdentity, storeKey: unknown): unknown {
    if (method === 'get_cursor' || method === 'set_cursor') {
      if (typeof storeKey !== 'string' || storeKey === '') throw new RpcInputError('storeKey is required');
      if (method === 'get_cursor') return cursorStore.get(storeKey) ?? null;
      const cursor = params[0];
      if (typeof cursor !== 'string') throw new RpcInputError('cursor must be a string');
      cursorStore.set(storeKey, cursor);
      return null;
    }
    const key = keyOf(params);
    if (method === 'zcache_get') {
      const space = store.get(namespaceOf(params[1], identity));
      const entry = space?.get(key);
      if (!live(entry)) {
        space?.delete(key);
        return null;
      }
      return entry?.value ?? null;
    }
    if (method === 'zcache_delete') {
      const space = store.get(namespaceOf(params[1], identity));
      const entry = space?.get(key);
      space?.delete(key);
      return live(entry);
    }
    // zcache_set [key, value, ttl, scope, nx]
    const [, value, ttl, scope, nx] = params;
    if (typeof value !== 'string') throw new RpcInputError('value must be JSON text');
    if (ttl !== null && ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1)) {
      throw new RpcInputError('ttl must be a positive integer number of seconds');
    }
    if (nx !== null && nx !== undefined && typeof nx !== 'boolean')
      throw new RpcInputError('nx must be a boolean');
    const namespace = namespaceOf(scope, identity);
    let space = store.get(namespace);
    if (!space) {
      space = new Map();
      store.set(namespace, space);
    }
    if (nx === true && live(space.get(key))) return nxNotSet;
    space.set(key, { value, expiresAt: typeof ttl === 'number' ? clock() + ttl * 1000 : null });
    return true;
  }

  function garbageFor(method: RpcMethod): unknown {
    switch (method) {
      case 'zcache_get':
        return '{"sealed": tru';
      case 'get_cursor':
        return { cursor: 'not a string' };
      case 'set_cursor':
        return 42;
      default:
        return 'OK';
    }
  }

  /** The first fault that hits this call, counting it down. */
  function faultFor(method: RpcMethod, params: unknown[], identity: RpcIdentity): RpcFault | null {
    const at = clock();
    const call: RpcCall = {
      method,
      identity,
      key: method.startsWith('zcache_') && typeof params[0] === 'string' ? params[0] : null,
      nx: method === 'zcache_set' && params[4] === true,
      at,
    };
    for (const fault of faults) {
      if (fault.methods && !fault.methods.includes(method)) continue;
      if (fault.left <= 0) continue;
      if ((fault.from !== undefined && at < fault.from) || (fault.until !== undefined && at >= fault.until))
        continue;
      if (fault.when && !fault.when(call)) continue;
      fault.left -= 1;
      return fault;
    }
    return null;
  }

  function send(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async function handleRpc(req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      send(res, 400, { id: null, error: 'the body is not JSON' });
      return;
    }
    if (!isRecord(body)) {
      send(res, 400, { id: null, error: 'the body must be a JSON object' });
      return;
    }
    const id = body.id;
    const named = fromStoreKey(body.storeKey);
    const identity = identityOf(req.headers['x-token'] as string | undefined) ?? named.identity;
    if (!identity) {
      send(res, 401, { id, error: 'missing or unknown X-Token, and no identity in storeKey' });
      return;
    }
    body.storeKey = named.key;
    if (!isRpcMethod(body.method)) {
      send(res, 400, { id, error: `unknown method ${JSON.stringify(body.method)}` });
      return;
    }
    const method = body.method;
    counts[method] += 1;
    const params = Array.isArray(body.params) ? body.params : [];

    const active = faultFor(method, params, identity);
    if (active?.kind === 'down') {
      if (active.how === 'reset') {
        req.socket.destroy();
        return;
      }
      send(res, 503, { id, error: 'unavailable' });
      return;
    }
    if (active?.kind === 'error') {
      send(res, 200, { id, error: active.message ?? 'the store failed' });
      return;
    }
    if (active?.kind === 'lose' && method === 'zcache_set') {
      send(res, 200, { id, result: true });
      return;
    }
    if (active?.kind === 'garbage') {
      const what = active.what ?? 'result';
      if (what === 'body') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('<html>gateway</html>');
        return;
      }
      if (what === 'id') {
        send(res, 200, { id: randomUUID(), result: null });
        return;
      }
      // The call still happens; only the answer is wrong.
      try {
        call(method, params, identity, body.storeKey);
      } catch {
        // the answer is garbage either way
      }
      send(res, 200, { id, result: garbageFor(method) });
      return;
    }

    let answer: { status: number; body: unknown };
    try {
      answer = { status: 200, body: { id, result: call(method, params, identity, body.storeKey) } };
    } catch (error) {
      if (!(error instanceof RpcInputError)) throw error;
      answer = { status: 400, body: { id, error: error.message } };
    }
    if (active?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, active.delayMs));
    send(res, answer.status, answer.body);
  }

  function recordLog(identity: RpcIdentity | null, raw: string): void {
    for (const line of raw.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const parsed: unknown = JSON.parse(line);
        if (!isRecord(parsed)) continue;
        const data = isRecord(parsed.data) ? parsed.data : {};
        logLines.push({
          identity,
          logType: typeof data.log_type === 'string' ? data.log_type : 'console',
          message: typeof parsed.message === 'string' ? parsed.message : '',
        });
      } catch {
        // a line cut by an aborted stream
      }
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => undefined);
    if (req.method === 'POST' && req.url === '/log') {
      // Core opens the log request with the run's first line and ends it when the run is
      // over, then waits up to 200 ms for an answer (create-logger.js). Answering at once,
      // as a log sink can, keeps that wait out of every run; the lines keep coming.
      const identity = identityOf(req.headers['x-token'] as string | undefined);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
      req.on('end', () => recordLog(identity, Buffer.concat(chunks).toString('utf8')));
      return;
    }
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (req.method !== 'POST' || req.url !== '/rpc') {
        send(res, 404, { id: null, error: 'not found' });
        return;
      }
      handleRpc(req, res, raw).catch(() => {
        if (!res.headersSent) send(res, 500, { id: null, error: 'internal error' });
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    if (opts.unref) socket.unref();
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  if (opts.unref) server.unref();
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  let refusing = false;

  return {
    url: `${base}/rpc`,
    logUrl: `${base}/log`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (refusing) resolve();
        else server.close(() => resolve());
      }),
    entries: () => {
      const out: CacheEntry[] = [];
      for (const [namespace, space] of store) {
        for (const [key, entry] of space) {
          if (live(entry)) out.push({ key, namespace, value: entry.value, expiresAt: entry.expiresAt });
        }
      }
      return out;
    },
    cursors: () => Object.fromEntries(cursorStore),
    logs: () => [...logLines],
    evict: (which) => {
      let dropped = 0;
      for (const [namespace, space] of store) {
        for (const [key, entry] of space) {
          if (live(entry) && which({ key, namespace, value: entry.value, expiresAt: entry.expiresAt })) {
            space.delete(key);
            dropped += 1;
          }
        }
      }
      return dropped;
    },
    refuseConnections: async (refuse) => {
      if (refuse === refusing) return;
      refusing = refuse;
      if (refuse) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
      } else {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
          });
        });
      }
    },
    clear: () => {
      store.clear();
      cursorStore.clear();
      logLines.length = 0;
      for (const method of RPC_METHODS) counts[method] = 0;
    },
    setFault: (next) => {
      faults = next ? [{ ...next, left: next.times ?? Number.POSITIVE_INFINITY }] : [];
    },
    addFault: (next) => {
      faults.push({ ...next, left: next.times ?? Number.POSITIVE_INFINITY });
    },
    setClock: (next) => {
      clock = next;
    },
    setNxNotSet: (answer) => {
      nxNotSet = answer;
    },
  };
}
