// Cold start and size, side by side with Zapier's official template in one run:
// generates the template (`zapier-platform init --template oauth2 --language typescript`),
// installs, builds and zips it, builds ours exactly as a user types it in this folder
// (`zapier-platform build --skip-validation`: _zapier-build, copy, production install,
// trace, zip, "Testing build"), then times loading each app definition in fresh Node
// processes, interleaved so drift hits both alike. Both builds run the project's own
// CLI (node_modules/.bin, patched at install from patches/ by tools/scripts/apply-patches.mjs).
//
// BENCH_SKIP_OUR_ZIP=1 reuses build/build.zip instead of rebuilding it.
// BENCH_ALSO_ZIPS="name=/path/to/build.zip,…" times and sizes other builds of this app in the same
// run, interleaved with the rest (a variant with a schema library, main before a change): figures
// measured apart on this machine drift more than the differences they are meant to show.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, printTable } from './table';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 30);

interface Step {
  what: string;
  ok: boolean;
  seconds: number;
  note: string;
}

function run(what: string, cmd: string, args: string[], cwd: string): Step {
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  // The first line that says what went wrong, with the line after it (the CLI wraps there).
  const lines = output
    .split('\n')
    .map((line) =>
      line
        .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
        .replace(/^\s*›\s*/, '')
        .trim(),
    )
    .filter((line) => line !== '' && !/npm warn/i.test(line));
  const at = lines.findIndex((line) => /error|missing|fail/i.test(line));
  const problem = at >= 0 ? lines.slice(at, at + 2).join(' ') : '';
  return {
    what,
    ok: result.status === 0,
    seconds,
    note: result.status === 0 ? '' : problem || `exit ${result.status}`,
  };
}

function sizeOf(file: string): number | null {
  return existsSync(file) ? statSync(file).size : null;
}

function unzip(zip: string, into: string): void {
  mkdirSync(into, { recursive: true });
  const result = spawnSync('unzip', ['-q', '-o', zip, '-d', into], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`unzip ${zip}: ${result.stderr}`);
}

/** One fresh Node process loading an app definition: [process wall ms, in-process load ms]. */
function loadOnce(entry: string, esm: boolean): [number, number] {
  const load = esm
    ? `await import(${JSON.stringify(pathToFileURL(entry).href)})`
    : `require(${JSON.stringify(entry)})`;
  const script = `const t=process.hrtime.bigint();(async()=>{${load};process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))})()`;
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`loading ${entry}: ${result.stderr}`);
  return [wall, Number(result.stdout)];
}

interface Target {
  name: string;
  entry: string;
  esm: boolean;
}

function timeLoads(targets: Target[]): Map<string, { wall: number[]; load: number[] }> {
  const samples = new Map(targets.map((t) => [t.name, { wall: [] as number[], load: [] as number[] }]));
  for (const t of targets) loadOnce(t.entry, t.esm); // warm the file system cache
  for (let i = 0; i < RUNS; i += 1) {
    // Alternate the order every run so neither side always goes first.
    const order = i % 2 ? [...targets].reverse() : targets;
    for (const t of order) {
      const [wall, load] = loadOnce(t.entry, t.esm);
      samples.get(t.name)?.wall.push(wall);
      samples.get(t.name)?.load.push(load);
    }
  }
  return samples;
}

