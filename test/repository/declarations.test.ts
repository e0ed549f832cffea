// The built declarations stand alone as npm ships them: every import between the package's own
// .d.ts files resolves to a .d.ts, under the resolutions adopters use (node10 for typesVersions,
// node16/NodeNext for `exports`, as in Zapier's oauth2 template). Under node16 an import of
// '../standin' from dist/conformance/ found dist/standin.js (the bundle) before the folder
// dist/standin/, and the kit's types silently became `any` (an error only without skipLibCheck).
// Built from a copy of the package (built-package.ts), as test/repository/main-entry.test.ts is.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { useBuiltPackageCopy } from './built-package';

const builtDist = useBuiltPackageCopy('declarations');

const declarations = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.d.ts'))
    .map((file) => path.join(dir, file));

/** Every relative import of every .d.ts that does not resolve to a .d.ts of the package. */
function unresolved(resolution: ts.ModuleResolutionKind, module: ts.ModuleKind): string[] {
  const options: ts.CompilerOptions = { moduleResolution: resolution, module, noEmit: true };
  const host = ts.createCompilerHost(options);
  const wrong: string[] = [];
  for (const file of declarations(builtDist())) {
    const info = ts.preProcessFile(ts.sys.readFile(file) ?? '', true, true);
    for (const { fileName: specifier } of info.importedFiles) {
      if (!specifier.startsWith('.')) continue;
      const { resolvedModule } = ts.resolveModuleName(specifier, file, options, host);
      if (resolvedModule?.extension !== ts.Extension.Dts)
        wrong.push(
          `${path.relative(builtDist(), file)}: '${specifier}' -> ${resolvedModule?.resolvedFileName ?? 'nothing'}`,
        );
    }
  }
  return wrong;
}

describe("the package's declarations", () => {
  it('are found (a count that found none would pass)', () => {
    expect(declarations(builtDist()).length).toBeGreaterThan(20);
  });

  it.each([
    ['node10', ts.ModuleResolutionKind.Node10, ts.ModuleKind.CommonJS],
    ['node16', ts.ModuleResolutionKind.Node16, ts.ModuleKind.Node16],
    ['nodenext', ts.ModuleResolutionKind.NodeNext, ts.ModuleKind.NodeNext],
  ])('import only each other under %s resolution', (_name, resolution, module) => {
    expect(unresolved(resolution, module)).toEqual([]);
  });
});
