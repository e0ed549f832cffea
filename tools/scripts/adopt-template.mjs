// npm run adopt-template: the layer adopted, as an adopter would, by the app Zapier's own CLI
// generates (`zapier-platform init --template oauth2 --language typescript`), in a temporary
// folder: the package packed as it would be published, the template generated offline and
// installed, the profile written and the guide's edits applied, then `zapier-platform validate`,
// `zapier-platform build` (through "Testing build") and the template's own test, unchanged.
// At the end it counts what the adoption changed: "adoption: N files, +A −R lines".
// docs/adopting-the-template.md says what each step does, shows the edits and how to make them
// by hand.
//
// Each step is one function of `STEPS`, run in order with one context; a failed step stops the
// run, named, with a non-zero exit. The temporary folder is removed at the end unless
// ADOPT_KEEP=1.
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const HERE = path.join(ROOT, 'tools', 'scripts', 'adopt-template');

// Node 22 (the node@22 devDependency) and this repository's CLI first on PATH, as `npm run` puts
// them: the CLI stands for the `zapier-platform` an adopter installs globally, and its build
// tests build.zip with the Node it runs on (Node 22, as Zapier runs the app).
const ENV = {
  ...process.env,
  PATH: [
    path.join(ROOT, 'node_modules', 'node', 'bin'),
    path.join(ROOT, 'node_modules', '.bin'),
    process.env.PATH,
  ].join(path.delimiter),
};
// The template's test calls auth-json-server.zapier-staging.com; CI reaches only the npm registry.
// The stand-in answers in vitest's processes in its place (auth-json-server.mjs says how).
const STAND_IN = pathToFileURL(path.join(HERE, 'auth-json-server.mjs')).href;
const NPM_INSTALL = ['install', '--no-audit', '--no-fund', '--prefer-offline'];

/** Runs a command with its output shown; throws, naming it, when it fails. */
function run(command, args, { cwd, env = ENV, capture = false } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env,
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  if (result.status !== 0)
    throw new Error(`\`${[command, ...args].join(' ')}\` exited with ${result.status}`);
  return result.stdout;
}

const git = (ctx, ...args) =>
  run(
    'git',
    [
      '-c',
      'user.name=adopt-template',
      '-c',
      'user.email=adopt-template@localhost',
      '-c',
      'commit.gpgsign=false',
      ...args,
    ],
    { cwd: ctx.app, capture: true },
  );

