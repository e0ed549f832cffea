// The doctor as a function: `runDoctor(argv, setup)` runs one command line of it and returns what
// it prints and its exit status; the package's bin (./bin.ts, `npx zapier-oauth-doctor`) calls it
// with the process's own, and this repository's `npm run doctor` (tools/doctor/cli.ts) with
// Practice, its built-in profiles and --sandbox added (setup.targets).
//   --profile FILE|NAME [--probe URL|PATH]: the checks against the API a profile describes.
//   --discover URL [options]: an API without a profile, observed from one connection and one
//   test URL; writes a draft profile (./discover/).
// Each mode is loaded when a run needs it: --help loads none.
import {
  BIN_COMMAND,
  readFlags,
  strayDiscoverFlag,
  usage,
  usageText,
  type DoctorIo,
  type DoctorRun,
  type ExtraMode,
} from './flags';
import type { DoctorSetup, DoctorTargets } from './setup';

export type { DoctorIo, DoctorRun, DoctorSetup, DoctorTargets, ExtraMode };
export { BIN_COMMAND };
// For an app that gives the doctor a target of its own (this repository: Practice, its sandbox).
export type { Check, DoctorCheck, DoctorOptions, SandboxHooks, Status } from './context';
export type { Answer } from './http';
export type { LoadedProfile } from './profile-file';
export type { Target, TokenErrorWords, Words } from './target';
export { withConfig } from './env-file';
export { reported } from './report';
export { runChecks } from './run';
export { rawType } from './target';

/** What --help prints for this setup: the flags, one list. */
export function doctorUsage(setup: Pick<DoctorSetup, 'command' | 'targets'>): string {
  const targets = setup.targets ?? {};
  return usageText({
    command: setup.command ?? BIN_COMMAND,
    builtIn: Object.keys(targets.builtIn ?? {}),
    ...(targets.default ? { defaultName: targets.default.name } : {}),
    ...(targets.extra ? { extra: targets.extra } : {}),
  });
}

async function dispatch(argv: readonly string[], setup: DoctorSetup): Promise<DoctorRun> {
  const extra = setup.targets?.extra;
  const flags = readFlags(argv, extra?.flag);
  if (typeof flags === 'string') return usage(flags);
  const { values, rest } = flags;
  if (rest.includes('--help') || rest.includes('-h'))
    return { code: 0, output: doctorUsage(setup), checks: [] };
  if (values.has('--discover')) {
    if (values.has('--profile') || values.has('--probe') || flags.extra)
      return usage(
        `--discover observes an API without a profile: it takes no --profile, --probe${extra ? ` or ${extra.flag}` : ''}`,
      );
    if (rest.length > 0) return usage(`unknown option ${rest[0]}`);
    const { discoverMode } = await import('./discover/mode');
    return discoverMode(flags, setup);
  }
  const stray = strayDiscoverFlag(flags);
  if (stray) return usage(`${stray} belongs to --discover`);
  const { checksMode } = await import('./checks-mode');
  return checksMode(flags, setup);
}

/**
 * One run of the doctor: `argv` as typed after the command, in `setup.cwd` (its .env, the files
 * it names). Usage errors come back as exit status 2 with the usage; what the run says as it goes
 * (which host gets which credential) goes to `setup.say`.
 */
export async function runDoctor(argv: readonly string[], setup: DoctorSetup): Promise<DoctorRun> {
  const { usage: isUsage, ...run } = await dispatch(argv, setup);
  return isUsage ? { ...run, output: `${run.output}\n\n${doctorUsage(setup)}` } : run;
}

// The doctor's parts, for its tests (as internal.ts is the layer's whole for tools and tests).
export { CHECKS, CHECK_IDS, PROFILE_CHECK } from './checks';
export { classifyWith, draft } from './discover/draft';
export { metadataEndpoint } from './discover/metadata';
export { planOf, type Observations } from './discover/request';
export { writtenAs } from './discover/verify';
export { fieldsOf, literal, renderDraft, toObject, type Branch, type DraftField } from './draft';
export { loadEnv, writeAuthData } from './env-file';
export { loadProfile, unobservedFields, type Unobserved } from './profile-file';
export { PROFILE_DOC } from './target';
export { crashMessage } from './crash';
