// Every step against the Practice sandbox over real HTTP on 127.0.0.1: no mocks
// between the app and the API. Webhook deliveries land on a local receiver and
// are handed to `perform` the way Zapier hands them over (headers as `Http-…`).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { startSandbox, type Sandbox } from '../../tools/sandbox/server';
import { connect } from '../sandbox/helpers';
import type { Client, Project, Task, Webhook } from '../../practice/api';
import { cursorRpc, run } from './support';

interface Captured {
  headers: Record<string, string>;
  body: string;
}

let sandbox: Sandbox;
let receiver: Server;
let receiverUrl = '';
const captured: Captured[] = [];
let authData: Record<string, string> = {};
const saved = { ...process.env };

// Zapier's raw request re-cases headers and prefixes them with `Http-` (Content-* excepted).
function asZapierHeaders(raw: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const cased = name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
    out[/^content-/i.test(name) ? cased : `Http-${cased}`] = value;
  }
  return out;
}

function delivery(subscribeData: Webhook, index: number) {
  const hit = captured[index];
  if (!hit) throw new Error(`no delivery #${index} reached the receiver`);
  return {
    authData,
    subscribeData,
    rawRequest: { method: 'POST', querystring: '', headers: asZapierHeaders(hit.headers), content: hit.body },
  };
}

beforeAll(async () => {
  // nock stays active (support.ts) but lets every request through to the sandbox; switching
  // it on mid-file loses headers on reused sockets, so it is never toggled here.
  nock.enableNetConnect();
  sandbox = await startSandbox({ port: 0 });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      captured.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  process.env.BASE_URL = sandbox.url;
  process.env.CLIENT_ID = sandbox.clientId;
  process.env.CLIENT_SECRET = sandbox.clientSecret;
  const tokens = await connect(sandbox);
  authData = {
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token ?? '',
    expires_at: String(Math.floor(Date.now() / 1000) + 3000),
    scope: tokens.scope,
  };
});

afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await sandbox.close();
  process.env = saved;
});

