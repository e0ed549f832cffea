// Runs `zapier-platform build --skip-validation` on a production-only copy of the app.
//
// Why: the CLI copies the whole project, node_modules included, to a temp folder
// with unbounded parallelism before it installs production dependencies. With
// our dev tooling (~30k files) that exhausts the open-file limit (EMFILE). The
// copy made here holds exactly what the CLI would keep, so the CLI's own steps
// (npm install --production, esbuild tracing, zip, "Testing build") run unchanged.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const run = (cmd, args, cwd) => {
  const result = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run('npm', ['run', 'build'], root);

const stage = mkdtempSync(path.join(tmpdir(), 'practice-zapier-stage-'));
try {
  // What build.zip runs, plus the TypeScript sources and .gitignore for source.zip.
  const entries = ['package-lock.json', '.zapierapprc', '.gitignore', 'index.js', 'dist', 'README.md'];
  const sources = [
    'index.ts',
    'authentication.ts',
    'tsconfig.json',
    'tsconfig.build.json',
    'lib',
    'triggers',
    'creates',
    'searches',
  ];
  for (const entry of [...entries, ...sources]) {
    if (existsSync(path.join(root, entry))) {
      cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true });
    }
  }
  // dist/ is already compiled: the staged copy must not try to run tsc again.
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  pkg.scripts = { '_zapier-build': 'node -e "0"' };
  writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

  // node-fetch's optional `encoding` peer (and iconv-lite's tables with it) is never
  // used by core, but as CommonJS the tracer follows its try/catch require: +220 KiB.
  // The CLI runs its own `npm install --production` in a copy of this folder, so the
  // setting travels as .npmrc.
  writeFileSync(path.join(stage, '.npmrc'), 'omit=optional\n');
  // The CLI refuses to start without a local zapier-platform-core.
  run('npm', ['ci', '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund'], stage);
  run('zapier-platform', ['build', '--skip-validation', ...process.argv.slice(2)], stage);

  mkdirSync(path.join(root, 'build'), { recursive: true });
  for (const zip of ['build.zip', 'source.zip']) {
    cpSync(path.join(stage, 'build', zip), path.join(root, 'build', zip));
  }
  console.log(`Copied build.zip and source.zip to ${path.join(root, 'build')}`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
