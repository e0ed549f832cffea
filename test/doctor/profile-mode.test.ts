// `npm run doctor -- --profile NAME|FILE --probe PATH`: every check of the doctor against an API a
// profile describes, here each built-in profile against its provider's stand-in: it runs, its
// findings and fixes are in that API's words (its name, its variables, its troubleshooting page),
// what only Practice has is skipped with the reason, and no secret is printed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROFILES } from '../../profiles';
import { CHECK_IDS, PROFILE_CHECK } from 'zapier-oauth-layer/doctor';
import type { Check } from 'zapier-oauth-layer/doctor';
import { doctor } from '../../tools/doctor/cli';
import { unobservedFields } from 'zapier-oauth-layer/doctor';
import type { SuiteStandIn } from 'zapier-oauth-layer/standin';
import { ALL_CASES, CASES } from '../conformance/support';

const ROOT = path.resolve(__dirname, '..', '..');

async function connectionEnv(standIn: SuiteStandIn, names: { base: string; id: string; secret: string }) {
  const conn = await standIn.connect();
  const env: NodeJS.ProcessEnv = {
    [names.base]: standIn.url,
    [names.id]: standIn.client.id,
    [names.secret]: standIn.client.secret,
    authData_access_token: conn.access_token,
    authData_refresh_token: conn.refresh_token,
    authData_scope: conn.scope,
    authData_expires_at: String(Math.floor(Date.now() / 1000) + conn.expires_in),
  };
  return { conn, env };
}

async function run(argv: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const result = await doctor([...argv, '--json'], env, cwd);
  const checks = (JSON.parse(result.output) as { checks: Check[] }).checks;
  const byId = (id: string) => checks.find((c) => c.id === id);
  return { ...result, checks, byId };
}

