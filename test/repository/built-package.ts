// The package built from a copy of itself, as npm would ship it: its own build.mjs run on a copy
// under node_modules/.cache (so that it finds typescript and esbuild, and never touches the dist/
// that other tests and tools read). For tests that read what the build makes (main-entry,
// declarations): call inside a test file; the returned function gives the copy's dist/.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE = path.join(ROOT, 'packages', 'zapier-oauth-layer');

export function useBuiltPackageCopy(label: string): () => string {
  let copy: string | undefined;
  beforeAll(() => {
    copy = path.join(ROOT, 'node_modules', '.cache', `${label}-${process.pid}`, 'zapier-oauth-layer');
    rmSync(path.dirname(copy), { recursive: true, force: true });
    mkdirSync(copy, { recursive: true });
    for (const part of ['src', 'build.mjs', 'tsconfig.json', 'package.json'])
      cpSync(path.join(PACKAGE, part), path.join(copy, part), { recursive: true });
    execFileSync(process.execPath, [path.join(copy, 'build.mjs')], { cwd: copy, stdio: 'pipe' });
  }, 120_000);
  afterAll(() => {
    if (copy) rmSync(path.dirname(copy), { recursive: true, force: true });
  });
  return () => {
    if (!copy) throw new Error('the package copy is built in beforeAll: ask for its dist/ inside a test');
    return path.join(copy, 'dist');
  };
}
