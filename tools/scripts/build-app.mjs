// `npm run build` for the Practice app: its TypeScript (index.ts and what it imports: the steps
// and practice/) bundled by esbuild into one file, dist/index.js, which ./index.js loads. The
// layer stays the installed package it is (node_modules/zapier-oauth-layer, its own bundle) and
// core stays core. One file instead of thirty compresses to half in build.zip, and nothing is
// minified: names and lines stay readable in Zapier's logs (docs/benchmarks.md, build.zip size).
// Type-checking is `npm run typecheck`'s job (tsconfig.json), as under ts-jest.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const esbuild = createRequire(import.meta.url)('esbuild');

rmSync(path.join(root, 'dist'), { recursive: true, force: true });
esbuild.buildSync({
  entryPoints: [path.join(root, 'index.ts')],
  outfile: path.join(root, 'dist', 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Zapier runs Node 22 (the `engines` of package.json).
  target: 'node22',
  external: ['zapier-platform-core', 'zapier-oauth-layer', 'zapier-oauth-layer/*'],
  // tsconfig.json's paths point the layer at its sources for tsx and jest; the built app reads the package.
  tsconfigRaw: { compilerOptions: {} },
  legalComments: 'none',
  logLevel: 'warning',
});
