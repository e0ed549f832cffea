// /api/v1/*: the resource endpoints of docs/practice-api.md §4. The gateway has already
// authenticated the caller; each handler checks its scope, then its role rule (K5), then
// its input, in that order, the way the production API does.
//
// K5 role rules the sandbox enforces (the contract leaves the choice to us):
//   - staff cannot change a client's status (archive or restore): "Staff members cannot
//     archive clients" — a 403 on a modern endpoint;
//   - staff can only complete tasks assigned to them or to nobody — a 403 that the legacy
//     endpoint turns into 200 {ok:false} (K2).
import express, { type Request, type Response, type Router } from 'express';
import { ApiError } from './errors';
import { callerOf, requireScopes } from './gateway';
import { MAX_LIMIT, paginate } from './paging';
import { metaOf } from './request-log';
import {
  isoTime,
  publicMember,
  WEBHOOK_EVENTS,
  type Client,
  type Project,
  type Scope,
  type Store,
  type Task,
  type WebhookEvent,
} from './store';
import { Fields, queryLimit, queryOneOf, queryString, queryTimestamp } from './validation';
import { isLoopbackTarget, newWebhookSecret, type WebhookDispatcher } from './webhooks';

export interface ApiDeps {
  store: Store;
  webhooks: WebhookDispatcher;
  /** The most items one page holds, whatever `limit` asks (SandboxOptions.pageSize). */
  pageSize?: number;
}

const EVENT_READ_SCOPE: Record<WebhookEvent, Scope> = {
  'client.created': 'clients:read',
  'task.created': 'tasks:read',
  'task.completed': 'tasks:read',
};

// Legacy endpoints wrap their payload in {ok:true, …}; the others answer it bare.
function send(req: Request, res: Response, status: number, payload: object): void {
  if (metaOf(req).legacy) {
    res.status(status).json({ ok: true, ...payload });
  } else {
    res.status(status).json(payload);
  }
}

function param(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}

