// Ids that become a path segment: every step that builds a path from an id refuses what is
// not id-shaped (`.` and `..` would be collapsed by URL parsing and move the request to
// another endpoint) before any request, naming the field; an id-shaped one is encoded and
// stays inside its segment, even when it only looks encoded (`%2e%2e`).
import { api, liveAuth, useTestEnvironment } from '../helpers';
import { CLIENT_SAMPLE, COMPLETED_TASK_SAMPLE } from '../../practice/samples';
import { failsOffline, run, SUBSCRIPTION, type StepPath } from './support';

useTestEnvironment();

interface PathStep {
  path: StepPath;
  field: string;
  method: 'PATCH' | 'POST' | 'DELETE';
  /** The request path for an already encoded segment. */
  url: (segment: string) => string;
  bundle: (id: string) => object;
  reply: [number, unknown?];
}

const steps: PathStep[] = [
  {
    path: 'creates.update_client.perform',
    field: '"Client" (client_id)',
    method: 'PATCH',
    url: (s) => `/api/v1/clients/${s}`,
    bundle: (id) => ({ authData: liveAuth(), inputData: { client_id: id, name: 'X' } }),
    reply: [200, CLIENT_SAMPLE],
  },
  {
    path: 'creates.complete_task.perform',
    field: '"Task" (task_id)',
    method: 'POST',
    url: (s) => `/api/v1/tasks/${s}/complete`,
    bundle: (id) => ({ authData: liveAuth(), inputData: { task_id: id } }),
    reply: [200, { ok: true, data: COMPLETED_TASK_SAMPLE }],
  },
  ...(['new_client', 'new_task', 'task_completed'] as const).map((key): PathStep => ({
    path: `triggers.${key}.performUnsubscribe`,
    field: '"Webhook subscription" (subscribeData.id)',
    method: 'DELETE',
    url: (s) => `/api/v1/webhooks/${s}`,
    bundle: (id) => ({ authData: liveAuth(), subscribeData: { ...SUBSCRIPTION, id } }),
    reply: [204],
  })),
];

const refused: Array<[string, string]> = [
  ['a single dot', '.'],
  ['two dots', '..'],
  ['three dots', '...'],
  ['a slash', 'a/b'],
  ['a walk to another endpoint', '../members?x=1'],
  ['a query', 'a?b'],
  ['a fragment', 'a#b'],
  ['a backslash', 'a\\b'],
  ['a space inside', 'a b'],
  ['a non-ASCII letter', 'clé_1'],
  ['129 characters', `c${'1'.repeat(128)}`],
];

/** [what, id, the segment it must become] */
const kept: Array<[string, string, string]> = [
  ['a sandbox id', 'cli_000001', 'cli_000001'],
  ['a UUID', '0b7e4c7a-3f0e-4d38-9a53-2f1d8c9e6b10', '0b7e4c7a-3f0e-4d38-9a53-2f1d8c9e6b10'],
  ['a number', '42', '42'],
  ['dots around a letter', '.a.', '.a.'],
  ['a composite id', 'a:b@c.d~e+f=g', 'a%3Ab%40c.d~e%2Bf%3Dg'],
  ['an id that only looks encoded', '%2e%2e', '%252e%252e'],
  ['an encoded slash', 'a%2Fb', 'a%252Fb'],
];

describe.each(steps)('$path', (step) => {
  it.each(refused)('refuses %s before any request, naming the field', async (_what, id) => {
    const error = await failsOffline(() => run(step.path, step.bundle(id)));
    expect(error.message.startsWith(`${step.field} is not a Practice ID:`)).toBe(true);
    expect(error.code).toBe('invalid_id');
    expect(error.status).toBe(400);
    // Never more than 40 characters of the value.
    expect(error.message).not.toContain('1'.repeat(41));
  });

  it.each(kept)('keeps %s inside its path segment', async (_what, id, segment) => {
    const seen: string[] = [];
    const scope = api()
      .intercept(() => true, step.method)
      .reply(function (uri) {
        seen.push(uri);
        return step.reply;
      });
    await run(step.path, step.bundle(id));
    expect(seen).toEqual([step.url(segment)]);
    expect(scope.isDone()).toBe(true);
  });
});
