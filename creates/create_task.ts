// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import {
  defineCreate,
  defineInputFields,
  type CreatePerform,
  type InferInputData,
} from 'zapier-platform-core';
import { createTask } from '../practice/api';
import { optionalApiDate } from '../practice/dates';
import { TASK_OUTPUT_FIELDS, TASK_SAMPLE } from '../practice/samples';
import { clean } from 'zapier-oauth-layer/internal';

const inputFields = defineInputFields([
  {
    key: 'project_id',
    label: 'Project',
    type: 'string',
    required: true,
    dynamic: 'projects.id.name',
    helpText: 'The project the task belongs to.',
  },
  {
    key: 'title',
    label: 'Title',
    type: 'string',
    required: true,
    helpText: 'A short summary of the work, e.g. "Collect bank statements".',
  },
  {
    key: 'description',
    label: 'Description',
    type: 'text',
    required: false,
    helpText: 'Details or instructions for whoever does the task.',
  },
  {
    key: 'assignee_id',
    label: 'Assignee',
    type: 'string',
    required: false,
    dynamic: 'members.id.name',
    helpText: 'The firm member responsible for the task. Leave blank to leave it unassigned.',
  },
  {
    key: 'due_date',
    label: 'Due Date',
    type: 'datetime',
    required: false,
    helpText: 'When the task is due, as a date such as 2026-02-15. Any time of day is ignored.',
  },
]);

type Input = InferInputData<typeof inputFields>;

const perform = (async (z, bundle) => {
  const input: Input = bundle.inputData;
  const projectId = input.project_id.trim();
  const title = input.title.trim();
  if (!projectId || !title) {
    throw new z.errors.Error('Choose a Project and enter a Title for the task.', 'invalid_input', 400);
  }
  const dueDate = optionalApiDate(z, 'Due Date', input.due_date);
  const description = clean(input.description);
  const assigneeId = clean(input.assignee_id);
  return createTask(z, {
    project_id: projectId,
    title,
    ...(description ? { description } : {}),
    ...(assigneeId ? { assignee_id: assigneeId } : {}),
    ...(dueDate ? { due_date: dueDate } : {}),
  });
}) satisfies CreatePerform<Input>;

export default defineCreate({
  key: 'create_task',
  noun: 'Task',
  display: {
    label: 'Create Task',
    description: 'Creates a new task in a project.',
  },
  operation: {
    inputFields,
    perform,
    sample: TASK_SAMPLE,
    outputFields: [...TASK_OUTPUT_FIELDS],
  },
});
