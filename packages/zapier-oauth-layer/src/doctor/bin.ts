// `npx zapier-oauth-doctor …`: the doctor as the package's bin, run in the project's own folder
// (its .env, its profile file). build.mjs bundles this file into dist/doctor.js, which is also the
// package's `zapier-oauth-layer/doctor` export (runDoctor and its types).
import path from 'node:path';
import { clientCredentialSecrets, redact } from '../internal';
import { loadEnv } from './env-file';
import { runDoctor, type DoctorSetup } from './index';

export * from './index';

/** Runs the doctor on the process's arguments, environment and folder; sets the exit status. */
export function main(setup: Partial<DoctorSetup> = {}): Promise<void> {
  // What a run says as it goes (which host gets which credential) goes to stderr: stdout is the report.
  return runDoctor(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    say: (line) => console.error(line),
    ...setup,
  }).then(
    ({ code, output }) => {
      (code === 2 ? console.error : console.log)(output);
      process.exitCode = code;
    },
    (error: unknown) => {
      // Whatever a run may have read, from the environment and .env: any variable that holds a
      // secret or a connection field (a profile's *_CLIENT_SECRET, authData_*), and each client's
      // credentials as they are sent (HTTP Basic).
      let values: Record<string, string | undefined> = { ...process.env };
      try {
        values = loadEnv(path.join(process.cwd(), '.env'), process.env, []).values;
      } catch {
        // an unreadable .env: the environment alone
      }
      const entries = Object.entries(values);
      const secrets = [
        ...entries.filter(([key]) => /SECRET|TOKEN|^authData_/i.test(key)).map(([, value]) => value),
        ...entries
          .filter(([key]) => /CLIENT_ID$/i.test(key))
          .flatMap(([key, id]) =>
            clientCredentialSecrets(id, values[key.replace(/CLIENT_ID$/i, 'CLIENT_SECRET')]),
          ),
      ];
      const why = error instanceof Error ? error.message : String(error);
      console.error(redact(`The doctor could not run: ${why}`, secrets, []));
      process.exitCode = 1;
    },
  );
}

if (require.main === module) void main();
