// The doctor's two outputs: lines for a person, or exactly {"checks": [...]} for a program.
import type { Check, Status } from './context';
import type { DoctorRun } from './flags';
import type { Target } from './target';
import { printable } from './words';

const LABEL: Record<Status, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skipped: 'SKIP' };

export function toJson(checks: readonly Check[]): string {
  return JSON.stringify({
    checks: checks.map(({ id, status, finding, fix }) => ({ id, status, finding, fix })),
  });
}

export function summary(checks: readonly Check[]): string {
  const count = (status: Status) => checks.filter((c) => c.status === status).length;
  return `${count('pass')} pass, ${count('warn')} warn, ${count('fail')} fail, ${count('skipped')} skipped`;
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** A profile's behaviours still marked UNOBSERVED, for the summary: how many, and where. */
export interface Unverified {
  count: number;
  /** Where they are marked ("profiles/acme.draft.ts"). */
  where: string;
}

export function toText(
  checks: readonly Check[],
  heading: string,
  unverified: Unverified | null = null,
  columns = 110,
): string {
  const width = Math.max(...checks.map((c) => c.id.length));
  const indent = ' '.repeat(width + 8);
  const textWidth = Math.max(40, columns - indent.length);
  const lines = [heading, ''];
  for (const check of checks) {
    const [first = '', ...rest] = wrap(printable(check.finding), textWidth);
    lines.push(`${LABEL[check.status]}  ${check.id.padEnd(width)}  ${first}`, ...rest.map((l) => indent + l));
    if (check.fix) lines.push(...wrap(`fix: ${printable(check.fix)}`, textWidth).map((l) => indent + l));
  }
  const failed = checks.some((c) => c.status === 'fail');
  const open = unverified && unverified.count > 0 ? unverified : null;
  const guesses = open
    ? `${open.count} behaviour${open.count === 1 ? ' of this profile is' : 's of this profile are'} unverified (marked UNOBSERVED in ${open.where}; the profile check names them)`
    : '';
  const verdict = failed
    ? open
      ? `; ${guesses}`
      : ''
    : open
      ? ` — nothing failed, but ${guesses}`
      : ' — nothing failed';
  lines.push('', `${summary(checks)}${verdict}`);
  return lines.join('\n');
}

export function exitCode(checks: readonly Check[]): number {
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}

/** The report, for a program (--json) or a person; every field was redacted before. */
export function reported(checks: Check[], heading: string, json: boolean, target?: Target): DoctorRun {
  const loaded = target?.loaded;
  const unverified = loaded ? { count: loaded.unobserved.length, where: loaded.label } : null;
  return {
    code: exitCode(checks),
    output: json ? toJson(checks) : toText(checks, heading, unverified),
    checks,
  };
}
