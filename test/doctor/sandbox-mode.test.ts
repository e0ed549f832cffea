// `npm run doctor -- --sandbox`: each known behaviour switched on and off, the findings follow.
import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { doctor } from '../../tools/doctor/cli';
import { CHECK_IDS } from 'zapier-oauth-layer/doctor';
import { startDoctorSandbox } from '../../tools/doctor/sandbox-mode';
import { runJson } from './support';

describe('npm run doctor -- --sandbox', () => {
  it('passes with the default behaviours and names each one that is on (K1 body, K2, K3, K6, K7)', async () => {
    const report = await runJson(['--sandbox', '--port', '0']);
    expect(report.code).toBe(0);
    expect(report.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report.byId('token_endpoint_errors').finding).toMatch(/HTTP 200 .*\(K6/);
    expect(report.byId('refresh').finding).toMatch(/expires_in is a string "\d+" \(K6\)/);
    expect(report.byId('refresh').finding).toMatch(/grace period, K8 off/);
    expect(report.byId('expiry_signal').finding).toMatch(
      /An expired token gets HTTP 403 token_expired with a body \(K1\)/,
    );
    expect(report.byId('legacy_signal').finding).toMatch(/HTTP 200 ok:false invalid_token \(K2\)/);
    expect(report.byId('legacy_signal').finding).toMatch(
      /An expired token gets HTTP 200 ok:false token_expired \(K2\)/,
    );
    expect(report.byId('rate_limit').finding).toMatch(/K7: 120 requests per minute/);
    expect(report.byId('rate_limit').finding).toMatch(/HTTP 403 rate_limited \(K3/);
    expect(report.byId('scopes').finding).toMatch(
      /insufficient_scope naming projects:read on GET \/api\/v1\/projects \(K4\)/,
    );
    expect(report.byId('test_call').finding).toContain('"owner@ledger.example (Ledger & Co)"');
  });

  it('reports the header-only K1 variant when it is switched on', async () => {
    const report = await runJson(['--sandbox', '--port', '0', '--K1-header-only']);
    expect(report.code).toBe(0);
    expect(report.byId('expiry_signal').finding).toMatch(
      /An expired token gets HTTP 403 with no body.*\(K1, header-only\)/,
    );
  });

  it('reports every signal as standard when K1, K2, K3, K6 and K7 are off', async () => {
    const report = await runJson([
      '--sandbox',
      '--port',
      '0',
      '--no-K1',
      '--no-K2',
      '--no-K3',
      '--no-K6',
      '--no-K7',
    ]);
    expect(report.code).toBe(0);
    const text = report.checks.map((c) => c.finding).join('\n');
    expect(text).not.toMatch(/\bK[12367]\b/);
    expect(report.byId('token_endpoint_errors').finding).toMatch(/HTTP 400 .*\(standard\)/);
    expect(report.byId('refresh').finding).toMatch(/expires_in is a number \d+ \(standard\)/);
    expect(report.byId('expiry_signal').finding).toMatch(
      /An expired token gets HTTP 401 invalid_token \(standard/,
    );
    expect(report.byId('legacy_signal').finding).toMatch(
      /cannot be valid with HTTP 401 invalid_token \(standard/,
    );
    expect(report.byId('rate_limit').finding).toMatch(
      /no X-RateLimit-\* headers; a throttled request gets HTTP 429 .*\(standard 429\)/,
    );
  });

  it('reports K8 strict rotation, from a throwaway connection whose grant it revokes', async () => {
    const report = await runJson(['--sandbox', '--port', '0', '--K8']);
    expect(report.code).toBe(0);
    expect(report.byId('refresh').finding).toMatch(
      /refused with invalid_grant and the grant was revoked \(K8 strict rotation/,
    );
  });

  it('prints one line per check and a summary for a person', async () => {
    const { code, output } = await doctor(['--sandbox', '--port', '0', '--K8'], {}, process.cwd());
    expect(code).toBe(0);
    expect(output).toMatch(/Known behaviours: K1 on, K1HeaderOnly off, K2 on, K3 on, K6 on, K7 on, K8 on\./);
    for (const id of CHECK_IDS) expect(output).toMatch(new RegExp(`^PASS  ${id} `, 'm'));
    expect(output).toMatch(/^11 pass, 0 warn, 0 fail, 0 skipped — nothing failed$/m);
  });

  it('as a command, prints nothing but the JSON on stdout and exits 0', () => {
    const root = path.join(__dirname, '..', '..');
    // Without jest's NODE_ENV=test, as a person runs it: core would print its per-run memory line.
    const env = { ...process.env };
    Reflect.deleteProperty(env, 'NODE_ENV');
    const run = spawnSync(
      process.execPath,
      [
        path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        'tools/doctor/cli.ts',
        '--sandbox',
        '--port',
        '0',
        '--json',
      ],
      { cwd: root, env, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status).toBe(0);
    const parsed = JSON.parse(run.stdout) as { checks: Array<Record<string, unknown>> };
    expect(parsed.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    expect(Object.keys(parsed)).toEqual(['checks']);
  });
});

describe('the sandbox port', () => {
  it('is the one asked for when free, and any free one when taken, saying so', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const { sandbox, note } = await startDoctorSandbox({ port: taken });
      await sandbox.close();
      expect(sandbox.port).not.toBe(taken);
      expect(note).toBe(`on ${sandbox.url} (port ${taken} was taken)`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    const { sandbox, note } = await startDoctorSandbox({ port: taken });
    await sandbox.close();
    expect(sandbox.port).toBe(taken);
    expect(note).toBe(`on ${sandbox.url}`);
  });
});
