// The Practice resource API: URLs, paging, wire types. Operations call these
// helpers and never build URLs or headers themselves.

import type { Bundle, ZObject } from 'zapier-platform-core';
import { isRecord, parseCoreError } from 'zapier-oauth-layer/internal';
import { practice } from './layer';

export type Client = {
  id: string;
  name: string;
  type: 'individual' | 'business';
  email: string | null;
  phone: string | null;
  tags: string[];
  external_id: string | null;
  status: 'active' | 'archived';
  created_at: string;
  updated_at: string;
};

export type Project = {
  id: string;
  client_id: string;
  name: string;
  status: 'open' | 'completed';
  due_date: string | null;
  created_at: string;
  updated_at: string;
};

export type Task = {
  id: string;
  project_id: string;
  title: string;
  description: string | null;
  assignee_id: string | null;
  due_date: string | null;
  status: 'open' | 'completed';
  completed_at: string | null;
  created_at: string;
  updated_at: string;
};

export type WebhookEvent = 'client.created' | 'task.created' | 'task.completed';

/** A subscription as Practice returns it; `secret` signs every delivery and is never logged. */
export type Webhook = {
  id: string;
  target_url: string;
  event: WebhookEvent;
  secret: string;
  created_at: string;
};

export type Member = {
  id: string;
  name: string;
  email: string;
  role: 'owner' | 'admin' | 'staff';
};

export type Me = {
  id: string;
  email: string;
  name: string;
  role: Member['role'];
  firm: { id: string; name: string };
};

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

type Query = Record<string, string | number | undefined>;

interface CallOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  params?: Query;
  body?: Record<string, unknown>;
  /**
   * Keep the answer's body out of core's HTTP log: layer/middleware.ts readQuietBody reads it
   * instead. For webhook subscriptions, whose answers carry (or may quote) the signing
   * secret, which core's log scrubber does not know.
   */
  quiet?: boolean;
}

function unexpected(z: ZObject, path: string, what: string): Error {
  return new z.errors.Error(
    `Practice answered ${path} with ${what}, not what its API documents. Try again in a few minutes; if it persists, report it to the integration owner.`,
    'unexpected_response',
    502,
  );
}

function compact(params: Query | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== '') out[key] = String(value);
  }
  return out;
}

/** Where an id in a path came from, to name it when it is refused: an input field, or stored data. */
export interface IdSource {
  label: string;
  key: string;
}

/**
 * What an id may look like: the sandbox issues `cli_000123`-style ids; a real deployment
 * may use UUIDs, numbers or composite ids (`a:b`, `a@b`, `a.b`), and an id may happen to
 * contain `%`. Letters, digits and `-._~:@%+=`, with at least one letter or digit (so
 * never `.` or `..`), up to 128 characters. No `/`, `?`, `#`, `\`, spaces or other
 * characters: those would be refused or misread by the API anyway.
 */
const ID_SHAPE = /^[A-Za-z0-9._~:@%+=-]{1,128}$/;
const HAS_LETTER_OR_DIGIT = /[A-Za-z0-9]/;

/** Short and printable, for a message: never more than 40 characters of the value. */
function shownId(id: string): string {
  return JSON.stringify(id.length > 40 ? `${id.slice(0, 39)}…` : id);
}

/** Why `id` cannot be a path segment, as the message a Zap user reads; undefined when it can. */
export function idProblem(source: IdSource, id: string): string | undefined {
  if (ID_SHAPE.test(id) && HAS_LETTER_OR_DIGIT.test(id)) return undefined;
  return (
    `"${source.label}" (${source.key}) is not a Practice ID: ${shownId(id)}. ` +
    'An ID is 1 to 128 letters, digits and - _ . ~ : @ % + = with at least one letter or digit. ' +
    'Choose the record again, or map its ID from an earlier step.'
  );
}

/**
 * One path segment from an id that comes from user input or stored data. `encodeURIComponent`
 * keeps a literal `%` from being read as an escape, but leaves dots alone and URL parsing
 * collapses dot segments: `..` would move the request to another endpoint. Anything not
 * id-shaped is refused before any request.
 */
