import path from 'node:path';
import zapier, { defineApp } from 'zapier-platform-core';
import authentication from './authentication';
import createClient from './creates/create_client';
import { afters, befores } from './lib/middleware';
import findClient from './searches/find_client';
import newClient from './triggers/new_client';

// Compiled, this file runs from dist/; under ts-jest it runs in place.
const packageJson = path.basename(__dirname) === 'dist' ? '../package.json' : './package.json';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require(packageJson) as { version: string };

const app = defineApp({
  version,
  platformVersion: zapier.version,
  authentication,
  beforeRequest: [...befores],
  afterResponse: [...afters],
  triggers: {
    [newClient.key]: newClient,
  },
  creates: {
    [createClient.key]: createClient,
  },
  searches: {
    [findClient.key]: findClient,
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

export = app;
