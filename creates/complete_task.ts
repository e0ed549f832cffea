// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import {
  defineCreate,
  defineInputFields,
  type CreatePerform,
  type InferInputData,
} from 'zapier-platform-core';
import { completeTask } from '../practice/api';
import { COMPLETED_TASK_SAMPLE, TASK_OUTPUT_FIELDS } from '../practice/samples';

const inputFields = defineInputFields([
  {
    key: 'task_id',
    label: 'Task',
    type: 'string',
    required: true,
    dynamic: 'tasks.id.title',
    helpText: 'The open task to mark as completed. Choose one, or map a Task ID from an earlier step.',
  },
]);

type Input = InferInputData<typeof inputFields>;

const perform = (async (z, bundle) => {
  const input: Input = bundle.inputData;
  const taskId = input.task_id.trim();
  if (!taskId) throw new z.errors.Error('Choose the Task to complete.', 'invalid_input', 400);
  // The Task field names the id if it cannot be a path segment.
  return completeTask(z, inputFields[0], taskId);
}) satisfies CreatePerform<Input>;

export default defineCreate({
  key: 'complete_task',
  noun: 'Task',
  display: {
    label: 'Complete Task',
    description: 'Marks a task as completed.',
  },
  operation: {
    inputFields,
    perform,
    sample: COMPLETED_TASK_SAMPLE,
    outputFields: [...TASK_OUTPUT_FIELDS],
  },
});
