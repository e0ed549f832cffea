// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import { defineTrigger, type PollingTriggerPerform } from 'zapier-platform-core';
import { cursorPage, listMembers } from '../practice/api';
import { MEMBER_OUTPUT_FIELDS, MEMBER_SAMPLE } from '../practice/samples';

// Feeds dynamic dropdowns, one API page per "Load more".
const perform = (async (z, bundle) =>
  cursorPage(z, bundle, (cursor) => listMembers(z, { cursor }))) satisfies PollingTriggerPerform;

export default defineTrigger({
  key: 'members',
  noun: 'Member',
  display: {
    label: 'List Members',
    description: 'Triggers when Zapier lists the members of your Practice firm for a dropdown.',
    hidden: true,
  },
  operation: {
    type: 'polling',
    canPaginate: true,
    perform,
    sample: MEMBER_SAMPLE,
    outputFields: [...MEMBER_OUTPUT_FIELDS],
  },
});
