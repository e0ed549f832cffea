// `npm run doctor -- --discover` as a user runs it: the CLI under tsx in a process of its own,
// where the draft is given the repository's Prettier style. The drafts it writes, against a
// stand-in and against a hostile API that puts secrets where codes belong, pass
// `prettier --check` and type-check with the repository's compiler settings as they are.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROFILES } from '../../profiles';
import { start as zoho } from '../../tools/standins/zoho';
import { leaksIn } from '../encodings';
import { startHostileApi, tokenPathOf } from './discover-support';

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

/** `prettier --check` with the repository's style, and tsc with its compiler settings. */
async function formattedAndTyped(draft: string) {
  await run(bin('prettier'), ['--config', path.join(ROOT, '.prettierrc.json'), '--check', draft]);
  const tsconfig = path.join(path.dirname(draft), 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(ROOT, 'tsconfig.json'),
      compilerOptions: { typeRoots: [path.join(ROOT, 'node_modules', '@types')], types: ['node'] },
      include: [path.basename(draft)],
    }),
  );
  await run(bin('tsc'), ['-p', tsconfig]);
}

describe('npm run doctor -- --discover, in a process of its own', () => {
  it('writes a draft of the Zoho stand-in that passes prettier --check and type-checks', async () => {
    const standIn = await zoho();
    try {
      const conn = standIn.connect();
      const dir = mkdtempSync(path.join(tmpdir(), 'discover-cli-'));
      const out = await cli(
        [
          '--discover',
          new URL(standIn.probePath, standIn.url).toString(),
          '--token-url',
          tokenPathOf(PROFILES.zoho!),
          '--auth-scheme',
          'Zoho-oauthtoken',
          '--id',
          'zoho',
          '--out',
          'zoho.draft.ts',
          '--refresh',
        ],
        {
          CLIENT_ID: standIn.client.id,
          CLIENT_SECRET: standIn.client.secret,
          authData_access_token: conn.access_token,
          authData_refresh_token: conn.refresh_token,
          authData_scope: conn.scope,
        },
        dir,
      );
      expect(out).toMatch(/Draft written to zoho\.draft\.ts: \d+ fields observed, \d+ marked UNOBSERVED/);
      expect(out).toContain('npm run doctor -- --profile zoho.draft.ts --probe /crm/v8/Leads');
      const draft = path.join(dir, 'zoho.draft.ts');
      expect(readFileSync(draft, 'utf8')).toContain("authorizationScheme: 'Zoho-oauthtoken'");
      await formattedAndTyped(draft);
    } finally {
      await standIn.close();
    }
  });

  it('keeps a secret the API put where a code belongs out of the draft, which still type-checks', async () => {
    const hostile = await startHostileApi();
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'discover-cli-'));
      const out = await cli(
        [
          '--discover',
          hostile.testUrl,
          '--token-url',
          '/oauth/token',
          '--out',
          'hostile.draft.ts',
          '--refresh',
        ],
        hostile.env,
        dir,
      );
      const draft = path.join(dir, 'hostile.draft.ts');
      const text = readFileSync(draft, 'utf8');
      expect(text).toContain("'[redacted]': 'refresh'");
      expect(
        leaksIn(
          [
            { where: 'output', text: out },
            { where: 'draft', text },
          ],
          hostile.secrets,
        ),
      ).toEqual([]);
      await formattedAndTyped(draft);
    } finally {
      await hostile.close();
    }
  });
});
