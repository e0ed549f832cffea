// The layer bound to HubSpot's profile. Every call to HubSpot is hubspot.request: the URL under
// HubSpot's base, a timeout, failures below HTTP as Zapier errors; HTTP errors are Zapier errors
// in HubSpot's words (the layer's middleware, index.ts hardens with messages 'all').
import { createLayer } from 'zapier-oauth-layer';
import { hubspotProfile } from './profile';

export const hubspot = createLayer(hubspotProfile);

/** A CRM object as HubSpot answers it. */
export interface Contact {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
}

/** A contact for Zapier: its properties beside its id and dates, flat. */
export const flat = (contact: Contact) => ({
  ...contact.properties,
  id: contact.id,
  createdAt: contact.createdAt,
  updatedAt: contact.updatedAt,
});

/** What Zapier shows of a contact before a real one is there, and the fields it names. */
export const CONTACT_SAMPLE = {
  id: '51',
  email: 'ada@example.com',
  firstname: 'Ada',
  lastname: 'Lovelace',
  createdate: '2026-01-05T10:00:00.000Z',
  createdAt: '2026-01-05T10:00:00.000Z',
  updatedAt: '2026-01-05T10:00:00.000Z',
};

export const CONTACT_OUTPUT_FIELDS = [
  { key: 'id', label: 'Contact ID' },
  { key: 'email', label: 'Email' },
  { key: 'firstname', label: 'First Name' },
  { key: 'lastname', label: 'Last Name' },
  { key: 'createdAt', label: 'Created At', type: 'datetime' },
] as const;
