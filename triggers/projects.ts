// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import { defineTrigger, type PollingTriggerPerform } from 'zapier-platform-core';
import { cursorPage, listProjects } from '../practice/api';
import { PROJECT_OUTPUT_FIELDS, PROJECT_SAMPLE } from '../practice/samples';

// Feeds dynamic dropdowns, one API page per "Load more".
const perform = (async (z, bundle) =>
  cursorPage(z, bundle, (cursor) => listProjects(z, { cursor }))) satisfies PollingTriggerPerform;

export default defineTrigger({
  key: 'projects',
  noun: 'Project',
  display: {
    label: 'List Projects',
    description: 'Triggers when Zapier lists your Practice projects for a dropdown.',
    hidden: true,
  },
  operation: {
    type: 'polling',
    canPaginate: true,
    perform,
    sample: PROJECT_SAMPLE,
    outputFields: [...PROJECT_OUTPUT_FIELDS],
  },
});
