// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import {
  defineCreate,
  defineInputFields,
  type CreatePerform,
  type InferInputData,
} from 'zapier-platform-core';
import { updateClient, type UpdateClientBody } from '../practice/api';
import { CLIENT_OUTPUT_FIELDS, CLIENT_SAMPLE } from '../practice/samples';
import { clean } from 'zapier-oauth-layer/internal';

const inputFields = defineInputFields([
  {
    key: 'client_id',
    label: 'Client',
    type: 'string',
    required: true,
    dynamic: 'clients.id.name',
    helpText: 'The client to update. Choose one, or map a Client ID from an earlier step.',
  },
  {
    key: 'name',
    label: 'Name',
    type: 'string',
    required: false,
    helpText: "The client's new full name or company name. Leave blank to keep the current one.",
  },
  {
    key: 'email',
    label: 'Email',
    type: 'string',
    required: false,
    helpText: 'The new main contact email address. Leave blank to keep the current one.',
  },
  {
    key: 'phone',
    label: 'Phone',
    type: 'string',
    required: false,
    helpText: 'The new main contact phone number. Leave blank to keep the current one.',
  },
  {
    key: 'tags',
    label: 'Tags',
    type: 'string',
    list: true,
    required: false,
    helpText: "Replaces all of the client's tags with these. Leave blank to keep the current tags.",
  },
  {
    key: 'status',
    label: 'Status',
    type: 'string',
    required: false,
    choices: { active: 'Active', archived: 'Archived' },
    helpText: 'Archive the client, or make an archived client active again.',
  },
]);

type Input = InferInputData<typeof inputFields>;

const perform = (async (z, bundle) => {
  const input: Input = bundle.inputData;
  const clientId = clean(input.client_id);
  if (!clientId) throw new z.errors.Error('Choose the Client to update.', 'invalid_input', 400);
  const status = clean(input.status);
  if (status !== undefined && status !== 'active' && status !== 'archived') {
    throw new z.errors.Error(`Status must be "active" or "archived", not "${status}".`, 'invalid_input', 400);
  }
  const tags = (input.tags ?? []).map((tag) => tag.trim()).filter(Boolean);
  const body: UpdateClientBody = {
    ...(clean(input.name) ? { name: clean(input.name) } : {}),
    ...(clean(input.email) ? { email: clean(input.email) } : {}),
    ...(clean(input.phone) ? { phone: clean(input.phone) } : {}),
    ...(tags.length ? { tags } : {}),
    ...(status ? { status } : {}),
  };
  // An empty PATCH would succeed and change nothing: say so instead of pretending.
  if (Object.keys(body).length === 0) {
    throw new z.errors.Error(
      'Nothing to update: fill in at least one of Name, Email, Phone, Tags or Status.',
      'invalid_input',
      400,
    );
  }
  // The Client field names the id if it cannot be a path segment.
  return updateClient(z, inputFields[0], clientId, body);
}) satisfies CreatePerform<Input>;

export default defineCreate({
  key: 'update_client',
  noun: 'Client',
  display: {
    label: 'Update Client',
    description: "Updates an existing client's details in your Practice firm.",
  },
  operation: {
    inputFields,
    perform,
    sample: CLIENT_SAMPLE,
    outputFields: [...CLIENT_OUTPUT_FIELDS],
  },
});
