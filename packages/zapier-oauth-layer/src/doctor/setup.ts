// What an app adds to the doctor beyond what the package knows: the profiles --profile takes by
// name, what it knows of an API beyond its profile (its own endpoints, its steps' scopes), the API
// checked without --profile, a mode of its own. The package's bin runs with none of them
// (`npx zapier-oauth-doctor --profile ./src/profile.ts`); this repository's `npm run doctor` adds
// Practice, its built-in profiles and --sandbox (tools/doctor/cli.ts).
import type { CheckedProfile } from '../internal';
import type { DoctorIo, ExtraMode } from './flags';
import type { LoadedProfile } from './profile-file';
import type { Target } from './target';

export interface DoctorTargets {
  /** Names --profile takes without a file. */
  builtIn?: Readonly<Record<string, CheckedProfile>>;
  /** The app's own knowledge of the API a loaded profile describes, if it has any. */
  known?(given: { loaded: LoadedProfile; command: string }): Target | undefined;
  /** The API checked when no --profile is given (without one, --profile or --discover is needed). */
  default?: { name: string; target(): Target };
  /** A switch of the app's own, for the default API only. */
  extra?: ExtraMode;
}

export interface DoctorSetup extends DoctorIo {
  /** The process environment: it wins over .env. */
  env: NodeJS.ProcessEnv;
  /** The folder the doctor runs in: its .env, and where --profile FILE and --out are read from. */
  cwd: string;
  /** How a user runs the doctor again, in fixes and --help: "npx zapier-oauth-doctor" by default. */
  command?: string;
  targets?: DoctorTargets;
  /** Where a draft's Prettier style is read from: by default the draft's own path. */
  styleFrom?: string;
}
