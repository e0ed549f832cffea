// The doctor's two outputs: lines for a person, or exactly {"checks": [...]} for a program.
import type { Check, Status } from './checks';

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

export function toText(checks: readonly Check[], heading: string): string {
  const width = Math.max(...checks.map((c) => c.id.length));
  const lines = [heading, ''];
  for (const check of checks) {
    lines.push(`${LABEL[check.status]}  ${check.id.padEnd(width)}  ${check.finding}`);
    if (check.fix) lines.push(`${' '.repeat(width + 8)}fix: ${check.fix}`);
  }
  const failed = checks.some((c) => c.status === 'fail');
  lines.push('', `${summary(checks)}${failed ? '' : ' — nothing failed'}`);
  return lines.join('\n');
}

export function exitCode(checks: readonly Check[]): number {
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}
