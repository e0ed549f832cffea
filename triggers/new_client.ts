import { defineTrigger, type PollingTriggerPerform } from 'zapier-platform-core';
import { listClients } from '../lib/api';
import { CLIENT_OUTPUT_FIELDS, CLIENT_SAMPLE } from '../lib/samples';

// Newest first: Zapier deduplicates by id, so the first page is all a poll needs.
const perform = (async (z) => {
  const page = await listClients(z, { sort: '-created_at' });
  return page.data;
}) satisfies PollingTriggerPerform;

export default defineTrigger({
  key: 'new_client',
  noun: 'Client',
  display: {
    label: 'New Client',
    description: 'Triggers when a new client is added to your Practice firm.',
  },
  operation: {
    type: 'polling',
    perform,
    sample: CLIENT_SAMPLE,
    outputFields: [...CLIENT_OUTPUT_FIELDS],
  },
});
