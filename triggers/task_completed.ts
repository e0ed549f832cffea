// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import { defineTrigger, type Bundle, type ZObject } from 'zapier-platform-core';
import { listTasks, type Task } from '../practice/api';
import { COMPLETED_TASK_SAMPLE, TASK_OUTPUT_FIELDS } from '../practice/samples';
import { receiveDelivery, subscriptionOperations } from '../practice/webhooks';

const perform = async (z: ZObject, bundle: Bundle): Promise<Task[]> => {
  const task = await receiveDelivery<Task>(z, bundle, 'task.completed');
  return task ? [task] : [];
};

// The most recently completed tasks (legacy endpoint), same shape as a delivery.
const performList = async (z: ZObject): Promise<Task[]> => {
  const page = await listTasks(z, { status: 'completed', sort: '-completed_at' });
  return page.data;
};

export default defineTrigger({
  key: 'task_completed',
  noun: 'Task',
  display: {
    label: 'Task Completed',
    description: 'Triggers when a task is marked as completed.',
  },
  operation: {
    type: 'hook',
    ...subscriptionOperations('task.completed'),
    perform,
    performList,
    sample: COMPLETED_TASK_SAMPLE,
    outputFields: [...TASK_OUTPUT_FIELDS],
  },
});
