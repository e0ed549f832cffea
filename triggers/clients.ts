// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import { defineTrigger, type PollingTriggerPerform } from 'zapier-platform-core';
import { cursorPage, listClients } from '../practice/api';
import { CLIENT_OUTPUT_FIELDS, CLIENT_SAMPLE } from '../practice/samples';

// Feeds dynamic dropdowns, one API page per "Load more".
const perform = (async (z, bundle) =>
  cursorPage(z, bundle, (cursor) =>
    listClients(z, { sort: '-created_at', cursor }),
  )) satisfies PollingTriggerPerform;

export default defineTrigger({
  key: 'clients',
  noun: 'Client',
  display: {
    label: 'List Clients',
    description: 'Triggers when Zapier lists your Practice clients for a dropdown.',
    hidden: true,
  },
  operation: {
    type: 'polling',
    canPaginate: true,
    perform,
    sample: CLIENT_SAMPLE,
    outputFields: [...CLIENT_OUTPUT_FIELDS],
  },
});
