// Runs the built app through zapier-platform-core's own Lambda handler
// (`createAppHandler`, src/tools/create-lambda-handler.js) and does what only Zapier's
// servers do around it. Rule by rule, with where each comes from:
//
// 1. Refresh and retry once. A step that throws RefreshAuthError: call
//    refreshAccessToken with the connection's authData, merge the returned fields into
//    authData, retry the step once; a second RefreshAuthError fails the step
//    (docs.zapier.com/platform/build/oauth, "Refresh Token"). With `autoRefresh`, core
//    itself turns every 401 from z.request into RefreshAuthError before the app's
//    afterResponse runs (src/http-middlewares/after/throw-for-stale-auth.js, wired in
//    src/tools/create-app-request-client.js).
// 2. Stale rule (`refreshVerdict`, `stepVerdict`).
//    - refreshAccessToken throws ExpiredAuthError → stale.
//    - refreshAccessToken throws an error carrying an HTTP status that is a 4xx other than
//      408, 409, 423, 425, 429 → stale; those five and every 5xx → not stale, the step
//      fails and Zapier retries later (docs.zapier.com/platform/news/4xx-errors-refreshAccessToken,
//      effective 2025-09-08). "Carrying a status" is what core puts in the error's JSON
//      message: AppError `{message, code, status}` and ResponseError `{status, headers,
//      content, request}` (src/errors.js). A 4xx from z.request inside refreshAccessToken
//      reaches Zapier as a ResponseError with that status: core's throwForStatus runs last,
//      after the app's afterResponse, unless the request sets skipThrowForStatus
//      (src/http-middlewares/after/throw-for-status.js, prepare-response.js,
//      create-app-request-client.js). Before it: a 401 under autoRefresh has already become
//      RefreshAuthError (rule 1), a 429 core's own ThrottledError (throw-for-throttling.js),
//      and whatever the app's afterResponse throws is what Zapier sees instead.
//    - Errors without a status are not stale: ThrottledError (`{message, delay}`),
//      RefreshAuthError, network errors, plain Errors. For RefreshAuthError thrown by
//      refreshAccessToken itself the docs say nothing; our reading: it carries no status,
//      so it is not a "4xx error response" to Zapier, only a failed refresh (the docs' "old
//      behavior": the step fails and is retried). An app must not count on a 401 from its
//      token endpoint making a connection stale: under autoRefresh it never does.
//    - A step (not the refresh) that throws ExpiredAuthError → stale
//      (docs.zapier.com/platform/build/errors, "ExpiredAuthError").
//    Errors are read with layer/core-error-parts.ts `parseCoreError`, the one parser for core's
//    error JSON.
// 3. Connections and concurrency. Each run reads the connection's authData when it
//    starts; a run that meets RefreshAuthError calls refreshAccessToken with the authData
//    it ran with, on its own ("every run that meets an expired token calls
//    refreshAccessToken on its own": Zapier refreshes per run, in the worker that ran the
//    step, docs.zapier.com/platform/build/oauth "Refresh Token"); the result is merged into
//    the connection's authData when it arrives (last writer wins, even an older pair);
//    refresh + retry at most once per step.
//    Nothing here serialises runs: N concurrent runSteps on one Connection are N
//    independent runs, as Zapier's workers are. A stale connection runs nothing.
// 4. z.cache and z.cursor go to a real RPC server (rpc-server.ts, next to this file) through core's
//    own RPC client: every event carries `rpc_base` and a `storeKey` that also names the
//    connection and its user, for the 'auth'/'user' scopes (src/tools/create-rpc-client.js,
//    create-cache.js, create-storekey-tool.js); the client authenticates with a deploy key.
//    No event `token`: it would switch on core's log streaming (src/tools/create-logger.js),
//    whose 200 ms abort fails runs on a loaded machine. No `zcacheTestObj`/`cursorTestObj`:
//    core's local mock ignores ttl, scope and nx. One RpcServer may serve many runners and
//    connections, as Zapier's store is shared across runs.
// 5. Zapier's 30 s. A request to an app that has not answered after 30 s fails
//    (docs.zapier.com/platform/build/operating-constraints, "Time Limits"); whatever the app would
//    have returned later is lost, a refreshed pair included. The runner races every
//    invocation against `limitMs` (30 s, lower for tests) and reports `ZapierTimeout`
//    (not stale: Zapier retries later). The app's code goes on in this process, as a Lambda
//    may until it is frozen; the repository's `tools/harness/child-run.ts` runs a step in a process of its own, for
//    tests that kill a run mid-request.
// 6. Output checks are logged, never thrown, as on Zapier.
//    src/app-middlewares/after/checks.js throws CheckError when `constants.IS_TESTING`
//    (argv mentions jest/mocha, or NODE_ENV=test*), `event.isDeveloper` or
//    `event.calledFromCli`; otherwise — production — it only logs
//    `Zapier check "<name>" failed: <error>` with z.console.error. Under jest IS_TESTING is
//    always true, so the runner names every check in `bundle.skipChecks` (which the same
//    file honours) and runs core's own checks (src/checks/index.js, with the app compiled
//    by src/tools/schema.js prepareApp, as the handler does) on the results itself,
//    recording the production messages in `outcome.checks`. The event keeps
//    `calledFromCli` + `calledFromCliInvoke` as `zapier-platform invoke` sets them: with
//    checks out of core's hands their only other effects are to keep core's HTTP logging
//    patch and to silence the memory watchdog's stdout line (src/tools/memory-checker.js).
//
// Interfaces (the conformance kit, the repository's tests, tools/scripts/start.ts and tools/bench/;
// exported by `zapier-oauth-layer/conformance` for an adopter's own end-to-end tests):
//   new ZapierRunner({ appPath?, app?, rpc?, limitMs? })  |  new ZapierRunner(appPath)
//   runner.connect(inputData) -> { connection, label }
//   runner.runStep(connection, method, bundle?, { storeKey? }) -> StepOutcome
//   runner.refresh(connection) -> { ok, error?, staled }
//   runner.invoke(method, bundle, { connection?, storeKey? }) -> results (throws core's error)
//   newConnection(authData, { id?, userId? }) -> Connection (with an id)
// Without `rpc`, a runner uses one lazily started RpcServer shared by the process.
//
// It is a test and demo harness: never imported by an app. It runs zapier-platform-core's handler,
// the adopter's own copy (a peer dependency), so it is part of the conformance entry only.

