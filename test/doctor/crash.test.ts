// The bin's message when a run fails unexpectedly (src/doctor/crash.ts): an error may quote what
// the run read, so every secret the project's .env or the environment holds is taken out of it,
// whatever the variable that holds the client secret is called.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crashMessage } from 'zapier-oauth-layer/doctor';
import { leaksIn } from '../encodings';

const SECRET_IN_FILE = "acme-app-key!'()~/0123456789";
const SECRET_IN_ENV = 'zz-acme-passphrase-9876543210';

function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'doctor-crash-'));
  // A profile may name its client secret anything (client.secretEnv): here ACME_APP_CREDENTIAL.
  writeFileSync(path.join(dir, '.env'), `ACME_APP_CREDENTIAL=${SECRET_IN_FILE}\nDEBUG=1\n`);
  return dir;
}

describe("the bin's message when a run fails", () => {
  it('holds no value the project’s .env sets, in any encoding, nor a secret-named variable', () => {
    const dir = project();
    const error = new Error(`request failed with ${SECRET_IN_FILE} and ${SECRET_IN_ENV} (debug 1)`);
    const message = crashMessage(error, { ACME_PASSPHRASE: SECRET_IN_ENV }, dir);
    expect(message).toMatch(/^The doctor could not run: request failed with/);
    expect(
      leaksIn([{ where: 'crash', text: message }], { file: SECRET_IN_FILE, env: SECRET_IN_ENV }),
    ).toEqual([]);
    // A short value (DEBUG=1) is not taken for a secret: the message stays readable.
    expect(message).toContain('(debug 1)');
  });
});