const kb = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1024).toFixed(1)} KiB`);

export async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'practice-bench-'));
  const tpl = path.join(work, 'tpl');
  const steps: Step[] = [];
  try {
    // --- the official template --------------------------------------------------
    steps.push(
      run(
        'template: zapier-platform init',
        'zapier-platform',
        ['init', tpl, '--template', 'oauth2', '--language', 'typescript'],
        work,
      ),
    );
    steps.push(run('template: npm install', 'npm', ['install', '--no-audit', '--no-fund'], tpl));
    steps.push(run('template: npm run build (tsc)', 'npm', ['run', 'build'], tpl));
    steps.push(
      run(
        'template: zapier-platform build, as generated',
        'zapier-platform',
        ['build', '--skip-validation'],
        tpl,
      ),
    );
    const tplZipRaw = sizeOf(path.join(tpl, 'build', 'build.zip'));
    // The fix our .zapierapprc carries: the CLI's file tracer misses these require.mjs files.
    writeFileSync(
      path.join(tpl, '.zapierapprc'),
      JSON.stringify({
        includeInBuild: [
          'node_modules/(async-function|async-generator-function|generator-function)/require\\.mjs$',
        ],
      }),
    );
    rmSync(path.join(tpl, 'build'), { recursive: true, force: true });
    steps.push(
      run(
        'template: zapier-platform build, with includeInBuild',
        'zapier-platform',
        ['build', '--skip-validation'],
        tpl,
      ),
    );
    const tplZip = path.join(tpl, 'build', 'build.zip');
    const tplZipFixed = sizeOf(tplZip);

    // --- ours -------------------------------------------------------------------
    const ourZip = path.join(ROOT, 'build', 'build.zip');
    const ourBuild = 'ours: zapier-platform build --skip-validation';
    if (process.env.BENCH_SKIP_OUR_ZIP === '1') {
      steps.push({
        what: ourBuild,
        ok: existsSync(ourZip),
        seconds: 0,
        note: 'skipped (BENCH_SKIP_OUR_ZIP=1)',
      });
    } else {
      steps.push(run(ourBuild, 'zapier-platform', ['build', '--skip-validation'], ROOT));
    }
    const ourZipSize = sizeOf(ourZip);

    console.log('\n## Build steps\n');
    printTable(
      ['step', 'result', 'seconds', 'what went wrong'],
      steps.map((s) => [s.what, s.ok ? 'ok' : 'FAILED', s.seconds.toFixed(1), s.note]),
    );

    // --- cold start, from what each build.zip holds ------------------------------
    // Ours and every BENCH_ALSO_ZIPS build also load the layer and Practice's profile alone
    // (dist/practice/profile.js: every layer module, the profile check, defineProfile on the
    // profile), without core, whose load is most of a cold start and all of its noise.
    const layerOnly: Target[] = [];
    const targets: Target[] = [];
    if (ourZipSize !== null) {
      unzip(ourZip, path.join(work, 'ours-zip'));
      targets.push({
        name: 'ours (unzipped build.zip)',
        entry: path.join(work, 'ours-zip', 'index.js'),
        esm: false,
      });
      layerOnly.push({
        name: 'ours',
        entry: path.join(work, 'ours-zip', 'dist', 'practice', 'profile.js'),
        esm: false,
      });
    }
    if (tplZipFixed !== null) {
      unzip(tplZip, path.join(work, 'tpl-zip'));
      targets.push({
        name: 'template (unzipped build.zip)',
        entry: path.join(work, 'tpl-zip', 'dist', 'index.js'),
        esm: true,
      });
    }
    // And from the project folders, as `node -e require(...)` in each checkout.
    if (existsSync(path.join(ROOT, 'dist', 'index.js'))) {
      targets.push({
        name: 'ours (project: index.js -> dist/)',
        entry: path.join(ROOT, 'index.js'),
        esm: false,
      });
    }
    targets.push({
      name: 'template (project: dist/index.js)',
      entry: path.join(tpl, 'dist', 'index.js'),
      esm: true,
    });

    const also = (process.env.BENCH_ALSO_ZIPS ?? '')
      .split(',')
      .filter((item) => item.includes('='))
      .map((item) => {
        const [name = '', zip = ''] = item.split('=');
        return { name: name.trim(), zip: zip.trim(), size: sizeOf(zip.trim()) };
      });
    for (const extra of also) {
      if (extra.size === null) throw new Error(`BENCH_ALSO_ZIPS: no file at ${extra.zip}`);
      unzip(extra.zip, path.join(work, `also-${extra.name}`));
      targets.push({
        name: `${extra.name} (unzipped build.zip)`,
        entry: path.join(work, `also-${extra.name}`, 'index.js'),
        esm: false,
      });
      layerOnly.push({
        name: extra.name,
        entry: path.join(work, `also-${extra.name}`, 'dist', 'practice', 'profile.js'),
        esm: false,
      });
    }

    const samples = timeLoads(targets);
    console.log(
      `\n## Cold start: loading the app definition in a fresh Node ${process.version} process (median of ${RUNS}, interleaved)\n`,
    );
    printTable(
      ['app', 'process wall ms', 'load (require/import) ms'],
      targets.map((t) => {
        const s = samples.get(t.name) ?? { wall: [], load: [] };
        return [t.name, median(s.wall).toFixed(1), median(s.load).toFixed(1)];
      }),
    );
    const ratio = (ours: string, theirs: string, pick: 'wall' | 'load') => {
      const a = samples.get(ours)?.[pick];
      const b = samples.get(theirs)?.[pick];
      return a && b ? (median(a) / median(b)).toFixed(2) : 'n/a';
    };
    console.log('');
    printTable(
      ['ratio ours/template', 'process wall', 'load'],
      [
        [
          'unzipped build.zip',
          ratio('ours (unzipped build.zip)', 'template (unzipped build.zip)', 'wall'),
          ratio('ours (unzipped build.zip)', 'template (unzipped build.zip)', 'load'),
        ],
        [
          'project folders',
          ratio('ours (project: index.js -> dist/)', 'template (project: dist/index.js)', 'wall'),
          ratio('ours (project: index.js -> dist/)', 'template (project: dist/index.js)', 'load'),
        ],
        ...also.map((extra) => [
          `${extra.name}: unzipped build.zip`,
          ratio(`${extra.name} (unzipped build.zip)`, 'template (unzipped build.zip)', 'wall'),
          ratio(`${extra.name} (unzipped build.zip)`, 'template (unzipped build.zip)', 'load'),
        ]),
      ],
    );

    if (layerOnly.length > 1) {
      const layerSamples = timeLoads(layerOnly);
      const ours = median(layerSamples.get('ours')?.load ?? []);
      console.log(
        `\n## The layer and its profile alone: require(dist/practice/profile.js) in a fresh process (median of ${RUNS}, interleaved)\n`,
      );
      printTable(
        ['app', 'load ms', 'more than ours'],
        layerOnly.map((t) => {
          const load = median(layerSamples.get(t.name)?.load ?? []);
          return [t.name, load.toFixed(1), t.name === 'ours' ? '' : `${(load - ours).toFixed(1)} ms`];
        }),
      );
    }

    // Size and build time side by side: `zapier-platform build --skip-validation` as typed,
    // in each project folder (the template's fixed build against ours).
    const seconds = (what: string) => steps.find((s) => s.what === what)?.seconds;
    const ourSeconds = seconds(ourBuild);
    const tplSeconds = seconds('template: zapier-platform build, with includeInBuild');
    const ratioOf = (a: number | null | undefined, b: number | null | undefined, digits = 2) =>
      a && b ? (a / b).toFixed(digits) : 'n/a';
    console.log('\n## build.zip size\n');
    printTable(
      ['app', 'build.zip', 'ratio ours/template', 'build s', 'build time ours/template'],
      [
        [
          'ours',
          kb(ourZipSize),
          ratioOf(ourZipSize, tplZipFixed, 3),
          ourSeconds ? ourSeconds.toFixed(1) : 'n/a',
          ratioOf(ourSeconds, tplSeconds),
        ],
        ...also.map((extra) => [extra.name, kb(extra.size), ratioOf(extra.size, tplZipFixed, 3), '', '']),
        ['template, with includeInBuild', kb(tplZipFixed), '1.00', tplSeconds?.toFixed(1) ?? 'n/a', '1.00'],
        ['template, as generated (its "Testing build" step fails)', kb(tplZipRaw), '', '', ''],
      ],
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