import path from 'node:path';
import zapier from 'zapier-platform-core';
import { type CoreErrorParts, parseCoreError, isRecord } from '../internal';
import { type RpcServer, startRpcServer, storeKeyFor } from './rpc-server';

export type AuthData = Record<string, string | number>;

export interface Connection {
  /** Zapier's authentication id: the 'auth' cache scope. */
  id: string;
  /** The Zapier user who owns the connection: the 'user' cache scope. */
  userId: string;
  authData: AuthData;
  stale: boolean;
  staleReason: string | null;
  /** Successful refreshes done for this connection. */
  refreshes: number;
}

export interface ErrorDescription {
  name: string;
  message: string;
  status: number | null;
  /** ThrottledError's delay in seconds. */
  delay: number | null;
  /** AppError's code. */
  code: string | null;
}

export interface StepOutcome<T = unknown> {
  ok: boolean;
  results?: T;
  error?: ErrorDescription;
  refreshed: boolean;
  /** True when the connection went stale during this step. */
  staled: boolean;
  /** What core's output checks found, as production logs it (never a failure). */
  checks: string[];
}

export interface RefreshOutcome {
  ok: boolean;
  error?: ErrorDescription;
  /** True when this refresh's error makes the connection stale (Zapier's rule). */
  staled: boolean;
}

