// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import { defineTrigger, type PollingTriggerPerform } from 'zapier-platform-core';
import { cursorPage, listTasks } from '../practice/api';
import { TASK_OUTPUT_FIELDS, TASK_SAMPLE } from '../practice/samples';

// Feeds dynamic dropdowns, one API page per "Load more".
const perform = (async (z, bundle) =>
  cursorPage(z, bundle, (cursor) =>
    listTasks(z, { status: 'open', sort: '-created_at', cursor }),
  )) satisfies PollingTriggerPerform;

export default defineTrigger({
  key: 'tasks',
  noun: 'Task',
  display: {
    label: 'List Tasks',
    description: 'Triggers when Zapier lists your open Practice tasks for a dropdown.',
    hidden: true,
  },
  operation: {
    type: 'polling',
    canPaginate: true,
    perform,
    sample: TASK_SAMPLE,
    outputFields: [...TASK_OUTPUT_FIELDS],
  },
});
