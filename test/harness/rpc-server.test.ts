// The RPC stand-in through core's real z.cache / z.cursor client (create-rpc-client.js):
// ttl, set-if-absent, scopes, cursors per storeKey, faults, the inspector — and why core's
// own `zcacheTestObj` mock cannot stand in for Zapier's store.
import zapier from 'zapier-platform-core';
import { rpcToken, type RpcServer, startRpcServer } from 'zapier-oauth-layer/conformance';
import {
  type Connection,
  newConnection,
  type StepOutcome,
  ZapierRunner,
} from 'zapier-oauth-layer/conformance';
import { closedPort, startTokenServer, type TokenServer, tinyApp } from './tiny-app';

let tokens: TokenServer;
let rpc: RpcServer;
let runner: ZapierRunner;
let app: ReturnType<typeof tinyApp>;
const now = 1_700_000_000_000;

const CACHE = 'creates.cache_op.operation.perform';
const PAGED = 'triggers.paged.operation.perform';
const THING = 'triggers.thing.operation.perform';

beforeAll(async () => {
  tokens = await startTokenServer();
  rpc = await startRpcServer({ clock: () => now });
  app = tinyApp(tokens.url, await closedPort());
  runner = new ZapierRunner({ app, rpc });
});

afterAll(async () => {
  await rpc?.close();
  await tokens?.close();
});

beforeEach(() => {
  rpc.clear();
  rpc.setFault(null);
  rpc.setNxNotSet(null);
  rpc.setClock(() => now);
});

const alice = newConnection({ access_token: 'a1' }, { id: 'conn-alice-1', userId: 'alice' });
const aliceOther = newConnection({ access_token: 'a2' }, { id: 'conn-alice-2', userId: 'alice' });
const bob = newConnection({ access_token: 'b1' }, { id: 'conn-bob-1', userId: 'bob' });

async function cache(connection: Connection, inputData: Record<string, unknown>): Promise<StepOutcome> {
  return runner.runStep(connection, CACHE, { inputData });
}

async function result(connection: Connection, inputData: Record<string, unknown>): Promise<unknown> {
  const outcome = await cache(connection, inputData);
  if (!outcome.ok) throw new Error(`${outcome.error?.name}: ${outcome.error?.message}`);
  return (outcome.results as { result: unknown }).result;
}

describe('z.cache through the stand-in', () => {
  it('stores the JSON text core sends and gives back the parsed value', async () => {
    expect(await result(alice, { op: 'set', key: 'k', value: { a: [1, 'two'] } })).toBe(true);
    expect(await result(bob, { op: 'get', key: 'k' })).toEqual({ a: [1, 'two'] });
    expect(rpc.entries()).toEqual([
      { key: 'k', namespace: 'app', value: '{"a":[1,"two"]}', expiresAt: null },
    ]);
    expect(rpc.counts).toMatchObject({ zcache_set: 1, zcache_get: 1 });
  });

  it('forgets a value once its ttl (seconds) has passed on the server clock', async () => {
    await result(alice, { op: 'set', key: 'k', value: 'v', ttl: 60 });
    expect(rpc.entries()[0]?.expiresAt).toBe(now + 60_000);
    rpc.setClock(() => now + 59_999);
    expect(await result(alice, { op: 'get', key: 'k' })).toBe('v');
    rpc.setClock(() => now + 60_000);
    expect(await result(alice, { op: 'get', key: 'k' })).toBeNull();
    expect(rpc.entries()).toEqual([]);
  });

  it('refuses a ttl below one second', async () => {
    const outcome = await cache(alice, { op: 'set', key: 'k', value: 'v', ttl: 0 });
    expect(outcome.error?.message).toMatch(
      /^RPC request failed after 1 attempts: ttl must be a positive integer/,
    );
  });

  it('deletes: true when something was there, false after', async () => {
    await result(alice, { op: 'set', key: 'k', value: 1 });
    expect(await result(alice, { op: 'delete', key: 'k' })).toBe(true);
    expect(await result(alice, { op: 'delete', key: 'k' })).toBe(false);
  });

  it("keeps 'auth' entries per connection and 'user' entries per user", async () => {
    await result(alice, { op: 'set', key: 'k', value: 'alice-conn-1', scope: ['auth'] });
    await result(alice, { op: 'set', key: 'k', value: 'alice', scope: ['user'] });
    await result(alice, { op: 'set', key: 'k', value: 'everyone' });
    expect(await result(aliceOther, { op: 'get', key: 'k', scope: ['auth'] })).toBeNull();
    expect(await result(alice, { op: 'get', key: 'k', scope: ['auth'] })).toBe('alice-conn-1');
    expect(await result(aliceOther, { op: 'get', key: 'k', scope: ['user'] })).toBe('alice');
    expect(await result(bob, { op: 'get', key: 'k', scope: ['user'] })).toBeNull();
    expect(await result(bob, { op: 'get', key: 'k' })).toBe('everyone');
    expect(
      rpc
        .entries()
        .map((e) => e.namespace)
        .sort(),
    ).toEqual(['app', 'auth=conn-alice-1', 'user=alice']);
  });
});

