// The layer bound to HubSpot's profile, and the one way this integration calls HubSpot: HTTP
// errors are already Zapier errors in HubSpot's words (the layer's middleware); failures below
// HTTP become one here.
import type { ZObject } from 'zapier-platform-core';
import { createLayer } from 'zapier-oauth-layer';
import { requestTimeoutMs } from 'zapier-oauth-layer/internal';
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

interface Call {
  params?: Record<string, string>;
  body?: object;
  /** How the call is named in a message, when its path holds something secret. */
  what?: string;
  /** It writes: after a failure below HTTP, HubSpot may have done it anyway. */
  writes?: boolean;
}

export async function call<T>(
  z: ZObject,
  method: 'GET' | 'POST',
  path: string,
  options: Call = {},
): Promise<T> {
  const timeoutMs = requestTimeoutMs();
  const url = hubspot.url(z, path);
  try {
    const response = await z.request({
      url,
      method,
      params: options.params,
      timeout: timeoutMs,
      ...(options.body ? { body: options.body, headers: { 'Content-Type': 'application/json' } } : {}),
    });
    return response.data as T;
  } catch (error) {
    throw (
      hubspot.failureBelowHttp(z, error, {
        method,
        what: options.what ?? `${method} ${path}`,
        host: new URL(url).hostname,
        timeoutMs,
        advice: options.writes
          ? 'HubSpot may have received the request anyway: check HubSpot before running this step again.'
          : 'Try again in a few minutes; if it keeps happening, HubSpot may be down.',
      }) ?? error
    );
  }
}
