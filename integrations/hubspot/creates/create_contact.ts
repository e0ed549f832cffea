import {
  defineCreate,
  defineInputFields,
  type CreatePerform,
  type InferInputData,
} from 'zapier-platform-core';
import { clean } from 'zapier-oauth-layer/internal';
import { call, CONTACT_OUTPUT_FIELDS, CONTACT_SAMPLE, flat, type Contact } from '../api';

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
  const contact = await call<Contact>(z, 'POST', '/crm/v3/objects/contacts', {
    body: { properties },
    writes: true,
  });
  return flat(contact);
}) satisfies CreatePerform<Input>;

export default defineCreate({
  key: 'create_contact',
  noun: 'Contact',
  display: { label: 'Create Contact', description: 'Creates a contact in HubSpot.' },
  operation: { inputFields, perform, sample: CONTACT_SAMPLE, outputFields: [...CONTACT_OUTPUT_FIELDS] },
});
