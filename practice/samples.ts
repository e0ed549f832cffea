// Static samples shared by steps and tests: one shape per object, as the API returns it
// (and as `perform` returns it), with output fields that describe exactly those keys.

import type { Client, Member, Project, Task } from './api';

export const CLIENT_SAMPLE: Client = {
  id: 'cli_0001',
  name: 'Acme Bookkeeping Ltd',
  type: 'business',
  email: 'accounts@acme.example',
  phone: '+44 20 7946 0000',
  tags: ['vip', 'monthly'],
  external_id: 'crm-1001',
  status: 'active',
  created_at: '2026-01-05T09:30:00Z',
  updated_at: '2026-01-06T14:12:00Z',
};

export const CLIENT_OUTPUT_FIELDS = [
  { key: 'id', label: 'Client ID', type: 'string' },
  { key: 'name', label: 'Name', type: 'string' },
  { key: 'type', label: 'Type', type: 'string' },
  { key: 'email', label: 'Email', type: 'string' },
  { key: 'phone', label: 'Phone', type: 'string' },
  { key: 'tags[]', label: 'Tags', type: 'string' },
  { key: 'external_id', label: 'External ID', type: 'string' },
  { key: 'status', label: 'Status', type: 'string' },
  { key: 'created_at', label: 'Created At', type: 'datetime' },
  { key: 'updated_at', label: 'Updated At', type: 'datetime' },
] as const;

/** One update of a client: `id` names the update, `client_id` the client (see updated_client). */
export type ClientUpdate = Omit<Client, 'id'> & { id: string; client_id: string };

export function clientUpdate(client: Client): ClientUpdate {
  return { ...client, id: `${client.id}@${client.updated_at}`, client_id: client.id };
}

export const CLIENT_UPDATE_SAMPLE: ClientUpdate = clientUpdate(CLIENT_SAMPLE);

export const CLIENT_UPDATE_OUTPUT_FIELDS = [
  { key: 'id', label: 'Update ID', type: 'string' },
  { key: 'client_id', label: 'Client ID', type: 'string' },
  ...CLIENT_OUTPUT_FIELDS.filter((field) => field.key !== 'id'),
] as const;

export const PROJECT_SAMPLE: Project = {
  id: 'prj_0001',
  client_id: 'cli_0001',
  name: 'Year-End Accounts 2025',
  status: 'open',
  due_date: '2026-03-31',
  created_at: '2026-01-07T10:00:00Z',
  updated_at: '2026-01-07T10:00:00Z',
};

export const PROJECT_OUTPUT_FIELDS = [
  { key: 'id', label: 'Project ID', type: 'string' },
  { key: 'client_id', label: 'Client ID', type: 'string' },
  { key: 'name', label: 'Name', type: 'string' },
  { key: 'status', label: 'Status', type: 'string' },
  { key: 'due_date', label: 'Due Date', type: 'datetime' },
  { key: 'created_at', label: 'Created At', type: 'datetime' },
  { key: 'updated_at', label: 'Updated At', type: 'datetime' },
] as const;

export const TASK_SAMPLE: Task = {
  id: 'tsk_0001',
  project_id: 'prj_0001',
  title: 'Collect bank statements',
  description: 'Ask the client for all 2025 bank statements.',
  assignee_id: 'mem_0002',
  due_date: '2026-02-15',
  status: 'open',
  completed_at: null,
  created_at: '2026-01-07T10:05:00Z',
  updated_at: '2026-01-07T10:05:00Z',
};

export const COMPLETED_TASK_SAMPLE: Task = {
  ...TASK_SAMPLE,
  status: 'completed',
  completed_at: '2026-02-10T16:45:00Z',
  updated_at: '2026-02-10T16:45:00Z',
};

export const TASK_OUTPUT_FIELDS = [
  { key: 'id', label: 'Task ID', type: 'string' },
  { key: 'project_id', label: 'Project ID', type: 'string' },
  { key: 'title', label: 'Title', type: 'string' },
  { key: 'description', label: 'Description', type: 'string' },
  { key: 'assignee_id', label: 'Assignee ID', type: 'string' },
  { key: 'due_date', label: 'Due Date', type: 'datetime' },
  { key: 'status', label: 'Status', type: 'string' },
  { key: 'completed_at', label: 'Completed At', type: 'datetime' },
  { key: 'created_at', label: 'Created At', type: 'datetime' },
  { key: 'updated_at', label: 'Updated At', type: 'datetime' },
] as const;

export const MEMBER_SAMPLE: Member = {
  id: 'mem_0002',
  name: 'Priya Shah',
  email: 'priya@firm.example',
  role: 'staff',
};

export const MEMBER_OUTPUT_FIELDS = [
  { key: 'id', label: 'Member ID', type: 'string' },
  { key: 'name', label: 'Name', type: 'string' },
  { key: 'email', label: 'Email', type: 'string' },
  { key: 'role', label: 'Role', type: 'string' },
] as const;
