import path from 'node:path';
import zapier, { defineApp } from 'zapier-platform-core';
import authentication from './authentication';
import completeTask from './creates/complete_task';
import createClient from './creates/create_client';
import createProject from './creates/create_project';
import createTask from './creates/create_task';
import updateClient from './creates/update_client';
import { withCheckedInput } from './layer/input';
import { afters, befores } from './layer/middleware';
import { withOwnErrorsEverywhere } from './layer/own-errors';
import findClient from './searches/find_client';
import findProject from './searches/find_project';
import clients from './triggers/clients';
import members from './triggers/members';
import newClient from './triggers/new_client';
import newProject from './triggers/new_project';
import newTask from './triggers/new_task';
import projects from './triggers/projects';
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
  flags: {
    // Core 18+ turns every 429 into its own ThrottledError before afterResponse, reading only a
    // numeric Retry-After (src/http-middlewares/after/throw-for-throttling.js). Practice may send
    // an HTTP-date, and a 429 from the token endpoint must be told apart from a dead grant:
    // our middleware and authentication.ts handle 429 themselves.
    throwForThrottlingEarly: false,
  },
  authentication,
  beforeRequest: [...befores],
  afterResponse: [...afters],
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

// Every step's input is checked against its own fields before the step runs (layer/input.ts);
// every error leaves with its own message only: no bundle dump from core (layer/own-errors.ts).
export = withOwnErrorsEverywhere(withCheckedInput(app));
