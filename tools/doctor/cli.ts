// `npm run doctor [-- --json] [-- --refresh]`: the unauthorized / token-expired checklist for the
// connection in .env (as `zapier-platform invoke auth start` writes it).
// `npm run doctor -- --sandbox [sandbox options]`: the same against the sandbox, plus what
// needs its controls (a truly expired token, throttling, grace period versus K8).
// `npm run doctor -- --profile FILE|NAME [--probe URL|PATH]`: the same checks against any API a
// profile describes, in its words.
// `npm run doctor -- --discover URL [options]`: an API without a profile, observed from one
// connection and one test URL; writes a draft profile.
//
// The doctor is the package's (packages/zapier-oauth-layer/src/doctor/, its bin
// `npx zapier-oauth-doctor`); this is this repository's command line around it, which adds what
// only this repository has: Practice (checked without --profile, with what the app knows of it,
// tools/doctor/practice-target.ts), the profiles of profiles/ by name, and --sandbox.
// Each mode is loaded when a run needs it: --discover and --help load neither the sandbox nor the app.
import path from 'node:path';
import { clientCredentialSecrets, redact } from 'zapier-oauth-layer/internal';
import {
  doctorUsage,
  runDoctor,
  type DoctorIo,
  type DoctorRun,
  type DoctorSetup,
  type DoctorTargets,
} from 'zapier-oauth-layer/doctor';
import { practice } from '../../practice/layer';
import { practiceProfile } from '../../practice/profile';
import { PROFILES } from '../../profiles';
import { targetFor } from './known-targets';
import { practiceTarget } from './practice-target';

export type { DoctorIo, DoctorRun };

/** How a user runs this repository's doctor again. */
const COMMAND = 'npm run doctor --';
/** Where a draft's Prettier style is read from: the repository's, for a draft that moves into profiles/. */
const STYLE_FROM = path.resolve(__dirname, '..', '..', 'profiles', 'draft.ts');

/** The sandbox's switch: its options follow it (tools/sandbox/options.ts). */
const SANDBOX_HELP = [
  '--sandbox     start the sandbox (port 4010, or any free port) and check a fresh connection to it;',
  '              sandbox options follow: --port, --ttl, --no-K1 … --no-K7, --K1-header-only, --K8',
];

/** What this repository adds to the package's doctor. */
export const REPOSITORY_TARGETS: DoctorTargets = {
  builtIn: { practice: practiceProfile, ...PROFILES },
  known: ({ loaded, command }) => targetFor(loaded, command),
  default: { name: 'Practice', target: () => practiceTarget() },
  extra: {
    flag: '--sandbox',
    help: SANDBOX_HELP,
    run: async (rest, env, json) => {
      // The sandbox and the app it runs: loaded only for --sandbox.
      const { sandboxMode } = await import('./sandbox-mode');
      return sandboxMode(rest, env, json);
    },
  },
};

/** This repository's setup of the doctor, for a run in `cwd`. */
export function repositorySetup(env: NodeJS.ProcessEnv, cwd: string, io: DoctorIo = {}): DoctorSetup {
  return { env, cwd, ...io, command: COMMAND, targets: REPOSITORY_TARGETS, styleFrom: STYLE_FROM };
}

/** What `npm run doctor -- --help` prints. */
export const USAGE = doctorUsage({ command: COMMAND, targets: REPOSITORY_TARGETS });

export function doctor(
  argv: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  io: DoctorIo = {},
): Promise<DoctorRun> {
  return runDoctor(argv, repositorySetup(env, cwd, io));
}

if (require.main === module) {
  // What a run says as it goes (which host gets which credential) goes to stderr: stdout is the report.
  doctor(process.argv.slice(2), process.env, process.cwd(), { say: (line) => console.error(line) }).then(
    ({ code, output }) => {
      (code === 2 ? console.error : console.log)(output);
      process.exitCode = code;
    },
    (error: unknown) => {
      // Whatever a run may have read: Practice's client, and any variable that holds a secret or
      // a connection field (a profile's *_CLIENT_SECRET, authData_*).
      const secrets = [
        ...clientCredentialSecrets(process.env.CLIENT_ID, process.env.CLIENT_SECRET),
        ...Object.entries(process.env)
          .filter(([key]) => /SECRET|TOKEN|^authData_/i.test(key))
          .map(([, value]) => value),
      ];
      const why = error instanceof Error ? error.message : String(error);
      console.error(redact(`The doctor could not run: ${why}`, secrets, practice.profile.tokenPrefixes));
      process.exitCode = 1;
    },
  );
}
