// `npm run doctor -- --sandbox`: the sandbox in this process, a connection made through its
// consent page by the integration's own authorizeUrl and getAccessToken, and the sandbox's
// controls used directly (no HTTP control calls, so no Origin or CSRF rules apply).
import { createServer } from 'node:net';
import zapier from 'zapier-platform-core';
import app from '../../index';
import { consent } from '../harness/consent';
import { DEMO_MEMBERS, startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/server';
import { type TokenAuthData, isRecord } from 'zapier-oauth-layer/internal';
import { parseArgs } from '../sandbox/options';
import { describeQuirks } from '../sandbox/quirks';
import {
  reported,
  runChecks,
  withConfig,
  type DoctorRun,
  type SandboxHooks,
} from 'zapier-oauth-layer/doctor';
import { practiceTarget } from './practice-target';

const REDIRECT_URI = 'http://localhost:9000';
export const DEFAULT_PORT = 4010;

/** Whether 127.0.0.1:port is free right now. */
function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** The requested port, or any free one when it is taken; says which. */
export async function startDoctorSandbox(
  options: SandboxOptions,
): Promise<{ sandbox: Sandbox; note: string }> {
  const host = options.host ?? '127.0.0.1';
  const wanted = options.port ?? DEFAULT_PORT;
  const free = wanted === 0 || (await portFree(host, wanted));
  const sandbox = await startSandbox({ ...options, host, port: free ? wanted : 0 });
  const note = free ? `on ${sandbox.url}` : `on ${sandbox.url} (port ${wanted} was taken)`;
  return { sandbox, note };
}

function asTokens(value: unknown): TokenAuthData {
  if (!isRecord(value)) throw new Error('getAccessToken returned no object');
  const { access_token, refresh_token, expires_at, expires_in, scope } = value;
  if (typeof access_token !== 'string' || typeof refresh_token !== 'string') {
    throw new Error('getAccessToken returned no tokens');
  }
  return {
    access_token,
    refresh_token,
    expires_at: typeof expires_at === 'number' ? expires_at : 0,
    expires_in: typeof expires_in === 'number' ? expires_in : 0,
    scope: typeof scope === 'string' ? scope : '',
  };
}

type Handler = (event: Record<string, unknown>) => Promise<{ results: unknown }>;

/**
 * Runs one method of the app through core's Lambda handler with the flags
 * `zapier-platform invoke` sets (zapier-platform-cli/src/utils/local.js): calledFromCli
 * also keeps core's per-run memory line (tools/memory-checker.js) off stdout and --json.
 * Like invoke, one local z.cache serves every call (zapier-platform-cli
 * src/oclif/commands/invoke/index.js): the app keeps its local PKCE verifier there
 * between authorizeUrl and getAccessToken.
 */
function invoker(): (method: string, bundle: Record<string, unknown>) => Promise<unknown> {
  const handler = (zapier as unknown as { createAppHandler(app: unknown): Handler }).createAppHandler(app);
  const zcacheTestObj: Record<string, unknown> = {};
  return async (method, bundle) =>
    (
      await handler({
        command: 'execute',
        method,
        bundle,
        calledFromCli: true,
        calledFromCliInvoke: true,
        zcacheTestObj,
      })
    ).results;
}

/** Connections through the consent page, run through the app's own OAuth2 functions. */
export function sandboxHooks(sandbox: Sandbox): SandboxHooks {
  const invoke = invoker();
  const owner = DEMO_MEMBERS.find((m) => m.role === 'owner');
  if (!owner) throw new Error('the sandbox has no owner to log in as');
  return {
    async connect(scopes) {
      const url = await invoke('authentication.oauth2Config.authorizeUrl', {
        inputData: { redirect_uri: REDIRECT_URI, state: 'doctor' },
      });
      if (typeof url !== 'string') throw new Error('authorizeUrl returned no URL');
      const answer = await consent(url, {
        email: owner.email,
        password: sandbox.demoPassword,
        approve: scopes ? (offered) => offered.filter((s) => scopes.includes(s)) : undefined,
      });
      if (!answer.code) throw new Error(`the consent page gave no code (${answer.error ?? 'no error'})`);
      const tokens = await invoke('authentication.oauth2Config.getAccessToken', {
        inputData: { code: answer.code, redirect_uri: REDIRECT_URI },
      });
      return asTokens(tokens);
    },
    expireAccessTokens: () => void sandbox.expireAccessTokens(),
    forceRateLimit: (token, retryAfter) => sandbox.triggerRateLimit(token, { count: 1, retryAfter }),
  };
}

const PRACTICE_KEYS = ['BASE_URL', 'CLIENT_ID', 'CLIENT_SECRET'] as const;

/** --sandbox: a sandbox in this process and a fresh connection to it, every check. */
export async function sandboxMode(rest: string[], env: NodeJS.ProcessEnv, json: boolean): Promise<DoctorRun> {
  const options = parseArgs(rest, env);
  if (options === 'help') {
    const { USAGE } = await import('./cli');
    return { code: 0, output: USAGE, checks: [] };
  }
  const { sandbox, note } = await startDoctorSandbox(options);
  try {
    const config = {
      BASE_URL: sandbox.url,
      CLIENT_ID: sandbox.clientId,
      CLIENT_SECRET: sandbox.clientSecret,
    };
    const checks = await withConfig(PRACTICE_KEYS, config, async () => {
      const hooks = sandboxHooks(sandbox);
      const tokens = await hooks.connect();
      return runChecks({
        target: practiceTarget(),
        authData: {
          access_token: tokens.access_token,
          refresh_token: tokens.refresh_token,
          expires_at: String(tokens.expires_at),
          scope: tokens.scope,
        },
        refresh: true,
        sandbox: hooks,
      });
    });
    const heading = `Practice doctor: the sandbox ${note}, a fresh connection as the owner.\nKnown behaviours: ${describeQuirks(sandbox.quirks)}.`;
    return reported(checks, heading, json);
  } finally {
    await sandbox.close();
  }
}
