import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../../tools/sandbox/server';
import type { Client, Task } from '../../tools/sandbox/store';
import {
  api,
  connect,
  json,
  startTestSandbox,
  type ApiErrorBody,
  type LegacyBody,
  type TestClock,
} from './helpers';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Hook {
  id: string;
  target_url: string;
  event: string;
  secret: string;
  created_at: string;
}

let sandbox: Sandbox;
let clock: TestClock;
let token: string;
let receiver: Server;
let receiverUrl: string;
let received: Received[];
let receiverStatus: number;

beforeEach(async () => {
  ({ sandbox, clock } = await startTestSandbox());
  token = (await connect(sandbox)).access_token;
  received = [];
  receiverStatus = 200;
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.statusCode = receiverStatus;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await sandbox.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

async function subscribe(event: string, path = '/hook', t = token): Promise<Hook> {
  const response = await api(sandbox, t, 'POST', '/api/v1/webhooks', {
    target_url: `${receiverUrl}${path}`,
    event,
  });
  expect(response.status).toBe(201);
  return json<Hook>(response);
}

function verify(secret: string, header: string | undefined, body: string): { t: number; valid: boolean } {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return { t: NaN, valid: false };
  const t = Number(match[1]);
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return { t, valid: expected === match[2] };
}

const nowSeconds = () => Math.floor(clock.now() / 1000);

describe('webhook subscriptions', () => {
  it('answer 201 with id, target_url, event, secret and created_at', async () => {
    const hook = await subscribe('client.created');
    expect(hook).toEqual({
      id: expect.stringMatching(/^whk_/),
      target_url: `${receiverUrl}/hook`,
      event: 'client.created',
      secret: expect.stringMatching(/^whsec_[0-9a-f]{48}$/),
      created_at: '2026-03-02T09:00:00.000Z',
    });
  });

  it('need the webhooks scope and the read scope of the event', async () => {
    const noWebhooks = (await connect(sandbox, { scope: 'clients:read tasks:read' })).access_token;
    const first = await api(sandbox, noWebhooks, 'POST', '/api/v1/webhooks', {
      target_url: receiverUrl,
      event: 'task.created',
    });
    expect(first.status).toBe(403);
    expect((await json<ApiErrorBody>(first)).error.details).toMatchObject({ required_scope: 'webhooks' });

    const noRead = (await connect(sandbox, { scope: 'webhooks clients:read' })).access_token;
    const second = await api(sandbox, noRead, 'POST', '/api/v1/webhooks', {
      target_url: receiverUrl,
      event: 'task.created',
    });
    expect(second.status).toBe(403);
    expect(await json(second)).toMatchObject({
      error: {
        code: 'insufficient_scope',
        details: { required_scope: 'tasks:read', granted_scope: 'webhooks clients:read' },
      },
    });
    expect(
      (
        await api(sandbox, noRead, 'POST', '/api/v1/webhooks', {
          target_url: receiverUrl,
          event: 'client.created',
        })
      ).status,
    ).toBe(201);
  });

  it('refuse an unknown event or a non-URL target with 422', async () => {
    const response = await api(sandbox, token, 'POST', '/api/v1/webhooks', {
      target_url: 'ftp://x',
      event: 'client.deleted',
    });
    expect(response.status).toBe(422);
    expect(await json(response)).toMatchObject({
      error: { details: { fields: { event: expect.any(String), target_url: 'must be an http(s) URL' } } },
    });
  });

  it('delete with 204, then 404, and stop deliveries', async () => {
    const hook = await subscribe('client.created');
    expect((await api(sandbox, token, 'DELETE', `/api/v1/webhooks/${hook.id}`)).status).toBe(204);
    const again = await api(sandbox, token, 'DELETE', `/api/v1/webhooks/${hook.id}`);
    expect(again.status).toBe(404);
    expect((await json<ApiErrorBody>(again)).error.code).toBe('not_found');
    await api(sandbox, token, 'POST', '/api/v1/clients', { name: 'Quiet Ltd' });
    await sandbox.settleWebhooks();
    expect(received).toHaveLength(0);
  });
});

describe('webhook deliveries', () => {
  it('post client.created with the client and a valid Practice-Signature', async () => {
    const hook = await subscribe('client.created');
    const created = await json<Client>(
      await api(sandbox, token, 'POST', '/api/v1/clients', { name: 'Signed Ltd' }),
    );
    await sandbox.settleWebhooks();

    expect(received).toHaveLength(1);
    const delivery = received[0];
    if (!delivery) throw new Error('no delivery');
    expect(delivery.path).toBe('/hook');
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(JSON.parse(delivery.body)).toEqual({
      id: expect.stringMatching(/^evt_/),
      event: 'client.created',
      created_at: created.created_at,
      data: created,
    });
    const header = delivery.headers['practice-signature'];
    expect(typeof header).toBe('string');
    const check = verify(hook.secret, header as string, delivery.body);
    expect(check).toEqual({ t: nowSeconds(), valid: true });
    expect(verify(`${hook.secret}x`, header as string, delivery.body).valid).toBe(false);
    expect(verify(hook.secret, header as string, `${delivery.body} `).valid).toBe(false);
  });

  it('post task.created and task.completed to their own subscribers only', async () => {
    await subscribe('task.created', '/created');
    await subscribe('task.completed', '/completed');
    const created = await json<LegacyBody>(
      await api(sandbox, token, 'POST', '/api/v1/tasks', { project_id: 'prj_000003', title: 'Hooked' }),
    );
    const taskId = (created.data as Task).id;
    await api(sandbox, token, 'POST', `/api/v1/tasks/${taskId}/complete`, {});
    await api(sandbox, token, 'POST', `/api/v1/tasks/${taskId}/complete`, {});
    await sandbox.settleWebhooks();

    expect(received.map((r) => r.path).sort()).toEqual(['/completed', '/created']);
    const completed = received.find((r) => r.path === '/completed');
    expect(JSON.parse(completed?.body ?? '{}')).toMatchObject({
      event: 'task.completed',
      data: { id: taskId, status: 'completed' },
    });
  });

  it('re-deliver an event with the same id and body, freshly signed', async () => {
    const hook = await subscribe('client.created');
    await api(sandbox, token, 'POST', '/api/v1/clients', { name: 'Twice Ltd' });
    await sandbox.settleWebhooks();
    const event = sandbox.webhookEvents.at(-1);
    if (!event) throw new Error('no event');
    clock.advance(2_000);
    const results = await sandbox.redeliverWebhookEvent(event.id);
    expect(results).toEqual([
      expect.objectContaining({ eventId: event.id, outcome: 'delivered', status: 200 }),
    ]);
    expect(received).toHaveLength(2);
    expect(received[1]?.body).toBe(received[0]?.body);
    expect(
      verify(hook.secret, received[1]?.headers['practice-signature'] as string, received[1]?.body ?? ''),
    ).toEqual({
      t: nowSeconds(),
      valid: true,
    });
  });

  it('send broken deliveries on request, for testing receivers', async () => {
    const hook = await subscribe('client.created');
    await api(sandbox, token, 'POST', '/api/v1/clients', { name: 'Tamper Ltd' });
    await sandbox.settleWebhooks();
    const eventId = sandbox.webhookEvents.at(-1)?.id ?? '';
    received = [];
    await sandbox.redeliverWebhookEvent(eventId, 'missing_signature');
    await sandbox.redeliverWebhookEvent(eventId, 'wrong_signature');
    await sandbox.redeliverWebhookEvent(eventId, 'stale_timestamp');
    const [missing, wrong, stale] = received;
    expect(missing?.headers['practice-signature']).toBeUndefined();
    expect(verify(hook.secret, wrong?.headers['practice-signature'] as string, wrong?.body ?? '').valid).toBe(
      false,
    );
    const staleCheck = verify(hook.secret, stale?.headers['practice-signature'] as string, stale?.body ?? '');
    expect(staleCheck).toEqual({ t: nowSeconds() - 3600, valid: true });
  });

  it('never post to a non-loopback target, recording the skip', async () => {
    const response = await api(sandbox, token, 'POST', '/api/v1/webhooks', {
      target_url: 'https://hooks.zapier.com/hooks/standard/1/abc/',
      event: 'client.created',
    });
    expect(response.status).toBe(201);
    await api(sandbox, token, 'POST', '/api/v1/clients', { name: 'Far Away Ltd' });
    await sandbox.settleWebhooks();
    expect(sandbox.webhookDeliveries).toEqual([
      expect.objectContaining({
        outcome: 'skipped',
        targetUrl: 'https://hooks.zapier.com/hooks/standard/1/abc/',
      }),
    ]);
  });

  it('log a failing receiver without failing the API call', async () => {
    receiverStatus = 500;
    await subscribe('client.created');
    const response = await api(sandbox, token, 'POST', '/api/v1/clients', { name: 'Broken Receiver Ltd' });
    expect(response.status).toBe(201);
    await sandbox.settleWebhooks();
    expect(sandbox.webhookDeliveries.at(-1)).toMatchObject({ outcome: 'failed', status: 500 });
  });
});
