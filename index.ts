import path from 'node:path';
import zapier, { defineApp } from 'zapier-platform-core';
import authentication from './authentication';
import createClient from './creates/create_client';
import { afters, befores } from './lib/middleware';
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
});

export = app;
