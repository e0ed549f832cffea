// Shared by the reliability suites and the bench scripts: a sandbox, the built app
// under ZapierRunner, and a connection made through the real consent page.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { consent } from './consent';
import {
  type AuthData,
  type Connection,
  type ErrorDescription,
  newConnection,
  ZapierRunner,
} from 'zapier-oauth-layer/conformance';
import { type RpcServer, startRpcServer } from 'zapier-oauth-layer/conformance';
import { DEMO_MEMBERS, startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/server';

export const REDIRECT_URI = 'http://localhost:9000';
export const OWNER_EMAIL = DEMO_MEMBERS.find((m) => m.role === 'owner')?.email ?? 'owner@ledger.example';

/** new_client became a REST hook; its polling twin is performList. */
export const POLL_LIST = 'triggers.new_client.operation.performList';
export const POLL = 'triggers.updated_client.operation.perform';
export const CREATE = 'creates.create_client.operation.perform';
export const FIND = 'searches.find_client.operation.perform';
export const AUTH_TEST = 'authentication.test';

/** The built app: index.js -> dist/, or another build (an unzipped build.zip) via PRACTICE_APP_PATH. */
export const APP_PATH = process.env.PRACTICE_APP_PATH ?? path.resolve(__dirname, '..', '..', 'index.js');

/** The built app under the runner; `rpc` is the z.cache / z.cursor stand-in (default: the process's shared one). */
export function newRunner(rpc?: RpcServer): ZapierRunner {
  return new ZapierRunner({ appPath: APP_PATH, rpc });
}

/** Points the app's environment at `baseUrl` (the sandbox, or a proxy in front of it). */
export function useEnvironment(sandbox: Sandbox, baseUrl: string = sandbox.url): void {
  process.env.BASE_URL = baseUrl;
  process.env.CLIENT_ID = sandbox.clientId;
  process.env.CLIENT_SECRET = sandbox.clientSecret;
}

export async function startQuietSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ host: '127.0.0.1', port: 0, ...opts });
}

/** The sandbox, the z.cache stand-in and the app's runner against them, as Zapier runs the app. */
export interface PracticeRuns {
  sandbox: Sandbox;
  rpc: RpcServer;
  runner: ZapierRunner;
  /** Closes the stand-in, then the sandbox. */
  close(): Promise<void>;
}

/**
 * Starts a sandbox (`opts`) and its own RPC stand-in for z.cache, points the app's environment
 * at the sandbox, and gives a runner that uses that stand-in.
 */
export async function startPracticeRuns(opts: SandboxOptions = {}): Promise<PracticeRuns> {
  const sandbox = await startQuietSandbox(opts);
  let rpc: RpcServer;
  try {
    rpc = await startRpcServer();
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  useEnvironment(sandbox);
  return {
    sandbox,
    rpc,
    runner: newRunner(rpc),
    close: async () => {
      await rpc.close();
      await sandbox.close();
    },
  };
}

/** Connects the owner through the consent page, as a user in the Zap editor would. */
export async function connectOwner(
  runner: ZapierRunner,
  sandbox: Sandbox,
  ids: { id?: string; userId?: string } = {},
): Promise<Connection> {
  const connection = newConnection({}, ids);
  const state = `state-${Math.random().toString(36).slice(2)}`;
  const url = await runner.invoke<string>('authentication.oauth2Config.authorizeUrl', {
    inputData: { redirect_uri: REDIRECT_URI, state },
  });
  const answer = await consent(url, { email: OWNER_EMAIL, password: sandbox.demoPassword });
  if (!answer.code) throw new Error(`consent gave no code: ${answer.location}`);
  // Exchange and test as Zapier does on connect; the label is the e2e suite's business.
  const tokens = await runner.invoke<AuthData>(
    'authentication.oauth2Config.getAccessToken',
    { inputData: { code: answer.code, redirect_uri: REDIRECT_URI }, authData: {} },
    { connection },
  );
  await runner.invoke(AUTH_TEST, { authData: tokens, inputData: {} }, { connection });
  connection.authData = { ...tokens };
  return connection;
}

/** The app definition the runner loads, to see which steps exist by now. */
export function builtApp(): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(APP_PATH) as Record<string, unknown>;
}

/** True when the built app has a function at this dotted method path. */
export function hasMethod(method: string): boolean {
  let node: unknown = builtApp();
  for (const key of method.split('.')) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return typeof node === 'function';
}

/** Zapier error names a step may end with when the API misbehaves (never a JS runtime error). */
export const ZAPIER_ERROR_NAMES = new Set(['AppError', 'ThrottledError']);

/** Text that betrays a crash or a leaked internal rather than a message written for a person. */
export const CRASH_TEXT =
  /TypeError|SyntaxError|ReferenceError|RangeError|FetchError|Cannot read prop|Unexpected (token|end)|is not a function|\bundefined\b|\bnull\b|\[object Object\]|\bNaN\b/;

export function formatError(error: ErrorDescription | undefined): string {
  return error ? `${error.name}: ${error.message}` : '(no error)';
}

export { ZapierRunner };
export type { Connection, Sandbox };

/** Resolves like `promise`, or rejects once `ms` pass: a hung step must fail the test, not stall it. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a run of `connection` (as worker `id`) in its own process (tools/harness/child-run.ts, one
 * node process, so SIGKILL kills the run itself) and kills it once its token request reaches
 * the sandbox, which then drops that request unhandled. The refresh token's lock stays behind,
 * as after a Lambda killed mid-request.
 */
export async function killHolderMidRequest(
  sandbox: Sandbox,
  rpc: RpcServer,
  connection: Connection,
  id = `${connection.id}-doomed`,
): Promise<void> {
  const hold = sandbox.holdTokenRequests(1);
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, 'child-run.ts')], {
    env: {
      ...process.env,
      HARNESS_CHILD_RUN: JSON.stringify({
        appPath: APP_PATH,
        rpcUrl: rpc.url,
        connection: newConnection({ ...connection.authData }, { id, userId: connection.userId }),
        method: POLL,
      }),
    },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    const held = await withDeadline(
      Promise.race([
        hold.next(),
        exited.then(() => {
          throw new Error('the run to be killed ended before its token request');
        }),
      ]),
      20_000,
      "the doomed run's token request",
    );
    child.kill('SIGKILL');
    await exited;
    held.drop();
  } finally {
    hold.end();
    child.kill('SIGKILL');
  }
}