export function apiRouter({ store, webhooks, pageSize = MAX_LIMIT }: ApiDeps): Router {
  const router = express.Router();
  // The limit asked is checked as always; the page may still hold fewer, with a cursor to the rest.
  const limitOf = (req: Request) => Math.min(queryLimit(req), pageSize);
  const now = () => isoTime(store.now());

  const findClient = (id: string): Client => {
    const client = store.clients.get(id);
    if (!client) throw ApiError.notFound('Client', id);
    return client;
  };
  const findProject = (id: string): Project => {
    const project = store.projects.get(id);
    if (!project) throw ApiError.notFound('Project', id);
    return project;
  };

  router.get('/me', (req, res) => {
    const { member } = callerOf(req);
    send(req, res, 200, { ...publicMember(member), firm: { ...store.firm } });
  });

  router.get('/members', (req, res) => {
    const page = paginate({
      items: [...store.members.values()].map(publicMember),
      id: (m) => m.id,
      key: (m) => m.id,
      sortName: 'id',
      direction: 'asc',
      limit: limitOf(req),
      cursor: queryString(req, 'cursor'),
    });
    send(req, res, 200, page);
  });

  // ---- clients -----------------------------------------------------------------------

  router.get('/clients', (req, res) => {
    requireScopes(req, 'clients:read');
    const sort = queryOneOf(req, 'sort', ['-created_at', '-updated_at'] as const) ?? '-created_at';
    const updatedSince = queryTimestamp(req, 'updated_since');
    const limit = limitOf(req);
    const cursor = queryString(req, 'cursor');
    const field = sort === '-updated_at' ? 'updated_at' : 'created_at';
    // Inclusive, so a poller that passes the newest updated_at it saw cannot miss a tie.
    const items = [...store.clients.values()].filter((c) => !updatedSince || c.updated_at >= updatedSince);
    send(
      req,
      res,
      200,
      paginate({
        items,
        id: (c) => c.id,
        key: (c) => c[field],
        sortName: sort,
        direction: 'desc',
        limit,
        cursor,
      }),
    );
  });

  router.post('/clients', (req, res) => {
    requireScopes(req, 'clients:write');
    const fields = new Fields(req);
    const name = fields.string('name', { required: true, max: 200 });
    const type = fields.oneOf('type', ['individual', 'business'] as const) ?? 'individual';
    const email = fields.email('email');
    const phone = fields.string('phone', { nullable: true, max: 50 });
    const tags = fields.tags('tags');
    const externalId = fields.string('external_id', { nullable: true, max: 100 });
    fields.check();
    if (externalId) {
      const existing = store.findClientByExternalId(externalId);
      if (existing) {
        throw new ApiError(409, 'conflict', `A client with external_id "${externalId}" already exists`, {
          existing_id: existing.id,
        });
      }
    }
    const at = now();
    const client: Client = {
      id: store.nextId('cli'),
      name: name ?? '',
      type,
      email: email ?? null,
      phone: phone || null,
      tags: tags ?? [],
      external_id: externalId || null,
      status: 'active',
      created_at: at,
      updated_at: at,
    };
    store.clients.set(client.id, client);
    webhooks.emit('client.created', client);
    send(req, res, 201, client);
  });

  // Before /clients/:id, or "search" would be taken for an id.
  router.get('/clients/search', (req, res) => {
    requireScopes(req, 'clients:read');
    const email = queryString(req, 'email')?.trim().toLowerCase();
    const name = queryString(req, 'name')?.trim().toLowerCase();
    if (!email && !name) throw ApiError.validation({ email: 'give email or name to search by' });
    const data = [...store.clients.values()]
      .filter((c) => (email ? c.email?.toLowerCase() === email : c.name.toLowerCase().startsWith(name ?? '')))
      .sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    send(req, res, 200, { data });
  });

  router.get('/clients/:id', (req, res) => {
    requireScopes(req, 'clients:read');
    send(req, res, 200, findClient(param(req, 'id')));
  });

  router.patch('/clients/:id', (req, res) => {
    requireScopes(req, 'clients:write');
    const client = findClient(param(req, 'id'));
    const fields = new Fields(req);
    const name = fields.string('name', { required: fields.has('name'), max: 200 });
    const email = fields.email('email');
    const phone = fields.string('phone', { nullable: true, max: 50 });
    const tags = fields.tags('tags');
    const status = fields.oneOf('status', ['active', 'archived'] as const);
    fields.check();
    if (status !== undefined && status !== client.status && callerOf(req).member.role === 'staff') {
      throw ApiError.forbidden(
        status === 'archived'
          ? 'Staff members cannot archive clients'
          : 'Staff members cannot restore archived clients',
      );
    }
    const changes: Partial<Client> = {};
    if (name !== undefined && name !== null && name !== client.name) changes.name = name;
    if (email !== undefined && email !== client.email) changes.email = email;
    if (phone !== undefined && (phone || null) !== client.phone) changes.phone = phone || null;
    if (tags !== undefined && tags.join('\n') !== client.tags.join('\n')) changes.tags = tags;
    if (status !== undefined && status !== client.status) changes.status = status;
    // Only a real change moves updated_at, so "Updated Client" fires once per update.
    if (Object.keys(changes).length > 0) Object.assign(client, changes, { updated_at: now() });
    send(req, res, 200, client);
  });

  // ---- projects ----------------------------------------------------------------------

  router.get('/projects', (req, res) => {
    requireScopes(req, 'projects:read');
    const clientId = queryString(req, 'client_id');
    const status = queryOneOf(req, 'status', ['open', 'completed'] as const);
    const items = [...store.projects.values()].filter(
      (p) => (!clientId || p.client_id === clientId) && (!status || p.status === status),
    );
    const page = paginate({
      items,
      id: (p) => p.id,
      key: (p) => p.created_at,
      sortName: '-created_at',
      direction: 'desc',
      limit: limitOf(req),
      cursor: queryString(req, 'cursor'),
    });
    send(req, res, 200, page);
  });

  router.post('/projects', (req, res) => {
    requireScopes(req, 'projects:write');
    const fields = new Fields(req);
    const clientId = fields.string('client_id', { required: true });
    const name = fields.string('name', { required: true, max: 200 });
    const dueDate = fields.date('due_date');
    if (clientId && !store.clients.has(clientId)) fields.fail('client_id', 'does not match any client');
    fields.check();
    const at = now();
    const project: Project = {
      id: store.nextId('prj'),
      client_id: clientId ?? '',
      name: name ?? '',
      status: 'open',
      due_date: dueDate ?? null,
      created_at: at,
      updated_at: at,
    };
    store.projects.set(project.id, project);
    send(req, res, 201, project);
  });

  router.get('/projects/:id', (req, res) => {
    requireScopes(req, 'projects:read');
    send(req, res, 200, findProject(param(req, 'id')));
  });

  // ---- tasks (legacy) ----------------------------------------------------------------

  router.get('/tasks', (req, res) => {
    requireScopes(req, 'tasks:read');
    const projectId = queryString(req, 'project_id');
    const status = queryOneOf(req, 'status', ['open', 'completed'] as const);
    const sort = queryOneOf(req, 'sort', ['-created_at', '-completed_at'] as const) ?? '-created_at';
    const items = [...store.tasks.values()].filter(
      (t) => (!projectId || t.project_id === projectId) && (!status || t.status === status),
    );
    const page = paginate({
      items,
      id: (t) => t.id,
      // Open tasks have no completed_at; '' puts them after every completed one.
      key: (t) => (sort === '-completed_at' ? (t.completed_at ?? '') : t.created_at),
      sortName: sort,
      direction: 'desc',
      limit: limitOf(req),
      cursor: queryString(req, 'cursor'),
    });
    send(req, res, 200, page);
  });

  router.post('/tasks', (req, res) => {
    requireScopes(req, 'tasks:write');
    const fields = new Fields(req);
    const projectId = fields.string('project_id', { required: true });
    const title = fields.string('title', { required: true, max: 300 });
    const description = fields.string('description', { nullable: true, max: 5000 });
    const assigneeId = fields.string('assignee_id', { nullable: true });
    const dueDate = fields.date('due_date');
    if (projectId && !store.projects.has(projectId)) fields.fail('project_id', 'does not match any project');
    if (assigneeId && !store.members.has(assigneeId)) fields.fail('assignee_id', 'does not match any member');
    fields.check();
    const at = now();
    const task: Task = {
      id: store.nextId('tsk'),
      project_id: projectId ?? '',
      title: title ?? '',
      description: description || null,
      assignee_id: assigneeId || null,
      due_date: dueDate ?? null,
      status: 'open',
      completed_at: null,
      created_at: at,
      updated_at: at,
    };
    store.tasks.set(task.id, task);
    webhooks.emit('task.created', task);
    send(req, res, 200, { data: task });
  });

  router.post('/tasks/:id/complete', (req, res) => {
    requireScopes(req, 'tasks:write');
    const id = param(req, 'id');
    const task = store.tasks.get(id);
    if (!task) throw ApiError.notFound('Task', id);
    const { member } = callerOf(req);
    if (member.role === 'staff' && task.assignee_id !== null && task.assignee_id !== member.id) {
      throw ApiError.forbidden('Staff members can only complete tasks assigned to them');
    }
    // Completing twice is harmless and does not fire task.completed again.
    if (task.status !== 'completed') {
      const at = now();
      Object.assign(task, { status: 'completed', completed_at: at, updated_at: at });
      webhooks.emit('task.completed', task);
    }
    send(req, res, 200, { data: task });
  });

  // ---- webhooks ----------------------------------------------------------------------

  router.post('/webhooks', (req, res) => {
    requireScopes(req, 'webhooks');
    const fields = new Fields(req);
    const targetUrl = fields.string('target_url', { required: true, max: 2000 });
    const event = fields.oneOf('event', WEBHOOK_EVENTS);
    if (!fields.has('event')) fields.fail('event', 'is required');
    if (targetUrl && !/^https?:\/\//i.test(targetUrl)) fields.fail('target_url', 'must be an http(s) URL');
    if (targetUrl) {
      try {
        new URL(targetUrl);
      } catch {
        fields.fail('target_url', 'must be an http(s) URL');
      }
    }
    fields.check();
    if (!event || !targetUrl) throw ApiError.validation({ event: 'is required' });
    requireScopes(req, 'webhooks', EVENT_READ_SCOPE[event]);
    const hook = {
      id: store.nextId('whk'),
      target_url: targetUrl,
      event,
      secret: newWebhookSecret(),
      created_at: now(),
    };
    store.webhooks.set(hook.id, hook);
    res.set(
      'Practice-Delivery',
      isLoopbackTarget(targetUrl) ? 'enabled' : 'disabled: sandbox delivers to loopback only',
    );
    send(req, res, 201, hook);
  });

  router.delete('/webhooks/:id', (req, res) => {
    requireScopes(req, 'webhooks');
    const id = param(req, 'id');
    if (!store.webhooks.delete(id)) throw ApiError.notFound('Webhook', id);
    res.status(204).end();
  });

  router.use((req) => {
    throw ApiError.notFound('Endpoint', `${req.method} ${req.baseUrl}${req.path}`);
  });

  return router;
}
