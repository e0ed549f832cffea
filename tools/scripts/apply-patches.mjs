// postinstall: applies patches/ to node_modules with patch-package (today one patch,
// to the local zapier-platform-cli; docs/development.md says what it changes and why).
//
// Why not `"postinstall": "patch-package"` alone: the CLI and patch-package are both
// devDependencies, and two installs run this postinstall without devDependencies:
// `npm ci --omit=dev`, and the production install that `zapier-platform build` runs in
// its temp copy of this folder. There `patch-package` is no command at all, and the
// failed postinstall would fail the install and the build with it. So: no CLI, nothing
// to patch. A CLI without patch-package, a patch that does not apply, or a patch written
// for another CLI version fails the install (--error-on-fail --error-on-warn) rather
// than leaving a CLI whose build fails later.
//
// The project is the nearest folder holding a package.json from where this runs (npm runs
// lifecycle scripts in the project's folder), as patch-package itself decides.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

let root = process.cwd();
while (!existsSync(path.join(root, 'package.json')) && path.dirname(root) !== root) root = path.dirname(root);
const installed = (file) => existsSync(path.join(root, 'node_modules', file));

if (!installed('zapier-platform-cli/package.json')) {
  console.log('apply-patches: zapier-platform-cli is not installed here; nothing to patch.');
  process.exit(0);
}
if (!installed('patch-package/index.js')) {
  console.error(
    'apply-patches: zapier-platform-cli is installed but patch-package is not; ' +
      'install devDependencies (npm ci) so that patches/ can be applied.',
  );
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  // Extra arguments pass through: an integration of integrations/ names the repository's patches
  // with --patch-dir ../../patches.
  [
    path.join(root, 'node_modules', 'patch-package', 'index.js'),
    '--error-on-fail',
    '--error-on-warn',
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
