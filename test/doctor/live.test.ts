// `npm run doctor` on a connection in .env, against a sandbox this test owns: what it finds,
// and that it leaves the connection as it found it unless --refresh is given.
import { readFileSync } from 'node:fs';
import { startSandbox, type RequestLogEntry, type Sandbox } from '../../tools/sandbox/server';
import { CHECK_IDS } from 'zapier-oauth-layer/doctor';
import { practiceTarget } from '../../tools/doctor/practice-target';
import { runChecks } from 'zapier-oauth-layer/doctor';
import { connect, NO_ENV, projectWithEnv, refreshWith, runJson } from './support';

let sandbox: Sandbox;
let config: { BASE_URL: string; CLIENT_ID: string; CLIENT_SECRET: string };

beforeAll(async () => {
  sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
  config = { BASE_URL: sandbox.url, CLIENT_ID: sandbox.clientId, CLIENT_SECRET: sandbox.clientSecret };
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.setQuirks({ K1: true, K1HeaderOnly: false, K2: true, K3: true, K6: true, K7: true, K8: false });
});

/** Requests that presented a real grant's tokens at the token endpoint, or changed data. */
function touching(grantId: string | null): RequestLogEntry[] {
  return sandbox.requests.filter(
    (r) =>
      (r.path === '/oauth/token' && r.grantId !== null && r.grantId === grantId) ||
      (r.path.startsWith('/api/') && r.method !== 'GET') ||
      r.path === '/oauth/revoke',
  );
}

async function freshConnection(scopes?: readonly string[]) {
  const tokens = await connect(sandbox, scopes);
  sandbox.resetRequestLog();
  return tokens;
}

