import path from 'node:path';
import zapier, { defineApp } from 'zapier-platform-core';
import authentication from './authentication';
import completeTask from './creates/complete_task';
import createClient from './creates/create_client';
import createProject from './creates/create_project';
import createTask from './creates/create_task';
import updateClient from './creates/update_client';
import findClient from './searches/find_client';
import findProject from './searches/find_project';
import clients from './triggers/clients';
import members from './triggers/members';
import newClient from './triggers/new_client';
import newProject from './triggers/new_project';
import newTask from './triggers/new_task';
import projects from './triggers/projects';
import { practice } from './practice/layer';
import taskCompleted from './triggers/task_completed';
import tasks from './triggers/tasks';
import updatedClient from './triggers/updated_client';

// Compiled, this file runs from dist/; under ts-jest it runs in place.
const packageJson = path.basename(__dirname) === 'dist' ? '../package.json' : './package.json';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require(packageJson) as { version: string };

const app = defineApp({
  version,
  platformVersion: zapier.version,
  authentication,
  triggers: {
    [newClient.key]: newClient,
    [updatedClient.key]: updatedClient,
    [newProject.key]: newProject,
    [newTask.key]: newTask,
    [taskCompleted.key]: taskCompleted,
    [clients.key]: clients,
    [projects.key]: projects,
    [members.key]: members,
    [tasks.key]: tasks,
  },
  creates: {
    [createClient.key]: createClient,
    [updateClient.key]: updateClient,
    [createProject.key]: createProject,
    [createTask.key]: createTask,
    [completeTask.key]: completeTask,
  },
  searches: {
    [findClient.key]: findClient,
    [findProject.key]: findProject,
  },
  searchOrCreates: {
    [findClient.key]: {
      key: findClient.key,
      display: {
        label: 'Find or Create Client',
        description: 'Finds a client by email or name, or creates one.',
      },
      search: findClient.key,
      create: createClient.key,
    },
  },
});

// The layer's middleware and core's early 429 handling turned off; every step's input checked
// against its own fields before the step runs; every error leaving with its own redacted
// message, without core's bundle dump (harden, packages/zapier-oauth-layer/src/layer.ts). Step
// files need no wrapper. messages 'all': every error answer of Practice in Practice's words
// (its steps have no afterResponse of their own and rely on them: not found, validation, the
// legacy endpoints' 200 {ok: false}), not only the connection's.
export = practice.harden(app, { messages: 'all' });
