import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from '../../tools/sandbox/options';
import type { RequestLogEntry, Sandbox } from '../../tools/sandbox/server';
import { api, connect, json, OWNER, startTestSandbox } from './helpers';

let sandbox: Sandbox;
let token: string;

beforeEach(async () => {
  ({ sandbox } = await startTestSandbox());
  token = (await connect(sandbox)).access_token;
});

afterEach(async () => {
  await sandbox.close();
});

async function control(method: 'GET' | 'POST', route: string, body?: unknown): Promise<Response> {
  return fetch(new URL(`/_sandbox${route}`, sandbox.url), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const me = async () => (await api(sandbox, token, 'GET', '/api/v1/me')).status;

describe('HTTP controls under /_sandbox', () => {
  it('expire every live access token', async () => {
    const response = await control('POST', '/expire-tokens');
    expect(await json(response)).toEqual({ expired: 1 });
    expect(await me()).toBe(403);
  });

  it('force rate limits for one token', async () => {
    await control('POST', '/rate-limit', { token, count: 1, retry_after: 9, status: 429 });
    const response = await api(sandbox, token, 'GET', '/api/v1/me');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('9');
    expect(await me()).toBe(200);
  });

  it('switch quirks and refuse unknown ones', async () => {
    const response = await control('POST', '/quirks', { K1: false, K1HeaderOnly: true });
    expect(await json(response)).toMatchObject({ K1: false, K1HeaderOnly: true, K2: true });
    const bad = await control('POST', '/quirks', { K9: true });
    expect(bad.status).toBe(400);
    expect(await json(bad)).toEqual({ error: expect.stringContaining('unknown quirk "K9"') });
  });

  it('revoke grants by member email and change roles', async () => {
    expect(await json(await control('POST', '/role', { email: OWNER, role: 'staff' }))).toMatchObject({
      members: expect.arrayContaining([expect.objectContaining({ email: OWNER, role: 'staff' })]),
    });
    expect(await json(await control('POST', '/revoke', { email: OWNER }))).toEqual({ revoked: 1 });
    expect(await me()).toBe(401);
    expect((await control('POST', '/revoke', { email: 'nobody@x.example' })).status).toBe(400);
  });

  it('set the access token lifetime within 1..86400', async () => {
    expect((await control('POST', '/ttl', { seconds: 0 })).status).toBe(400);
    expect((await control('POST', '/ttl', { seconds: 90 })).status).toBe(200);
    expect(sandbox.accessTokenTtlSeconds).toBe(90);
  });

  it('list API requests, filtered, without logging control calls; reset empties the log', async () => {
    await api(sandbox, 'pat_bogus', 'GET', '/api/v1/me');
    const response = await control('GET', '/requests?status=401');
    const { data } = await json<{ data: RequestLogEntry[] }>(response);
    expect(data).toEqual([expect.objectContaining({ path: '/api/v1/me', status: 401, hasBearer: true })]);
    expect(sandbox.countRequests((e) => e.path.startsWith('/_sandbox'))).toBe(0);
    await control('POST', '/reset');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('describe the sandbox state', async () => {
    const state = await json(await control('GET', '/'));
    expect(state).toMatchObject({
      client_id: 'practice-sandbox-client',
      access_token_ttl: 3600,
      grants: [expect.objectContaining({ email: OWNER, revoked: false })],
    });
    expect(JSON.stringify(state)).not.toContain(sandbox.clientSecret);
  });
});

describe('cli', () => {
  it('reads flags and environment', () => {
    expect(
      parseArgs(
        [
          '--port',
          '0',
          '--ttl=60',
          '--no-K1',
          '--no-K7',
          '--K1-header-only',
          '--redirect-uri',
          'http://127.0.0.1:7000/cb',
        ],
        {
          SANDBOX_CLIENT_SECRET: 'env-secret',
        },
      ),
    ).toEqual({
      host: '127.0.0.1',
      port: 0,
      accessTokenTtlSeconds: 60,
      quirks: { K1: false, K7: false, K1HeaderOnly: true },
      redirectUris: ['http://127.0.0.1:7000/cb'],
      clientId: undefined,
      clientSecret: 'env-secret',
    });
    expect(parseArgs([], { PORT: '5000', SANDBOX_TTL: '30' })).toMatchObject({
      port: 5000,
      accessTokenTtlSeconds: 30,
    });
    expect(() => parseArgs(['--bogus'], {})).toThrow('unknown option --bogus');
  });

  it('starts, prints the connection details and stops cleanly on SIGTERM', async () => {
    const root = path.resolve(__dirname, '../..');
    const child = spawn(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'tools/sandbox/cli.ts', '--port', '0'],
      {
        cwd: root,
        env: { ...process.env, SANDBOX_CLIENT_ID: 'cli-test-client' },
      },
    );
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await checkRunningCli();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    async function checkRunningCli(): Promise<void> {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match?.[1] && output.includes('Ctrl-C')) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`cli exited early (${code}): ${output}`)));
      });
      expect(output).toContain('export BASE_URL=');
      expect(output).toContain('CLIENT_ID=cli-test-client');
      expect(output).toContain('owner@ledger.example');
      expect((await fetch(`${url}/api/v1/me`)).status).toBe(401);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
