// integrations/hubspot is an adopter like any other: what it ships (every file its tsconfig.json
// compiles into dist/) imports the layer through the package's main entry alone, never
// `zapier-oauth-layer/internal` (whose names may change in a minor version) nor a file of the
// package. Its tests may use the internal entry, as this repository's tools and tests do.
// Read with the TypeScript compiler: import and export declarations, import x = require(…),
// require(…) and import(…) calls alike.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const HUBSPOT = path.join(ROOT, 'integrations', 'hubspot');

/** The files integrations/hubspot/tsconfig.json compiles. */
function shippedFiles(): string[] {
  const configFile = path.join(HUBSPOT, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(config, ts.sys, HUBSPOT, undefined, configFile).fileNames;
}

/** Every module a file names: static imports and exports, import-equals, require() and import(). */
function specifiersOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node)) {
      const [first] = node.arguments;
      const named =
        node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require');
      if (named && first && ts.isStringLiteralLike(first)) found.push(first.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Whether a specifier reaches the layer some other way than its main entry. */
function aroundTheMainEntry(file: string, specifier: string): boolean {
  if (specifier.startsWith('zapier-oauth-layer/')) return true;
  if (!specifier.startsWith('.')) return false;
  const target = path.resolve(path.dirname(file), specifier);
  return path.relative(HUBSPOT, target).startsWith('..');
}

describe('integrations/hubspot imports the layer through its main entry only', () => {
  const files = shippedFiles();

  it('reads every file it ships', () => {
    const names = files.map((file) => path.relative(HUBSPOT, file).split(path.sep).join('/'));
    expect(names).toEqual(
      expect.arrayContaining([
        'index.ts',
        'api.ts',
        'authentication.ts',
        'profile.ts',
        'creates/create_contact.ts',
      ]),
    );
    expect(names.some((name) => name.startsWith('test/'))).toBe(false);
  });

  it('names zapier-oauth-layer and nothing around it', () => {
    const all = files.flatMap((file) =>
      specifiersOf(file, readFileSync(file, 'utf8')).map((specifier) => ({
        file: path.relative(ROOT, file).split(path.sep).join('/'),
        specifier,
      })),
    );
    // Found at all: a reader that saw no import would pass the next check.
    expect(all.filter(({ specifier }) => specifier === 'zapier-oauth-layer').length).toBeGreaterThan(0);
    expect(all.filter(({ file, specifier }) => aroundTheMainEntry(path.join(ROOT, file), specifier))).toEqual(
      [],
    );
  });

  it('would see each way of reaching around the entry', () => {
    const text = [
      "import { clean } from 'zapier-oauth-layer/internal';",
      "export { redact } from 'zapier-oauth-layer/internal';",
      "import x = require('../../packages/zapier-oauth-layer/src/signals');",
      "const y = require('zapier-oauth-layer/dist/layer.js');",
      "const z = import('zapier-oauth-layer/internal');",
      "import { createLayer } from 'zapier-oauth-layer';",
    ].join('\n');
    const file = path.join(HUBSPOT, 'triggers', 'x.ts');
    expect(specifiersOf(file, text).filter((specifier) => aroundTheMainEntry(file, specifier))).toEqual([
      'zapier-oauth-layer/internal',
      'zapier-oauth-layer/internal',
      '../../packages/zapier-oauth-layer/src/signals',
      'zapier-oauth-layer/dist/layer.js',
      'zapier-oauth-layer/internal',
    ]);
  });
});
