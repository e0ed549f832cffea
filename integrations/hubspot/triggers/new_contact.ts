import { defineTrigger, type ZObject } from 'zapier-platform-core';
import { CONTACT_OUTPUT_FIELDS, CONTACT_SAMPLE, flat, hubspot, type Contact } from '../api';

// Newest first, so that Zapier's deduplication by id sees each new contact once. HubSpot's list
// endpoint (GET /crm/v3/objects/contacts) takes no sort: its first page holds the oldest contacts.
const perform = async (z: ZObject) => {
  const { data } = await hubspot.request<{ results: Contact[] }>(z, {
    method: 'POST',
    path: '/crm/v3/objects/contacts/search',
    json: {
      sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }],
      properties: ['email', 'firstname', 'lastname', 'createdate'],
      limit: 100,
    },
    // A search: a POST that changes nothing, safe to run again after a failure.
    writes: false,
  });
  return data.results.map(flat);
};

export default defineTrigger({
  key: 'new_contact',
  noun: 'Contact',
  display: { label: 'New Contact', description: 'Triggers when a contact is created in HubSpot.' },
  operation: { perform, sample: CONTACT_SAMPLE, outputFields: [...CONTACT_OUTPUT_FIELDS] },
});
