// The doctor's checks, run from the command line: Practice (the connection in .env, or --sandbox)
// or the API --profile names, with --probe. Loaded only when a run needs it (tools/doctor/cli.ts):
// the sandbox and the app are not loaded for --discover or --help.
import path from 'node:path';
import { clientCredentialSecrets, redact } from 'zapier-oauth-layer/internal';
import { loadEnv, withConfig, writeAuthData } from './env-file';
import { probeFlags, probeHowFlag, probeRequestOf, usage, type DoctorRun, type Flags } from './flags';
import { targetFor } from './known-targets';
import { practiceTarget } from './practice-target';
import { loadProfile, ProfileLoadError } from './profile-file';
import { reported } from './report';
import { runDoctor } from './run';
import type { Target } from './target';

/** Practice, or the API --profile names (built-in or a file), with --probe when it takes one. */
function targetOf(flags: Flags, cwd: string): Target | DoctorRun {
  const { values, switches } = flags;
  const how = probeHowFlag(flags);
  if (!values.has('--profile')) {
    if (values.has('--probe'))
      return usage('--probe needs --profile: Practice is checked on its own endpoints');
    if (how) return usage(`${how} needs --profile or --discover: Practice is checked on its own endpoints`);
    return practiceTarget();
  }
  if (switches.has('--sandbox')) return usage("--sandbox is Practice's: it takes no --profile");
  const at = values.get('--probe') ?? null;
  if (how && at === null) return usage(`${how} goes with --probe: it says how the probe is asked`);
  const probe = probeRequestOf(flags);
  if (typeof probe === 'string') return usage(probe);
  const spec = values.get('--profile') ?? '';
  let loaded;
  try {
    loaded = loadProfile(spec, cwd);
  } catch (error) {
    if (error instanceof ProfileLoadError) return { code: 2, output: error.message, checks: [] };
    throw error;
  }
  const command = `npm run doctor -- --profile ${spec}${at !== null ? ` --probe ${at}${probeFlags(probe)}` : ''}`;
  const target = targetFor(loaded, at === null ? null : { at, ...probe }, command);
  if (target.own && at !== null)
    return usage(`--probe is for other APIs: ${target.layer.profile.name}'s checks call its own endpoints`);
  return target;
}

/** The connection in .env (and the environment), against the target. */
async function connectionMode(target: Target, flags: Flags, env: NodeJS.ProcessEnv, cwd: string) {
  const profile = target.layer.profile;
  const keys = [profile.endpoints.baseEnv, profile.client.idEnv, profile.client.secretEnv];
  const file = path.join(cwd, '.env');
  const loaded = loadEnv(file, env, keys);
  const [baseKey = '', idKey = '', secretKey = ''] = keys;
  const given = [
    ...clientCredentialSecrets(loaded.values[idKey], loaded.values[secretKey]),
    ...[loaded.authData.access_token, loaded.authData.refresh_token].filter((t): t is string => !!t),
  ];
  const checks = await withConfig(keys, loaded.values, () =>
    runDoctor({
      target,
      authData: loaded.authData,
      refresh: flags.switches.has('--refresh'),
      saveTokens: (fields) => writeAuthData(file, fields),
      source: { file: '.env', fileExists: loaded.fileExists, disagreements: loaded.disagreements },
    }),
  );
  const where = loaded.fileExists ? '.env' : 'the environment (no .env)';
  const heading = target.loaded
    ? `${profile.name} doctor (profile ${target.loaded.label}): the connection in ${where}, against ${loaded.values[baseKey] ?? `${profile.endpoints.base} (${baseKey} unset)`}.`
    : `${profile.name} doctor: the connection in ${where}, against ${loaded.values[baseKey] ?? `the default ${baseKey}`}.`;
  return reported(
    checks,
    redact(heading, given, profile.tokenPrefixes),
    flags.switches.has('--json'),
    target,
  );
}

/** Every check, for Practice or the API --profile names, on the connection in .env or a sandbox. */
export async function checksMode(flags: Flags, env: NodeJS.ProcessEnv, cwd: string): Promise<DoctorRun> {
  const target = targetOf(flags, cwd);
  if (!('layer' in target)) return target;
  if (flags.switches.has('--sandbox')) {
    // The sandbox and the app it runs: loaded only for --sandbox.
    const { sandboxMode } = await import('./sandbox-mode');
    return sandboxMode(flags.rest, env, flags.switches.has('--json'));
  }
  if (flags.rest.length > 0) return usage(`unknown option ${flags.rest[0]}`);
  return connectionMode(target, flags, env, cwd);
}
