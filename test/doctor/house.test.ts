// How the doctor is built, held: no function over 80 lines; one check per file of the package's
// src/doctor/checks/, each listed once in its index (a new check is one file and one line
// there); the code that runs the checks knows no API by name (what Practice has that other
// APIs lack is data, tools/doctor/practice-target.ts, found by its profile in known-targets.ts);
// and the package's doctor reaches nothing outside the package folder (npm pack ships it alone).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { CHECKS } from 'zapier-oauth-layer/doctor';

const ROOT = path.join(__dirname, '..', '..');
const PACKAGE = path.join(ROOT, 'packages', 'zapier-oauth-layer');
/** The package's doctor, and this repository's command line around it. */
const DOCTOR = path.join(PACKAGE, 'src', 'doctor');
const REPO_DOCTOR = path.join(ROOT, 'tools', 'doctor');
const MAX_LINES = 80;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const at = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(at);
    return entry.name.endsWith('.ts') ? [at] : [];
  });
}

const read = (dir: string) =>
  filesUnder(dir).map((file) => ({
    file: path.relative(dir, file),
    at: file,
    source: ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true),
  }));
const sources = read(DOCTOR);
const repoSources = read(REPO_DOCTOR);

/** What a file imports (static imports, exports from, and import() of a string), as written. */
function importsOf(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      found.push((node.moduleSpecifier as ts.StringLiteral).text);
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      found.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every function, method, arrow and accessor with a body: where, its name, and its length in lines. */
export function functionLengths(source: ts.SourceFile): Array<{ name: string; line: number; lines: number }> {
  const found: Array<{ name: string; line: number; lines: number }> = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const named = node.name && ts.isIdentifier(node.name) ? node.name.text : undefined;
      const parent = node.parent;
      const holder =
        ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)
          ? parent.name.getText(source)
          : undefined;
      found.push({ name: named ?? holder ?? '(anonymous)', line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("tools/doctor's house", () => {
  it(`has no function over ${MAX_LINES} lines`, () => {
    const long = [...sources, ...repoSources].flatMap(({ file, source }) =>
      functionLengths(source)
        .filter((f) => f.lines > MAX_LINES)
        .map((f) => `${file}:${f.line} ${f.name} (${f.lines} lines)`),
    );
    expect(long).toEqual([]);
  });

  it('measures what it should: a function of 81 lines is found', () => {
    const body = Array.from({ length: 79 }, (_, i) => `  const x${i} = ${i};`).join('\n');
    const source = ts.createSourceFile(
      'x.ts',
      `function long() {\n${body}\n}\n`,
      ts.ScriptTarget.ES2022,
      true,
    );
    expect(functionLengths(source)).toEqual([{ name: 'long', line: 1, lines: 81 }]);
  });

  it('has one check per file of checks/, each listed once in its index', () => {
    const files = readdirSync(path.join(DOCTOR, 'checks')).filter((f) => f !== 'index.ts');
    const index = readFileSync(path.join(DOCTOR, 'checks', 'index.ts'), 'utf8');
    for (const file of files)
      expect([file, index.split(`from './${file.replace(/\.ts$/, '')}'`).length - 1]).toEqual([file, 1]);
    expect(CHECKS.length).toBe(files.length);
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
  });

  it('runs its checks without knowing any API by name', () => {
    const generic = sources.filter(
      ({ file }) =>
        file.startsWith(`checks${path.sep}`) ||
        ['run.ts', 'context.ts', 'signal-probe.ts', 'target.ts', 'checks-mode.ts', 'index.ts'].includes(file),
    );
    const byName = generic.flatMap(({ file, source }) =>
      source.statements
        .filter(ts.isImportDeclaration)
        .map((i) => (i.moduleSpecifier as ts.StringLiteral).text)
        .filter((from) => /practice|sandbox|standins/i.test(from))
        .map((from) => `${file} imports ${from}`),
    );
    expect(byName).toEqual([]);
    const flags = generic.filter(({ source }) =>
      /\.practice\b|isPractice|target\.id ===|profile\.id ===/.test(source.text),
    );
    expect(flags.map((f) => f.file)).toEqual([]);
  });

  it('reaches nothing outside the package: relative imports stay in it, the rest is Node, dotenv (bundled) or a type', () => {
    const outside = sources.flatMap(({ file, at, source }) =>
      importsOf(source)
        .filter((from) =>
          from.startsWith('.')
            ? path.relative(PACKAGE, path.resolve(path.dirname(at), from)).startsWith('..')
            : !from.startsWith('node:') && from !== 'dotenv' && from !== 'typescript',
        )
        .map((from) => `${file} imports ${from}`),
    );
    expect(outside).toEqual([]);
    // TypeScript is the project's (src/doctor/modules.ts): only its types are imported.
    const typescriptValues = sources.filter(({ source }) =>
      source.statements.some(
        (s) =>
          ts.isImportDeclaration(s) &&
          (s.moduleSpecifier as ts.StringLiteral).text === 'typescript' &&
          !s.importClause?.isTypeOnly,
      ),
    );
    expect(typescriptValues.map((f) => f.file)).toEqual([]);
  });
});