describe.each(CASES.filter((c) => c.name !== 'practice'))('--profile $name', ({ name, profile, start }) => {
  let standIn: SuiteStandIn;
  beforeAll(async () => {
    standIn = await start();
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('runs every check against the stand-in, in the API’s words, and prints no secret', async () => {
    const names = {
      base: profile.endpoints.baseEnv,
      id: profile.client.idEnv,
      secret: profile.client.secretEnv,
    };
    const { conn, env } = await connectionEnv(standIn, names);
    const cwd = mkdtempSync(path.join(tmpdir(), 'doctor-profile-'));
    const report = await run(['--profile', name, '--probe', standIn.probePath], env, cwd);

    expect(report.code).toBe(0);
    expect(report.checks.map((c) => c.id)).toEqual([PROFILE_CHECK, ...CHECK_IDS]);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    for (const id of [
      'profile',
      'config',
      'client_credentials',
      'token_endpoint_errors',
      'test_call',
      'expiry_signal',
    ])
      expect([id, report.byId(id)?.status]).toEqual([id, 'pass']);
    // Its name, its variables, its page.
    expect(report.byId('profile')?.finding).toContain(`(${profile.name}) from built-in ${name}`);
    // (Zoho's client id starts like its tokens, "1000.", and is redacted with them.)
    expect(report.byId('config')?.finding).toContain(`${names.base} ${standIn.url}, ${names.id} `);
    expect(report.byId('config')?.finding).toContain(`${names.secret} set (sha256 `);
    expect(report.byId('config')?.finding).toContain(`the API checks GET ${standIn.probePath}`);
    expect(report.byId('test_call')?.finding).toContain(
      `${profile.name} accepted the connection's access token`,
    );
    const fixes = report.checks.map((c) => c.fix).filter((f) => f !== '');
    expect(fixes.length).toBeGreaterThan(0);
    for (const fix of fixes) expect(fix).toContain(`See ${profile.troubleshooting}.`);
    // What only Practice has is skipped, saying why.
    expect(report.byId('legacy_signal')?.status).toBe('skipped');
    expect(report.byId('legacy_signal')?.finding).toMatch(
      /^Skipped for .*: legacy endpoints .* are Practice's/,
    );
    expect(report.byId('scopes')?.finding).toContain('known for Practice only (practice/scopes.ts)');
    expect(report.byId('refresh')?.status).toBe('skipped');
    for (const secret of [conn.access_token, conn.refresh_token, standIn.client.secret])
      expect(report.output).not.toContain(secret);
  });

  it('with --refresh refreshes as the profile says and holds the answer against it', async () => {
    const names = {
      base: profile.endpoints.baseEnv,
      id: profile.client.idEnv,
      secret: profile.client.secretEnv,
    };
    const { conn, env } = await connectionEnv(standIn, names);
    const cwd = mkdtempSync(path.join(tmpdir(), 'doctor-profile-'));
    const before = standIn.tokenStats();
    const report = await run(['--profile', name, '--probe', standIn.probePath, '--refresh'], env, cwd);
    expect(report.byId('refresh')?.status).toBe('pass');
    expect(report.byId('refresh')?.finding).toContain('the new tokens were written to .env');
    expect(report.byId('refresh')?.finding).not.toContain('against the profile');
    // Two token requests: the probe's and the refresh; the rotated-away token never again.
    expect(standIn.tokenStats().refreshRequests - before.refreshRequests).toBe(2);
    expect(standIn.tokenStats().reusedRefreshTokens - before.reusedRefreshTokens).toBe(0);
    for (const secret of [conn.access_token, conn.refresh_token, standIn.client.secret])
      expect(report.output).not.toContain(secret);
  });
});

describe('--profile on an API that takes the token in a header of its own (endpoints.tokenHeader)', () => {
  it('sends the token as the layer does: Shopify gets X-Shopify-Access-Token, and accepts it', async () => {
    const shopify = ALL_CASES.find((c) => c.name === 'shopify');
    if (!shopify) throw new Error('no shopify case');
    const { profile } = shopify;
    expect(profile.endpoints.tokenHeader).toBe('X-Shopify-Access-Token');
    const standIn = await shopify.start();
    try {
      const names = {
        base: profile.endpoints.baseEnv,
        id: profile.client.idEnv,
        secret: profile.client.secretEnv,
      };
      const { conn, env } = await connectionEnv(standIn, names);
      const cwd = mkdtempSync(path.join(tmpdir(), 'doctor-profile-'));
      const report = await run(['--profile', 'shopify', '--probe', standIn.probePath], env, cwd);
      // The stand-in reads the token from X-Shopify-Access-Token only (as Shopify documents):
      // sent as Authorization: Bearer, the connection's own token was refused with a 401.
      expect(report.byId('test_call')?.status).toBe('pass');
      expect(report.byId('test_call')?.finding).toContain("Shopify accepted the connection's access token");
      expect(report.byId('expiry_signal')?.status).toBe('pass');
      expect(report.byId('expiry_signal')?.finding).not.toContain("This connection's own token was refused");
      expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
      for (const secret of [conn.access_token, conn.refresh_token, standIn.client.secret])
        expect(report.output).not.toContain(secret);
    } finally {
      await standIn.close();
    }
  });
});

describe('--profile on what only Practice has, and on files', () => {
  it('--profile practice is the Practice doctor, plus the profile check', async () => {
    const practiceCase = CASES.find((c) => c.name === 'practice');
    if (!practiceCase) throw new Error('no practice case');
    const standIn = await practiceCase.start();
    try {
      const { env } = await connectionEnv(standIn, {
        base: 'BASE_URL',
        id: 'CLIENT_ID',
        secret: 'CLIENT_SECRET',
      });
      const cwd = mkdtempSync(path.join(tmpdir(), 'doctor-profile-'));
      const report = await run(['--profile', 'practice'], env, cwd);
      expect(report.checks.map((c) => c.id)).toEqual([PROFILE_CHECK, ...CHECK_IDS]);
      expect(report.byId('test_call')?.finding).toMatch(
        /GET \/api\/v1\/me answered HTTP 200; the connection label renders as/,
      );
      expect(report.byId('legacy_signal')?.status).toBe('pass');
      const probe = await doctor(['--profile', 'practice', '--probe', '/api/v1/me'], env, cwd);
      expect(probe.code).toBe(2);
    } finally {
      await standIn.close();
    }
  });

  it('loads a profile from a .ts file and tells a missing one apart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'doctor-profile-file-'));
    const file = path.join(dir, 'mine.ts');
    const from = path
      .relative(dir, path.join(ROOT, 'profiles', 'hubspot'))
      .split(path.sep)
      .join('/');
    writeFileSync(file, `export { hubspotProfile as mine } from '${from}';\n`);
    const report = await run(['--profile', 'mine.ts'], {}, dir);
    expect(report.byId('profile')?.finding).toContain('Profile "hubspot" (HubSpot) from mine.ts');
    // Not configured: HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET named, nothing sent.
    expect(report.byId('config')?.status).toBe('fail');
    expect(report.byId('config')?.finding).toContain(
      'HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET are not set',
    );
    const missing = await doctor(['--profile', 'nowhere.ts'], {}, dir);
    expect(missing.code).toBe(2);
    expect(missing.output).toMatch(/no profile "nowhere.ts": neither a built-in one \(practice, slack/);
  });

  it('warns when a lifetime reads as more than a day: a unit mistake, not a token that lives that long', async () => {
    const tally = CASES.find((c) => c.name === 'tallybook');
    if (!tally) throw new Error('no tallybook case');
    const dir = mkdtempSync(path.join(tmpdir(), 'doctor-profile-unit-'));
    const rel = (to: string) => path.relative(dir, path.join(ROOT, to)).split(path.sep).join('/');
    // Tallybook answers expires_in in milliseconds; this profile says seconds.
    writeFileSync(
      path.join(dir, 'mistaken.ts'),
      `import { defineProfile } from 'zapier-oauth-layer';\n` +
        `import { tallybookProfile as p } from '${rel('profiles/tallybook')}';\n` +
        'export const mistaken = defineProfile({ ...p, checked: undefined, token: { ...p.token, ' +
        "lifetime: { ...p.token.lifetime, unit: 'seconds' } } } as never);\n",
    );
    const standIn = await tally.start();
    try {
      const profile = tally.profile;
      const { env } = await connectionEnv(standIn, {
        base: profile.endpoints.baseEnv,
        id: profile.client.idEnv,
        secret: profile.client.secretEnv,
      });
      const report = await run(
        ['--profile', 'mistaken.ts', '--probe', standIn.probePath, '--refresh'],
        env,
        dir,
      );
      expect(report.byId('refresh')?.finding).toMatch(
        /expires_in reads as .* with token\.lifetime\.unit "seconds": more than a day is rare/,
      );
    } finally {
      await standIn.close();
    }
  });

  it('never sends the token to a --probe outside the API', async () => {
    const seen: string[] = [];
    const other = http.createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.end('{}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const slackCase = CASES.find((c) => c.name === 'slack');
    if (!slackCase) throw new Error('no slack case');
    const standIn = await slackCase.start();
    try {
      const p = PROFILES.slack!;
      const { env } = await connectionEnv(standIn, {
        base: p.endpoints.baseEnv,
        id: p.client.idEnv,
        secret: p.client.secretEnv,
      });
      const elsewhere = `http://127.0.0.1:${(other.address() as AddressInfo).port}/api/auth.test`;
      const cwd = mkdtempSync(path.join(tmpdir(), 'doctor-profile-'));
      const report = await run(['--profile', 'slack', '--probe', elsewhere], env, cwd);
      expect(report.byId('config')?.status).toBe('fail');
      expect(report.byId('config')?.finding).toMatch(
        /is not under Slack's API .*: the integration sends the access token nowhere else/,
      );
      expect(report.byId('test_call')?.status).toBe('skipped');
      expect(seen).toEqual([]);
      expect((await doctor(['--probe', '/x'], env, cwd)).code).toBe(2);
    } finally {
      await standIn.close();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('reads UNOBSERVED markers from the syntax tree, each with the field below it', () => {
    const text = [
      "import { defineProfile } from 'zapier-oauth-layer/internal';",
      'export const p = defineProfile({',
      '  token: {',
      '    // Observed: something',
      '    // UNOBSERVED: a refresh (--refresh)',
      "    rotation: { kind: 'strict' },",
      '    /* UNOBSERVED: the docs */ "key-with-dash": 1,',
      '  },',
      '  // UNOBSERVED: above nothing',
      '});',
    ].join('\n');
    expect(unobservedFields(text)).toEqual([
      { path: 'token.rotation', reveal: 'a refresh (--refresh)', line: 5 },
      { path: 'token.key-with-dash', reveal: 'the docs', line: 7 },
      { path: '', reveal: 'above nothing', line: 9 },
    ]);
  });
});
