// The repository stands alone: no tracked file links to, or names, anything a fresh
// clone does not have (a sibling folder, a path on some machine, a document kept
// elsewhere). The fixtures below are assembled from pieces so that this file does
// not trip its own check.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findOutsideReferences, formatFinding, type TrackedFile } from './outside-references';

const ROOT = path.resolve(__dirname, '..', '..');
const SIBLING = ['..', 'shared'].join('/');
const CONTRACT = ['CONTRACT', 'md'].join('.');
const SCRATCH = `/${'tmp'}/fresh-clone`;
const MD = '.md';

function trackedFiles(): TrackedFile[] {
  let listing: string;
  try {
    listing = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' });
  } catch (error) {
    throw new Error(`This check lists tracked files with git and needs a git checkout: ${String(error)}`);
  }
  return listing
    .split('\0')
    .filter(Boolean)
    .map((file) => ({ path: file, buffer: readFileSync(path.join(ROOT, file)) }))
    .filter(({ buffer }) => !buffer.includes(0)) // binary files hold no links
    .map(({ path: file, buffer }) => ({ path: file, text: buffer.toString('utf8') }));
}

const files = (entries: Record<string, string>): TrackedFile[] =>
  Object.entries(entries).map(([file, text]) => ({ path: file, text }));

describe('the repository stands alone', () => {
  it('has no tracked file that links to or names anything outside it', () => {
    expect(findOutsideReferences(trackedFiles()).map(formatFinding)).toEqual([]);
  });

  it('flags a Markdown link that climbs out of the repository', () => {
    const found = findOutsideReferences(
      files({ [`docs/a${MD}`]: `See [the contract](../${SIBLING}/practice-api/x${MD}).` }),
    );
    expect(found).toContainEqual(
      expect.objectContaining({ file: `docs/a${MD}`, line: 1, problem: 'link leaves the repository' }),
    );
  });

  it('flags a Markdown link to a file the repository does not have', () => {
    const found = findOutsideReferences(
      files({ [`README${MD}`]: `Intro\n\nRead [the API](docs/missing${MD}).`, [`docs/other${MD}`]: '' }),
    );
    expect(found).toEqual([
      expect.objectContaining({ file: `README${MD}`, line: 3, problem: 'document not in the repository' }),
      expect.objectContaining({ file: `README${MD}`, line: 3, problem: 'link to a missing file' }),
    ]);
  });

  it('accepts links inside the repository, anchors and web addresses', () => {
    const found = findOutsideReferences(
      files({
        [`README${MD}`]: `[API](docs/api${MD}#oauth) [top](#top) [docs](https://docs.zapier.com/x/CHANGELOG${MD}) [d](docs/)`,
        [`docs/api${MD}`]: `Back to the [README](../README${MD}).`,
      }),
    );
    expect(found).toEqual([]);
  });

  it('flags a sibling folder and machine paths in any file, code comments included', () => {
    const found = findOutsideReferences(
      files({
        'lib/x.ts': `// see ${SIBLING}/notes\nconst dir = '${SCRATCH}';\n// app: /${'work'}/main/index.js`,
      }),
    );
    expect(found.map((f) => [f.line, f.problem])).toEqual([
      [1, 'sibling folder of the repository'],
      [2, 'absolute machine path'],
      [3, 'absolute machine path'],
    ]);
  });

  it('accepts system paths and URL paths that merely contain those folder names', () => {
    const found = findOutsideReferences(
      files({ '.ci/run': 'if [ -x /usr/bin/chromium ]; then :; fi\ncurl https://example.com/tmp/9x' }),
    );
    expect(found).toEqual([]);
  });

  it('flags a document named in a comment that the repository does not hold', () => {
    const found = findOutsideReferences(
      files({ 'tools/sandbox/api.ts': `// the endpoints of ${CONTRACT} §4` }),
    );
    expect(found).toEqual([
      expect.objectContaining({
        file: 'tools/sandbox/api.ts',
        problem: 'document not in the repository',
        text: CONTRACT,
      }),
    ]);
  });
});