// Set-if-absent, as Zapier's Redis-like store does it; the same test against core's local
// mock fails, because the mock stores unconditionally and always answers true.
type CacheCall = (inputData: Record<string, unknown>) => Promise<unknown>;

async function expectSetIfAbsent(call: CacheCall): Promise<void> {
  expect(await call({ op: 'set', key: 'once', value: 'first', nx: true })).toBe(true);
  const again = await call({ op: 'set', key: 'once', value: 'second', nx: true });
  expect(again).not.toBe(true);
  expect(await call({ op: 'get', key: 'once' })).toBe('first');
}

describe('nx (set if absent)', () => {
  it('stores nothing and answers null when the key exists', async () => {
    await expectSetIfAbsent((input) => result(alice, input));
    expect(await result(alice, { op: 'set', key: 'once', value: 'third', nx: true })).toBeNull();
  });

  it('answers false instead when configured so', async () => {
    rpc.setNxNotSet(false);
    await result(alice, { op: 'set', key: 'once', value: 1, nx: true });
    expect(await result(alice, { op: 'set', key: 'once', value: 2, nx: true })).toBe(false);
  });

  it('sets again once the old entry expired', async () => {
    await result(alice, { op: 'set', key: 'once', value: 1, nx: true, ttl: 5 });
    rpc.setClock(() => now + 5_000);
    expect(await result(alice, { op: 'set', key: 'once', value: 2, nx: true })).toBe(true);
  });

  it('holds under concurrent runs: exactly one of 20 wins', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => result(alice, { op: 'set', key: 'race', value: i, nx: true })),
    );
    expect(answers.filter((a) => a === true)).toHaveLength(1);
    expect(answers.filter((a) => a === null)).toHaveLength(19);
  });

  // jest's `it.failing` passes only when the test fails: the mock ignores nx.
  it.failing('cannot be tested against core’s zcacheTestObj mock', async () => {
    const handler = (
      zapier as unknown as { createAppHandler(a: unknown): (e: unknown) => Promise<{ results: unknown }> }
    ).createAppHandler(app);
    const zcacheTestObj = {};
    await expectSetIfAbsent(async (inputData) => {
      const { results } = await handler({
        command: 'execute',
        method: CACHE,
        bundle: { authData: {}, inputData },
        zcacheTestObj,
        calledFromCli: true,
      });
      return (results as { result: unknown }).result;
    });
  });
});

describe('z.cursor through the stand-in', () => {
  async function pageAll(storeKey: string): Promise<number[]> {
    const ids: number[] = [];
    for (let page = 0; page < 10; page += 1) {
      const outcome = await runner.runStep<{ id: number }[]>(alice, PAGED, { meta: { page } }, { storeKey });
      if (!outcome.ok) throw new Error(outcome.error?.message);
      if (!outcome.results?.length) return ids;
      ids.push(...outcome.results.map((r) => r.id));
    }
    throw new Error('never ran out of pages');
  }

  it('pages a canPaginate dropdown to its end, the cursor kept per storeKey', async () => {
    expect(await pageAll('dropdown-1')).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(rpc.cursors()).toEqual({ 'dropdown-1': '' });
    expect(rpc.counts).toMatchObject({ get_cursor: 3, set_cursor: 3 });
  });

  it('keeps two dropdown sessions apart', async () => {
    const first = await runner.runStep<{ id: number }[]>(
      alice,
      PAGED,
      { meta: { page: 0 } },
      { storeKey: 'a' },
    );
    await runner.runStep(alice, PAGED, { meta: { page: 0 } }, { storeKey: 'b' });
    await runner.runStep(alice, PAGED, { meta: { page: 1 } }, { storeKey: 'b' });
    const second = await runner.runStep<{ id: number }[]>(
      alice,
      PAGED,
      { meta: { page: 1 } },
      { storeKey: 'a' },
    );
    expect(first.results?.[0]?.id).toBe(1);
    expect(second.results?.[0]?.id).toBe(11);
    expect(rpc.cursors()).toEqual({ a: '21', b: '21' });
  });
});

