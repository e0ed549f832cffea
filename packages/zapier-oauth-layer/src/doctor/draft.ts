// The draft profile --discover writes: a tree of fields, each one observed (with how), named
// by the doctor (variable names, the export), or UNOBSERVED (with what would reveal it and a
// safe placeholder), rendered as TypeScript that calls defineProfile.
//
// The choice made here: a draft LOADS. Every placeholder is a value defineProfile accepts, so
// the file type-checks and `--profile` can run every check with it; each placeholder sits under
// a `// UNOBSERVED: <what would reveal it>` marker, and `--profile` warns (its `profile` check)
// for as long as any marker is left (src/doctor/profile-file.ts reads them back). A draft that
// refused to load would stop a user from checking what was observed until everything else is
// filled in; one that loads without a trace of what is guessed would be worse.
import { prettierFor } from './modules';
import { UNOBSERVED_MARKER } from './profile-file';

interface Marks {
  /** What shows this field, when the doctor did not see it. The value is then a placeholder. */
  unobserved?: string;
  /**
   * Other behaviours this field stands for that were not seen, each a marker of its own above the
   * field (signals.codes: how an expired token is answered, besides the codes of other answers).
   */
  alsoUnobserved?: readonly string[];
  /** How it was observed, for the report and a comment above the field. */
  observed?: string;
  /** More comment lines above the field (what else was seen, caveats). */
  notes?: readonly string[];
}

export interface Leaf extends Marks {
  kind: 'value';
  /** A JSON value, or undefined for an optional field left out (written as `undefined`). */
  value: unknown;
}

export interface Branch extends Marks {
  kind: 'object';
  entries: ReadonlyArray<readonly [string, DraftNode]>;
}

export type DraftNode = Leaf | Branch;

export const leaf = (value: unknown, marks: Marks = {}): Leaf => ({ kind: 'value', value, ...marks });

export const branch = (entries: Record<string, DraftNode>, marks: Marks = {}): Branch => ({
  kind: 'object',
  entries: Object.entries(entries),
  ...marks,
});

/** The plain object the draft describes (fields left `undefined` dropped), for profileProblems. */
export function toObject(node: DraftNode): unknown {
  if (node.kind === 'value') return node.value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of node.entries) {
    const value = toObject(child);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function cleanValue(value: unknown, clean: (text: string) => string): unknown {
  if (typeof value === 'string') return clean(value);
  if (Array.isArray(value)) return value.map((item) => cleanValue(item, clean));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [clean(k), cleanValue(v, clean)]));
  return value;
}

/**
 * The tree with `clean` (redaction) applied to every string in it: values, keys, comments. Done
 * before rendering, so that a secret a server put where a code belongs becomes the quoted key
 * "[redacted]", not an unquoted one Prettier made of it.
 */
export function cleanTree(node: Branch, clean: (text: string) => string): Branch;
export function cleanTree(node: DraftNode, clean: (text: string) => string): DraftNode;
export function cleanTree(node: DraftNode, clean: (text: string) => string): DraftNode {
  const marks: Marks = {
    ...(node.unobserved !== undefined ? { unobserved: clean(node.unobserved) } : {}),
    ...(node.alsoUnobserved !== undefined ? { alsoUnobserved: node.alsoUnobserved.map(clean) } : {}),
    ...(node.observed !== undefined ? { observed: clean(node.observed) } : {}),
    ...(node.notes !== undefined ? { notes: node.notes.map(clean) } : {}),
  };
  if (node.kind === 'value') return { kind: 'value', value: cleanValue(node.value, clean), ...marks };
  return {
    kind: 'object',
    entries: node.entries.map(([k, child]) => [clean(k), cleanTree(child, clean)] as const),
    ...marks,
  };
}

/** One field of the draft as the report lists it. */
export interface DraftField {
  path: string;
  status: 'observed' | 'unobserved';
  /** The value written (a placeholder when unobserved), as JSON. */
  value: string;
  /** How it was observed, or what would reveal it. */
  how: string;
}

/** Every marker above a node, in file order: what else it stands for, then its own. */
function markersOf(node: DraftNode): string[] {
  return [...(node.alsoUnobserved ?? []), ...(node.unobserved !== undefined ? [node.unobserved] : [])];
}

/** Every field that says how it was observed or that it was not (once per marker), in file order. */
export function fieldsOf(node: DraftNode, prefix = ''): DraftField[] {
  const out: DraftField[] = [];
  const visit = (n: DraftNode, at: string) => {
    const value = JSON.stringify(toObject(n)) ?? 'undefined';
    const markers = markersOf(n);
    if (at !== '' && markers.length > 0)
      out.push(...markers.map((how) => ({ path: at, status: 'unobserved' as const, value, how })));
    else if (at !== '' && n.observed !== undefined)
      out.push({ path: at, status: 'observed', value, how: n.observed });
    if (n.kind === 'object') for (const [key, child] of n.entries) visit(child, at ? `${at}.${key}` : key);
  };
  visit(node, prefix);
  return out;
}

/** One line of comment text: no line break of any kind (\\s takes in U+2028 and U+2029), not endless. */
function commentText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').replace(/\*\//g, '* /').trim();
  return flat.length > 400 ? `${flat.slice(0, 399)}…` : flat;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The one way a value enters the draft's code, whoever sent it: JSON, whose strings escape every
 * quote, backslash and control character, with U+2028 and U+2029 escaped as well (JSON leaves
 * them as they are; JavaScript before ES2019 ends a line at each). Nothing edits the text after.
 */
export function literal(value: unknown): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(value)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function key(name: string): string {
  return IDENTIFIER.test(name) ? name : literal(name);
}

function render(node: DraftNode, indent: string): string {
  if (node.kind === 'value') return literal(node.value);
  const inner = `${indent}  `;
  const lines = ['{'];
  for (const [name, child] of node.entries) {
    for (const note of child.notes ?? []) lines.push(`${inner}// ${commentText(note)}`);
    if (child.observed !== undefined) lines.push(`${inner}// Observed: ${commentText(child.observed)}`);
    for (const marker of markersOf(child))
      lines.push(`${inner}// ${UNOBSERVED_MARKER} ${commentText(marker)}`);
    lines.push(`${inner}${key(name)}: ${render(child, inner)},`);
  }
  lines.push(`${indent}}`);
  return lines.join('\n');
}

export interface DraftFile {
  /** Lines of the comment that opens the file. */
  header: readonly string[];
  /** What the file imports defineProfile from ("zapier-oauth-layer"). */
  layerImport: string;
  /** The exported constant ("acmeProfile"). */
  exportName: string;
  profile: Branch;
}

/** The draft as TypeScript (unformatted; formatDraft gives it the repository's style). */
export function renderDraft(draft: DraftFile): string {
  return [
    ...draft.header.map((line) => `// ${commentText(line)}`),
    `import { defineProfile } from ${literal(draft.layerImport)};`,
    '',
    `export const ${draft.exportName} = defineProfile(${render(draft.profile, '')});`,
    '',
  ].join('\n');
}

/**
 * The draft in the project's Prettier style (read from `styleFrom`; this repository's, for a draft
 * that moves into profiles/), so that it passes `prettier --check` there. Without Prettier in the
 * project it stays as rendered.
 */
export async function formatDraft(
  text: string,
  styleFrom: string,
  folders: readonly string[],
): Promise<string> {
  try {
    const prettier = prettierFor(folders);
    if (!prettier) return text;
    const options = (await prettier.resolveConfig(styleFrom)) ?? {};
    return await prettier.format(text, { ...options, parser: 'typescript' });
  } catch {
    return text;
  }
}
