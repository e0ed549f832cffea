// `npx zapier-oauth-doctor …`: the doctor as the package's bin, run in the project's own folder
// (its .env, its profile file). build.mjs bundles this file into dist/doctor.js, which is also the
// package's `zapier-oauth-layer/doctor` export (runDoctor and its types).
import { crashMessage, runDoctor, type DoctorSetup } from './index';

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
      console.error(crashMessage(error, process.env, process.cwd()));
      process.exitCode = 1;
    },
  );
}

if (require.main === module) void main();