function segment(z: ZObject, source: IdSource, id: string): string {
  const problem = idProblem(source, id);
  if (problem !== undefined) throw new z.errors.Error(problem, 'invalid_id', 400);
  return encodeURIComponent(id);
}

/**
 * One call to the API (practice.request: the URL under BASE_URL, a timeout, failures below HTTP
 * as Zapier errors, a write's saying Practice may have received it anyway); HTTP errors were
 * already turned into Zapier errors by the middleware (index.ts hardens with messages 'all').
 */
async function call(z: ZObject, path: string, options: CallOptions = {}): Promise<unknown> {
  const response = await practice.request(z, {
    path,
    method: options.method ?? 'GET',
    params: compact(options.params),
    ...(options.body ? { json: options.body } : {}),
    quiet: options.quiet === true,
  });
  return response.data;
}

/** An object answer, legacy `{ok: true, data}` envelopes unwrapped. */
async function object<T>(
  z: ZObject,
  path: string,
  options: CallOptions & { legacy?: boolean } = {},
): Promise<T> {
  const data = await call(z, path, options);
  const payload = options.legacy && isRecord(data) && data.ok === true ? data.data : data;
  if (!isRecord(payload)) throw unexpected(z, path, Array.isArray(payload) ? 'a list' : 'no object');
  if (typeof payload.id !== 'string' && typeof payload.id !== 'number')
    throw unexpected(z, path, 'an object without an id');
  return payload as T;
}

/** One page of a list endpoint (legacy pages carry the same fields beside `ok: true`). */
async function page<T>(z: ZObject, path: string, params: Query): Promise<Page<T>> {
  const envelope = await call(z, path, { params });
  if (!isRecord(envelope) || !Array.isArray(envelope.data)) throw unexpected(z, path, 'no list of records');
  const items = envelope.data.filter(isRecord);
  if (items.length !== envelope.data.length) throw unexpected(z, path, 'a list holding non-objects');
  const next = envelope.next_cursor;
  return { data: items as T[], next_cursor: typeof next === 'string' && next !== '' ? next : null };
}

export const PAGE_LIMIT_MAX = 100;

/**
 * One page for a trigger with `canPaginate: true` (dynamic dropdowns): Zapier asks
 * for page 0, 1, 2… and keeps our cursor between those calls in `z.cursor`. An empty
 * stored cursor means the previous page was the last one.
 */
export async function cursorPage<T>(
  z: ZObject,
  bundle: Bundle,
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  let cursor: string | undefined;
  if ((bundle.meta?.page ?? 0) > 0) {
    cursor = (await z.cursor.get()) || undefined;
    if (!cursor) return [];
  }
  const result = await fetchPage(cursor);
  await z.cursor.set(result.next_cursor ?? '');
  return result.data;
}

export function getMe(z: ZObject): Promise<Me> {
  return object<Me>(z, '/api/v1/me');
}

export interface PageParams {
  limit?: number;
  cursor?: string;
}

export interface ListClientsParams {
  sort?: '-created_at' | '-updated_at';
  updated_since?: string;
  limit?: number;
  cursor?: string;
}

export function listClients(z: ZObject, params: ListClientsParams = {}): Promise<Page<Client>> {
  return page<Client>(z, '/api/v1/clients', { limit: PAGE_LIMIT_MAX, ...params });
}

export interface CreateClientBody {
  name: string;
  type?: Client['type'];
  email?: string;
  phone?: string;
  tags?: string[];
  external_id?: string;
}

export function createClient(z: ZObject, body: CreateClientBody): Promise<Client> {
  return object<Client>(z, '/api/v1/clients', { method: 'POST', body: { ...body } });
}

/** Legacy endpoint (K2): errors arrive as HTTP 200 `{ok: false}` and are thrown by middleware. */
export async function searchClients(z: ZObject, query: { email?: string; name?: string }): Promise<Client[]> {
  const path = '/api/v1/clients/search';
  const data = await call(z, path, { params: query });
  if (!isRecord(data) || data.ok !== true || !Array.isArray(data.data)) {
    throw unexpected(z, path, 'no list of clients');
  }
  return data.data.filter(isRecord) as Client[];
}

