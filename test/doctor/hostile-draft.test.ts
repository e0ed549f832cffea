// --discover against an API that tries to turn the draft into code: every string a server
// controls (metadata, codes, messages, header names and values, JSON keys, token answers) holds
// a way out of a string literal or a comment, and its tokens are chosen so that a redaction of
// the rendered text would strip the escaping from its scope string. The doctor's next step,
// `--profile draft.ts`, loads the draft: nothing in it may run, and it still loads as a profile
// whose values are the ones observed.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { doctor } from '../../tools/doctor/cli';
import { loadProfile } from 'zapier-oauth-layer/doctor';
import { setInAnyRealm, startCodeInjectingApi } from './discover-support';

const FLAG = '__doctorDraftRan';
const ran = () => setInAnyRealm(FLAG);

describe('what "runs nothing" is checked by', () => {
  it('sees a flag that code in a loaded profile sets (in whichever realm the profile runs)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'discover-flag-'));
    const file = path.join(dir, 'sets.ts');
    writeFileSync(
      file,
      [
        "import { defineProfile } from 'zapier-oauth-layer';",
        `(globalThis as Record<string, unknown>).__doctorFlagSeen = 'ran';`,
        `export const p = defineProfile(${JSON.stringify({ id: 'flag', name: 'Flag', endpoints: { base: 'https://api.flag.example', baseEnv: 'FLAG_BASE_URL', authorize: '/a', token: '/t', api: '/' }, client: { idEnv: 'FLAG_CLIENT_ID', secretEnv: 'FLAG_CLIENT_SECRET', authMethod: 'basic' }, authorization: { scopes: [] }, troubleshooting: 'https://flag.example' })});`,
      ].join('\n'),
    );
    await loadProfile(file, dir).catch(() => undefined);
    expect(setInAnyRealm('__doctorFlagSeen')).toBe('ran');
  });
});

describe('--discover against an API that puts code in every string it controls', () => {
  let api: Awaited<ReturnType<typeof startCodeInjectingApi>>;
  const marker = path.join(tmpdir(), `doctor-draft-ran-${process.pid}-${Date.now()}`);
  beforeAll(async () => {
    api = await startCodeInjectingApi(FLAG, marker);
  });
  beforeEach(() => rmSync(marker, { recursive: true, force: true }));
  afterAll(async () => {
    rmSync(marker, { recursive: true, force: true });
    await api.close();
  });

  it.each([
    ['without --refresh (the scope the connection stored)', [], true],
    ['with --refresh (the scope, token_type and fields of the refresh answer)', ['--refresh'], false],
  ] as const)(
    '%s: loading the draft runs nothing, and it loads with the values observed',
    async (_, flags, withScope) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'discover-code-'));
      const out = path.join(dir, 'code.draft.ts');
      const run = await doctor(
        ['--discover', api.testUrl, '--out', out, '--id', 'code', ...flags],
        api.env(withScope),
        dir,
      );
      expect([run.code, run.output.split('\n')[0]]).toEqual([0, expect.any(String)]);
      const text = readFileSync(out, 'utf8');

      // The doctor's next step loads the draft as --profile does.
      const next = await doctor(['--profile', out, '--json'], {}, dir);
      expect(ran()).toBeUndefined();
      expect(existsSync(marker)).toBe(false);
      expect(next.output).not.toMatch(/could not be loaded/);

      // What the server said is in the draft as it said it: a string, not code.
      const loaded = (await loadProfile(out, dir)).profile;
      expect(loaded.authorization.scopes).toEqual([api.escaping]);
      if (flags.length > 0) {
        expect(loaded.token.tokenTypes).toEqual([api.payloads.join('|').toLowerCase()]);
        // A key that is not a field name cannot be kept (token.keep): only instance_url is.
        expect(loaded.token.keep).toEqual(['instance_url']);
      }
      // JavaScript's line terminators never stand raw in the file, even inside a string.
      expect(text).not.toMatch(/[\u2028\u2029]/);
    },
  );
});
