// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import { defineTrigger, type PollingTriggerPerform } from 'zapier-platform-core';
import { listClients } from '../practice/api';
import {
  CLIENT_UPDATE_OUTPUT_FIELDS,
  CLIENT_UPDATE_SAMPLE,
  clientUpdate,
  type ClientUpdate,
} from '../practice/samples';

// Zapier deduplicates polls by `id`. A client's own id would fire once per client,
// ever; `<client id>@<updated_at>` fires once per update. The client's id stays
// available as `client_id` (labelled "Client ID") for the steps that follow.
const perform = (async (z) => {
  const page = await listClients(z, { sort: '-updated_at' });
  return page.data.map(clientUpdate);
}) satisfies PollingTriggerPerform<Record<string, unknown>, ClientUpdate>;

export default defineTrigger({
  key: 'updated_client',
  noun: 'Client',
  display: {
    label: 'Updated Client',
    description: 'Triggers when a client is updated, once for every update.',
  },
  operation: {
    type: 'polling',
    perform,
    sample: CLIENT_UPDATE_SAMPLE,
    outputFields: [...CLIENT_UPDATE_OUTPUT_FIELDS],
  },
});
