// The runner's own Zapier rules beyond the stale rule: output checks logged, never thrown;
// refresh + retry once; runs of one connection never serialised; a refresh result merged
// when it arrives, the last writer winning even with an older pair.
import zapier from 'zapier-platform-core';
import { type RpcServer, startRpcServer } from 'zapier-oauth-layer/conformance';
import { newConnection, ZapierRunner } from 'zapier-oauth-layer/conformance';
import { failureOf } from '../errors';
import { withDeadline } from '../../tools/harness/practice-runs';
import { closedPort, startTokenServer, type TokenServer, tinyApp } from './tiny-app';

let tokens: TokenServer;
let rpc: RpcServer;
let runner: ZapierRunner;
let app: ReturnType<typeof tinyApp>;

beforeAll(async () => {
  tokens = await startTokenServer();
  rpc = await startRpcServer();
  app = tinyApp(tokens.url, await closedPort());
  runner = new ZapierRunner({ app, rpc });
});

afterAll(async () => {
  await rpc?.close();
  await tokens?.close();
});

const THING = 'triggers.thing.operation.perform';

describe('output checks', () => {
  it.each([
    ['triggers.no_id.operation.perform', 'triggerHasId'],
    ['triggers.not_a_list.operation.perform', 'triggerIsArray'],
  ])('%s succeeds, with what %s found on the outcome', async (method, check) => {
    const outcome = await runner.runStep(newConnection({ access_token: 'a' }), method);
    expect(outcome.ok).toBe(true);
    expect(outcome.results).toBeDefined();
    expect(outcome.checks).toContainEqual(
      expect.stringMatching(new RegExp(`^Zapier check "${check}" failed: `)),
    );
  });

  it('finds nothing on a good result', async () => {
    const outcome = await runner.runStep(newConnection({ access_token: 'a' }), THING);
    expect(outcome.checks).toEqual([]);
  });

  it('respects checks the bundle asks to skip', async () => {
    const outcome = await runner.runStep(
      newConnection({ access_token: 'a' }),
      'triggers.no_id.operation.perform',
      {
        skipChecks: ['triggerHasId'],
      },
    );
    expect(outcome.checks).toEqual([]);
  });

  // What the runner prevents: core under jest (IS_TESTING) throws, as it does for the CLI.
  it('would fail the step if core’s handler were called as the CLI calls it', async () => {
    const handler = (
      zapier as unknown as { createAppHandler(a: unknown): (e: unknown) => Promise<unknown> }
    ).createAppHandler(app);
    const error = await failureOf(
      handler({
        command: 'execute',
        method: 'triggers.no_id.operation.perform',
        bundle: { authData: {}, inputData: {} },
        calledFromCli: true,
      }),
    );
    expect(error.name).toBe('CheckError');
  });
});

describe('refresh and retry', () => {
  it('retries once: a second RefreshAuthError fails the step, not the connection', async () => {
    const connection = newConnection({ access_token: 'old', refresh_token: 'r1', mode: 'same' });
    const outcome = await runner.runStep(connection, THING);
    expect(outcome.ok).toBe(false);
    expect(outcome.error?.name).toBe('RefreshAuthError');
    expect(outcome.refreshed).toBe(true);
    expect(connection.refreshes).toBe(1);
    expect(connection.stale).toBe(false);
  });
});

describe('concurrency', () => {
  it.each([2, 8, 50])('runs %i steps of one connection at once (none waits for another)', async (n) => {
    // Each run waits at the barrier until all n are there: a runner that serialised runs hangs.
    tokens.setBarrier(n);
    const connection = newConnection({ access_token: 'a' });
    const outcomes = await withDeadline(
      Promise.all(
        Array.from({ length: n }, () => runner.runStep(connection, THING, { inputData: { barrier: true } })),
      ),
      10_000,
      `${n} concurrent steps`,
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
  });

  it('merges a refresh result when it arrives: the last writer wins, even with an older pair', async () => {
    const connection = newConnection({ access_token: 'old', refresh_token: 'r1', mode: 'hold' });
    const slow = runner.refresh(connection);
    // The first refresh read r1 and now waits at the token endpoint.
    await withDeadline(
      (async () => {
        while (tokens.held() < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
      5_000,
      'the held refresh',
    );
    connection.authData = { ...connection.authData, refresh_token: 'r2', mode: 'ok' };
    expect((await runner.refresh(connection)).ok).toBe(true);
    expect(connection.authData.access_token).toBe('fresh-from-r2');
    tokens.release();
    expect((await slow).ok).toBe(true);
    expect(connection.authData.access_token).toBe('fresh-from-r1');
    expect(connection.refreshes).toBe(2);
  });

  it('lets many runners and connections share one RPC server', async () => {
    const other = new ZapierRunner({ app, rpc });
    const a = newConnection({}, { id: 'shared-a', userId: 'u' });
    const b = newConnection({}, { id: 'shared-b', userId: 'u' });
    const set = await runner.runStep(a, 'creates.cache_op.operation.perform', {
      inputData: { op: 'set', key: 'shared', value: 'from a', scope: ['user'] },
    });
    expect(set.ok).toBe(true);
    const got = await other.runStep<{ result: unknown }>(b, 'creates.cache_op.operation.perform', {
      inputData: { op: 'get', key: 'shared', scope: ['user'] },
    });
    expect(got.results?.result).toBe('from a');
  });
});
