// Finds the places where a tracked file points outside the repository: someone who
// clones the project has only what git tracks, so every link, path and document name
// must resolve inside it.
import path from 'node:path';

export interface TrackedFile {
  /** Repository-relative, forward slashes. */
  path: string;
  text: string;
}

export type Problem =
  | 'link leaves the repository'
  | 'link to a missing file'
  | 'sibling folder of the repository'
  | 'absolute machine path'
  | 'document not in the repository';

export interface Finding {
  file: string;
  line: number;
  problem: Problem;
  text: string;
}

// Home and scratch folders of some machine: never valid for another clone. System paths
// such as /usr/bin/chromium name a package's install location, not this machine's files.
const MACHINE_FOLDERS = ['work', 'tmp', 'home', 'root', 'Users', 'mnt'];
const MACHINE_PATH = new RegExp(`(?<![\\w.~:/-])/(?:${MACHINE_FOLDERS.join('|')})/[\\w.-]+`, 'g');
// The "shared" folder beside the checkout, reached by climbing out of the repository.
const SIBLING_FOLDER = new RegExp(`(?<![\\w.])\\.\\./(?:\\.\\./)*${'shared'}\\b`, 'g');
// A Markdown document named by its file name (a name or path ending in .md).
const MARKDOWN_NAME = /(?<![\w.-])((?:\.{1,2}\/)*[\w-]+(?:\/[\w.-]+)*\.md)\b/g;
// Inline links [text](target "title") and reference definitions [id]: target.
const INLINE_LINK = /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE_LINK = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm;
const HTML_LINK = /\b(?:href|src)\s*=\s*"([^"]+)"/g;

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

function* matches(re: RegExp, text: string): Generator<{ index: number; value: string; group: string }> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    yield { index: m.index, value: m[0], group: m[1] ?? m[0] };
  }
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#') || target.startsWith('//');
}

/** Whether `target` (repository-relative, normalised) is a tracked file or a folder holding one. */
function existsIn(tracked: ReadonlySet<string>, target: string): boolean {
  if (target === '' || target === '.') return true;
  if (tracked.has(target)) return true;
  const prefix = `${target.replace(/\/$/, '')}/`;
  for (const file of tracked) if (file.startsWith(prefix)) return true;
  return false;
}

function checkLinks(file: TrackedFile, tracked: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  const targets = [
    ...matches(INLINE_LINK, file.text),
    ...matches(REFERENCE_LINK, file.text),
    ...matches(HTML_LINK, file.text),
  ];
  for (const { index, group } of targets) {
    const target = decodeURI(group.split('#')[0]?.split('?')[0] ?? '');
    if (isExternal(group) || target === '') continue;
    const resolved = target.startsWith('/')
      ? target
      : path.posix.normalize(path.posix.join(path.posix.dirname(file.path), target));
    const line = lineOf(file.text, index);
    if (resolved.startsWith('/') || resolved === '..' || resolved.startsWith('../')) {
      findings.push({ file: file.path, line, problem: 'link leaves the repository', text: group });
    } else if (!existsIn(tracked, resolved)) {
      findings.push({ file: file.path, line, problem: 'link to a missing file', text: group });
    }
  }
  return findings;
}

function checkDocumentNames(file: TrackedFile, tracked: ReadonlySet<string>): Finding[] {
  const names = new Set([...tracked].map((f) => path.posix.basename(f)));
  const findings: Finding[] = [];
  // A document on the web (https://…/CHANGELOG.md) is a link, not a file of ours.
  const withoutUrls = file.text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, (url) => ' '.repeat(url.length));
  for (const { index, group } of matches(MARKDOWN_NAME, withoutUrls)) {
    const name = path.posix.basename(group);
    const relative = path.posix.normalize(path.posix.join(path.posix.dirname(file.path), group));
    const asPath = group.includes('/') && (tracked.has(group) || tracked.has(relative));
    if (names.has(name) || asPath) continue;
    findings.push({
      file: file.path,
      line: lineOf(withoutUrls, index),
      problem: 'document not in the repository',
      text: group,
    });
  }
  return findings;
}

export function findOutsideReferences(files: readonly TrackedFile[]): Finding[] {
  const tracked = new Set(files.map((f) => f.path));
  const findings: Finding[] = [];
  for (const file of files) {
    for (const { index, value } of matches(SIBLING_FOLDER, file.text)) {
      findings.push({
        file: file.path,
        line: lineOf(file.text, index),
        problem: 'sibling folder of the repository',
        text: value,
      });
    }
    for (const { index, value } of matches(MACHINE_PATH, file.text)) {
      findings.push({
        file: file.path,
        line: lineOf(file.text, index),
        problem: 'absolute machine path',
        text: value,
      });
    }
    findings.push(...checkDocumentNames(file, tracked));
    if (file.path.endsWith('.md')) findings.push(...checkLinks(file, tracked));
  }
  return findings;
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}: ${f.problem}: ${f.text}`;
}