describe('faults', () => {
  it('down (503): core tries 3 times, 100 ms apart, then fails the step', async () => {
    rpc.setFault({ kind: 'down' });
    const outcome = await cache(alice, { op: 'get', key: 'k' });
    expect(outcome.error?.message).toBe(
      'RPC request failed after 3 attempts: Unable to reach the RPC server',
    );
    expect(rpc.counts.zcache_get).toBe(3);
  });

  it('down (reset): core tries 3 times, then fails with the socket error', async () => {
    rpc.setFault({ kind: 'down', how: 'reset', methods: ['zcache_set'] });
    const outcome = await cache(alice, { op: 'set', key: 'k', value: 1 });
    expect(outcome.error?.message).toMatch(
      /^RPC request failed after 3 attempts: .*(socket hang up|ECONNRESET)/,
    );
    expect(rpc.counts.zcache_set).toBe(3);
    expect(await result(alice, { op: 'get', key: 'k' })).toBeNull();
  });

  it('refused (the store is gone): core tries 3 times, then fails with ECONNREFUSED', async () => {
    const gone = await startRpcServer();
    const orphan = new ZapierRunner({ app, rpc: gone });
    await gone.close();
    const outcome = await orphan.runStep(alice, CACHE, { inputData: { op: 'get', key: 'k' } });
    expect(outcome.error?.message).toMatch(/^RPC request failed after 3 attempts: .*ECONNREFUSED/);
  });

  it('down for one call only: the retry succeeds', async () => {
    rpc.setFault({ kind: 'down', times: 1 });
    expect(await result(alice, { op: 'get', key: 'k' })).toBeNull();
    expect(rpc.counts.zcache_get).toBe(2);
  });

  it('error: core throws the store’s text at once', async () => {
    rpc.setFault({ kind: 'error', message: 'store on fire' });
    const outcome = await cache(alice, { op: 'get', key: 'k' });
    expect(outcome.error?.message).toBe('RPC request failed after 1 attempts: store on fire');
  });

  it('garbage result: z.cache.get meets text that is not JSON', async () => {
    await result(alice, { op: 'set', key: 'k', value: 1 });
    rpc.setFault({ kind: 'garbage', methods: ['zcache_get'] });
    const outcome = await cache(alice, { op: 'get', key: 'k' });
    expect(outcome.error?.name).toBe('SyntaxError');
    rpc.setFault({ kind: 'garbage', methods: ['zcache_set'] });
    expect(await result(alice, { op: 'set', key: 'k', value: 2 })).toBe('OK');
  });

  it('garbage id and garbage body: core refuses the answer', async () => {
    rpc.setFault({ kind: 'garbage', what: 'id' });
    expect((await cache(alice, { op: 'get', key: 'k' })).error?.message).toMatch(
      /^RPC request failed after 1 attempts: Got id \S+ but expected \S+ when calling RPC$/,
    );
    rpc.setFault({ kind: 'garbage', what: 'body' });
    expect((await cache(alice, { op: 'get', key: 'k' })).error?.message).toMatch(
      /^RPC request failed after 1 attempts: Got id undefined but expected/,
    );
  });

  it('slow: answers correctly, later', async () => {
    rpc.setFault({ kind: 'slow', delayMs: 50 });
    expect(await result(alice, { op: 'set', key: 'k', value: 'v' })).toBe(true);
    expect(await result(alice, { op: 'get', key: 'k' })).toBe('v');
  });
});

describe('the wire', () => {
  it('refuses a call without a known X-Token', async () => {
    const res = await fetch(rpc.url, {
      method: 'POST',
      body: JSON.stringify({ id: 'x', method: 'zcache_get', params: ['k', null] }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      id: 'x',
      error: 'missing or unknown X-Token, and no identity in storeKey',
    });
  });

  it('answers {id, result} with the caller’s id', async () => {
    const res = await fetch(rpc.url, {
      method: 'POST',
      headers: { 'X-Token': rpcToken({ user: 'u', connection: 'c' }) },
      body: JSON.stringify({ id: 'abc', storeKey: 's', method: 'get_cursor', params: [] }),
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ id: 'abc', result: null });
  });

  it('starts no log stream, so nothing goes to Zapier’s log host and no abort can fail a run', async () => {
    const outcome = await runner.runStep(alice, THING, { inputData: { log: 'hello from the run' } });
    expect(outcome.ok).toBe(true);
    expect(rpc.logs()).toEqual([]);
  });
});
