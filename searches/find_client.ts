// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import {
  defineInputFields,
  defineSearch,
  type InferInputData,
  type SearchPerform,
} from 'zapier-platform-core';
import { searchClients } from '../practice/api';
import { CLIENT_OUTPUT_FIELDS, CLIENT_SAMPLE } from '../practice/samples';
import { clean } from 'zapier-oauth-layer/internal';

const inputFields = defineInputFields([
  {
    key: 'email',
    label: 'Email',
    type: 'string',
    required: false,
    helpText: 'Finds the client with exactly this email address (not case-sensitive).',
  },
  {
    key: 'name',
    label: 'Name',
    type: 'string',
    required: false,
    helpText: 'Finds clients whose name starts with this text. Used only when Email is empty.',
  },
]);

type Input = InferInputData<typeof inputFields>;

const perform = (async (z, bundle) => {
  const input: Input = bundle.inputData;
  const email = clean(input.email);
  const name = clean(input.name);
  if (!email && !name) {
    throw new z.errors.Error('Enter an Email or a Name to search for.', 'invalid_input', 400);
  }
  return searchClients(z, email ? { email } : { name });
}) satisfies SearchPerform<Input>;

export default defineSearch({
  key: 'find_client',
  noun: 'Client',
  display: {
    label: 'Find Client',
    description: 'Finds a client in your Practice firm by email address or name.',
  },
  operation: {
    inputFields,
    perform,
    sample: CLIENT_SAMPLE,
    outputFields: [...CLIENT_OUTPUT_FIELDS],
  },
});
