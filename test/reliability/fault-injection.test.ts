// Hostile network and hostile answers between the app and Practice: a proxy in
// front of the sandbox breaks the next request, and every step family must end in
// a typed Zapier error a person can read — never a crash, never an error body
// returned as data, never a refresh.
import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAULTS, type Fault, type FaultProxy, RETRY_AFTER_SECONDS, startFaultProxy } from './fault-proxy';
import {
  AUTH_TEST,
  type Connection,
  connectOwner,
  CRASH_TEXT,
  CREATE,
  FIND,
  formatError,
  hasMethod,
  POLL,
  POLL_LIST,
  type Sandbox,
  startQuietSandbox,
  useEnvironment,
  withDeadline,
  ZAPIER_ERROR_NAMES,
  newRunner,
  type ZapierRunner,
} from '../../tools/harness/practice-runs';

const TIMEOUT_MS = 300;

let sandbox: Sandbox;
let proxy: FaultProxy;
let runner: ZapierRunner;
let connection: Connection;

interface Family {
  name: string;
  method: string;
  inputData: Record<string, unknown>;
  /** Path of the step's first request, where the fault is injected. */
  path: string;
  write: boolean;
}

// Every step family, as far as the built app has it by now.
const FAMILIES: Family[] = [
  {
    name: 'polling trigger updated_client',
    method: POLL,
    inputData: {},
    path: '/api/v1/clients',
    write: false,
  },
  {
    name: 'new_client polling list',
    method: POLL_LIST,
    inputData: {},
    path: '/api/v1/clients',
    write: false,
  },
  {
    name: 'create create_client',
    method: CREATE,
    inputData: { name: 'Fault Test Ltd', email: 'fault@test.example' },
    path: '/api/v1/clients',
    write: true,
  },
  {
    name: 'legacy search find_client',
    method: FIND,
    inputData: { name: 'A' },
    path: '/api/v1/clients/search',
    write: false,
  },
  { name: 'auth test', method: AUTH_TEST, inputData: {}, path: '/api/v1/me', write: false },
  {
    name: 'legacy create create_task',
    method: 'creates.create_task.operation.perform',
    inputData: { project_id: 'prj_000001', title: 'Fault test task' },
    path: '/api/v1/tasks',
    write: true,
  },
  {
    name: 'legacy create complete_task',
    method: 'creates.complete_task.operation.perform',
    inputData: { task_id: 'tsk_000001' },
    path: '/api/v1/tasks/',
    write: true,
  },
].filter((family) => hasMethod(family.method));

/** What each fault must turn into, whatever the step. */
const EXPECTED: Record<Fault, { name: string; message: RegExp; delay?: number }> = {
  reset: { name: 'AppError', message: /^Could not reach Practice: the connection was reset/ },
  timeout: {
    name: 'AppError',
    message: /^Could not reach Practice: Practice did not answer within 0\.3 seconds/,
  },
  http_500: { name: 'AppError', message: /^Practice had an internal error \(HTTP 500 internal\)/ },
  http_503_retry_after: {
    name: 'ThrottledError',
    message: new RegExp(
      `temporarily unavailable \\(HTTP 503 unavailable\\)\\. Zapier will retry after ${RETRY_AFTER_SECONDS} seconds`,
    ),
    delay: RETRY_AFTER_SECONDS,
  },
  http_502_html: { name: 'AppError', message: /^Practice is temporarily unavailable \(HTTP 502\)/ },
  html_200: { name: 'AppError', message: /^Practice answered with something this integration cannot read/ },
  empty_200: {
    name: 'AppError',
    message: /^Practice answered \/api\/v1\/\S+ with .*not what its API documents/,
  },
  truncated_json: {
    name: 'AppError',
    message: /^Practice answered with something this integration cannot read/,
  },
  cut_mid_body: {
    name: 'AppError',
    message: /^Could not reach Practice: Practice did not answer within 0\.3 seconds/,
  },
  json_array: {
    name: 'AppError',
    message: /^Practice answered \/api\/v1\/\S+ with .*not what its API documents/,
  },
};

beforeAll(async () => {
  sandbox = await startQuietSandbox({ quirks: { K7: false } });
  proxy = await startFaultProxy(sandbox.url);
  useEnvironment(sandbox, proxy.url);
  process.env.OAUTH_REQUEST_TIMEOUT_MS = String(TIMEOUT_MS);
  runner = newRunner();
  connection = await connectOwner(runner, sandbox);
});

afterAll(async () => {
  delete process.env.OAUTH_REQUEST_TIMEOUT_MS;
  await proxy?.close();
  await sandbox?.close();
});

beforeEach(() => {
  proxy.reset();
  sandbox.resetRequestLog();
});

const CASES = FAMILIES.flatMap((family) => FAULTS.map((fault) => [family.name, fault, family] as const));

