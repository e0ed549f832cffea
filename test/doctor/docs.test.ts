// Every fix the doctor prints points to an anchor that exists in docs/troubleshooting.md, and
// every link into docs/doctor.md names a heading it has.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CHECK_IDS } from 'zapier-oauth-layer/doctor';
import { docLink } from '../../tools/doctor/practice-target';
import { PROFILE_DOC } from 'zapier-oauth-layer/doctor';

const DOCS = path.join(__dirname, '..', '..', 'docs');
const doc = readFileSync(path.join(DOCS, 'troubleshooting.md'), 'utf8');
const doctorDoc = readFileSync(path.join(DOCS, 'doctor.md'), 'utf8');

/** GitHub's anchor for a heading: lower case, punctuation but "-" dropped, spaces as "-". */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
const doctorAnchors = new Set(
  doctorDoc
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => slug(line.replace(/^#+ /, ''))),
);

describe("the doctor's links into docs/troubleshooting.md", () => {
  it('opens with "Run the doctor first"', () => {
    expect(doc.split('\n').find((line) => line.startsWith('## '))).toBe('## Run the doctor first');
  });

  it.each(CHECK_IDS)('has an anchor for %s', (id) => {
    const anchor = docLink(id).split('#')[1];
    expect(doc).toContain(`<a id="${anchor}"></a>\`${id}\``);
  });
});

describe('links into docs/doctor.md', () => {
  it("the profile check's fix names a heading of docs/doctor.md", () => {
    const [file, anchor] = PROFILE_DOC.split('#');
    expect(file).toBe('docs/doctor.md');
    expect(doctorAnchors).toContain(anchor);
  });

  it.each([
    ['troubleshooting.md', doc, /\(doctor\.md#([\w-]+)\)/g],
    ['doctor.md', doctorDoc, /\(#([\w-]+)\)/g],
  ])('every link to a heading of doctor.md in %s names one it has', (_name, text, link) => {
    const anchors = [...text.matchAll(link)].map((m) => m[1]);
    expect(anchors.length).toBeGreaterThan(0);
    for (const anchor of anchors) expect(doctorAnchors).toContain(anchor);
  });
});
