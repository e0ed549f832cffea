// postinstall: two changes to the locally installed zapier-platform-cli, so that
// `zapier-platform build` and `push` (which runs the same build) work as typed here.
//
// 1. src/utils/files.js — bounded parallelism (zapier/zapier-platform#820).
//    The build copies the whole project, node_modules included, to a temp folder
//    before it installs production dependencies there. copyDir starts every file
//    copy at once, two descriptors each; this project has ~33,000 files (21,500 of
//    them the CLI's own dependency tree), so with an open-file limit of 20,000 the
//    build dies with EMFILE. Patched, at most 64 copies hold files at a time (a copy
//    ends when both its descriptors are closed); the same files land in the same place.
//
// 2. src/utils/build.js — the production install in that temp folder also omits
//    optional dependencies. Our production tree holds exactly one: `encoding`, an
//    optional peer of core's node-fetch that is installed only because the CLI's own
//    tree (minipass-fetch) brings it. With the CLI installed globally, as Zapier's
//    docs do, it is not there at all; installed locally, the CLI's file tracer
//    follows node-fetch's try/catch require into it and iconv-lite's tables,
//    +200 KiB in build.zip that nothing ever runs.
//
// Everything else in the CLI's build (tracing, zip, "Testing build") runs unchanged.
// Idempotent: a hunk already applied is recognised by its marker. Without the CLI
// (npm ci --omit=dev, or the CLI's own production install in its temp copy, which
// runs this postinstall too) there is nothing to patch. If the CLI's source changed,
// the install fails with a message rather than leaving a build that fails later.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The CLI folder can be named as an argument (the tests patch a copy).
const cliDir = process.argv[2]
  ? path.resolve(process.argv[2])
  : path.join(root, 'node_modules', 'zapier-platform-cli');
const PATCHED_VERSIONS = ['19.1.0'];
const COPY_LIMIT = 64;

const hunks = [
  {
    file: 'src/utils/files.js',
    marker: 'practice-zapier patch: bounded copy (zapier/zapier-platform#820)',
    original: 'const copyFile = (src, dest, mode) => {\n  return new Promise((resolve, reject) => {',
    replacement: (marker) => `// ${marker}
// copyDir starts every copy at once; at most COPY_LIMIT run at the same time, the
// rest wait their turn (a finishing copy hands its slot to the next one).
const COPY_LIMIT = ${COPY_LIMIT};
let copiesRunning = 0;
const copiesWaiting = [];
const copyFile = async (src, dest, mode) => {
  if (copiesRunning < COPY_LIMIT) copiesRunning += 1;
  else await new Promise((resolve) => copiesWaiting.push(resolve));
  try {
    return await copyOneFile(src, dest, mode);
  } finally {
    const next = copiesWaiting.shift();
    if (next) next();
    else copiesRunning -= 1;
  }
};

const copyOneFile = (src, dest, mode) => {
  return new Promise((resolve, reject) => {`,
  },
  {
    file: 'src/utils/files.js',
    marker: 'practice-zapier patch: a copy ends when its files are closed',
    original:
      "    writeStream.once('finish', (err) => {\n" +
      '      if (err) {\n' +
      '        reject(err);\n' +
      '      }\n' +
      '      resolve();\n' +
      '    });\n',
    // At 'finish' both descriptors are still open; handing the slot on then would let
    // up to twice COPY_LIMIT copies hold files. Done means both are closed.
    replacement: (marker) =>
      `    // ${marker}\n` +
      '    let closed = 0;\n' +
      '    const closeOne = () => {\n' +
      '      closed += 1;\n' +
      '      if (closed === 2) resolve();\n' +
      '    };\n' +
      "    readStream.once('close', closeOne);\n" +
      "    writeStream.once('close', closeOne);\n",
  },
  {
    file: 'src/utils/build.js',
    marker: 'practice-zapier patch: omit optional dependencies',
    original: "      ['install', '--production'],\n",
    replacement: (marker) =>
      `      // ${marker} (see tools/scripts/patch-zapier-cli.mjs)\n` +
      "      packageManager.executable === 'npm'\n" +
      "        ? ['install', '--production', '--omit=optional']\n" +
      "        : ['install', '--production'],\n",
  },
];

function main() {
  if (!existsSync(path.join(cliDir, 'package.json'))) {
    console.log('patch-zapier-cli: zapier-platform-cli is not installed here; nothing to patch.');
    return;
  }
  const { version } = JSON.parse(readFileSync(path.join(cliDir, 'package.json'), 'utf8'));
  for (const hunk of hunks) {
    const target = path.join(cliDir, hunk.file);
    const source = readFileSync(target, 'utf8');
    if (source.includes(hunk.marker)) {
      console.log(`patch-zapier-cli: ${hunk.file} of zapier-platform-cli ${version} is already patched.`);
      continue;
    }
    if (!PATCHED_VERSIONS.includes(version) || source.split(hunk.original).length !== 2) {
      console.error(
        `patch-zapier-cli: zapier-platform-cli ${version} is not a version this patch was written for ` +
          `(${PATCHED_VERSIONS.join(', ')}), or its ${hunk.file} changed. Check whether ` +
          'zapier/zapier-platform#820 is fixed in it, then update or remove tools/scripts/patch-zapier-cli.mjs.',
      );
      process.exit(1);
    }
    writeFileSync(target, source.replace(hunk.original, hunk.replacement(hunk.marker)));
    console.log(`patch-zapier-cli: patched ${hunk.file} of zapier-platform-cli ${version}.`);
  }
}

main();
