// Triggers through createAppTester: subscribe/unsubscribe, signed deliveries,
// performList samples, polling, filters, and cursor paging in hidden triggers.
import { ACCESS_TOKEN, api, App, liveAuth, useTestEnvironment } from '../helpers';
import {
  CLIENT_SAMPLE,
  COMPLETED_TASK_SAMPLE,
  PROJECT_SAMPLE,
  TASK_SAMPLE,
  type ClientUpdate,
} from '../../practice/samples';
import { cursorRpc, failureOf, appError, signedDelivery, SUBSCRIPTION, WEBHOOK_SECRET, run } from './support';

useTestEnvironment();

const BEARER = `Bearer ${ACCESS_TOKEN}`;
const CLIENT = { ...CLIENT_SAMPLE, id: 'cli_42', name: 'Blue Fern Studio' };
const TASK = { ...TASK_SAMPLE, id: 'tsk_42', project_id: 'prj_7' };
let eventCounter = 0;
const nextEventId = () => `evt_${Date.now()}_${++eventCounter}`;

const hooks = [
  { key: 'new_client', event: 'client.created', record: CLIENT },
  { key: 'new_task', event: 'task.created', record: TASK },
  { key: 'task_completed', event: 'task.completed', record: { ...COMPLETED_TASK_SAMPLE, id: 'tsk_43' } },
] as const;

