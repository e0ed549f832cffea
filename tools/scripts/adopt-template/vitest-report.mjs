// Reads vitest's report of a run, as adopt-template.mjs checks it. Vitest colours its report when
// CI is set, even into a pipe (as on the project's CI), so the report is read without its colours.
import { stripVTControlCharacters } from 'node:util';

/**
 * What vitest's report says: how many test files and tests passed, of how many, and which of
 * `names` it reported as passed (a `✓ name (N tests)` line).
 */
export function vitestReport(output, names = []) {
  const plain = stripVTControlCharacters(output);
  const line = (what) => {
    const match = new RegExp(`^\\s*${what}\\s+(.*)$`, 'm').exec(plain);
    if (!match) throw new Error(`vitest printed no "${what}" line`);
    const total = /\((\d+)\)\s*$/.exec(match[1]);
    const passed = /(\d+) passed/.exec(match[1]);
    return { passed: Number(passed?.[1] ?? 0), total: Number(total?.[1] ?? NaN), text: match[1].trim() };
  };
  const passedFiles = names.filter((name) =>
    new RegExp(`✓ ${name.replace(/[./]/g, '\\$&')} \\(\\d+ tests?\\)`).test(plain),
  );
  return { files: line('Test Files'), tests: line('Tests'), passedFiles };
}
