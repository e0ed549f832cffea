// .env as `zapier-platform invoke auth start` writes it: read with the CLI's own parser,
// written back without disturbing anything but the connection's fields.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import { loadEnv, writeAuthData } from 'zapier-oauth-layer/doctor';

function envFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'doctor-env-')), '.env');
  writeFileSync(file, text);
  return file;
}

// What invoke's appendEnv leaves after `auth start` and a later `auth refresh`.
const INVOKE_WRITTEN = [
  '# local settings',
  'BASE_URL=http://127.0.0.1:4010',
  'CLIENT_ID=practice-sandbox-client',
  'CLIENT_SECRET=file-secret',
  "authData_access_token='pat_first'",
  "authData_refresh_token='prt_first'",
  "authData_expires_at='1700000000'",
  "authData_scope='clients:read offline_access'",
  "authData_access_token='pat_second'",
  "authData_refresh_token='prt_second'",
  '',
].join('\n');

describe('reading .env', () => {
  it('reads authData_* as invoke does, the last of repeated keys winning', () => {
    const loaded = loadEnv(envFile(INVOKE_WRITTEN), {});
    expect(loaded.fileExists).toBe(true);
    expect(loaded.authData).toEqual({
      access_token: 'pat_second',
      refresh_token: 'prt_second',
      expires_at: '1700000000',
      scope: 'clients:read offline_access',
    });
    expect(loaded.values.BASE_URL).toBe('http://127.0.0.1:4010');
    expect(loaded.disagreements).toEqual([]);
  });

  it('lets the process environment win and names (never shows) the variables that disagree', () => {
    const loaded = loadEnv(envFile(INVOKE_WRITTEN), {
      CLIENT_SECRET: 'env-secret',
      CLIENT_ID: 'practice-sandbox-client',
      authData_access_token: 'pat_from_env',
    });
    expect(loaded.values.CLIENT_SECRET).toBe('env-secret');
    expect(loaded.authData.access_token).toBe('pat_from_env');
    expect(loaded.disagreements).toEqual(['CLIENT_SECRET', 'authData_access_token']);
  });

  it('works without a .env', () => {
    const loaded = loadEnv(path.join(tmpdir(), 'no-such-folder', '.env'), { authData_access_token: 'pat_x' });
    expect(loaded.fileExists).toBe(false);
    expect(loaded.authData).toEqual({ access_token: 'pat_x' });
  });
});

describe('writing the new tokens back', () => {
  it('rewrites every line of a field, appends missing fields and keeps every other line', () => {
    const file = envFile(INVOKE_WRITTEN.replace("authData_scope='clients:read offline_access'\n", ''));
    writeAuthData(file, {
      access_token: 'pat_new',
      refresh_token: 'prt_new',
      expires_at: '1800000000',
      scope: 'clients:read',
    });
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(
      [
        '# local settings',
        'BASE_URL=http://127.0.0.1:4010',
        'CLIENT_ID=practice-sandbox-client',
        'CLIENT_SECRET=file-secret',
        "authData_access_token='pat_new'",
        "authData_refresh_token='prt_new'",
        "authData_expires_at='1800000000'",
        "authData_access_token='pat_new'",
        "authData_refresh_token='prt_new'",
        "authData_scope='clients:read'",
        '',
      ].join('\n'),
    );
    expect(dotenv.parse(text)).toMatchObject({
      authData_access_token: 'pat_new',
      authData_scope: 'clients:read',
    });
  });

  it('keeps a value with a quote in it intact through dotenv', () => {
    const file = envFile('OTHER=1');
    writeAuthData(file, { access_token: "pat_it's" });
    expect(readFileSync(file, 'utf8')).toMatch(/^OTHER=1\n/);
    expect(dotenv.parse(readFileSync(file, 'utf8')).authData_access_token).toBe("pat_it's");
  });

  it('keeps a value with quotes and a backslash-n intact through dotenv', () => {
    const file = envFile('OTHER=1');
    const token = 'pat_it\'s_a_"\\n"_token\\';
    writeAuthData(file, { access_token: token });
    expect(dotenv.parse(readFileSync(file, 'utf8')).authData_access_token).toBe(token);
  });

  // A token endpoint chooses the values: a line break in one must not become a line of .env,
  // now or when the field is rewritten by the next refresh.
  it.each([
    ['access_token', 'pat_x\nBASE_URL=https://evil.example\n'],
    ['access_token', 'pat_x\rBASE_URL=https://evil.example'],
    ['scope', "read\nBASE_URL=https://evil.example'"],
    ['refresh_token', 'prt_x\u2028BASE_URL=https://evil.example'],
  ])('refuses a %s with a line break and leaves .env as it was', (field, value) => {
    const before = "BASE_URL='https://api.acme.example'\nauthData_access_token='old'\n";
    const file = envFile(before);
    expect(() => writeAuthData(file, { access_token: 'pat_new', [field]: value })).toThrow(/line break/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    // And the next refresh's write cannot uncover a line of the server's either.
    writeAuthData(file, { access_token: 'pat_newer' });
    expect(dotenv.parse(readFileSync(file, 'utf8'))).toMatchObject({
      BASE_URL: 'https://api.acme.example',
      authData_access_token: 'pat_newer',
    });
  });
});