export interface UpdateClientBody {
  name?: string;
  email?: string;
  phone?: string;
  tags?: string[];
  status?: Client['status'];
}

export function getClient(z: ZObject, source: IdSource, id: string): Promise<Client> {
  return object<Client>(z, `/api/v1/clients/${segment(z, source, id)}`);
}

export function updateClient(
  z: ZObject,
  source: IdSource,
  id: string,
  body: UpdateClientBody,
): Promise<Client> {
  return object<Client>(z, `/api/v1/clients/${segment(z, source, id)}`, {
    method: 'PATCH',
    body: { ...body },
  });
}

export interface ListProjectsParams extends PageParams {
  client_id?: string;
  status?: Project['status'];
}

/** Newest first (the API's only order). */
export function listProjects(z: ZObject, params: ListProjectsParams = {}): Promise<Page<Project>> {
  return page<Project>(z, '/api/v1/projects', { limit: PAGE_LIMIT_MAX, ...params });
}

export interface CreateProjectBody {
  client_id: string;
  name: string;
  due_date?: string;
}

export function createProject(z: ZObject, body: CreateProjectBody): Promise<Project> {
  return object<Project>(z, '/api/v1/projects', { method: 'POST', body: { ...body } });
}

export interface ListTasksParams extends PageParams {
  project_id?: string;
  status?: Task['status'];
  sort?: '-created_at' | '-completed_at';
}

/** Legacy endpoint (K2): the page sits beside `ok: true`. */
export function listTasks(z: ZObject, params: ListTasksParams = {}): Promise<Page<Task>> {
  return page<Task>(z, '/api/v1/tasks', { limit: PAGE_LIMIT_MAX, ...params });
}

export interface CreateTaskBody {
  project_id: string;
  title: string;
  description?: string;
  assignee_id?: string;
  due_date?: string;
}

/** Legacy endpoint (K2): answers `{ok: true, data: Task}`. */
export function createTask(z: ZObject, body: CreateTaskBody): Promise<Task> {
  return object<Task>(z, '/api/v1/tasks', { method: 'POST', body: { ...body }, legacy: true });
}

/** Legacy endpoint (K2): answers `{ok: true, data: Task}`. */
export function completeTask(z: ZObject, source: IdSource, id: string): Promise<Task> {
  return object<Task>(z, `/api/v1/tasks/${segment(z, source, id)}/complete`, {
    method: 'POST',
    legacy: true,
  });
}

export function listMembers(z: ZObject, params: PageParams = {}): Promise<Page<Member>> {
  return page<Member>(z, '/api/v1/members', { limit: PAGE_LIMIT_MAX, ...params });
}

export async function createWebhook(
  z: ZObject,
  body: { target_url: string; event: WebhookEvent },
): Promise<Webhook> {
  const path = '/api/v1/webhooks';
  const hook = await object<Webhook>(z, path, { method: 'POST', body: { ...body }, quiet: true });
  // Without a secret no delivery could ever be verified; the message never quotes the answer.
  if (typeof hook.secret !== 'string' || hook.secret === '')
    throw unexpected(z, path, 'a webhook without a secret');
  return { ...hook, id: String(hook.id) };
}

/** The subscription id performSubscribe stored, as a path segment names it when refused. */
export const WEBHOOK_ID_SOURCE: IdSource = { label: 'Webhook subscription', key: 'subscribeData.id' };

/** Deleting a webhook that is already gone (404) is what we wanted anyway. */
export async function deleteWebhook(z: ZObject, id: string): Promise<{ id: string; deleted: true }> {
  const path = `/api/v1/webhooks/${segment(z, WEBHOOK_ID_SOURCE, id)}`;
  try {
    await call(z, path, { method: 'DELETE', quiet: true });
  } catch (error) {
    const { name, status } = parseCoreError(error);
    if (name !== 'AppError' || status !== 404) throw error;
  }
  return { id, deleted: true };
}