export interface RunnerOptions {
  /** The built app's entry (default: index.js in the working directory, a Zapier project's root). */
  appPath?: string;
  /** An app definition instead of a path (tests of the harness itself). */
  app?: object;
  /** The RPC stand-in for z.cache / z.cursor; default: one shared by the process. */
  rpc?: RpcServer;
  /** The RPC stand-in's URL, when it runs in another process (the repository's tools/harness/child-run.ts). */
  rpcUrl?: string;
  /** Zapier's limit on one request to the app, ms (rule 5). Default 30 000. */
  limitMs?: number;
  /**
   * Receives every log entry core writes, HTTP logs included, once core's scrubber has been
   * through it: what core would stream to Zapier's log server (src/tools/create-logger.js,
   * sendLog hands the same safe message and data to `event.customLogger`).
   */
  log?: (message: string, data: Record<string, unknown>) => void;
}

/** Zapier ends a request to the app after 30 s (rule 5). */
export const ZAPIER_LIMIT_MS = 30_000;

/** What the runner throws when an invocation outlasts its limit: Zapier gave up on it. */
export class ZapierTimeout extends Error {
  constructor(method: string, limitMs: number) {
    super(
      `Zapier ended ${method} after ${limitMs / 1000} s without an answer; anything it returned later is lost.`,
    );
    this.name = 'ZapierTimeout';
  }
}

export interface InvokeOptions {
  /** Whose run this is: names the token's user and connection. */
  connection?: Pick<Connection, 'id' | 'userId'>;
  /** The cursor's owner (a dropdown's pages share one); default `<connection id>:<method>`. */
  storeKey?: string;
}

type Handler = (event: Record<string, unknown>) => Promise<{ results: unknown }>;

interface ZapierCore {
  createAppHandler(app: unknown): Handler;
}

interface CoreCheck {
  name: string;
  shouldRun(method: string, bundle: unknown, compiledApp: unknown): boolean;
  run(method: string, results: unknown, compiledApp: unknown, bundle: unknown): string[];
}

/** Core's own output checks and app compiler, reached by path (the package exports only its root). */
const CORE_SRC = path.join(path.dirname(require.resolve('zapier-platform-core')), 'src');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const CORE_CHECKS = Object.values(require(path.join(CORE_SRC, 'checks')) as Record<string, CoreCheck>);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareApp } = require(path.join(CORE_SRC, 'tools', 'schema')) as {
  prepareApp(app: unknown): unknown;
};

/** 4xx statuses from refreshAccessToken that Zapier treats as temporary (docs, 2025-09-08). */
export const TEMPORARY_4XX = new Set([408, 409, 423, 425, 429]);

export interface Verdict {
  stale: boolean;
  /** Which rule decided, for messages and tests. */
  rule: string;
}

/** Does this error, thrown by refreshAccessToken, make the connection stale? (header, rule 2) */
export function refreshVerdict(error: unknown): Verdict {
  const parts = parseCoreError(error);
  if (parts.name === 'ExpiredAuthError') return { stale: true, rule: 'ExpiredAuthError' };
  const { status } = parts;
  if (status === null) return { stale: false, rule: `${parts.name} without an HTTP status` };
  if (status >= 400 && status < 500) {
    if (TEMPORARY_4XX.has(status)) return { stale: false, rule: `HTTP ${status} is a temporary 4xx` };
    return { stale: true, rule: `HTTP ${status}` };
  }
  return { stale: false, rule: `HTTP ${status} is not a 4xx` };
}

/** Does this error, thrown by a step, make the connection stale? (header, rule 2) */
export function stepVerdict(error: unknown): Verdict {
  const { name } = parseCoreError(error);
  return name === 'ExpiredAuthError'
    ? { stale: true, rule: 'ExpiredAuthError' }
    : { stale: false, rule: `${name} from a step` };
}

function describe(parts: CoreErrorParts): ErrorDescription {
  return {
    name: parts.name,
    message: parts.message,
    status: parts.status,
    delay: parts.delay,
    code: parts.code,
  };
}

/** {name, message, status, delay, code} of an error core threw (layer/core-error-parts.ts). */
export function describeError(error: unknown): ErrorDescription {
  return describe(parseCoreError(error));
}

