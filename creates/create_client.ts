// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import {
  defineCreate,
  defineInputFields,
  type CreatePerform,
  type InferInputData,
} from 'zapier-platform-core';
import { createClient } from '../practice/api';
import { CLIENT_OUTPUT_FIELDS, CLIENT_SAMPLE } from '../practice/samples';
import { clean } from 'zapier-oauth-layer/internal';

const inputFields = defineInputFields([
  {
    key: 'name',
    label: 'Name',
    type: 'string',
    required: true,
    helpText: "The client's full name or company name.",
  },
  {
    key: 'type',
    label: 'Type',
    type: 'string',
    required: false,
    choices: { individual: 'Individual', business: 'Business' },
    helpText: 'Whether the client is a person or a business. Practice uses **Individual** when left blank.',
  },
  { key: 'email', label: 'Email', type: 'string', required: false, helpText: 'Main contact email address.' },
  { key: 'phone', label: 'Phone', type: 'string', required: false, helpText: 'Main contact phone number.' },
  {
    key: 'tags',
    label: 'Tags',
    type: 'string',
    list: true,
    required: false,
    helpText: 'Labels to file the client under, one per line.',
  },
  {
    key: 'external_id',
    label: 'External ID',
    type: 'string',
    required: false,
    helpText:
      "The client's ID in another system, such as your CRM. Practice refuses a second client with the same External ID.",
  },
]);

type Input = InferInputData<typeof inputFields>;

const perform = (async (z, bundle) => {
  const input: Input = bundle.inputData;
  const type = clean(input.type);
  if (type !== undefined && type !== 'individual' && type !== 'business') {
    throw new z.errors.Error(`Type must be "individual" or "business", not "${type}".`, 'invalid_input', 400);
  }
  const tags = (input.tags ?? []).map((tag) => tag.trim()).filter(Boolean);
  return createClient(z, {
    name: input.name.trim(),
    ...(type ? { type } : {}),
    ...(clean(input.email) ? { email: clean(input.email) } : {}),
    ...(clean(input.phone) ? { phone: clean(input.phone) } : {}),
    ...(tags.length ? { tags } : {}),
    ...(clean(input.external_id) ? { external_id: clean(input.external_id) } : {}),
  });
}) satisfies CreatePerform<Input>;

export default defineCreate({
  key: 'create_client',
  noun: 'Client',
  display: {
    label: 'Create Client',
    description: 'Creates a new client in your Practice firm.',
  },
  operation: {
    inputFields,
    perform,
    sample: CLIENT_SAMPLE,
    outputFields: [...CLIENT_OUTPUT_FIELDS],
  },
});
