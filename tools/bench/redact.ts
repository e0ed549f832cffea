// What redaction costs on the worst text a server can send: 200 KB made to hurt a regular
// expression (long runs of a numeric token prefix, Bearer and Basic followed by symbols, a
// near-copy of a known secret), through redact() and through serverText(), which shortens first.
// Median of 21 runs per case, after a warm-up, in one process.
//
//   npx tsx tools/bench/redact.ts
import { redact, serverText } from 'zapier-oauth-layer/internal';
import { median, printTable } from './table';

const SIZE = 200_000;
const RUNS = 21;

const fill = (unit: string) => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
const SECRET = `prt_${'a'.repeat(60)}Zq9`;
const SECRETS = [SECRET, 'client-secret-0123456789abcdef', 'pat_0123456789abcdefghij'];
const PREFIXES = ['1000.', 'pat_', 'prt_', 'xoxb-'];

const CASES: Record<string, string> = {
  '"1000." repeated (Zoho\'s prefix)': fill('1000.'),
  '"x1000." repeated (glued to a word)': fill('x1000.'),
  '"1000." then digits': `1000.${fill('1')}`,
  'Bearer then symbols, repeated': fill('Bearer -._~+/-._~-.-.-.-.-.-.-. '),
  'Basic then base64, repeated': fill('Basic QUJDRDpFRkdI '),
  'a near-copy of a secret, repeated': fill(`${SECRET.slice(0, -1)}!`),
  prose: fill('The quick brown fox jumps over the lazy dog. '),
};

function time(fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export function main(): void {
  console.log(`\n## Redaction of ${SIZE / 1000} KB of adversarial text (median of ${RUNS} runs, ms)\n`);
  const rows: string[][] = [];
  for (const [name, text] of Object.entries(CASES)) {
    redact(text, SECRETS, PREFIXES);
    serverText(text, SECRETS, 300, PREFIXES);
    const whole = Array.from({ length: RUNS }, () => time(() => redact(text, SECRETS, PREFIXES)));
    const shown = Array.from({ length: RUNS }, () => time(() => serverText(text, SECRETS, 300, PREFIXES)));
    rows.push([name, median(whole).toFixed(2), Math.max(...whole).toFixed(2), median(shown).toFixed(2)]);
  }
  printTable(['text', 'redact(), median', 'redact(), worst', 'serverText(…, 300), median'], rows);
}

if (require.main === module) main();
