// Every fix the doctor prints points to an anchor that exists in docs/troubleshooting.md.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CHECK_IDS, docLink } from '../../tools/doctor/checks';

const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'troubleshooting.md'), 'utf8');

describe("the doctor's links into docs/troubleshooting.md", () => {
  it('opens with "Run the doctor first"', () => {
    expect(doc.split('\n').find((line) => line.startsWith('## '))).toBe('## Run the doctor first');
  });

  it.each(CHECK_IDS)('has an anchor for %s', (id) => {
    const anchor = docLink(id).split('#')[1];
    expect(doc).toContain(`<a id="${anchor}"></a>\`${id}\``);
  });
});