describe('npm run doctor on the connection in .env', () => {
  it('checks everything but refresh, prints no secret, and leaves the refresh token working', async () => {
    const tokens = await freshConnection();
    const { dir } = projectWithEnv(config, tokens);
    const report = await runJson([], NO_ENV, dir);

    expect(report.code).toBe(0);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual(
      CHECK_IDS.map((id) => [id, id === 'refresh' ? 'skipped' : 'pass']),
    );
    expect(report.byId('refresh').fix).toContain('npm run doctor -- --refresh');
    // A valid token cannot show how expiry is signalled; the doctor says so instead of guessing.
    expect(report.byId('expiry_signal').finding).toMatch(/K1: 403 token_expired\); .* not observed/);
    for (const check of report.checks) expect(Object.keys(check)).toEqual(['id', 'status', 'finding', 'fix']);
    for (const secret of [tokens.access_token, tokens.refresh_token, sandbox.clientSecret]) {
      expect(report.output).not.toContain(secret);
    }
    // The only token request carried the probe, which matches no grant; no data was changed.
    const grantId = sandbox.requests.find((r) => r.path === '/api/v1/me')?.grantId ?? null;
    expect(grantId).not.toBeNull();
    expect(touching(grantId)).toEqual([]);
    expect(sandbox.requests.filter((r) => r.path === '/oauth/token').map((r) => r.grantId)).toEqual([null]);

    const after = await refreshWith(sandbox, tokens.refresh_token);
    expect(after.status).toBe(200);
    expect(after.body.access_token).toEqual(expect.any(String));
  });

  it('fails client_credentials on a wrong CLIENT_SECRET (the environment wins over .env) and touches nothing else', async () => {
    const tokens = await freshConnection();
    const { dir } = projectWithEnv(config, tokens);
    const report = await runJson([], { CLIENT_SECRET: 'not-the-secret' }, dir);

    expect(report.code).toBe(1);
    expect(report.byId('client_credentials').status).toBe('fail');
    expect(report.byId('client_credentials').finding).toMatch(/invalid_client/);
    expect(report.byId('client_credentials').fix).toContain(
      'docs/troubleshooting.md#doctor-client-credentials',
    );
    expect(report.byId('config').status).toBe('warn');
    expect(report.byId('config').finding).toMatch(/CLIENT_SECRET differ between the environment and \.env/);
    expect(report.output).not.toContain('not-the-secret');
    const grantId = sandbox.requests.find((r) => r.path === '/api/v1/me')?.grantId ?? null;
    expect(touching(grantId)).toEqual([]);
    expect(sandbox.countRequests({ path: '/oauth/token' })).toBe(1);
    expect((await refreshWith(sandbox, tokens.refresh_token)).status).toBe(200);
  });

  it('with --refresh reports expires_in and rotation and writes the new tokens to .env, keeping other lines', async () => {
    const tokens = await freshConnection();
    const { dir, file } = projectWithEnv(config, tokens, ['# my notes', 'OTHER_SETTING=keep me']);
    const report = await runJson(['--refresh'], NO_ENV, dir);

    expect(report.code).toBe(0);
    const refresh = report.byId('refresh');
    expect(refresh.status).toBe('pass');
    expect(refresh.finding).toMatch(/expires_in is a string "\d+" \(K6\)/);
    expect(refresh.finding).toMatch(/the refresh token rotated .*the new tokens were written to \.env/);
    expect(refresh.finding).not.toMatch(/grace|K8/);

    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# my notes\nOTHER_SETTING=keep me\nBASE_URL=/);
    const stored = (key: string) => new RegExp(`^authData_${key}='([^']*)'$`, 'm').exec(text)?.[1];
    expect(stored('refresh_token')).toMatch(/^prt_/);
    expect(stored('refresh_token')).not.toBe(tokens.refresh_token);
    expect(Number(stored('expires_at'))).toBeGreaterThan(Math.floor(Date.now() / 1000));
    // The rotated token was presented once, by the refresh itself, never again.
    expect(sandbox.countRequests((r) => r.path === '/oauth/token' && r.grantId !== null)).toBe(1);
    // The connection goes on working from .env: the doctor passes again on the new tokens.
    const again = await runJson([], NO_ENV, dir);
    expect(again.code).toBe(0);
    expect((await refreshWith(sandbox, stored('refresh_token') ?? '')).status).toBe(200);
  });

  it('fails refresh, saying so, when the new tokens cannot be kept', async () => {
    const tokens = await freshConnection();
    const env = { BASE_URL: sandbox.url, CLIENT_ID: sandbox.clientId, CLIENT_SECRET: sandbox.clientSecret };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const checks = await runChecks({
        target: practiceTarget(),
        authData: {
          access_token: tokens.access_token,
          refresh_token: tokens.refresh_token,
          scope: tokens.scope,
        },
        refresh: true,
        saveTokens: () => {
          throw new Error('EROFS: read-only file system');
        },
      });
      const refresh = checks.find((c) => c.id === 'refresh');
      expect(refresh?.status).toBe('fail');
      expect(refresh?.finding).toMatch(/could not be written to \.env \(EROFS: read-only file system\)/);
      expect(refresh?.fix).toMatch(/invoke auth start/);
    } finally {
      process.env = saved;
    }
  });

  it('names the steps a narrower grant cannot run', async () => {
    const tokens = await freshConnection(['clients:read', 'clients:write', 'offline_access']);
    const { dir } = projectWithEnv(config, tokens);
    const report = await runJson([], NO_ENV, dir);

    const scopes = report.byId('scopes');
    expect(scopes.status).toBe('warn');
    expect(scopes.finding).toMatch(/create_task \(needs tasks:write\)/);
    expect(scopes.finding).toMatch(/new_client \(needs webhooks\)/);
    expect(scopes.finding).not.toMatch(/create_client|updated_client/);
    expect(scopes.fix).toMatch(/"Create and complete tasks"/);
    // Its own token, lacking projects:read, shows how Practice says so: a GET, nothing changed.
    expect(scopes.finding).toMatch(
      /A token without projects:read gets HTTP 403 insufficient_scope naming projects:read on GET \/api\/v1\/projects \(K4\)/,
    );
    expect(report.code).toBe(0);
  });

  it('shows how the API signalled an expired connection token, K1 on and off', async () => {
    for (const [quirks, expected] of [
      [{ K1: true }, /refused by \/me with HTTP 403 token_expired with a body \(K1\)/],
      [{ K1: true, K1HeaderOnly: true }, /refused by \/me with HTTP 403 with no body.*\(K1, header-only\)/],
      [{ K1: false }, /refused by \/me with HTTP 401 invalid_token \(standard/],
    ] as const) {
      const tokens = await freshConnection();
      sandbox.setQuirks({ K1HeaderOnly: false, ...quirks });
      sandbox.expireAccessTokens();
      const { dir } = projectWithEnv(config, tokens);
      const report = await runJson([], NO_ENV, dir);
      expect(report.byId('test_call').status).toBe('warn');
      expect(report.byId('expiry_signal').finding).toMatch(expected);
      expect(report.code).toBe(0);
      expect((await refreshWith(sandbox, tokens.refresh_token)).status).toBe(200);
    }
  });

  it('fails config with the missing variable, and checks nothing that needs it', async () => {
    const report = await runJson([], NO_ENV, '/nonexistent-doctor-folder');
    expect(report.code).toBe(1);
    expect(report.byId('config').status).toBe('fail');
    expect(report.byId('config').finding).toMatch(/CLIENT_ID and CLIENT_SECRET are not set/);
    expect(report.byId('client_credentials').status).toBe('skipped');
    expect(report.byId('connection').status).toBe('fail');
  });
});
