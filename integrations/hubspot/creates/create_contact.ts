import {
  defineCreate,
  defineInputFields,
  type CreatePerform,
  type InferInputData,
} from 'zapier-platform-core';
import { CONTACT_OUTPUT_FIELDS, CONTACT_SAMPLE, flat, hubspot, type Contact } from '../api';

/** Trimmed text, or undefined when there is none: HubSpot keeps "" as a value. */
const clean = (value: string | undefined) => value?.trim() || undefined;

const inputFields = defineInputFields([
  {
    key: 'email',
    label: 'Email',
    type: 'string',
    required: true,
    helpText: 'HubSpot keeps one contact per email address.',
  },
  { key: 'firstname', label: 'First Name', type: 'string', required: false },
  { key: 'lastname', label: 'Last Name', type: 'string', required: false },
]);

type Input = InferInputData<typeof inputFields>;

const perform = (async (z, bundle) => {
  const input: Input = bundle.inputData;
  const properties = Object.fromEntries(
    (['email', 'firstname', 'lastname'] as const)
      .map((key) => [key, clean(input[key])] as const)
      .filter(([, value]) => value !== undefined),
  );
  const { data } = await hubspot.request<Contact>(z, {
    method: 'POST',
    path: '/crm/v3/objects/contacts',
    json: { properties },
  });
  return flat(data);
}) satisfies CreatePerform<Input>;

export default defineCreate({
  key: 'create_contact',
  noun: 'Contact',
  display: { label: 'Create Contact', description: 'Creates a contact in HubSpot.' },
  operation: { inputFields, perform, sample: CONTACT_SAMPLE, outputFields: [...CONTACT_OUTPUT_FIELDS] },
});
