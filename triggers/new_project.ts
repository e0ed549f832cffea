// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import {
  defineInputFields,
  defineTrigger,
  type InferInputData,
  type PollingTriggerPerform,
} from 'zapier-platform-core';
import { listProjects } from '../practice/api';
import { PROJECT_OUTPUT_FIELDS, PROJECT_SAMPLE } from '../practice/samples';
import { clean } from 'zapier-oauth-layer/internal';

const inputFields = defineInputFields([
  {
    key: 'client_id',
    label: 'Client',
    type: 'string',
    required: false,
    dynamic: 'clients.id.name',
    helpText: "Only trigger on this client's projects. Leave blank to trigger on every new project.",
  },
]);

type Input = InferInputData<typeof inputFields>;

// Newest first, filtered by Practice itself: the first page is all a poll needs.
const perform = (async (z, bundle) => {
  const input: Input = bundle.inputData;
  const page = await listProjects(z, { client_id: clean(input.client_id) });
  return page.data;
}) satisfies PollingTriggerPerform<Input>;

export default defineTrigger({
  key: 'new_project',
  noun: 'Project',
  display: {
    label: 'New Project',
    description: 'Triggers when a new project is created for a client.',
  },
  operation: {
    type: 'polling',
    inputFields,
    perform,
    sample: PROJECT_SAMPLE,
    outputFields: [...PROJECT_OUTPUT_FIELDS],
  },
});
