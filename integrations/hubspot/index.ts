// HubSpot contacts for Zapier: everything OAuth (authorize, exchange, coordinated refresh,
// stale only on a dead grant, messages in HubSpot's words) is the layer's, told about HubSpot
// by its profile (profile.ts); this folder adds what is HubSpot contacts' own.
import path from 'node:path';
import zapier, { defineApp } from 'zapier-platform-core';
import { hubspot } from './api';
import authentication from './authentication';
import createContact from './creates/create_contact';
import newContact from './triggers/new_contact';

// Compiled, this file runs from dist/; under ts-jest it runs in place.
const packageJson = __filename.endsWith('.ts') ? './package.json' : '../package.json';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require(path.join(__dirname, packageJson)) as { version: string };

const app = defineApp({
  version,
  platformVersion: zapier.version,
  authentication,
  triggers: { [newContact.key]: newContact },
  creates: { [createContact.key]: createContact },
});

// messages 'all': HubSpot's refusals of a step (a duplicate email with the existing id, an invalid
// one) in HubSpot's words, not core's ResponseError; this app has no afterResponse of its own and
// no search that reads a 404 as "none found".
export = hubspot.harden(app, { messages: 'all' });
