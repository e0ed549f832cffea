// The package's main entry stays small: an adopter reads all of it. Counted on the BUILT
// package, as npm ships it (dist/index.d.ts for types, dist/index.js for values): the test runs
// the package's own build.mjs on a copy of the package under node_modules/.cache (so that it
// finds typescript and esbuild, and never touches the dist/ that other tests and tools read),
// then asks TypeScript for the exports of the declarations and Node for those of the script.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import ts from 'typescript';
import { useBuiltPackageCopy } from './built-package';

const ROOT = path.resolve(__dirname, '..', '..');
const MAX_NAMES = 20;

const builtDist = useBuiltPackageCopy('main-entry');

/** Every name dist/index.d.ts exports, types and values, as TypeScript resolves them. */
function declaredNames(): string[] {
  const file = path.join(builtDist(), 'index.d.ts');
  const program = ts.createProgram([file], {
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`TypeScript found no module in ${file}`);
  return checker.getExportsOfModule(moduleSymbol).map((symbol) => symbol.getName());
}

/** Every name dist/index.js exports at run time. */
function scriptNames(): string[] {
  const script = path.join(builtDist(), 'index.js');
  const output = execFileSync(
    process.execPath,
    ['-e', `process.stdout.write(JSON.stringify(Object.keys(require(${JSON.stringify(script)}))))`],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return JSON.parse(output) as string[];
}

describe("the package's main entry", () => {
  it(`exports at most ${MAX_NAMES} names, built`, () => {
    const names = [...new Set([...declaredNames(), ...scriptNames()])].sort();
    // A count that found nothing would pass: the entry's first promise must be among them.
    expect(names).toEqual(expect.arrayContaining(['createLayer', 'defineProfile', 'Layer', 'HardenOptions']));
    expect({ count: names.length, names }).toEqual({ count: Math.min(names.length, MAX_NAMES), names });
  });

  it('exports at run time every value its declarations promise', () => {
    const values = scriptNames();
    expect(values).toEqual(
      expect.arrayContaining(['createLayer', 'defineProfile', 'ProfileError', 'graphqlFamily']),
    );
    // Nothing at run time the declarations do not name.
    expect(values.filter((name) => !declaredNames().includes(name))).toEqual([]);
  });
});
