// docs/environment.md names every environment variable the repository reads: the code is
// searched for `process.env.NAME`, `process.env['NAME']`, `readEnv('NAME')` and the
// variables each profile names.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { practiceProfile } from '../../practice/profile';
import { PROFILES } from '../../profiles';

const ROOT = path.resolve(__dirname, '..', '..');
const DOC = readFileSync(path.join(ROOT, 'docs', 'environment.md'), 'utf8');
/** Variables that belong to the machine, not to this project. */
const MACHINE = new Set(['PATH', 'HOME', 'CI', 'NODE_ENV']);

function readInCode(): Set<string> {
  const files = execFileSync('git', ['ls-files', '*.ts', '*.mjs', '*.js'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file !== '' && !file.startsWith('test/repository/'));
  const names = new Set<string>();
  const patterns = [
    /process\.env\.([A-Z][A-Z0-9_]*)/g,
    /process\.env\[['"]([A-Z][A-Z0-9_]*)['"]\]/g,
    /readEnv\(['"]([A-Z][A-Z0-9_]*)['"]\)/g,
  ];
  for (const file of files) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) names.add(match[1]!);
  }
  for (const profile of [practiceProfile, ...Object.values(PROFILES)])
    for (const name of [profile.endpoints.baseEnv, profile.client.idEnv, profile.client.secretEnv])
      names.add(name);
  return names;
}

/** A profile's variables count as named when the page names their prefix family ("SLACK_…"). */
function named(variable: string): boolean {
  if (new RegExp(`\\b${variable}\\b`).test(DOC)) return true;
  const family = /^([A-Z]+)_(BASE_URL|CLIENT_ID|CLIENT_SECRET)$/.exec(variable);
  return family !== null && DOC.includes(`\`${family[1]}_`);
}

describe('docs/environment.md', () => {
  it('names every variable the code reads', () => {
    const missing = [...readInCode()].filter((name) => !MACHINE.has(name) && !named(name));
    expect(missing).toEqual([]);
  });

  it('finds what it looks for', () => {
    expect(readInCode()).toEqual(expect.objectContaining({ size: expect.any(Number) as number }));
    expect([...readInCode()]).toEqual(
      expect.arrayContaining(['BASE_URL', 'OAUTH_REFRESH_BUDGET_MS', 'SLACK_CLIENT_ID']),
    );
  });
});
