// Every check of the doctor, in the order they run and are reported: each may use what the ones
// before it found. A new check is one file of this folder and one line here, as core's own
// checks are listed (zapier-platform-core src/checks/index.js).
import type { DoctorCheck } from '../context';
import { clientCredentials } from './client-credentials';
import { clock } from './clock';
import { config } from './config';
import { connection } from './connection';
import { expirySignal } from './expiry-signal';
import { legacySignal } from './legacy-signal';
import { profile } from './profile';
import { rateLimit } from './rate-limit';
import { refresh } from './refresh';
import { scopes } from './scopes';
import { testCall } from './test-call';
import { tokenEndpointErrors } from './token-endpoint-errors';

export const CHECKS: readonly DoctorCheck[] = [
  profile,
  config,
  clientCredentials,
  tokenEndpointErrors,
  connection,
  testCall,
  scopes,
  expirySignal,
  legacySignal,
  refresh,
  clock,
  rateLimit,
];

/** Only with --profile, first: the profile itself (sound; fields a draft still marks UNOBSERVED). */
export const PROFILE_CHECK = profile.id;

/** The checks every run reports, in order (after `profile` with --profile). */
export const CHECK_IDS: readonly string[] = CHECKS.map((c) => c.id).filter((id) => id !== PROFILE_CHECK);