describe.each(CASES)('%s when the API answers with fault %s', (_name, fault, family) => {
  it('fails with a typed Zapier error that says what happened, without refreshing', async () => {
    proxy.arm(fault, { pathPrefix: family.path });
    const outcome = await withDeadline(
      runner.runStep(connection, family.method, { inputData: family.inputData }),
      5 * TIMEOUT_MS + 1000,
      family.method,
    );

    // The fault really was injected, once, into this step's first request.
    expect(proxy.log.filter((entry) => entry.fault !== null)).toEqual([
      expect.objectContaining({ fault, path: expect.stringMatching(/^\/api\/v1\//) }),
    ]);
    expect(outcome.ok).toBe(false);
    expect(outcome.results).toBeUndefined();
    const error = outcome.error ?? { name: 'none', message: '', status: null, delay: null, code: null };
    const expected = EXPECTED[fault];
    expect(ZAPIER_ERROR_NAMES.has(error.name)).toBe(true);
    expect(formatError(error)).toMatch(new RegExp(`^${expected.name}: `));
    expect(error.message).toMatch(expected.message);
    expect(error.message).not.toMatch(CRASH_TEXT);
    expect(error.message).not.toContain(String(connection.authData.access_token));
    if (expected.delay !== undefined) expect(error.delay).toBe(expected.delay);
    // A write that may have landed must not be retried blindly.
    if (family.write && (fault === 'reset' || fault === 'timeout' || fault === 'cut_mid_body')) {
      expect(error.message).toMatch(/check Practice before running this step again/);
    }

    expect(outcome.refreshed).toBe(false);
    expect(connection.stale).toBe(false);
    expect(sandbox.countRequests({ method: 'POST', path: '/oauth/token' })).toBe(0);
  });
});

describe('below HTTP', () => {
  it.each(FAMILIES.map((f) => [f.name, f] as const))(
    '%s fails with a typed error when the connection is refused',
    async (_name, family) => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      process.env.BASE_URL = `http://127.0.0.1:${port}`;
      try {
        const outcome = await runner.runStep(connection, family.method, { inputData: family.inputData });
        expect(outcome.error?.name).toBe('AppError');
        expect(outcome.error?.message).toMatch(/^Could not reach Practice: the connection was refused/);
        expect(outcome.error?.message).not.toMatch(CRASH_TEXT);
        expect(outcome.refreshed).toBe(false);
      } finally {
        process.env.BASE_URL = proxy.url;
      }
    },
  );

  it('fails with a typed error when Practice’s host name does not resolve', async () => {
    // No DNS query leaves the machine: the lookup for this one name is answered here with
    // the error getaddrinfo gives for a name that does not exist; every other name still
    // goes to the real resolver (none is used: the sandbox and RPC server are IPs).
    const realLookup = dns.lookup;
    const lookup = jest.spyOn(dns, 'lookup').mockImplementation(((
      hostname: string,
      options: unknown,
      callback?: (error: NodeJS.ErrnoException | null, ...rest: unknown[]) => void,
    ) => {
      const done = typeof options === 'function' ? (options as typeof callback) : callback;
      if (hostname !== 'practice.invalid') {
        return (realLookup as (...args: unknown[]) => void)(hostname, options, callback);
      }
      const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: 'ENOTFOUND',
        errno: -3008,
        syscall: 'getaddrinfo',
        hostname,
      });
      process.nextTick(() => done?.(error));
    }) as unknown as typeof dns.lookup);
    process.env.BASE_URL = 'https://practice.invalid';
    try {
      const outcome = await runner.runStep(connection, POLL);
      expect(lookup).toHaveBeenCalledWith('practice.invalid', expect.anything(), expect.any(Function));
      expect(outcome.error?.name).toBe('AppError');
      expect(outcome.error?.message).toMatch(
        /^Could not reach Practice: the address practice\.invalid could not be resolved \(DNS\)/,
      );
      expect(outcome.refreshed).toBe(false);
    } finally {
      lookup.mockRestore();
      process.env.BASE_URL = proxy.url;
    }
  });

  it('lets a step succeed once the network recovers', async () => {
    proxy.arm('reset', { pathPrefix: '/api/v1/clients' });
    expect((await runner.runStep(connection, POLL)).ok).toBe(false);
    const again = await runner.runStep<unknown[]>(connection, POLL);
    expect(again.ok).toBe(true);
    expect(again.results?.length).toBeGreaterThan(0);
  });
});

// A refresh that meets a network fault must fail like any step (typed, readable) and
// must not mark the connection stale: nothing is wrong with the grant.
describe('faults on the token endpoint during a refresh', () => {
  const TRANSIENT: Fault[] = [
    'reset',
    'timeout',
    'http_500',
    'http_503_retry_after',
    'html_200',
    'truncated_json',
  ];

  async function refreshThrough(fault: Fault) {
    const fresh = await connectOwner(runner, sandbox);
    fresh.authData.expires_at = Math.floor(Date.now() / 1000) - 5;
    proxy.reset();
    proxy.arm(fault, { pathPrefix: '/oauth/token' });
    // The token request has no timeout of its own: give up on it after a while.
    const step = runner.runStep(fresh, POLL);
    let hung = false;
    const guard = setTimeout(() => {
      hung = true;
      proxy.reset();
    }, 1500);
    const outcome = await step;
    clearTimeout(guard);
    return { outcome, hung, fresh };
  }

  it.each(TRANSIENT)('fails readably and keeps the connection on %s', async (fault) => {
    const { outcome, hung, fresh } = await refreshThrough(fault);
    expect(hung).toBe(false);
    expect(ZAPIER_ERROR_NAMES.has(outcome.error?.name ?? '')).toBe(true);
    expect(outcome.error?.message).not.toMatch(CRASH_TEXT);
    expect(fresh.stale).toBe(false);
  });
});