describe.each(hooks)('$key (instant)', ({ key, event, record }) => {
  it(`subscribes to ${event} with the target URL and keeps Practice's answer as subscribeData`, async () => {
    const answer = { ...SUBSCRIPTION, event, created_at: '2026-01-07T10:00:00Z' };
    const scope = api()
      .post('/api/v1/webhooks', { target_url: 'https://hooks.zapier.com/h/abc', event })
      .matchHeader('authorization', BEARER)
      .matchHeader('content-type', /application\/json/)
      .reply(201, answer);
    const result = await run(`triggers.${key}.performSubscribe`, {
      authData: liveAuth(),
      targetUrl: 'https://hooks.zapier.com/h/abc',
    });
    expect(result).toEqual(answer);
    expect(scope.isDone()).toBe(true);
  });

  it('unsubscribes by deleting the webhook named in subscribeData', async () => {
    const scope = api().delete('/api/v1/webhooks/wh_123').matchHeader('authorization', BEARER).reply(204);
    const result = await run(`triggers.${key}.performUnsubscribe`, {
      authData: liveAuth(),
      subscribeData: { ...SUBSCRIPTION },
    });
    expect(result).toEqual({ id: 'wh_123', deleted: true });
    expect(scope.isDone()).toBe(true);
  });

  it('treats a 404 on unsubscribe as already gone', async () => {
    const scope = api()
      .delete('/api/v1/webhooks/wh_123')
      .reply(404, { error: { code: 'not_found', message: 'No such webhook' } });
    const result = await run(`triggers.${key}.performUnsubscribe`, {
      authData: liveAuth(),
      subscribeData: { ...SUBSCRIPTION },
    });
    expect(result).toEqual({ id: 'wh_123', deleted: true });
    expect(scope.isDone()).toBe(true);
  });

  it('still fails an unsubscribe Practice refuses for another reason', async () => {
    const scope = api()
      .delete('/api/v1/webhooks/wh_123')
      .reply(403, { error: { code: 'forbidden', message: 'Staff members cannot manage webhooks' } });
    const error = await failureOf(
      run(`triggers.${key}.performUnsubscribe`, {
        authData: liveAuth(),
        subscribeData: { ...SUBSCRIPTION },
      }),
    );
    expect(appError(error).message).toContain('Staff members cannot manage webhooks');
    expect(scope.isDone()).toBe(true);
  });

  it('fires the record of a correctly signed delivery', async () => {
    const result = await run(`triggers.${key}.perform`, {
      authData: liveAuth(),
      ...signedDelivery({ event, data: record, eventId: nextEventId() }),
    });
    expect(result).toEqual([record]);
  });

  it('accepts the signature header under its plain name, in any case', async () => {
    const result = await run(`triggers.${key}.perform`, {
      authData: liveAuth(),
      ...signedDelivery({ event, data: record, eventId: nextEventId(), headerName: 'practice-signature' }),
    });
    expect(result).toEqual([record]);
  });

  it('fires nothing for a delivery without a signature', async () => {
    const result = await run(`triggers.${key}.perform`, {
      authData: liveAuth(),
      ...signedDelivery({ event, data: record, eventId: nextEventId(), header: null }),
    });
    expect(result).toEqual([]);
  });

  it('fires nothing for a delivery signed with another secret', async () => {
    const result = await run(`triggers.${key}.perform`, {
      authData: liveAuth(),
      ...signedDelivery({ event, data: record, eventId: nextEventId(), secret: `${WEBHOOK_SECRET}-wrong` }),
    });
    expect(result).toEqual([]);
  });

  it('fires nothing when the body was changed after signing', async () => {
    const result = await run(`triggers.${key}.perform`, {
      authData: liveAuth(),
      ...signedDelivery({
        event,
        data: record,
        eventId: nextEventId(),
        tamper: (body) => body.replace(record.id, 'forged_1'),
      }),
    });
    expect(result).toEqual([]);
  });

  it('fires nothing for a signature more than 300 seconds old', async () => {
    const result = await run(`triggers.${key}.perform`, {
      authData: liveAuth(),
      ...signedDelivery({
        event,
        data: record,
        eventId: nextEventId(),
        timestamp: Math.floor(Date.now() / 1000) - 301,
      }),
    });
    expect(result).toEqual([]);
  });

  it('fires a repeated event id only once', async () => {
    const eventId = nextEventId();
    const bundle = { authData: liveAuth(), ...signedDelivery({ event, data: record, eventId }) };
    expect(await run(`triggers.${key}.perform`, bundle)).toEqual([record]);
    const again = { authData: liveAuth(), ...signedDelivery({ event, data: record, eventId }) };
    expect(await run(`triggers.${key}.perform`, again)).toEqual([]);
  });

  // Two Zaps on one event are two subscriptions; their secrets may be equal (an account-wide
  // signing secret), so what remembers an event id names the subscription too.
  it('fires an event id once for each of two subscriptions that share a secret', async () => {
    const eventId = nextEventId();
    const to = (id: string) => ({
      authData: liveAuth(),
      ...signedDelivery({ event, data: record, eventId }),
      subscribeData: { ...SUBSCRIPTION, id },
    });
    expect(await run(`triggers.${key}.perform`, to('wh_201'))).toEqual([record]);
    expect(await run(`triggers.${key}.perform`, to('wh_202'))).toEqual([record]);
    expect(await run(`triggers.${key}.perform`, to('wh_201'))).toEqual([]);
    expect(await run(`triggers.${key}.perform`, to('wh_202'))).toEqual([]);
  });

  it('fires nothing for a delivery of another event', async () => {
    const result = await run(`triggers.${key}.perform`, {
      authData: liveAuth(),
      ...signedDelivery({ event: 'client.deleted', data: record, eventId: nextEventId() }),
    });
    expect(result).toEqual([]);
  });

  it('fires nothing when the Zap has no stored secret', async () => {
    const bundle = signedDelivery({ event, data: record, eventId: nextEventId() });
    const result = await run(`triggers.${key}.perform`, {
      authData: liveAuth(),
      ...bundle,
      subscribeData: { id: SUBSCRIPTION.id },
    });
    expect(result).toEqual([]);
  });
});

describe('webhook secret handling', () => {
  it('never logs or returns the secret when a delivery is rejected', async () => {
    const logs: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      logs.push(args.map(String).join(' '));
    });
    const original = process.env.LOG_TO_STDOUT;
    process.env.LOG_TO_STDOUT = 'true';
    try {
      const result = await run('triggers.new_client.perform', {
        authData: liveAuth(),
        ...signedDelivery({ event: 'client.created', data: CLIENT, eventId: nextEventId(), secret: 'nope' }),
      });
      expect(result).toEqual([]);
    } finally {
      spy.mockRestore();
      if (original === undefined) delete process.env.LOG_TO_STDOUT;
      else process.env.LOG_TO_STDOUT = original;
    }
    expect(logs.join('\n')).toContain('Ignored a Practice webhook delivery');
    expect(logs.join('\n')).not.toContain(WEBHOOK_SECRET);
  });
});

