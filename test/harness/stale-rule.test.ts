// The harness's stale rule, case by case, through core's real handler: a step that needs a
// refresh meets a refreshAccessToken that fails one way, and the connection is stale or not
// as Zapier decides (docs.zapier.com/platform/news/4xx-errors-refreshAccessToken).
import { type RpcServer, startRpcServer } from 'zapier-oauth-layer/conformance';
import { newConnection, refreshVerdict, ZapierRunner } from 'zapier-oauth-layer/conformance';
import { closedPort, startTokenServer, type TokenServer, tinyApp } from './tiny-app';

let tokens: TokenServer;
let rpc: RpcServer;
let runner: ZapierRunner;

beforeAll(async () => {
  tokens = await startTokenServer();
  rpc = await startRpcServer();
  runner = new ZapierRunner({ app: tinyApp(tokens.url, await closedPort()), rpc });
});

afterAll(async () => {
  await rpc?.close();
  await tokens?.close();
});

const STEP = 'triggers.thing.operation.perform';

// [case, refresh mode, error name Zapier sees, its status, stale?]
const CASES: [string, string, string, number | null, boolean][] = [
  ['HTTP 400 from the token endpoint', 'http:400', 'ResponseError', 400, true],
  // autoRefresh: core turns a 401 into RefreshAuthError before anything else (throw-for-stale-auth.js).
  ['HTTP 401 from the token endpoint', 'http:401', 'RefreshAuthError', null, false],
  ['AppError status 401 (invalid_client)', 'AppError:401:invalid_client', 'AppError', 401, true],
  ['HTTP 403 from the token endpoint', 'http:403', 'ResponseError', 403, true],
  ['HTTP 404 from the token endpoint', 'http:404', 'ResponseError', 404, true],
  ['HTTP 408 from the token endpoint', 'http:408', 'ResponseError', 408, false],
  ['HTTP 409 from the token endpoint', 'http:409', 'ResponseError', 409, false],
  ['HTTP 423 from the token endpoint', 'http:423', 'ResponseError', 423, false],
  ['HTTP 425 from the token endpoint', 'http:425', 'ResponseError', 425, false],
  // Core throws its own ThrottledError for a 429 (throw-for-throttling.js): no status at all.
  ['HTTP 429 from the token endpoint', 'http:429', 'ThrottledError', null, false],
  ['AppError status 429', 'AppError:429:rate_limited', 'AppError', 429, false],
  ['AppError status 400 (invalid_grant)', 'AppError:400:invalid_grant', 'AppError', 400, true],
  ['HTTP 500 from the token endpoint', 'http:500', 'ResponseError', 500, false],
  ['HTTP 503 from the token endpoint', 'http:503', 'ResponseError', 503, false],
  ['AppError status 500', 'AppError:500:configuration', 'AppError', 500, false],
  ['ThrottledError', 'ThrottledError', 'ThrottledError', null, false],
  ['ExpiredAuthError', 'ExpiredAuthError', 'ExpiredAuthError', null, true],
  ['RefreshAuthError thrown by refreshAccessToken', 'RefreshAuthError', 'RefreshAuthError', null, false],
];

describe.each(CASES)('refreshAccessToken fails with %s', (_case, mode, name, status, stale) => {
  it(`${stale ? 'marks' : 'does not mark'} the connection stale`, async () => {
    const connection = newConnection({ access_token: 'old', refresh_token: 'r1', mode });
    const outcome = await runner.runStep(connection, STEP);
    expect(outcome.ok).toBe(false);
    expect(outcome.refreshed).toBe(false);
    expect(outcome.error?.name).toBe(name);
    expect(outcome.error?.status).toBe(status);
    expect(outcome.staled).toBe(stale);
    expect(connection.stale).toBe(stale);
    // A stale connection runs nothing more; a healthy one runs again once the refresh works.
    connection.authData.mode = 'ok';
    const next = await runner.runStep(connection, STEP);
    expect(next.ok).toBe(!stale);
    if (stale) expect(next.error?.name).toBe('StaleConnection');
  });
});

it('does not mark the connection stale when the token endpoint cannot be reached', async () => {
  const connection = newConnection({ access_token: 'old', refresh_token: 'r1', mode: 'network' });
  const outcome = await runner.runStep(connection, STEP);
  expect(outcome.ok).toBe(false);
  expect(outcome.error?.status).toBeNull();
  expect(outcome.error?.message).toMatch(/ECONNREFUSED/);
  expect(connection.stale).toBe(false);
});

it('marks the connection stale when a step throws ExpiredAuthError, without refreshing', async () => {
  const connection = newConnection({ access_token: 'dead', refresh_token: 'r1', mode: 'ok' });
  const outcome = await runner.runStep(connection, STEP);
  expect(outcome.error?.name).toBe('ExpiredAuthError');
  expect(outcome.staled).toBe(true);
  expect(outcome.refreshed).toBe(false);
  expect(connection.refreshes).toBe(0);
});

it('refreshes once, merges the new fields and retries the step', async () => {
  const connection = newConnection({ access_token: 'old', refresh_token: 'r1', mode: 'ok' });
  const outcome = await runner.runStep<{ token: string }[]>(connection, STEP);
  expect(outcome.ok).toBe(true);
  expect(outcome.refreshed).toBe(true);
  expect(outcome.results?.[0]?.token).toBe('fresh-from-r1');
  expect(connection.authData).toEqual({ access_token: 'fresh-from-r1', refresh_token: 'r1', mode: 'ok' });
  expect(connection.refreshes).toBe(1);
});

describe('refreshVerdict on its own', () => {
  it('reads the status out of core error JSON, core trailer or not', () => {
    const appError = (status: number) =>
      Object.assign(new Error(JSON.stringify({ message: 'm', code: 'c', status })), { name: 'AppError' });
    expect(refreshVerdict(appError(401)).stale).toBe(true);
    expect(refreshVerdict(appError(425)).stale).toBe(false);
    const trailed = appError(400);
    trailed.message += '\nWhat happened:\n  Executing authentication.oauth2Config.refreshAccessToken';
    expect(refreshVerdict(trailed)).toEqual({ stale: true, rule: 'HTTP 400' });
    expect(refreshVerdict(new Error('socket hang up')).stale).toBe(false);
  });
});