/** `text` with `from` replaced by `to`, or an error when the template no longer has `from` exactly once. */
function replaceOnce(file, text, from, to) {
  const at = text.indexOf(from);
  if (at === -1 || text.indexOf(from, at + 1) !== -1)
    throw new Error(
      `${file} no longer reads as the adoption expects: ${JSON.stringify(from)} is not in it exactly once`,
    );
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** Throws unless the template's file still says each of `facts`: what the adoption reads from it. */
function expectIn(file, text, facts) {
  const missing = facts.filter((fact) => !text.includes(fact));
  if (missing.length)
    throw new Error(`${file} no longer says ${missing.map((m) => JSON.stringify(m)).join(', ')}`);
}

/** The names of the entries of a zip file (its central directory). */
function zipEntries(file) {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end === -1) throw new Error(`${file} is not a zip file`);
  const names = [];
  let at = zip.readUInt32LE(end + 16);
  for (let i = zip.readUInt16LE(end + 10); i > 0; i--) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: unreadable central directory`);
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return names;
}

// ---- What the adoption writes ---------------------------------------------------------------

// The template's API, as its src/authentication.ts calls it (the facts adopt() checks are there).
const PROFILE_TS = `// auth-json-server, the API of zapier-platform's oauth2 template, as the template's
// src/authentication.ts called it.
import { defineProfile } from 'zapier-oauth-layer';

export const profile = defineProfile({
  id: 'auth-json-server',
  name: 'Auth JSON Server',
  troubleshooting: 'README.md',
  endpoints: {
    base: 'https://auth-json-server.zapier-staging.com',
    baseEnv: 'AUTH_JSON_SERVER_BASE_URL',
    authorize: '/oauth/authorize',
    token: '/oauth/access-token',
    api: '/',
    // Where the template refreshed; the layer refreshes at the token endpoint (RFC 6749 §6).
    oauthOther: ['/oauth/refresh-token'],
  },
  // The template sent the client in the form body, from these variables.
  client: { idEnv: 'CLIENT_ID', secretEnv: 'CLIENT_SECRET', authMethod: 'body' },
  // Its authorize URL asked for no scope, without PKCE.
  authorization: { scopes: [], omitScope: true, pkce: 'none' },
  token: {
    // Not documented: check it with the doctor's --refresh before going live.
    rotation: { kind: 'none' },
  },
});
`;

const LAYER_TS = `import { createLayer } from 'zapier-oauth-layer';
import { profile } from './profile.js';

export const api = createLayer(profile);
`;

// Replaces the template's oauth2Config, fields, test and label; keeps its test request and label.
const AUTHENTICATION_TS = `import type { ZObject } from 'zapier-platform-core';
import { api } from './layer.js';

// The connection test: one request every user may make. It returns the whole response, so the
// label reads the answer under \`json.\`.
const test = (z: ZObject) => z.request({ url: api.url(z, '/me') });

export default api.authentication({ test, connectionLabel: '{{json.username}}' });
`;

// CLI 19.1.0's build finds the app's files with esbuild and tests build.zip with Node 22, which
// loads these three through their "module-sync" export (require.mjs), a file esbuild does not
// see. includeInBuild: regular expressions, case-insensitive, matched against each file's path
// (zapier-platform-cli/src/utils/build.js, walkDirWithPatterns).
const ZAPIERAPPRC = `{
  "includeInBuild": ["node_modules/(async-function|async-generator-function|generator-function)/require\\\\.mjs$"]
}
`;

// ---- The steps ------------------------------------------------------------------------------

/** 1. The package, built and packed as `npm publish` would pack it. */
function packLayer(ctx) {
  run('npm', ['run', 'build', '-w', 'zapier-oauth-layer'], { cwd: ROOT });
  const packed = JSON.parse(
    run('npm', ['pack', '-w', 'zapier-oauth-layer', '--json', '--pack-destination', ctx.work], {
      cwd: ROOT,
      capture: true,
    }),
  );
  ctx.tarball = path.join(ctx.work, packed[0].filename);
  if (!existsSync(ctx.tarball)) throw new Error(`npm pack wrote no ${ctx.tarball}`);
  console.log(`packed ${packed[0].filename}: ${packed[0].entryCount} files, ${packed[0].size} bytes`);
}

/** 2. Zapier's oauth2 template in TypeScript, as `zapier-platform init` writes it (offline). */
function generateTemplate(ctx) {
  run('zapier-platform', ['init', 'app', '--template', 'oauth2', '--language', 'typescript'], {
    cwd: ctx.work,
  });
  git(ctx, 'init', '--quiet');
  git(ctx, 'add', '--all');
  git(ctx, 'commit', '--quiet', '--message', 'as zapier-platform init generated it');
}

/**
 * 3. The template's own dependencies, as its README says (`npm install`). What the root's `npm ci`
 * put in npm's cache is taken from there (zapier-platform-core 19.1.0 and its tree); the
 * template's devDependencies (vitest 2, typescript 5.6.2, rimraf 5) are none of this
 * repository's, and come from the registry. Its lockfile is the baseline the count starts from.
 */
function installTemplate(ctx) {
  run('npm', NPM_INSTALL, { cwd: ctx.app });
  git(ctx, 'add', '--all');
  git(ctx, 'commit', '--quiet', '--message', "the template's own npm install");
}

/** 4. The template's own test before adoption, against the stand-in: the stand-in answers as the template expects. */
function testTemplate(ctx) {
  run('npm', ['test'], {
    cwd: ctx.app,
    env: { ...ENV, NODE_OPTIONS: `${ENV.NODE_OPTIONS ?? ''} --import=${STAND_IN}` },
  });
}

/** 5. The layer, from the packed tarball, as an adopter installs the published package. */
function installLayer(ctx) {
  run('npm', [...NPM_INSTALL, ctx.tarball], { cwd: ctx.app });
}

/** 6. The profile and the guide's edits (docs/adopting.md, step 4), each checked against the template. */
function adopt(ctx) {
  const file = (name) => path.join(ctx.app, name);
  const read = (name) => readFileSync(file(name), 'utf8');

  // What the profile says, as the template's authentication.ts says it.
  const authentication = read('src/authentication.ts');
  expectIn('src/authentication.ts', authentication, [
    "url: 'https://auth-json-server.zapier-staging.com/oauth/authorize'",
    "url: 'https://auth-json-server.zapier-staging.com/oauth/access-token'",
    "url: 'https://auth-json-server.zapier-staging.com/oauth/refresh-token'",
    "z.request({ url: 'https://auth-json-server.zapier-staging.com/me' })",
    'client_id: process.env.CLIENT_ID,',
    'client_secret: process.env.CLIENT_SECRET,',
    "headers: { 'content-type': 'application/x-www-form-urlencoded' }",
    "connectionLabel: '{{json.username}}'",
  ]);
  if (/scope|code_challenge/.test(authentication))
    throw new Error('src/authentication.ts now asks for scopes or PKCE: the profile says it does not');
  writeFileSync(file('src/profile.ts'), PROFILE_TS);
  writeFileSync(file('src/layer.ts'), LAYER_TS);
  writeFileSync(file('src/authentication.ts'), AUTHENTICATION_TS);

  // The template's middleware only puts the access token on every request: the layer's does it.
  const middleware = read('src/middleware.ts');
  expectIn('src/middleware.ts', middleware, [
    'request.headers.Authorization = `Bearer ${bundle.authData.access_token}`;',
    'export const befores = [includeBearerToken];',
    'export const afters = [];',
  ]);
  rmSync(file('src/middleware.ts'));

  let index = read('src/index.ts');
  index = replaceOnce(
    'src/index.ts',
    index,
    "import { befores, afters } from './middleware.js';\n",
    "import { api } from './layer.js';\n",
  );
  index = replaceOnce(
    'src/index.ts',
    index,
    '  beforeRequest: [...befores],\n  afterResponse: [...afters],\n',
    '',
  );
  index = replaceOnce(
    'src/index.ts',
    index,
    'export default defineApp({\n',
    'export default api.harden(defineApp({\n',
  );
  if (!index.endsWith('\n});\n')) throw new Error('src/index.ts no longer ends with the app definition');
  index = `${index.slice(0, -'});\n'.length)}}));\n`;
  writeFileSync(file('src/index.ts'), index);

  if (existsSync(file('.zapierapprc'))) throw new Error('the template now writes a .zapierapprc of its own');
  writeFileSync(file('.zapierapprc'), ZAPIERAPPRC);
}

/** 7. `zapier-platform validate`, offline as in .ci/run: the schema, without Zapier's style check. */
function validate(ctx) {
  run('zapier-platform', ['validate', '--without-style'], { cwd: ctx.app });
}

/** 8. `zapier-platform build` through "Testing build"; build.zip holds the app and the layer. */
function build(ctx) {
  run('zapier-platform', ['build', '--skip-validation'], { cwd: ctx.app });
  const zip = path.join(ctx.app, 'build', 'build.zip');
  if (!existsSync(zip)) throw new Error('no build/build.zip');
  const entries = new Set(zipEntries(zip));
  const needed = [
    'dist/index.js',
    'dist/profile.js',
    'node_modules/zapier-oauth-layer/package.json',
    'node_modules/zapier-oauth-layer/dist/index.js',
    'node_modules/zapier-oauth-layer/dist/layer.js',
  ];
  const missing = needed.filter((name) => !entries.has(name));
  if (missing.length) throw new Error(`build.zip lacks ${missing.join(', ')}`);
  console.log(`build.zip: ${entries.size} entries, the app's dist/ and the layer among them`);
}