describe('performList samples', () => {
  it('new_client lists the newest clients', async () => {
    const scope = api()
      .get('/api/v1/clients')
      .query({ sort: '-created_at', limit: '100' })
      .matchHeader('authorization', BEARER)
      .reply(200, { data: [CLIENT], next_cursor: 'c2' });
    expect(await run('triggers.new_client.performList', { authData: liveAuth() })).toEqual([CLIENT]);
    expect(scope.isDone()).toBe(true);
  });

  it('new_task lists the newest tasks of the chosen project (legacy endpoint)', async () => {
    const scope = api()
      .get('/api/v1/tasks')
      .query({ project_id: 'prj_7', sort: '-created_at', limit: '100' })
      .matchHeader('authorization', BEARER)
      .reply(200, { ok: true, data: [TASK], next_cursor: null });
    const result = await run('triggers.new_task.performList', {
      authData: liveAuth(),
      inputData: { project_id: 'prj_7' },
    });
    expect(result).toEqual([TASK]);
    expect(scope.isDone()).toBe(true);
  });

  it('task_completed lists the most recently completed tasks (legacy endpoint)', async () => {
    const scope = api()
      .get('/api/v1/tasks')
      .query({ status: 'completed', sort: '-completed_at', limit: '100' })
      .matchHeader('authorization', BEARER)
      .reply(200, { ok: true, data: [COMPLETED_TASK_SAMPLE], next_cursor: null });
    expect(await run('triggers.task_completed.performList', { authData: liveAuth() })).toEqual([
      COMPLETED_TASK_SAMPLE,
    ]);
    expect(scope.isDone()).toBe(true);
  });
});

describe('new_task project filter', () => {
  it('fires a task of the chosen project', async () => {
    const result = await run('triggers.new_task.perform', {
      authData: liveAuth(),
      inputData: { project_id: 'prj_7' },
      ...signedDelivery({ event: 'task.created', data: TASK, eventId: nextEventId() }),
    });
    expect(result).toEqual([TASK]);
  });

  it('fires nothing for a task of another project', async () => {
    const result = await run('triggers.new_task.perform', {
      authData: liveAuth(),
      inputData: { project_id: 'prj_other' },
      ...signedDelivery({ event: 'task.created', data: TASK, eventId: nextEventId() }),
    });
    expect(result).toEqual([]);
  });
});

describe('updated_client (polling)', () => {
  it('asks for the most recently updated clients and gives each update its own id', async () => {
    const first = { ...CLIENT, updated_at: '2026-02-01T08:00:00Z' };
    const scope = api()
      .get('/api/v1/clients')
      .query({ sort: '-updated_at', limit: '100' })
      .matchHeader('authorization', BEARER)
      .reply(200, { data: [first], next_cursor: null });
    const result = await run('triggers.updated_client.perform', { authData: liveAuth() });
    expect(result).toEqual([{ ...first, id: 'cli_42@2026-02-01T08:00:00Z', client_id: 'cli_42' }]);
    expect(scope.isDone()).toBe(true);
  });

  it('gives two updates of the same client two different ids', async () => {
    const later = { ...CLIENT, updated_at: '2026-02-02T09:00:00Z' };
    const earlier = { ...CLIENT, updated_at: '2026-02-01T08:00:00Z' };
    api()
      .get('/api/v1/clients')
      .query(true)
      .reply(200, { data: [later], next_cursor: null });
    api()
      .get('/api/v1/clients')
      .query(true)
      .reply(200, { data: [earlier], next_cursor: null });
    const [a] = (await run('triggers.updated_client.perform', { authData: liveAuth() })) as ClientUpdate[];
    const [b] = (await run('triggers.updated_client.perform', { authData: liveAuth() })) as ClientUpdate[];
    expect(a?.id).not.toEqual(b?.id);
    expect(a?.client_id).toEqual(b?.client_id);
  });
});

