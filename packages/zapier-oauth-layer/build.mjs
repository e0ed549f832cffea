// Builds the package into dist/: type declarations from tsc, and the JavaScript as ONE bundle
// (dist/layer.js, every module of src/) that both entries read, so that an app importing the
// main entry and the internal one still has one copy of the layer (one profile cache, one
// ProfileError class). Not minified: names and lines stay readable in Zapier's logs. One file
// compresses better in build.zip than thirty (docs/benchmarks.md, "build.zip size").
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const dist = path.join(here, 'dist');

rmSync(dist, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', path.join(here, 'tsconfig.json')],
  {
    stdio: 'inherit',
  },
);

const esbuild = require('esbuild');
esbuild.buildSync({
  entryPoints: [path.join(here, 'src', 'internal.ts')],
  outfile: path.join(dist, 'layer.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['zapier-platform-core'],
  legalComments: 'none',
  logLevel: 'warning',
});

// The entries: the internal one is the whole bundle; the main one names what src/index.ts
// exports as values (read from its syntax tree, so the list is written once).
writeFileSync(path.join(dist, 'internal.js'), "'use strict';\nmodule.exports = require('./layer.js');\n");
const ts = require('typescript');
const indexFile = path.join(here, 'src', 'index.ts');
const source = ts.createSourceFile(indexFile, readFileSync(indexFile, 'utf8'), ts.ScriptTarget.ES2022);
const MAIN_ENTRY = source.statements
  .filter((node) => ts.isExportDeclaration(node) && !node.isTypeOnly && node.exportClause)
  .flatMap((node) => node.exportClause.elements.filter((e) => !e.isTypeOnly).map((e) => e.name.text));
writeFileSync(
  path.join(dist, 'index.js'),
  `'use strict';\nconst layer = require('./layer.js');\n${MAIN_ENTRY.map((name) => `exports.${name} = layer.${name};`).join('\n')}\n`,
);

// The conformance kit and the stand-in skeleton (zapier-oauth-layer/conformance and /standin):
// test tooling an integration runs, each a bundle of its own, so that an app requiring the layer
// never loads them. The kit reaches the layer through layer.js and the skeleton through
// standin.js rather than copies of its own: a test that imports the layer, the kit and the
// skeleton holds one of each (one ProfileError class, one StandInUsageError class).
const toSiblingBundles = {
  name: 'sibling-bundles',
  setup(build) {
    const bundles = { '../internal': './layer.js', '../standin': './standin.js' };
    build.onResolve({ filter: /^\.\.\/(internal|standin)$/ }, (args) =>
      args.importer.startsWith(path.join(here, 'src', 'conformance'))
        ? { path: bundles[args.path], external: true }
        : undefined,
    );
  },
};
for (const [entry, out] of [
  ['standin/index.ts', 'standin.js'],
  ['conformance/index.ts', 'conformance.js'],
]) {
  // (build, not buildSync: esbuild takes plugins only in its asynchronous API.)
  await esbuild.build({
    entryPoints: [path.join(here, 'src', entry)],
    outfile: path.join(dist, out),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['zapier-platform-core'],
    plugins: [toSiblingBundles],
    legalComments: 'none',
    logLevel: 'warning',
  });
}

// The doctor: the package's bin (`npx zapier-oauth-doctor`) and its `./doctor` export, one file.
// It reads the layer from ./layer.js (the same copy as the entries), takes TypeScript and Prettier
// from the project it runs in (src/doctor/modules.ts), and carries dotenv inside (with its
// licence), so that the package has no dependencies.
const internal = path.join(here, 'src', 'internal.ts');
await esbuild.build({
  entryPoints: [path.join(here, 'src', 'doctor', 'bin.ts')],
  outfile: path.join(dist, 'doctor.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  footer: {
    js: `/*! dotenv, bundled:\n${readFileSync(path.join(path.dirname(require.resolve('dotenv/package.json')), 'LICENSE'), 'utf8').trim()}\n*/`,
  },
  external: ['zapier-platform-core', 'typescript', 'prettier'],
  plugins: [
    {
      name: 'the-layer-once',
      setup(build) {
        build.onResolve({ filter: /internal$/ }, (args) =>
          path.resolve(args.resolveDir, `${args.path}.ts`) === internal
            ? { path: './layer.js', external: true }
            : undefined,
        );
      },
    },
  ],
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(path.join(dist, 'doctor.js'), 0o755);

// Each bundle's declarations beside it (dist/standin.d.ts for dist/standin.js, …). Under node16 and
// NodeNext resolution, TypeScript resolves an import of '../standin' (the kit's declarations
// import the skeleton's so) to the file dist/standin.js before the folder dist/standin/, and
// without a .d.ts beside the file the kit's types would silently be `any`.
for (const bundle of ['standin', 'conformance', 'doctor'])
  writeFileSync(path.join(dist, `${bundle}.d.ts`), `export * from './${bundle}/index';\n`);
