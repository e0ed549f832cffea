// The kit's contract with a test framework: it declares its tests through the describe, it and
// hooks it is given (here a framework of four plain functions, as a runner the kit has never
// seen would be), passes each test its time limit, and checks through the given expect or, with
// none, throws node:assert's AssertionError naming the value, what it must be and what it was.
import { AssertionError } from 'node:assert';
import { conformance } from 'zapier-oauth-layer/conformance';
import type { ProviderSpec } from 'zapier-oauth-layer/standin';
import { PROFILES } from '../../profiles';
import { spec as tallybookSpec } from '../../tools/standins/tallybook';

type Body = () => Promise<void> | void;

/** A framework that records what the kit declares, for the test to run by hand. */
function recorder() {
  const tests: { name: string; body: Body; timeoutMs: number | undefined }[] = [];
  const before: Body[] = [];
  const after: Body[] = [];
  const path: string[] = [];
  return {
    tests,
    framework: {
      describe: (name: string, body: () => void) => {
        path.push(name);
        body();
        path.pop();
      },
      it: (name: string, body: Body, timeoutMs?: number) => {
        tests.push({ name: [...path, name].join(' > '), body, timeoutMs });
      },
      beforeAll: (body: Body) => void before.push(body),
      afterAll: (body: Body) => void after.push(body),
    },
    async run(name: string): Promise<unknown> {
      const test = tests.find((t) => t.name.endsWith(name));
      if (!test) throw new Error(`no test ${name}`);
      for (const body of before) await body();
      try {
        await test.body();
        return undefined;
      } catch (error) {
        return error;
      } finally {
        for (const body of after) await body();
      }
    },
  };
}

/** Tallybook's stand-in told to rotate as Tallybook does not: its profile (grace) now misreads it. */
const rotatingAlways: ProviderSpec = { ...tallybookSpec, rotation: 'always' };

it('declares one test per signal of each family, each with its time limit, in a describe of the given name', () => {
  const { tests, framework } = recorder();
  conformance({ ...framework, profile: PROFILES.tallybook!, standIn: tallybookSpec, timeoutMs: 12_345 });
  const names = tests.map((t) => t.name);
  for (const signal of [...tallybookSpec.expirySignals, ...tallybookSpec.rateLimitSignals]) {
    expect(names.filter((name) => name.endsWith(` > ${signal}`))).toHaveLength(1);
  }
  expect(names.every((name) => name.startsWith('conformance of Tallybook > '))).toBe(true);
  expect(new Set(tests.map((t) => t.timeoutMs))).toEqual(new Set([12_345]));
});

it('without an expect, a misread profile fails with an AssertionError that names the value, what it must be and what it was', async () => {
  const { framework, run } = recorder();
  conformance({ ...framework, profile: PROFILES.tallybook!, standIn: rotatingAlways });
  const error = await run('declares the rotation its provider has');
  expect(error).toBeInstanceOf(AssertionError);
  expect((error as Error).message).toMatch(
    /^the profile’s token\.rotation\.kind: expected "always", got "grace"/,
  );
  // And the same test passes on the stand-in as Tallybook documents it.
  const right = recorder();
  conformance({ ...right.framework, profile: PROFILES.tallybook!, standIn: tallybookSpec });
  expect(await right.run('declares the rotation its provider has')).toBeUndefined();
});

it('with an expect, every check goes through its toEqual, the value named', async () => {
  const { framework, run } = recorder();
  const seen: unknown[] = [];
  const recordingExpect = (actual: unknown) => {
    seen.push(actual);
    return expect(actual);
  };
  conformance({
    ...framework,
    profile: PROFILES.tallybook!,
    standIn: rotatingAlways,
    expect: recordingExpect,
  });
  const error = (await run('declares the rotation its provider has')) as Error;
  expect(error).not.toBeInstanceOf(AssertionError);
  expect(error.message).toContain('the profile’s token.rotation.kind');
  expect(seen).toEqual([{ 'the profile’s token.rotation.kind': 'grace' }]);
});