/** Renders a connectionLabel template over the test result as Zapier does (nested keys as a__b). */
export function renderLabel(
  app: { authentication?: { connectionLabel?: unknown } },
  me: Record<string, unknown>,
): string {
  const template = app.authentication?.connectionLabel;
  if (typeof template !== 'string') throw new Error('connectionLabel must be a template string');
  return template.replace(/{{\s*([\w.]+)\s*}}/g, (_m, key: string) => {
    let value: unknown = me;
    for (const part of key.replace(/__/g, '.').split('.')) {
      value = isRecord(value) ? value[part] : undefined;
    }
    return value === undefined || value === null ? '' : String(value);
  });
}

let connectionSerial = 0;

export function newConnection(authData: AuthData, ids: { id?: string; userId?: string } = {}): Connection {
  connectionSerial += 1;
  return {
    id: ids.id ?? `conn-${process.pid}-${connectionSerial}`,
    userId: ids.userId ?? 'user-1',
    authData: { ...authData },
    stale: false,
    staleReason: null,
    refreshes: 0,
  };
}

/** Who runs when no connection is named (authorizeUrl, or a bare invoke). */
const NOBODY = { id: 'no-connection', userId: 'no-user' };

let sharedRpc: Promise<RpcServer> | null = null;

/** The process-wide RpcServer for runners given none; it does not keep the process alive. */
export function defaultRpcServer(): Promise<RpcServer> {
  sharedRpc ??= startRpcServer({ unref: true });
  return sharedRpc;
}

export class ZapierRunner {
  private readonly handler: Handler;
  private readonly app: { authentication?: { connectionLabel?: unknown } };
  private readonly compiledApp: unknown;
  private readonly rpcServer: Promise<RpcServer> | null;
  private readonly rpcUrl: Promise<string>;
  private readonly limitMs: number;
  private readonly log: RunnerOptions['log'];

  constructor(options: string | RunnerOptions = {}) {
    const opts: RunnerOptions = typeof options === 'string' ? { appPath: options } : options;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const app = (opts.app ?? require(opts.appPath ?? path.resolve(process.cwd(), 'index.js'))) as {
      authentication?: { connectionLabel?: unknown };
    };
    this.app = app;
    this.compiledApp = prepareApp(app);
    this.handler = (zapier as unknown as ZapierCore).createAppHandler(app);
    this.rpcServer = opts.rpc ? Promise.resolve(opts.rpc) : opts.rpcUrl ? null : defaultRpcServer();
    this.rpcUrl = opts.rpcUrl
      ? Promise.resolve(opts.rpcUrl)
      : (this.rpcServer ?? defaultRpcServer()).then((rpc) => rpc.url);
    this.limitMs = opts.limitMs ?? ZAPIER_LIMIT_MS;
    this.log = opts.log;
    // Without an event token core's RPC client authenticates with a deploy key
    // (src/tools/create-rpc-client.js); the stand-in ignores its value.
    process.env.ZAPIER_DEPLOY_KEY ??= 'practice-harness-stand-in';
  }

  /** The RPC stand-in this runner's z.cache and z.cursor talk to. */
  rpc(): Promise<RpcServer> {
    if (!this.rpcServer) throw new Error('this runner talks to an RPC stand-in in another process');
    return this.rpcServer;
  }

  /** One run through core's handler; the results, and what the output checks found. */
  private async execute(
    method: string,
    bundle: Record<string, unknown>,
    options: InvokeOptions,
  ): Promise<{ results: unknown; checks: string[] }> {
    const rpcUrl = await this.rpcUrl;
    const who = options.connection ?? NOBODY;
    const asked = Array.isArray(bundle.skipChecks) ? bundle.skipChecks : [];
    const response = await this.withinLimit(
      method,
      this.handler({
        command: 'execute',
        method,
        bundle: { ...bundle, skipChecks: CORE_CHECKS.map((c) => c.name) },
        rpc_base: rpcUrl,
        // No event token (it would switch on core's log streaming): the caller rides in storeKey.
        storeKey: storeKeyFor(
          { user: who.userId, connection: who.id },
          options.storeKey ?? `${who.id}:${method}`,
        ),
        calledFromCli: true,
        calledFromCliInvoke: true,
        ...(this.log ? { customLogger: this.log } : {}),
      }),
    );
    // As checks.js does in production, with the bundle the app saw.
    const checks = CORE_CHECKS.filter(
      (check) => !asked.includes(check.name) && check.shouldRun(method, bundle, this.compiledApp),
    ).flatMap((check) =>
      check
        .run(method, response.results, this.compiledApp, bundle)
        .map((error) => `Zapier check "${check.name}" failed: ${error}`),
    );
    return { results: response.results, checks };
  }

