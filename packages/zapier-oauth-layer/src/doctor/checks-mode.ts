// The doctor's checks, run from the command line: the API --profile names, with --probe, or the
// app's default API (this repository: Practice, the connection in .env, or --sandbox). Loaded
// only when a run needs it (./index.ts): an app's own mode is not loaded for --discover or --help.
import path from 'node:path';
import { clientCredentialSecrets, redact } from '../internal';
import { loadEnv, withConfig, writeAuthData } from './env-file';
import {
  BIN_COMMAND,
  probeFlags,
  probeHowFlag,
  probeRequestOf,
  usage,
  type DoctorRun,
  type Flags,
} from './flags';
import { loadProfile, ProfileLoadError } from './profile-file';
import { reported } from './report';
import { runChecks } from './run';
import type { DoctorSetup } from './setup';
import { profileTarget, type Target } from './target';

/** The app's default API, when no --profile is given; a usage error without one. */
function defaultTarget(flags: Flags, setup: DoctorSetup): Target | DoctorRun {
  const { values } = flags;
  const how = probeHowFlag(flags);
  const known = setup.targets?.default;
  if (!known)
    return usage('Name the API: --profile FILE (a profile exporting defineProfile), or --discover URL');
  if (values.has('--probe'))
    return usage(`--probe needs --profile: ${known.name} is checked on its own endpoints`);
  if (how)
    return usage(`${how} needs --profile or --discover: ${known.name} is checked on its own endpoints`);
  return known.target();
}

/** The default API, or the API --profile names (built-in or a file), with --probe when it takes one. */
async function targetOf(flags: Flags, setup: DoctorSetup): Promise<Target | DoctorRun> {
  const { values } = flags;
  const { cwd, targets = {} } = setup;
  const how = probeHowFlag(flags);
  if (!values.has('--profile')) return defaultTarget(flags, setup);
  if (flags.extra && targets.extra)
    return usage(`${targets.extra.flag} is ${targets.default?.name ?? 'the app'}'s: it takes no --profile`);
  const at = values.get('--probe') ?? null;
  if (how && at === null) return usage(`${how} goes with --probe: it says how the probe is asked`);
  const probe = probeRequestOf(flags);
  if (typeof probe === 'string') return usage(probe);
  const spec = values.get('--profile') ?? '';
  let loaded;
  try {
    loaded = await loadProfile(spec, cwd, targets.builtIn);
  } catch (error) {
    if (error instanceof ProfileLoadError) return { code: 2, output: error.message, checks: [] };
    throw error;
  }
  const command = `${setup.command ?? BIN_COMMAND} --profile ${spec}${at !== null ? ` --probe ${at}${probeFlags(probe)}` : ''}`;
  const target =
    targets.known?.({ loaded, command }) ??
    profileTarget(loaded, at === null ? null : { at, ...probe }, command);
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
    runChecks({
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

/** Every check, for the API --profile names or the app's default one, on the connection in .env (or the app's own mode). */
export async function checksMode(flags: Flags, setup: DoctorSetup): Promise<DoctorRun> {
  const target = await targetOf(flags, setup);
  if (!('layer' in target)) return target;
  const extra = setup.targets?.extra;
  if (flags.extra && extra) return extra.run(flags.rest, setup.env, flags.switches.has('--json'));
  if (flags.rest.length > 0) return usage(`unknown option ${flags.rest[0]}`);
  return connectionMode(target, flags, setup.env, setup.cwd);
}
