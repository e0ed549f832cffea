// `--profile FILE|NAME`: the profile the doctor checks an API against. A file exporting a
// CheckedProfile (defineProfile's result; a plain Profile object is checked here the same way),
// or a name an app gives the doctor (this repository: practice, slack, hubspot, …).
//
// A file is loaded as the project it sits in would load it, with nothing but Node and the
// project's own TypeScript (./modules.ts): a .ts/.mts/.cts file is compiled to CommonJS with the
// project's `typescript` (transpileModule: types are dropped, not checked), with its relative
// imports of other .ts files (`./scopes`, or `./scopes.js` as NodeNext writes it); a .js/.cjs file
// is required; an ES module (.mjs, or .js in a package of "type": "module") is imported.
// `zapier-oauth-layer` inside it is the project's installed copy; where the project has none (a
// draft written to /tmp, `npx` without an install), the doctor's own.
//
// A draft written by `--discover` marks each field it could not observe with a comment
// `// UNOBSERVED: <what would reveal it>` right above the field. The draft loads (its
// placeholders are valid values), and the doctor's `profile` check lists every marker still
// there, read from the file's syntax tree so that each is tied to the field it stands above.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Node, PropertyAssignment, PropertyName } from 'typescript';
import { defineProfile, profileProblems, type CheckedProfile, type Profile } from '../internal';
import { MissingModule, typescriptFor, type TypeScript } from './modules';
import { loadModule } from './profile-module';

/** The marker a draft puts above each field it could not observe. */
export const UNOBSERVED_MARKER = 'UNOBSERVED:';

/** One field a draft still marks as unobserved. */
export interface Unobserved {
  /** Dot path of the field in the profile ("token.rotation"); '' for a marker above no field. */
  path: string;
  /** What would reveal it, as the marker says. */
  reveal: string;
  /** 1-based line of the marker. */
  line: number;
}

export interface LoadedProfile {
  profile: CheckedProfile;
  /** How the report names where it came from: "built-in slack", "profiles/acme.draft.ts". */
  label: string;
  /** The file, when it came from one. */
  file?: string;
  /** Fields still marked UNOBSERVED (empty for a built-in or completed profile). */
  unobserved: Unobserved[];
}

export class ProfileLoadError extends Error {
  override name = 'ProfileLoadError';
}

function propertyName(ts: TypeScript, name: PropertyName): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return name.getText();
}

/** The dot path of a property inside nested object literals. */
function pathOf(ts: TypeScript, node: PropertyAssignment): string {
  const parts = [propertyName(ts, node.name)];
  let object: Node = node.parent;
  while (ts.isObjectLiteralExpression(object) && ts.isPropertyAssignment(object.parent)) {
    parts.unshift(propertyName(ts, object.parent.name));
    object = object.parent.parent;
  }
  return parts.join('.');
}

