// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import {
  defineCreate,
  defineInputFields,
  type CreatePerform,
  type InferInputData,
} from 'zapier-platform-core';
import { createProject } from '../practice/api';
import { optionalApiDate } from '../practice/dates';
import { PROJECT_OUTPUT_FIELDS, PROJECT_SAMPLE } from '../practice/samples';

const inputFields = defineInputFields([
  {
    key: 'client_id',
    label: 'Client',
    type: 'string',
    required: true,
    dynamic: 'clients.id.name',
    helpText: 'The client the project is for.',
  },
  {
    key: 'name',
    label: 'Name',
    type: 'string',
    required: true,
    helpText: 'What the project is called, e.g. "Year-End Accounts 2025".',
  },
  {
    key: 'due_date',
    label: 'Due Date',
    type: 'datetime',
    required: false,
    helpText: 'When the project is due, as a date such as 2026-03-31. Any time of day is ignored.',
  },
]);

type Input = InferInputData<typeof inputFields>;

const perform = (async (z, bundle) => {
  const input: Input = bundle.inputData;
  const clientId = input.client_id.trim();
  const name = input.name.trim();
  if (!clientId || !name) {
    throw new z.errors.Error('Choose a Client and enter a Name for the project.', 'invalid_input', 400);
  }
  const dueDate = optionalApiDate(z, 'Due Date', input.due_date);
  return createProject(z, { client_id: clientId, name, ...(dueDate ? { due_date: dueDate } : {}) });
}) satisfies CreatePerform<Input>;

export default defineCreate({
  key: 'create_project',
  noun: 'Project',
  display: {
    label: 'Create Project',
    description: 'Creates a new project for a client.',
  },
  operation: {
    inputFields,
    perform,
    sample: PROJECT_SAMPLE,
    outputFields: [...PROJECT_OUTPUT_FIELDS],
  },
});
