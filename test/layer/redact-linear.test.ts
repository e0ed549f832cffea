// Redaction runs on every message and log line, synchronously, over text a server chose: it
// must be linear in that text, whatever it holds, and must redact exactly what the token-shape
// rule says (layer/redact.ts). The figures live in tools/bench/redact.ts; the bound below is
// only there to catch a quadratic pass (200 KB of "1000.1000.…" took 20 s with the lookahead).
import fc from 'fast-check';
import { REDACTED, redact, serverText } from 'zapier-oauth-layer/internal';
import { practiceProfile } from '../../practice/profile';
import { PROFILES } from '../../profiles';

const SEED = 20261206;

/** Every token prefix a profile of this repository names, per profile. */
const PREFIX_SETS: [string, readonly string[]][] = [practiceProfile, ...Object.values(PROFILES)]
  .filter((profile) => (profile.tokenPrefixes ?? []).length > 0)
  .map((profile) => [profile.id, profile.tokenPrefixes ?? []]);

/** The rule as the regular expression that stated it before (quadratic on long runs, exact otherwise). */
function referenceShape(text: string, prefixes: readonly string[]): string {
  const any = `(?:${prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|')})`;
  const tail = (least: number) => `(?=[A-Za-z0-9._~+/=-]*[A-Za-z])[A-Za-z0-9._~+/=-]{${least},}`;
  return text.replace(new RegExp(`\\b${any}${tail(6)}|${any}${tail(16)}`, 'g'), REDACTED);
}

/** Text made to hurt a regular expression: long runs of prefixes, digits and token characters. */
function adversarial(prefix: string): Record<string, string> {
  const size = 200_000;
  const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  return {
    'the prefix, repeated': fill(prefix),
    'the prefix glued to a word, repeated': fill(`x${prefix}`),
    'the prefix, then digits': prefix + fill('1'),
    'the prefix and digits, spaced': fill(`${prefix}1234567890 `),
    'Bearer and symbols': fill('Bearer -._~+/-._~ '),
    'Basic and base64': fill('Basic QUJDRA== '),
  };
}

describe('redaction is linear in the text', () => {
  it.each(PREFIX_SETS)(
    'redacts 200 KB of adversarial text for %s in well under a second each',
    (_id, prefixes) => {
      for (const prefix of prefixes) {
        for (const [what, text] of Object.entries(adversarial(prefix))) {
          const started = process.hrtime.bigint();
          const out = redact(text, ['client-secret-0123456789', `${prefix}abcdef0123456789`], prefixes);
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          expect({ what, ms: ms < 1_000 }).toEqual({ what, ms: true });
          expect(out.length).toBeGreaterThan(0);
        }
      }
    },
  );

  it('shortens before redacting where the text is shortened anyway, and still hides a secret across the cut', () => {
    const secret = 'prt_0123456789abcdefghij';
    const text = `${'x'.repeat(290)} ${secret} ${'1000.'.repeat(40_000)}`;
    const started = process.hrtime.bigint();
    const shown = serverText(text, [secret], 300, ['1000.']);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(ms).toBeLessThan(1_000);
    expect(shown).not.toContain(secret.slice(0, 8));
    expect(shown).toHaveLength(300);
    expect(shown.endsWith('…')).toBe(true);
  });
});

describe('the linear scan redacts exactly what the token-shape rule says', () => {
  const tokenish = fc.constantFrom(...'aZ09._~+/=- _x:'.split(''));
  it.each(PREFIX_SETS)('agrees with the rule stated as a regular expression, for %s', (_id, prefixes) => {
    const piece = fc.oneof(
      fc.constantFrom(...prefixes),
      fc.constantFrom(...prefixes).map((p) => p.slice(0, -1)),
      fc.string({ unit: tokenish, maxLength: 24 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
        const text = pieces.join('');
        expect(redact(text, [], prefixes)).toBe(referenceShape(text, prefixes));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('agrees for overlapping prefixes too', () => {
    const prefixes = ['ab_', 'ab_c_', 'b_c-'];
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...prefixes), fc.string({ unit: tokenish, maxLength: 20 })), {
          maxLength: 8,
        }),
        (pieces) => {
          const text = pieces.join('');
          expect(redact(text, [], prefixes)).toBe(referenceShape(text, prefixes));
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });

  // The fuzz below stays under the reach (4 KB past what is shown), where serverText redacts the
  // whole text; past it, a credential that starts in the shown part and runs beyond the cut is
  // judged by what is left of it: its letter, its digit or its length may lie past the cut.
  it.each([
    [
      'a prefixed token whose first letter lies past the cut',
      `1000.${'1'.repeat(5_000)}a and more`,
      ['1000.'],
    ],
    ['a Bearer credential whose first digit lies past the cut', `Bearer ${'a'.repeat(5_000)}1 and more`, []],
    [
      'a Basic credential longer than the reach',
      `Basic ${Buffer.from(`someone:${'p'.repeat(3_500)}`).toString('base64')} and more`,
      [],
    ],
  ])('serverText hides %s, as redacting the whole text does', (_what, text, prefixes) => {
    const whole = redact(text, [], prefixes);
    const shown = serverText(text, [], 300, prefixes).replace(/…$/, '');
    expect(whole.slice(0, shown.length)).toBe(shown);
  });

  it('serverText shows what redacting the whole text and cutting it would', () => {
    const secret = 'prt_Zq0123456789abcdefXY';
    fc.assert(
      fc.property(
        fc.string({ unit: tokenish, maxLength: 600 }),
        fc.nat(600),
        fc.integer({ min: 20, max: 400 }),
        (text, at, max) => {
          const withSecret = `${text.slice(0, at)}${secret}${text.slice(at)}`;
          const whole = redact(withSecret.replace(/\s+/g, ' ').trim(), [secret], ['prt_']);
          const expected = whole.length > max ? `${whole.slice(0, max - 1)}…` : whole;
          expect(serverText(withSecret, [secret], max, ['prt_'])).toBe(expected);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});