  /** `running`, or ZapierTimeout once the limit passes (rule 5). */
  private async withinLimit<T>(method: string, running: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new ZapierTimeout(method, this.limitMs)), this.limitMs);
    });
    try {
      return await Promise.race([running, limit]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One plain invocation; throws what core throws. */
  async invoke<T = unknown>(
    method: string,
    bundle: Record<string, unknown>,
    options: InvokeOptions = {},
  ): Promise<T> {
    return (await this.execute(method, bundle, options)).results as T;
  }

  /** Exchanges an authorization code, then runs `test` like Zapier does when a user connects. */
  async connect(
    inputData: Record<string, unknown>,
    ids: { id?: string; userId?: string } = {},
  ): Promise<{ connection: Connection; label: string }> {
    const connection = newConnection({}, ids);
    const tokens = await this.invoke<AuthData>(
      'authentication.oauth2Config.getAccessToken',
      { inputData, authData: {} },
      { connection },
    );
    const me = await this.invoke<Record<string, unknown>>(
      'authentication.test',
      { authData: tokens, inputData: {} },
      { connection },
    );
    connection.authData = { ...tokens };
    return { connection, label: renderLabel(this.app, me) };
  }

  /** Runs a step on a connection, refreshing and retrying once as Zapier does. */
  async runStep<T = unknown>(
    connection: Connection,
    method: string,
    bundle: Record<string, unknown> = {},
    options: { storeKey?: string } = {},
  ): Promise<StepOutcome<T>> {
    if (connection.stale) {
      return {
        ok: false,
        error: {
          name: 'StaleConnection',
          message: connection.staleReason ?? 'stale',
          status: null,
          delay: null,
          code: null,
        },
        refreshed: false,
        staled: false,
        checks: [],
      };
    }
    let refreshed = false;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      // What this run holds: its refresh, if it needs one, starts from these tokens.
      const held = { ...connection.authData };
      try {
        const run = await this.execute(
          method,
          { inputData: {}, ...bundle, authData: held },
          { connection, storeKey: options.storeKey },
        );
        return { ok: true, results: run.results as T, refreshed, staled: false, checks: run.checks };
      } catch (error) {
        const parts = parseCoreError(error);
        if (stepVerdict(error).stale) {
          this.markStale(connection, parts.message);
          return { ok: false, error: describe(parts), refreshed, staled: true, checks: [] };
        }
        if (parts.name !== 'RefreshAuthError' || attempt === 1) {
          return { ok: false, error: describe(parts), refreshed, staled: false, checks: [] };
        }
        const refresh = await this.refresh(connection, held);
        if (!refresh.ok) {
          return { ok: false, error: refresh.error, refreshed, staled: refresh.staled, checks: [] };
        }
        refreshed = true;
      }
    }
    throw new Error('unreachable');
  }

  /**
   * refreshAccessToken on the authData a run held (default: the connection's); merges the
   * result into the connection like Zapier, last writer winning.
   */
  async refresh(connection: Connection, held: AuthData = connection.authData): Promise<RefreshOutcome> {
    try {
      const fresh = await this.invoke<AuthData>(
        'authentication.oauth2Config.refreshAccessToken',
        { authData: { ...held }, inputData: {} },
        { connection },
      );
      connection.authData = { ...connection.authData, ...fresh };
      connection.refreshes += 1;
      return { ok: true, staled: false };
    } catch (error) {
      const parts = parseCoreError(error);
      const verdict = refreshVerdict(error);
      if (verdict.stale) this.markStale(connection, parts.message);
      return { ok: false, error: describe(parts), staled: verdict.stale };
    }
  }

  private markStale(connection: Connection, reason: string): void {
    connection.stale = true;
    connection.staleReason = reason;
  }
}
