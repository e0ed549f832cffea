// `npm run doctor -- --discover` as a user runs it: the CLI under tsx in a process of its own,
// where the draft is given the repository's Prettier style. The drafts it writes, against a
// stand-in, a hostile API that puts secrets where codes belong and one that puts code in every
// string it controls, pass `prettier --check` and type-check with the repository's compiler
// settings as they are (one run of each for the three, the three discoveries at once).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROFILES } from '../../profiles';
import { start as zoho } from '../../tools/standins/zoho';
import { leaksIn } from '../encodings';
import { loadProfile } from 'zapier-oauth-layer/doctor';
import { setInAnyRealm, startCodeInjectingApi, startHostileApi, tokenPathOf } from './discover-support';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

/** The doctor's CLI in a child process (asynchronously: the servers answer from this one). */
async function cli(argv: string[], env: Record<string, string>, cwd: string) {
  const child = await run(bin('tsx'), [path.join(ROOT, 'tools', 'doctor', 'cli.ts'), ...argv], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env },
  });
  return child.stdout;
}

/** `prettier --check` with the repository's style, and tsc with its compiler settings: one run each for every draft. */
async function formattedAndTyped(root: string, drafts: string[]): Promise<string> {
  const prettier = await run(bin('prettier'), [
    '--config',
    path.join(ROOT, '.prettierrc.json'),
    '--check',
    ...drafts,
  ]);
  const tsconfig = path.join(root, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(ROOT, 'tsconfig.json'),
      compilerOptions: { typeRoots: [path.join(ROOT, 'node_modules', '@types')], types: ['node'] },
      include: drafts.map((d) => path.relative(root, d)),
    }),
  );
  // Each throws on a non-zero exit; what they print on success is what the test checks.
  const tsc = await run(bin('tsc'), ['-p', tsconfig]);
  return `${prettier.stdout}${tsc.stdout}`;
}

describe('npm run doctor -- --discover, in a process of its own', () => {
  const marker = path.join(tmpdir(), `doctor-cli-draft-ran-${process.pid}-${Date.now()}`);
  const root = mkdtempSync(path.join(tmpdir(), 'discover-cli-'));
  const drafts: Record<'zoho' | 'hostile' | 'code', { dir: string; file: string; out: string }> = {
    zoho: { dir: '', file: '', out: '' },
    hostile: { dir: '', file: '', out: '' },
    code: { dir: '', file: '', out: '' },
  };
  let hostileSecrets: Record<string, string> = {};
  let escaping = '';

  // The three drafts at once, each from a process of its own in a folder of its own (its .env).
  beforeAll(async () => {
    const standIn = await zoho();
    const hostile = await startHostileApi();
    const injecting = await startCodeInjectingApi('__doctorCliDraftRan', marker);
    hostileSecrets = hostile.secrets;
    escaping = injecting.escaping;
    try {
      const conn = standIn.connect();
      const discover = async (
        name: keyof typeof drafts,
        url: string,
        env: Record<string, string>,
        more: string[],
      ) => {
        const dir = path.join(root, name);
        mkdirSync(dir);
        const file = `${name}.draft.ts`;
        const args = ['--discover', url, '--token-url', ...more, '--out', file, '--refresh'];
        drafts[name] = { dir, file: path.join(dir, file), out: await cli(args, env, dir) };
      };
      await Promise.all([
        discover(
          'zoho',
          new URL(standIn.probePath, standIn.url).toString(),
          {
            CLIENT_ID: standIn.client.id,
            CLIENT_SECRET: standIn.client.secret,
            authData_access_token: conn.access_token,
            authData_refresh_token: conn.refresh_token,
            authData_scope: conn.scope,
          },
          [tokenPathOf(PROFILES.zoho!), '--auth-scheme', 'Zoho-oauthtoken', '--id', 'zoho'],
        ),
        discover('hostile', hostile.testUrl, hostile.env, ['/oauth/token']),
        discover('code', injecting.testUrl, injecting.env(true) as Record<string, string>, ['/oauth/token']),
      ]);
    } finally {
      await Promise.all([standIn.close(), hostile.close(), injecting.close()]);
    }
  });
  afterAll(() => rmSync(marker, { recursive: true, force: true }));

  it('writes a draft of the Zoho stand-in in the repository’s style', () => {
    const { out, file } = drafts.zoho;
    expect(out).toMatch(/Draft written to zoho\.draft\.ts: \d+ fields observed, \d+ marked UNOBSERVED/);
    expect(out).toContain('npm run doctor -- --profile zoho.draft.ts --probe /crm/v8/Leads');
    expect(readFileSync(file, 'utf8')).toContain("authorizationScheme: 'Zoho-oauthtoken'");
  });

  it('keeps a secret the API put where a code belongs out of the draft and the output', () => {
    const { out, file } = drafts.hostile;
    const text = readFileSync(file, 'utf8');
    expect(text).toContain("'[redacted]': 'refresh'");
    expect(
      leaksIn(
        [
          { where: 'output', text: out },
          { where: 'draft', text },
        ],
        hostileSecrets,
      ),
    ).toEqual([]);
  });

  it('keeps code an API put in its strings inert: formatted by Prettier, the draft loads and runs nothing', async () => {
    const { dir, file } = drafts.code;
    expect((await loadProfile(file, dir)).profile.authorization.scopes).toEqual([escaping]);
    expect(existsSync(marker)).toBe(false);
    expect(setInAnyRealm('__doctorCliDraftRan')).toBeUndefined();
  });

  it('writes drafts that pass prettier --check and type-check with the repository’s settings', async () => {
    const printed = await formattedAndTyped(
      root,
      Object.values(drafts).map((d) => d.file),
    );
    expect(printed).toContain('All matched files use Prettier code style!');
  });
});
