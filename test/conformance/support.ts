// What the conformance suite runs: for one profile, an app made of nothing but the layer and
// that profile (one probe trigger), the stand-in of its provider, and the environment that
// points the one at the other.
import zapier from 'zapier-platform-core';
import { createLayer, type CheckedProfile, type Layer } from '../../layer';
import { practiceProfile } from '../../practice/profile';
import { PROFILES } from '../../profiles';
import { start as github } from '../../tools/standins/github';
import { start as hubspot } from '../../tools/standins/hubspot';
import { start as microsoft } from '../../tools/standins/microsoft';
import { start as practice } from '../../tools/standins/practice';
import { start as salesforce } from '../../tools/standins/salesforce';
import { start as slack } from '../../tools/standins/slack';
import { start as tallybook } from '../../tools/standins/tallybook';
import type { SuiteStandIn } from '../../tools/standins/types';
import { start as xero } from '../../tools/standins/xero';
import { start as zoho } from '../../tools/standins/zoho';

export interface Case {
  name: string;
  profile: CheckedProfile;
  start: () => Promise<SuiteStandIn>;
}

/** Every profile with the stand-in of its provider. */
export const CASES: Case[] = [
  { name: 'practice', profile: practiceProfile, start: () => practice() },
  { name: 'slack', profile: PROFILES.slack!, start: () => slack() },
  { name: 'hubspot', profile: PROFILES.hubspot!, start: () => hubspot() },
  { name: 'salesforce', profile: PROFILES.salesforce!, start: () => salesforce() },
  { name: 'xero', profile: PROFILES.xero!, start: () => xero() },
  { name: 'zoho', profile: PROFILES.zoho!, start: () => zoho() },
  { name: 'github', profile: PROFILES.github!, start: () => github() },
  { name: 'microsoft', profile: PROFILES.microsoft!, start: () => microsoft() },
  { name: 'tallybook', profile: PROFILES.tallybook!, start: () => tallybook() },
];

export const PROBE = 'triggers.probe.operation.perform';

/** An app of the layer and one profile: authentication, and a trigger that GETs the probe path. */
export function appFor(profile: CheckedProfile, probePath: string): { app: object; layer: Layer } {
  const layer = createLayer(profile);
  const probe = async (z: Parameters<Layer['url']>[0]) => {
    const response = await z.request({ url: layer.url(z, probePath) });
    return response.data as unknown;
  };
  const app = layer.harden({
    version: '1.0.0',
    platformVersion: zapier.version,
    authentication: layer.authentication({ test: probe, connectionLabel: 'conformance' }),
    triggers: {
      probe: {
        key: 'probe',
        noun: 'Item',
        display: { label: 'Probe', description: "Calls the provider's probe endpoint once." },
        operation: {
          perform: async (z: Parameters<Layer['url']>[0]) => {
            await probe(z);
            return [{ id: 'probe' }];
          },
          sample: { id: 'probe' },
        },
      },
    },
  });
  return { app, layer };
}

/** Points the profile's variables at the stand-in; returns a function that puts them back. */
export function pointAt(profile: CheckedProfile, standIn: SuiteStandIn): () => void {
  const names = [profile.endpoints.baseEnv, profile.client.idEnv, profile.client.secretEnv];
  const before = names.map((name) => process.env[name]);
  process.env[profile.endpoints.baseEnv] = standIn.url;
  process.env[profile.client.idEnv] = standIn.client.id;
  process.env[profile.client.secretEnv] = standIn.client.secret;
  return () =>
    names.forEach((name, i) => {
      const value = before[i];
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    });
}
