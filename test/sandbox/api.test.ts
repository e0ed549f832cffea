import type { Client, Project, Task } from '../../tools/sandbox/store';
import { tokenFingerprint, type Sandbox } from '../../tools/sandbox/server';
import {
  ADMIN,
  api,
  connect,
  json,
  STAFF,
  startTestSandbox,
  type ApiErrorBody,
  type LegacyBody,
  type TestClock,
} from './helpers';

interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

const EXPIRED_CHALLENGE = 'Bearer error="invalid_token", error_description="The access token expired"';

let sandbox: Sandbox;
let clock: TestClock;
let token: string;

beforeEach(async () => {
  ({ sandbox, clock } = await startTestSandbox());
  token = (await connect(sandbox)).access_token;
});

afterEach(async () => {
  await sandbox.close();
});

// `null` sends no Authorization header at all.
const get = (path: string, t: string | null = token) => api(sandbox, t ?? undefined, 'GET', path);
const post = (path: string, body: unknown, t: string | null = token) =>
  api(sandbox, t ?? undefined, 'POST', path, body);
const patch = (path: string, body: unknown, t: string | null = token) =>
  api(sandbox, t ?? undefined, 'PATCH', path, body);

async function allPages<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const response = await get(`${path}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(response.status).toBe(200);
    const page = await json<Page<T> & { ok?: boolean }>(response);
    items.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return items;
}

describe('authentication at the gateway', () => {
  it('answers /me with the member and the firm', async () => {
    const response = await get('/api/v1/me');
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      id: 'mem_000001',
      email: 'owner@ledger.example',
      name: 'Olivia Owner',
      role: 'owner',
      firm: { id: 'firm_0001', name: 'Ledger & Co' },
    });
  });

  it('rejects a token in the query string with 400, even a valid one', async () => {
    const response = await get(`/api/v1/me?access_token=${token}`, null);
    expect(response.status).toBe(400);
    expect((await json<ApiErrorBody>(response)).error.code).toBe('invalid_request');
  });

  it('answers an unknown token with 401 invalid_token and a Bearer challenge', async () => {
    const response = await get('/api/v1/me', 'pat_not-a-real-token');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await json(response)).toEqual({
      error: { code: 'invalid_token', message: expect.any(String), details: {} },
    });
  });

  it('answers a missing token with 401 invalid_token', async () => {
    const response = await get('/api/v1/me', null);
    expect(response.status).toBe(401);
    expect((await json<ApiErrorBody>(response)).error.code).toBe('invalid_token');
  });
});

describe('K1 expired access tokens', () => {
  it('answers 403 token_expired with a body and the invalid_token challenge', async () => {
    expect(sandbox.expireAccessTokens()).toBe(1);
    const response = await get('/api/v1/clients');
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(EXPIRED_CHALLENGE);
    expect(await json(response)).toEqual({
      error: { code: 'token_expired', message: 'The access token expired', details: {} },
    });
  });

  it('expires by the clock too, at the end of the lifetime', async () => {
    clock.advance(3_599_000);
    expect((await get('/api/v1/me')).status).toBe(200);
    clock.advance(1_000);
    expect((await get('/api/v1/me')).status).toBe(403);
  });

  it('drops the body on header-only gateway nodes', async () => {
    sandbox.setQuirks({ K1HeaderOnly: true });
    sandbox.expireAccessTokens();
    const response = await get('/api/v1/me');
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(EXPIRED_CHALLENGE);
    expect(await response.text()).toBe('');
  });

  it('answers the RFC 401 when K1 is off', async () => {
    sandbox.setQuirks({ K1: false });
    sandbox.expireAccessTokens();
    const response = await get('/api/v1/me');
    expect(response.status).toBe(401);
    expect((await json<ApiErrorBody>(response)).error.code).toBe('invalid_token');
  });
});

describe('K2 legacy endpoints', () => {
  async function openTaskOfSomeoneElse(staffId: string): Promise<Task> {
    const tasks = await allPages<Task>('/api/v1/tasks?status=open');
    const task = tasks.find((t) => t.assignee_id !== null && t.assignee_id !== staffId);
    if (!task) throw new Error('seed has no open task assigned to another member');
    return task;
  }

  it('wrap successes in {ok: true}', async () => {
    const response = await get('/api/v1/tasks?limit=2');
    expect(response.status).toBe(200);
    const body = await json<LegacyBody>(response);
    expect(body.ok).toBe(true);
    expect(body.data).toHaveLength(2);
    expect(typeof body.next_cursor).toBe('string');
  });

  it.each([
    ['token_expired', async () => void sandbox.expireAccessTokens(), () => get('/api/v1/tasks')],
    ['invalid_token', async () => undefined, () => get('/api/v1/tasks', 'pat_bogus')],
    [
      'insufficient_scope',
      async () => {
        token = (await connect(sandbox, { scope: 'tasks:read' })).access_token;
      },
      () => post('/api/v1/tasks', { project_id: 'prj_000003', title: 'T' }),
    ],
    ['validation_failed', async () => undefined, () => post('/api/v1/tasks', { project_id: 'prj_999999' })],
    ['not_found', async () => undefined, () => post('/api/v1/tasks/tsk_999999/complete', {})],
    [
      'rate_limited',
      async () => sandbox.triggerRateLimit(undefined, { retryAfter: 7 }),
      () => get('/api/v1/clients/search?name=a'),
    ],
  ])('answer %s with HTTP 200 and ok:false', async (code, arrange, act) => {
    await arrange();
    const response = await act();
    expect(response.status).toBe(200);
    const body = await json<LegacyBody>(response);
    expect(body).toMatchObject({ ok: false, error: { code, message: expect.any(String) } });
    if (code === 'rate_limited') expect(response.headers.get('retry-after')).toBe('7');
  });

  it('answer a role refusal with HTTP 200 ok:false forbidden', async () => {
    const staff = await connect(sandbox, { email: STAFF });
    const me = await json<{ id: string }>(await get('/api/v1/me', staff.access_token));
    const task = await openTaskOfSomeoneElse(me.id);
    const response = await post(`/api/v1/tasks/${task.id}/complete`, {}, staff.access_token);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message: 'Staff members can only complete tasks assigned to them',
        details: {},
      },
    });
  });

  it('carry field errors for validation_failed', async () => {
    const response = await post('/api/v1/tasks', { project_id: 'prj_999999', due_date: '2026-02-30' });
    expect(await json(response)).toMatchObject({
      ok: false,
      error: {
        code: 'validation_failed',
        details: {
          fields: {
            title: 'is required',
            project_id: 'does not match any project',
            due_date: 'must be a date in YYYY-MM-DD format',
          },
        },
      },
    });
  });

  it('answer with real statuses when K2 is off, keeping the envelope', async () => {
    sandbox.setQuirks({ K2: false });
    const response = await post('/api/v1/tasks/tsk_999999/complete', {});
    expect(response.status).toBe(404);
    expect(await json(response)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('create and complete tasks, once', async () => {
    const created = await json<LegacyBody>(
      await post('/api/v1/tasks', { project_id: 'prj_000003', title: 'File VAT' }),
    );
    expect(created).toMatchObject({
      ok: true,
      data: { title: 'File VAT', status: 'open', completed_at: null },
    });
    const id = (created.data as Task).id;
    clock.advance(5_000);
    const done = await json<LegacyBody>(await post(`/api/v1/tasks/${id}/complete`, {}));
    expect(done).toMatchObject({
      ok: true,
      data: { id, status: 'completed', completed_at: '2026-03-02T09:00:05.000Z' },
    });
    clock.advance(5_000);
    const again = await json<LegacyBody>(await post(`/api/v1/tasks/${id}/complete`, {}));
    expect((again.data as Task).completed_at).toBe('2026-03-02T09:00:05.000Z');
  });

  it('search clients by exact email, case-insensitively, or by name prefix', async () => {
    const byEmail = await json<LegacyBody>(
      await get('/api/v1/clients/search?email=ACME.BAKERY@clients.example'),
    );
    expect(byEmail).toEqual({
      ok: true,
      data: [expect.objectContaining({ id: 'cli_000001', name: 'Acme Bakery' })],
    });
    const byName = await json<LegacyBody>(await get('/api/v1/clients/search?name=ce'));
    expect((byName.data as Client[]).map((c) => c.name)).toEqual(['Cedar Hill Vets']);
    const neither = await json<LegacyBody>(await get('/api/v1/clients/search'));
    expect(neither).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });
});

describe('K3 and K7 rate limiting', () => {
  it('answers a forced limit with 403 rate_limited and Retry-After by default (K3)', async () => {
    sandbox.triggerRateLimit(undefined, { retryAfter: 12, count: 2 });
    for (let i = 0; i < 2; i += 1) {
      const response = await get('/api/v1/clients');
      expect(response.status).toBe(403);
      expect(response.headers.get('retry-after')).toBe('12');
      expect(await json(response)).toMatchObject({
        error: { code: 'rate_limited', details: { retry_after: 12 } },
      });
    }
    expect((await get('/api/v1/clients')).status).toBe(200);
  });

  it('answers 429 when K3 is off, or when the trigger asks for it', async () => {
    sandbox.triggerRateLimit(undefined, { status: 429, retryAfter: 3 });
    expect((await get('/api/v1/me')).status).toBe(429);
    sandbox.setQuirks({ K3: false });
    sandbox.triggerRateLimit();
    const response = await get('/api/v1/me');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('30');
  });

  it('limits only the named token when given one', async () => {
    const other = (await connect(sandbox, { email: ADMIN })).access_token;
    sandbox.triggerRateLimit(token, { count: 1 });
    expect((await get('/api/v1/me', other)).status).toBe(200);
    expect((await get('/api/v1/me')).status).toBe(403);
    expect((await get('/api/v1/me')).status).toBe(200);
  });

  it('allows 120 requests per minute per token (K7)', async () => {
    const other = (await connect(sandbox, { email: ADMIN })).access_token;
    for (let i = 0; i < 120; i += 1) {
      const response = await get('/api/v1/me');
      if (response.status !== 200) throw new Error(`request ${i + 1} answered ${response.status}`);
      clock.advance(100);
    }
    const limited = await get('/api/v1/me');
    expect(limited.status).toBe(403);
    expect((await json<ApiErrorBody>(limited)).error.code).toBe('rate_limited');
    // The first request leaves the window 60 s after it was made: 48 s from now.
    expect(limited.headers.get('retry-after')).toBe('48');
    expect((await get('/api/v1/me', other)).status).toBe(200);
    clock.advance(48_000);
    expect((await get('/api/v1/me')).status).toBe(200);
  });
});

describe('K4 scope errors', () => {
  it('answers 403 insufficient_scope naming the missing and granted scopes', async () => {
    const narrow = (await connect(sandbox, { scope: 'clients:read tasks:read' })).access_token;
    const response = await post('/api/v1/clients', { name: 'New' }, narrow);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="clients:write"',
    );
    expect(await json(response)).toEqual({
      error: {
        code: 'insufficient_scope',
        message: expect.stringContaining('clients:write'),
        details: { required_scope: 'clients:write', granted_scope: 'clients:read tasks:read' },
      },
    });
  });

  it('lets /me through with any scope', async () => {
    const narrow = (await connect(sandbox, { scope: 'tasks:read' })).access_token;
    expect((await get('/api/v1/me', narrow)).status).toBe(200);
  });
});

describe('K5 role permissions', () => {
  it('refuses staff archiving a client, with the API message', async () => {
    const staff = (await connect(sandbox, { email: STAFF })).access_token;
    const response = await patch('/api/v1/clients/cli_000002', { status: 'archived' }, staff);
    expect(response.status).toBe(403);
    expect(await json(response)).toEqual({
      error: { code: 'forbidden', message: 'Staff members cannot archive clients', details: {} },
    });
    expect(sandbox.requests.at(-1)).toMatchObject({ status: 403, errorCode: 'forbidden' });
  });

  it('lets staff edit other fields and admins archive', async () => {
    const staff = (await connect(sandbox, { email: STAFF })).access_token;
    expect((await patch('/api/v1/clients/cli_000002', { phone: '+1-555-9999' }, staff)).status).toBe(200);
    const admin = (await connect(sandbox, { email: ADMIN })).access_token;
    const archived = await patch('/api/v1/clients/cli_000002', { status: 'archived' }, admin);
    expect(await json(archived)).toMatchObject({ status: 'archived', phone: '+1-555-9999' });
  });

  it('applies a role change to live tokens at once', async () => {
    sandbox.setMemberRole('owner@ledger.example', 'staff');
    const response = await patch('/api/v1/clients/cli_000002', { status: 'archived' }, token);
    expect(response.status).toBe(403);
    expect((await json<{ role: string }>(await get('/api/v1/me'))).role).toBe('staff');
  });
});

describe('paging, sorting and filters', () => {
  it('pages 30 clients newest first with keyset cursors', async () => {
    const first = await json<Page<Client>>(await get('/api/v1/clients'));
    expect(first.data).toHaveLength(25);
    expect(first.next_cursor).toEqual(expect.any(String));
    const all = await allPages<Client>('/api/v1/clients?limit=7');
    expect(all).toHaveLength(30);
    expect(new Set(all.map((c) => c.id)).size).toBe(30);
    const created = all.map((c) => c.created_at);
    expect(created).toEqual([...created].sort().reverse());
    expect(all[0]?.id).toBe('cli_000030');
  });

  it('neither repeats nor skips when a client is created between pages', async () => {
    const first = await json<Page<Client>>(await get('/api/v1/clients?limit=10'));
    clock.advance(1_000);
    expect((await post('/api/v1/clients', { name: 'Newcomer Ltd' })).status).toBe(201);
    const second = await json<Page<Client>>(
      await get(`/api/v1/clients?limit=10&cursor=${first.next_cursor}`),
    );
    expect(second.data[0]?.id).toBe('cli_000020');
    expect(second.data.map((c) => c.id)).not.toContain(first.data[9]?.id);
  });

  it.each(['0', '101', 'ten', '2.5'])('refuses limit=%s', async (limit) => {
    const response = await get(`/api/v1/clients?limit=${limit}`);
    expect(response.status).toBe(422);
    expect(await json(response)).toMatchObject({
      error: { code: 'validation_failed', details: { fields: { limit: expect.any(String) } } },
    });
  });

  it('refuses a cursor issued for another sort', async () => {
    const byCreated = await json<Page<Client>>(await get('/api/v1/clients?limit=5'));
    const response = await get(`/api/v1/clients?sort=-updated_at&cursor=${byCreated.next_cursor}`);
    expect(response.status).toBe(422);
  });

  it('sorts by -updated_at and filters by updated_since, inclusively', async () => {
    const clients = await allPages<Client>('/api/v1/clients?sort=-updated_at&limit=100');
    const updated = clients.map((c) => c.updated_at);
    expect(updated).toEqual([...updated].sort().reverse());
    expect(updated).not.toEqual(clients.map((c) => c.created_at));
    const since = clients[4]?.updated_at ?? '';
    const recent = await json<Page<Client>>(
      await get(`/api/v1/clients?sort=-updated_at&updated_since=${since}`),
    );
    expect(recent.data.map((c) => c.id)).toEqual(clients.slice(0, 5).map((c) => c.id));
    expect((await get('/api/v1/clients?updated_since=yesterday')).status).toBe(422);
  });

  it('moves updated_at only on a real change', async () => {
    clock.advance(10_000);
    const same = await json<Client>(await patch('/api/v1/clients/cli_000005', { name: 'Evergreen Dental' }));
    expect(same.updated_at).not.toBe('2026-03-02T09:00:10.000Z');
    const changed = await json<Client>(
      await patch('/api/v1/clients/cli_000005', { name: 'Evergreen Dental Care' }),
    );
    expect(changed.updated_at).toBe('2026-03-02T09:00:10.000Z');
  });

  it('filters projects by client and status, newest first', async () => {
    const all = await allPages<Project>('/api/v1/projects');
    expect(all).toHaveLength(8);
    expect(all.map((p) => p.created_at)).toEqual(
      all
        .map((p) => p.created_at)
        .sort()
        .reverse(),
    );
    const forClient = await json<Page<Project>>(await get('/api/v1/projects?client_id=cli_000004'));
    expect(forClient.data.map((p) => p.id)).toEqual(['prj_000002']);
    const completed = await json<Page<Project>>(await get('/api/v1/projects?status=completed'));
    expect(completed.data.map((p) => p.id).sort()).toEqual(['prj_000001', 'prj_000002']);
  });

  it('sorts tasks by -completed_at with open tasks last, and filters them', async () => {
    const tasks = await allPages<Task>('/api/v1/tasks?sort=-completed_at&limit=5');
    expect(tasks).toHaveLength(24);
    const firstOpen = tasks.findIndex((t) => t.completed_at === null);
    const done = tasks.slice(0, firstOpen).map((t) => t.completed_at ?? '');
    expect(done.length).toBeGreaterThan(3);
    expect(done).toEqual([...done].sort().reverse());
    expect(tasks.slice(firstOpen).every((t) => t.completed_at === null)).toBe(true);
    const inProject = await allPages<Task>('/api/v1/tasks?project_id=prj_000003&status=open');
    expect(inProject.map((t) => t.project_id)).toEqual(['prj_000003', 'prj_000003']);
  });

  it('pages members', async () => {
    const page = await json<Page<{ id: string; role: string }>>(await get('/api/v1/members?limit=3'));
    expect(page.data.map((m) => m.role)).toEqual(['owner', 'admin', 'staff']);
    expect(page.next_cursor).not.toBeNull();
  });
});

describe('creating and validating', () => {
  it('creates a client with 201 and contract fields', async () => {
    const response = await post('/api/v1/clients', {
      name: ' Quill & Ink ',
      type: 'business',
      email: 'hello@quill.example',
      tags: ['vat', 'vat', 'new'],
      external_id: 'crm-9',
    });
    expect(response.status).toBe(201);
    expect(await json(response)).toEqual({
      id: 'cli_000031',
      name: 'Quill & Ink',
      type: 'business',
      email: 'hello@quill.example',
      phone: null,
      tags: ['vat', 'new'],
      external_id: 'crm-9',
      status: 'active',
      created_at: '2026-03-02T09:00:00.000Z',
      updated_at: '2026-03-02T09:00:00.000Z',
    });
  });

  it('answers 422 with every bad field', async () => {
    const response = await post('/api/v1/clients', { email: 'not-an-email', type: 'robot', tags: 'vat' });
    expect(response.status).toBe(422);
    expect(await json(response)).toEqual({
      error: {
        code: 'validation_failed',
        message: expect.any(String),
        details: {
          fields: {
            name: 'is required',
            email: 'is not a valid email address',
            type: 'must be one of: individual, business',
            tags: 'must be an array of strings',
          },
        },
      },
    });
  });

  it('answers 409 conflict with the existing id for a used external_id', async () => {
    const response = await post('/api/v1/clients', { name: 'Dup', external_id: 'crm-1000' });
    expect(response.status).toBe(409);
    expect(await json(response)).toMatchObject({
      error: { code: 'conflict', details: { existing_id: 'cli_000001' } },
    });
  });

  it('validates projects: unknown client and impossible due date', async () => {
    const response = await post('/api/v1/projects', {
      client_id: 'cli_999999',
      name: 'P',
      due_date: '31/12/2026',
    });
    expect(response.status).toBe(422);
    expect(await json(response)).toMatchObject({
      error: {
        details: {
          fields: { client_id: 'does not match any client', due_date: 'must be a date in YYYY-MM-DD format' },
        },
      },
    });
    const ok = await post('/api/v1/projects', {
      client_id: 'cli_000001',
      name: 'Payroll',
      due_date: '2026-04-30',
    });
    expect(ok.status).toBe(201);
    expect(await json(ok)).toMatchObject({ id: 'prj_000009', status: 'open', due_date: '2026-04-30' });
  });

  it('answers 404 not_found for unknown objects and endpoints', async () => {
    const response = await get('/api/v1/clients/cli_999999');
    expect(response.status).toBe(404);
    expect((await json<ApiErrorBody>(response)).error.code).toBe('not_found');
    expect((await get('/api/v1/projects/prj_999999')).status).toBe(404);
    expect((await get('/api/v1/invoices')).status).toBe(404);
  });

  it('answers malformed JSON with 400 invalid_request', async () => {
    const response = await fetch(new URL('/api/v1/clients', sandbox.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(response.status).toBe(400);
    expect((await json<ApiErrorBody>(response)).error.code).toBe('invalid_request');
  });
});

describe('request log', () => {
  it('records each request with a fingerprint, never the token', async () => {
    sandbox.resetRequestLog();
    await get('/api/v1/me');
    await get('/api/v1/me', 'pat_bogus');
    await get('/api/v1/me', null);
    const grantId = sandbox.grants()[0]?.id;
    expect(sandbox.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/api/v1/me',
        status: 200,
        hasBearer: true,
        tokenFingerprint: tokenFingerprint(token),
        grantId,
        memberId: 'mem_000001',
      }),
      expect.objectContaining({ status: 401, hasBearer: true, grantId: null, errorCode: 'invalid_token' }),
      expect.objectContaining({ status: 401, hasBearer: false, tokenFingerprint: null }),
    ]);
    expect(JSON.stringify(sandbox.requests)).not.toContain(token);
    expect(sandbox.countRequests({ status: 401 })).toBe(2);
    expect(sandbox.countRequests((e) => e.path === '/api/v1/me')).toBe(3);
  });

  it('redacts credentials passed in the query string', async () => {
    await get(`/api/v1/me?access_token=${token}`, null);
    expect(sandbox.requests.at(-1)?.query).toEqual({ access_token: '[redacted]' });
  });
});