/** 9. The template's own test (vitest), unchanged, on the adopted app. */
function testAdopted(ctx) {
  testTemplate(ctx);
}

/** 10. What the adoption changed, counted as `git diff --numstat` counts it. */
function count(ctx) {
  git(ctx, 'add', '--all');
  const rows = git(ctx, 'diff', '--cached', '--numstat', '--no-renames', 'HEAD')
    .trim()
    .split('\n')
    .map((line) => {
      const [added, removed, name] = line.split('\t');
      return { added: Number(added), removed: Number(removed), name };
    });
  // npm writes the lockfile; nobody edits it by hand.
  const counted = rows.filter((row) => row.name !== 'package-lock.json');
  const lock = rows.find((row) => row.name === 'package-lock.json');
  for (const row of counted) console.log(`  ${row.name}: +${row.added} −${row.removed}`);
  if (lock)
    console.log(
      `  (package-lock.json, written by npm install, not counted: +${lock.added} −${lock.removed})`,
    );
  const sum = (key) => counted.reduce((total, row) => total + row[key], 0);
  ctx.summary = `adoption: ${counted.length} files, +${sum('added')} −${sum('removed')} lines`;
}

const STEPS = [
  ['pack the layer', packLayer],
  ['generate the template', generateTemplate],
  ["install the template's dependencies", installTemplate],
  ["the template's test, as generated", testTemplate],
  ['install the layer from its tarball', installLayer],
  ["adopt: the profile and the guide's edits", adopt],
  ['zapier-platform validate', validate],
  ['zapier-platform build', build],
  ["the template's test, adopted", testAdopted],
  ['count the adoption', count],
];

const ctx = { work: mkdtempSync(path.join(tmpdir(), 'adopt-template-')) };
ctx.app = path.join(ctx.work, 'app');
const started = Date.now();
let failed = null;
for (const [name, step] of STEPS) {
  console.log(`\n== adopt-template: ${name}`);
  const t0 = Date.now();
  try {
    step(ctx);
  } catch (error) {
    failed = { name, error };
    break;
  }
  console.log(`-- ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
if (process.env.ADOPT_KEEP === '1') console.log(`\nkept: ${ctx.work}`);
else rmSync(ctx.work, { recursive: true, force: true });

if (failed) {
  console.error(`\nadopt-template failed at "${failed.name}": ${failed.error?.message ?? failed.error}`);
  process.exit(1);
}
console.log(`\n${ctx.summary} (${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
