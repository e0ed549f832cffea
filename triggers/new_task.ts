// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import {
  defineInputFields,
  defineTrigger,
  type InferInputData,
  type WebhookTriggerPerform,
  type WebhookTriggerPerformList,
} from 'zapier-platform-core';
import { listTasks, type Task } from '../practice/api';
import { TASK_OUTPUT_FIELDS, TASK_SAMPLE } from '../practice/samples';
import { receiveDelivery, subscriptionOperations } from '../practice/webhooks';
import { clean } from 'zapier-oauth-layer/internal';

const inputFields = defineInputFields([
  {
    key: 'project_id',
    label: 'Project',
    type: 'string',
    required: false,
    dynamic: 'projects.id.name',
    helpText: 'Only trigger on tasks in this project. Leave blank to trigger on tasks in every project.',
  },
]);

type Input = InferInputData<typeof inputFields>;

// Practice sends every task.created of the firm; the project filter is applied here.
const perform = (async (z, bundle) => {
  const input: Input = bundle.inputData;
  const task = await receiveDelivery<Task>(z, bundle, 'task.created');
  if (!task) return [];
  const projectId = clean(input.project_id);
  return projectId && task.project_id !== projectId ? [] : [task];
}) satisfies WebhookTriggerPerform<Input, Task>;

const performList = (async (z, bundle) => {
  const input: Input = bundle.inputData;
  const page = await listTasks(z, { project_id: clean(input.project_id), sort: '-created_at' });
  return page.data;
}) satisfies WebhookTriggerPerformList<Input, Task>;

export default defineTrigger({
  key: 'new_task',
  noun: 'Task',
  display: {
    label: 'New Task',
    description: 'Triggers when a new task is added to a project.',
  },
  operation: {
    type: 'hook',
    inputFields,
    ...subscriptionOperations('task.created'),
    perform,
    performList,
    sample: TASK_SAMPLE,
    outputFields: [...TASK_OUTPUT_FIELDS],
  },
});