describe('new_project (polling)', () => {
  it('lists the newest projects of every client when no client is chosen', async () => {
    const scope = api()
      .get('/api/v1/projects')
      .query({ limit: '100' })
      .matchHeader('authorization', BEARER)
      .reply(200, { data: [PROJECT_SAMPLE], next_cursor: null });
    const result = await run('triggers.new_project.perform', { authData: liveAuth() });
    expect(result).toEqual([PROJECT_SAMPLE]);
    expect(scope.isDone()).toBe(true);
  });

  it('lets Practice filter by the chosen client', async () => {
    const scope = api()
      .get('/api/v1/projects')
      .query({ client_id: 'cli_42', limit: '100' })
      .reply(200, { data: [PROJECT_SAMPLE], next_cursor: null });
    const result = await run('triggers.new_project.perform', {
      authData: liveAuth(),
      inputData: { client_id: 'cli_42' },
    });
    expect(result).toEqual([PROJECT_SAMPLE]);
    expect(scope.isDone()).toBe(true);
  });
});

describe('hidden dropdown triggers page with the cursor', () => {
  const previousKey = process.env.ZAPIER_DEPLOY_KEY;
  beforeAll(() => {
    // Core sends z.cursor calls to Zapier's RPC; the key only has to exist, nock answers.
    process.env.ZAPIER_DEPLOY_KEY = 'test-deploy-key';
  });
  afterAll(() => {
    if (previousKey === undefined) delete process.env.ZAPIER_DEPLOY_KEY;
    else process.env.ZAPIER_DEPLOY_KEY = previousKey;
  });

  const lists = [
    { key: 'clients', path: '/api/v1/clients', query: { sort: '-created_at' }, legacy: false },
    { key: 'projects', path: '/api/v1/projects', query: {}, legacy: false },
    { key: 'members', path: '/api/v1/members', query: {}, legacy: false },
    { key: 'tasks', path: '/api/v1/tasks', query: { status: 'open', sort: '-created_at' }, legacy: true },
  ] as const;

  it.each(lists)('$key: page 0, then page 1 with the stored cursor, then nothing', async (list) => {
    const stored = { cursor: null as string | null };
    const rpc = cursorRpc(stored);
    const envelope = (data: unknown[], next: string | null) =>
      list.legacy ? { ok: true, data, next_cursor: next } : { data, next_cursor: next };
    const first = api()
      .get(list.path)
      .query({ ...list.query, limit: '100' })
      .matchHeader('authorization', BEARER)
      .reply(200, envelope([{ id: 'a1', name: 'A' }], 'cur_2'));
    const second = api()
      .get(list.path)
      .query({ ...list.query, limit: '100', cursor: 'cur_2' })
      .reply(200, envelope([{ id: 'b1', name: 'B' }], null));
    const path = `triggers.${list.key}.perform` as const;

    expect(await run(path, { authData: liveAuth(), meta: { page: 0 } })).toEqual([{ id: 'a1', name: 'A' }]);
    expect(stored.cursor).toBe('cur_2');
    expect(await run(path, { authData: liveAuth(), meta: { page: 1 } })).toEqual([{ id: 'b1', name: 'B' }]);
    expect(stored.cursor).toBe('');
    // The last page was served: asking for more makes no API request at all.
    expect(await run(path, { authData: liveAuth(), meta: { page: 2 } })).toEqual([]);

    expect(first.isDone()).toBe(true);
    expect(second.isDone()).toBe(true);
    expect(rpc.calls.map((c) => c.method)).toEqual(['set_cursor', 'get_cursor', 'set_cursor', 'get_cursor']);
    expect(rpc.calls.every((c) => typeof c.storeKey === 'string' && c.storeKey !== '')).toBe(true);
    rpc.scope.persist(false);
  });

  it('declares canPaginate and is hidden', () => {
    for (const key of ['clients', 'projects', 'members', 'tasks'] as const) {
      const trigger = App.triggers[key];
      expect(trigger.display.hidden).toBe(true);
      expect(trigger.operation.type === 'polling' && trigger.operation.canPaginate).toBe(true);
    }
  });
});
