// postinstall, after apply-patches: builds packages/zapier-oauth-layer (its dist/ is what the
// app and integrations/hubspot require, as an adopter's app requires the published package).
// Where its build tools are not installed (the production install `zapier-platform build` runs in
// its temp copy of this folder, which already holds the built dist/), there is nothing to build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = process.cwd();
const tools = ['typescript/package.json', 'esbuild/package.json'];
if (!tools.every((file) => existsSync(path.join(root, 'node_modules', file)))) {
  console.log('build-layer-package: typescript or esbuild is not installed here; dist/ is used as it is.');
  process.exit(0);
}
const result = spawnSync('npm', ['run', 'build', '-w', 'zapier-oauth-layer'], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(result.status ?? 1);
