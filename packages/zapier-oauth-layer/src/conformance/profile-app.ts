// An app made of nothing but the layer and one profile (one probe trigger), and the
// environment that points it at a stand-in of its provider: what the conformance suite
// (suite.ts) and the repository's soak (tools/bench/soak.ts) run.
import zapier from 'zapier-platform-core';
import { createLayer, type CheckedProfile, type Layer } from '../internal';
import type { SuiteStandIn } from '../standin';

export const PROBE = 'triggers.probe.operation.perform';

/** A request of one endpoint family (types.ts ProbeRequest): a GraphQL probe is a POST with a JSON body. */
export interface FamilyProbe {
  readonly name: string;
  readonly probe: { readonly method: 'GET' | 'POST'; readonly path: string; readonly body?: unknown };
}

/** The trigger that sends a family's probe: triggers.probe_<name>. */
export const familyTrigger = (name: string): string => `probe_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
/** The method path of that trigger, for the runner. */
export const familyProbe = (name: string): string => `triggers.${familyTrigger(name)}.operation.perform`;

/**
 * An app of the layer and one profile: authentication, a trigger that GETs the probe path, and
 * one trigger per endpoint family that sends its probe (its method, path and JSON body). Given
 * `own` (an integration's app, built with the layer), those triggers are added to a copy of it
 * instead, so its own authentication and middleware are what answer.
 */
export function appFor(
  profile: CheckedProfile,
  probePath: string,
  families: readonly FamilyProbe[] = [],
  own?: object,
): { app: object; layer: Layer } {
  const layer = createLayer(profile);
  type Z = Parameters<Layer['url']>[0];
  const probe = async (z: Z) => {
    const response = await z.request({ url: layer.url(z, probePath) });
    return response.data as unknown;
  };
  const trigger = (key: string, label: string, perform: (z: Z) => Promise<unknown>) => ({
    key,
    noun: 'Item',
    display: { label, description: `Calls the provider's ${label.toLowerCase()} once.` },
    operation: {
      perform: async (z: Z) => {
        await perform(z);
        return [{ id: 'probe' }];
      },
      sample: { id: 'probe' },
    },
  });
  const triggers: Record<string, object> = { probe: trigger('probe', 'Probe', probe) };
  for (const { name, probe: request } of families) {
    const key = familyTrigger(name);
    triggers[key] = trigger(key, `Probe of the ${name} family`, (z) =>
      z.request({
        method: request.method,
        url: layer.url(z, request.path),
        ...(request.body === undefined
          ? {}
          : { body: JSON.stringify(request.body), headers: { 'Content-Type': 'application/json' } }),
      }),
    );
  }
  if (own) {
    const theirs = (own as { triggers?: Record<string, object> }).triggers ?? {};
    return { app: { ...own, triggers: { ...theirs, ...triggers } }, layer };
  }
  // messages 'all': the suite checks the layer's word for every kind of answer the profile names.
  const app = layer.harden(
    {
      version: '1.0.0',
      platformVersion: zapier.version,
      authentication: layer.authentication({ test: probe, connectionLabel: 'conformance' }),
      triggers,
    },
    { messages: 'all' },
  );
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
