// Static samples shared by steps and tests: one shape per object, as the API returns it.

import type { Client } from './api';

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
