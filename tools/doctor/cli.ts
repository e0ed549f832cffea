// `npm run doctor [-- --json] [-- --refresh]`: the unauthorized / token-expired checklist for the
// connection in .env (as `zapier-platform invoke auth start` writes it).
// `npm run doctor -- --sandbox [sandbox options]`: the same against the sandbox, plus what
// needs its controls (a truly expired token, throttling, grace period versus K8).
// `npm run doctor -- --profile FILE|NAME [--probe URL|PATH]`: the same checks against any API a
// profile describes, in its words.
// `npm run doctor -- --discover URL [options]`: an API without a profile, observed from one
// connection and one test URL; writes a draft profile (tools/doctor/discover/).
// Each mode is loaded when a run needs it: --discover and --help load neither the sandbox nor the app.
import { clientCredentialSecrets, redact } from 'zapier-oauth-layer/internal';
import { practice } from '../../practice/layer';
import { readFlags, strayDiscoverFlag, usage, USAGE, type DoctorIo, type DoctorRun } from './flags';

export type { DoctorIo, DoctorRun };

export async function doctor(
  argv: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  io: DoctorIo = {},
): Promise<DoctorRun> {
  const flags = readFlags(argv);
  if (typeof flags === 'string') return usage(flags);
  const { values, switches, rest } = flags;
  if (rest.includes('--help') || rest.includes('-h')) return { code: 0, output: USAGE, checks: [] };
  if (values.has('--discover')) {
    if (values.has('--profile') || values.has('--probe') || switches.has('--sandbox'))
      return usage(
        '--discover observes an API without a profile: it takes no --profile, --probe or --sandbox',
      );
    if (rest.length > 0) return usage(`unknown option ${rest[0]}`);
    const { discoverMode } = await import('./discover/mode');
    return discoverMode(flags, env, cwd, io);
  }
  const stray = strayDiscoverFlag(flags);
  if (stray) return usage(`${stray} belongs to --discover`);
  const { checksMode } = await import('./checks-mode');
  return checksMode(flags, env, cwd);
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
