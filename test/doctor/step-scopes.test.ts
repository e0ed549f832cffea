// practice/scopes.ts's per-step table, held against the steps themselves: each step, run through
// createAppTester against the sandbox, calls exactly the endpoints listed; with exactly the
// scopes listed it works; without any one of them Practice refuses it (K4).
import zapier from 'zapier-platform-core';
import { startSandbox, type Sandbox } from '../../tools/sandbox/server';
import {
  ENDPOINT_SCOPES,
  REQUESTED_SCOPES,
  scopesForStep,
  STEP_ENDPOINTS,
  stepsMissingScopes,
} from '../../practice/scopes';
import { isRecord } from 'zapier-oauth-layer/internal';
import { connect } from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const App = require('../../index') as typeof import('../../index');
type Handler = (event: Record<string, unknown>) => Promise<{ results: unknown }>;
// Core's Lambda handler with the flags `zapier-platform invoke` sets: z.cursor is answered
// locally (cursorTestObj, create-rpc-client.js) instead of through Zapier's RPC.
const handler = (zapier as unknown as { createAppHandler(app: unknown): Handler }).createAppHandler(App);
// One z.cache for the suite, as invoke keeps one per process: the local PKCE verifier lives there.
const zcacheTestObj: Record<string, unknown> = {};
async function execute(method: string, bundle: Record<string, unknown>): Promise<unknown> {
  const event = {
    command: 'execute',
    method,
    bundle,
    calledFromCli: true,
    calledFromCliInvoke: true,
    cursorTestObj: {},
    zcacheTestObj,
  };
  return (await handler(event)).results;
}

type Operation = Record<string, unknown>;
const KINDS = ['triggers', 'creates', 'searches'] as const;

function operationOf(step: string): { path: string; op: Operation } {
  for (const kind of KINDS) {
    const steps: Record<string, unknown> = App[kind] ?? {};
    const definition = Object.hasOwn(steps, step) ? steps[step] : undefined;
    if (isRecord(definition) && isRecord(definition.operation)) {
      return { path: `${kind}.${step}.operation`, op: definition.operation };
    }
  }
  throw new Error(`no step ${step}`);
}

let sandbox: Sandbox;
const saved = { ...process.env };
const ids: Record<string, string> = {};

beforeAll(async () => {
  sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
  process.env.BASE_URL = sandbox.url;
  process.env.CLIENT_ID = sandbox.clientId;
  process.env.CLIENT_SECRET = sandbox.clientSecret;
});

afterAll(async () => {
  process.env = saved;
  await sandbox.close();
});

function inputFor(step: string): Record<string, unknown> {
  switch (step) {
    case 'create_client':
      return { name: 'Scope Test Client' };
    case 'update_client':
      return { client_id: ids.client, phone: '+1 555 0100' };
    case 'create_project':
      return { client_id: ids.client, name: 'Scope Test Project' };
    case 'create_task':
      return { project_id: ids.project, title: 'Scope Test Task' };
    case 'complete_task':
      return { task_id: ids.task };
    case 'find_client':
      return { email: 'nobody@scope-test.example' };
    case 'find_project':
      return { name: 'Scope' };
    default:
      return {};
  }
}

/** Runs everything the step does: perform (performList for instant triggers), subscribe and unsubscribe. */
async function runStep(step: string, authData: Record<string, string>): Promise<unknown> {
  const { path, op } = operationOf(step);
  const bundle = { authData, inputData: inputFor(step) };
  const perform = typeof op.performList === 'function' ? 'performList' : 'perform';
  const result = await execute(`${path}.${perform}`, bundle);
  if (typeof op.performSubscribe === 'function') {
    const targetUrl = 'https://hooks.zapier.com/hooks/scope-test';
    const hook = await execute(`${path}.performSubscribe`, { ...bundle, targetUrl });
    await execute(`${path}.performUnsubscribe`, { ...bundle, subscribeData: hook });
  }
  return result;
}

function record(step: string, result: unknown): void {
  const id = typeof result === 'object' && result !== null && 'id' in result ? String(result.id) : '';
  if (step === 'create_client') ids.client = id;
  if (step === 'create_project') ids.project = id;
  if (step === 'create_task') ids.task = id;
}

/** "POST /api/v1/clients/cl_1" -> "POST /api/v1/clients/{id}"; webhook entries lose their event. */
function template(method: string, path: string): string {
  const known = Object.keys(ENDPOINT_SCOPES).map((e) => e.replace(/ [a-z]+\.[a-z]+$/, ''));
  const match = known.find((e) => {
    const [m, p] = e.split(' ');
    return m === method && new RegExp(`^${p!.replace(/\{id\}/g, '[^/]+')}$`).test(path);
  });
  return match ?? `${method} ${path}`;
}

const ORDER = ['create_client', 'update_client', 'create_project', 'create_task', 'complete_task'];
const STEPS = [...ORDER, ...Object.keys(STEP_ENDPOINTS).filter((s) => !ORDER.includes(s))];

describe('the per-step scope table (practice/scopes.ts)', () => {
  it('has one row per step of the app, and nothing else', () => {
    const appSteps = KINDS.flatMap((kind) => Object.keys(App[kind] ?? {}));
    expect(Object.keys(STEP_ENDPOINTS).sort()).toEqual([...new Set(appSteps)].sort());
    expect(stepsMissingScopes(REQUESTED_SCOPES)).toEqual([]);
  });

  it('lists exactly the endpoints each step calls', async () => {
    const tokens = await connect(sandbox);
    const authData = {
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      expires_at: String(tokens.expires_at),
    };
    for (const step of STEPS) {
      sandbox.resetRequestLog();
      record(step, await runStep(step, authData));
      const called = new Set(sandbox.requests.map((r) => template(r.method, r.path)));
      const listed = new Set(STEP_ENDPOINTS[step]!.map((e) => e.replace(/ [a-z]+\.[a-z]+$/, '')));
      expect({ step, called: [...called].sort() }).toEqual({ step, called: [...listed].sort() });
    }
  });

  it('works with exactly the scopes listed and is refused without any one of them', async () => {
    for (const step of STEPS) {
      const needed = scopesForStep(step);
      const exact = await connect(sandbox, [...needed, 'offline_access']);
      const authData = {
        access_token: exact.access_token,
        refresh_token: exact.refresh_token,
        expires_at: String(exact.expires_at),
      };
      record(step, await runStep(step, authData));
      for (const scope of needed) {
        const narrower = await connect(sandbox, [...needed.filter((s) => s !== scope), 'offline_access']);
        const auth = {
          access_token: narrower.access_token,
          refresh_token: narrower.refresh_token,
          expires_at: String(narrower.expires_at),
        };
        await expect(runStep(step, auth)).rejects.toThrow(
          new RegExp(`missing the "[^"]+" permission|${scope}`),
        );
      }
    }
  });
});