describe('steps against the sandbox', () => {
  let client: Client;
  let project: Project;
  let task: Task;
  let clientHook: Webhook;
  let taskHook: Webhook;
  let doneHook: Webhook;

  it('subscribes the three instant triggers', async () => {
    clientHook = (await run('triggers.new_client.performSubscribe', {
      authData,
      targetUrl: receiverUrl,
    })) as Webhook;
    taskHook = (await run('triggers.new_task.performSubscribe', {
      authData,
      targetUrl: receiverUrl,
    })) as Webhook;
    doneHook = (await run('triggers.task_completed.performSubscribe', {
      authData,
      targetUrl: receiverUrl,
    })) as Webhook;
    expect([clientHook.event, taskHook.event, doneHook.event]).toEqual([
      'client.created',
      'task.created',
      'task.completed',
    ]);
    expect(typeof clientHook.secret).toBe('string');
  });

  it('create_client creates, and new_client fires once for its signed delivery', async () => {
    const email = `e2e-${Date.now()}@clients.example`;
    client = (await run('creates.create_client.perform', {
      authData,
      inputData: { name: 'E2E Studio', email, tags: ['e2e'] },
    })) as Client;
    expect(client).toMatchObject({ name: 'E2E Studio', email, tags: ['e2e'] });
    await sandbox.settleWebhooks();
    const index = captured.findIndex((c) => c.body.includes(client.id) && c.body.includes('client.created'));
    expect(await run('triggers.new_client.perform', delivery(clientHook, index))).toEqual([client]);
    // Practice delivers the same event again: the Zap does not fire twice.
    expect(await run('triggers.new_client.perform', delivery(clientHook, index))).toEqual([]);
  });

  it('new_client rejects a tampered redelivery from the sandbox', async () => {
    const event = sandbox.webhookEvents.find((e) => e.event === 'client.created');
    const before = captured.length;
    await sandbox.redeliverWebhookEvent(event?.id ?? '', 'wrong_signature');
    await sandbox.redeliverWebhookEvent(event?.id ?? '', 'stale_timestamp');
    expect(captured.length).toBe(before + 2);
    expect(await run('triggers.new_client.perform', delivery(clientHook, before))).toEqual([]);
    expect(await run('triggers.new_client.perform', delivery(clientHook, before + 1))).toEqual([]);
  });

  it('new_client performList and find_client see the new client', async () => {
    const list = (await run('triggers.new_client.performList', { authData })) as Client[];
    expect(list.map((c) => c.id)).toContain(client.id);
    const found = (await run('searches.find_client.perform', {
      authData,
      inputData: { email: client.email ?? '' },
    })) as Client[];
    expect(found.map((c) => c.id)).toEqual([client.id]);
  });

  it('update_client updates, and updated_client reports the update with its own id', async () => {
    const updated = (await run('creates.update_client.perform', {
      authData,
      inputData: { client_id: client.id, phone: '+44 20 7946 0999' },
    })) as Client;
    expect(updated.phone).toBe('+44 20 7946 0999');
    const updates = (await run('triggers.updated_client.perform', { authData })) as Array<
      Record<string, unknown>
    >;
    expect(updates).toContainEqual(
      expect.objectContaining({ id: `${client.id}@${updated.updated_at}`, client_id: client.id }),
    );
  });

  it('create_client surfaces a 409 on a reused external ID with the existing client', async () => {
    const externalId = `crm-e2e-${Date.now()}`;
    const first = (await run('creates.create_client.perform', {
      authData,
      inputData: { name: 'Dup One', external_id: externalId },
    })) as Client;
    await expect(
      run('creates.create_client.perform', {
        authData,
        inputData: { name: 'Dup Two', external_id: externalId },
      }),
    ).rejects.toThrow(first.id);
  });

  it('create_project, new_project and find_project', async () => {
    project = (await run('creates.create_project.perform', {
      authData,
      inputData: { client_id: client.id, name: 'E2E Year-End', due_date: '2026-03-31' },
    })) as Project;
    expect(project).toMatchObject({ client_id: client.id, name: 'E2E Year-End', due_date: '2026-03-31' });
    const listed = (await run('triggers.new_project.perform', {
      authData,
      inputData: { client_id: client.id },
    })) as Project[];
    expect(listed.map((p) => p.id)).toContain(project.id);
    const found = (await run('searches.find_project.perform', {
      authData,
      inputData: { name: 'e2e year-end', client_id: client.id },
    })) as Project[];
    expect(found.map((p) => p.id)).toEqual([project.id]);
  });

  it('create_task on the legacy endpoint, and new_task fires for its delivery', async () => {
    const member = sandbox.members[0];
    task = (await run('creates.create_task.perform', {
      authData,
      inputData: {
        project_id: project.id,
        title: 'E2E task',
        assignee_id: member?.id ?? '',
        due_date: '2026-02-15',
      },
    })) as Task;
    expect(task).toMatchObject({ project_id: project.id, title: 'E2E task', status: 'open' });
    await sandbox.settleWebhooks();
    const index = captured.findIndex((c) => c.body.includes(task.id) && c.body.includes('task.created'));
    const bundle = { ...delivery(taskHook, index), inputData: { project_id: project.id } };
    expect(await run('triggers.new_task.perform', bundle)).toEqual([task]);
    const list = (await run('triggers.new_task.performList', {
      authData,
      inputData: { project_id: project.id },
    })) as Task[];
    expect(list.map((t) => t.id)).toContain(task.id);
  });

  it('complete_task, and task_completed fires for its delivery and lists it', async () => {
    const done = (await run('creates.complete_task.perform', {
      authData,
      inputData: { task_id: task.id },
    })) as Task;
    expect(done.status).toBe('completed');
    await sandbox.settleWebhooks();
    const index = captured.findIndex((c) => c.body.includes(task.id) && c.body.includes('task.completed'));
    expect(await run('triggers.task_completed.perform', delivery(doneHook, index))).toEqual([done]);
    const list = (await run('triggers.task_completed.performList', { authData })) as Task[];
    expect(list[0]?.id).toBe(task.id);
  });

  it('a 422 from the sandbox reaches the user by field name', async () => {
    await expect(
      run('creates.create_client.perform', {
        authData,
        inputData: { name: 'Bad Email', email: 'not-an-email' },
      }),
    ).rejects.toThrow(/email/);
  });

  it('hidden triggers page through the sandbox with the cursor', async () => {
    // The demo data fits in one page of the 100 the triggers ask for: a sandbox of its own that
    // answers two items a page, so that every list has a second page to reach.
    const paged = await startSandbox({ port: 0, pageSize: 2 });
    const base = process.env.BASE_URL;
    // Only core's cursor RPC is answered locally; every API request still goes to the sandbox.
    process.env.ZAPIER_DEPLOY_KEY = 'test-deploy-key';
    const stored = { cursor: null as string | null };
    const rpc = cursorRpc(stored);
    try {
      process.env.BASE_URL = paged.url;
      const tokens = await connect(paged);
      const auth = {
        ...authData,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token ?? '',
      };
      const ids = async (key: 'clients' | 'projects' | 'members' | 'tasks', page: number) => {
        const items = await run(`triggers.${key}.perform`, { authData: auth, meta: { page } });
        return (items as Array<{ id: string }>).map((item) => item.id);
      };
      for (const key of ['clients', 'projects', 'members', 'tasks'] as const) {
        stored.cursor = null;
        const first = await ids(key, 0);
        expect({ key, items: first.length, cursor: typeof stored.cursor }).toEqual({
          key,
          items: 2,
          cursor: 'string',
        });
        expect(stored.cursor).not.toBe('');
        const second = await ids(key, 1);
        expect({ key, items: second.length }).toEqual({ key, items: 2 });
        expect(second.filter((id) => first.includes(id))).toEqual([]);
      }
    } finally {
      process.env.BASE_URL = base;
      rpc.scope.persist(false);
      nock.cleanAll();
      await paged.close();
    }
  });

  it('unsubscribes, and unsubscribing again (404) still succeeds', async () => {
    for (const [key, hook] of [
      ['new_client', clientHook],
      ['new_task', taskHook],
      ['task_completed', doneHook],
    ] as const) {
      const bundle = { authData, subscribeData: hook };
      expect(await run(`triggers.${key}.performUnsubscribe`, bundle)).toEqual({ id: hook.id, deleted: true });
      expect(await run(`triggers.${key}.performUnsubscribe`, bundle)).toEqual({ id: hook.id, deleted: true });
    }
  });
});
