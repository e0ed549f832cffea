// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import { defineTrigger, type Bundle, type ZObject } from 'zapier-platform-core';
import { listClients, type Client } from '../practice/api';
import { CLIENT_OUTPUT_FIELDS, CLIENT_SAMPLE } from '../practice/samples';
import { receiveDelivery, subscriptionOperations } from '../practice/webhooks';

// A delivery carries the Client exactly as the list endpoint returns it.
const perform = async (z: ZObject, bundle: Bundle): Promise<Client[]> => {
  const client = await receiveDelivery<Client>(z, bundle, 'client.created');
  return client ? [client] : [];
};

// Samples for the Zap editor: the newest clients, same shape as a delivery.
const performList = async (z: ZObject): Promise<Client[]> => {
  const page = await listClients(z, { sort: '-created_at' });
  return page.data;
};

export default defineTrigger({
  key: 'new_client',
  noun: 'Client',
  display: {
    label: 'New Client',
    description: 'Triggers when a new client is added to your Practice firm.',
  },
  operation: {
    type: 'hook',
    ...subscriptionOperations('client.created'),
    perform,
    performList,
    sample: CLIENT_SAMPLE,
    outputFields: [...CLIENT_OUTPUT_FIELDS],
  },
});