/** Every `// UNOBSERVED: …` marker in a profile file's text, each with the field below it. */
export function unobservedFields(
  text: string,
  fileName = 'profile.ts',
  ts: TypeScript = typescriptFor([path.dirname(path.resolve(fileName)), process.cwd()]),
): Unobserved[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const found: Unobserved[] = [];
  const attached = new Set<number>();
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const markerText = (comment: string): string | null => {
    const at = comment.indexOf(UNOBSERVED_MARKER);
    if (at < 0) return null;
    return comment
      .slice(at + UNOBSERVED_MARKER.length)
      .replace(/\*\/\s*$/, '')
      .replace(/\s+/g, ' ')
      .trim();
  };
  const visit = (node: Node) => {
    if (ts.isPropertyAssignment(node)) {
      for (const range of ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []) {
        const reveal = markerText(text.slice(range.pos, range.end));
        if (reveal === null) continue;
        attached.add(range.pos);
        found.push({ path: pathOf(ts, node), reveal, line: lineOf(range.pos) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  // A marker that stands above no field still counts: nothing is dropped silently.
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, false, ts.LanguageVariant.Standard, text);
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind !== ts.SyntaxKind.SingleLineCommentTrivia && kind !== ts.SyntaxKind.MultiLineCommentTrivia)
      continue;
    const pos = scanner.getTokenStart();
    if (attached.has(pos)) continue;
    const reveal = markerText(scanner.getTokenText());
    if (reveal !== null) found.push({ path: '', reveal, line: lineOf(pos) });
  }
  return found.sort((a, b) => a.line - b.line);
}

function isChecked(value: unknown): value is CheckedProfile {
  return typeof value === 'object' && value !== null && (value as { checked?: unknown }).checked === true;
}

function looksLikeProfile(value: unknown): value is Profile {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string' &&
    typeof (value as { endpoints?: unknown }).endpoints === 'object'
  );
}

/** The one profile a module exports (default or named), checked. */
function profileExportedBy(exports: unknown, file: string): CheckedProfile {
  const record = (typeof exports === 'object' && exports !== null ? exports : {}) as Record<string, unknown>;
  const values = [...new Set(Object.values(record))];
  const checked = values.filter(isChecked);
  if (checked.length === 1 && checked[0]) return checked[0];
  if (checked.length > 1)
    throw new ProfileLoadError(
      `${file} exports ${checked.length} profiles (${Object.keys(record)
        .filter((k) => isChecked(record[k]))
        .join(', ')}); --profile takes a file that exports one`,
    );
  const plain = values.filter(looksLikeProfile);
  if (plain.length === 1 && plain[0]) {
    const problems = profileProblems(plain[0]);
    if (problems.length > 0)
      throw new ProfileLoadError(
        `${file} exports a profile that cannot be used:\n  - ${problems.join('\n  - ')}`,
      );
    return defineProfile(plain[0]);
  }
  throw new ProfileLoadError(`${file} exports no profile (a value made by defineProfile)`);
}

/** Loads `--profile`'s argument: a name the app gives (`builtIn`), or a file relative to `cwd`. */
export async function loadProfile(
  spec: string,
  cwd: string,
  builtIn: Readonly<Record<string, CheckedProfile>> = {},
): Promise<LoadedProfile> {
  const named = Object.hasOwn(builtIn, spec) ? builtIn[spec] : undefined;
  if (named) return { profile: named, label: `built-in ${spec}`, unobserved: [] };
  const file = path.resolve(cwd, spec);
  if (!existsSync(file)) {
    const names = Object.keys(builtIn);
    throw new ProfileLoadError(
      names.length > 0
        ? `no profile "${spec}": neither a built-in one (${names.join(', ')}) nor a file (${file})`
        : `no profile "${spec}": no file ${file}`,
    );
  }
  let exports: unknown;
  let ts: TypeScript | undefined;
  try {
    ({ exports, ts } = await loadModule(file, cwd, spec));
  } catch (error) {
    if (error instanceof MissingModule) throw new ProfileLoadError(error.message);
    const why = error instanceof Error ? error.message : String(error);
    throw new ProfileLoadError(`${spec} could not be loaded: ${why}`);
  }
  const profile = profileExportedBy(exports, spec);
  const unobserved = markersOf(file, cwd, ts);
  const shown = path.relative(cwd, file);
  return { profile, label: shown.startsWith('..') ? file : shown, file, unobserved };
}

/**
 * The UNOBSERVED markers of a profile file. A draft is TypeScript, so they are read with the
 * TypeScript that compiled it; a JavaScript profile in a project without TypeScript is no
 * draft of the doctor's, and has none it could read.
 */
function markersOf(file: string, cwd: string, compiledWith: TypeScript | undefined): Unobserved[] {
  let ts = compiledWith;
  try {
    ts ??= typescriptFor([path.dirname(file), cwd]);
  } catch (error) {
    if (error instanceof MissingModule) return [];
    throw error;
  }
  return unobservedFields(readFileSync(file, 'utf8'), file, ts);
}
