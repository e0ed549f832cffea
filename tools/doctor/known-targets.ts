// The APIs the app knows more of than their profile says, found by their profile: --profile on
// one of them runs the checks on that knowledge (tools/doctor/target.ts). Today: Practice.
import type { CheckedProfile } from 'zapier-oauth-layer/internal';
import { practice } from '../../practice/layer';
import { practiceTarget } from './practice-target';
import type { LoadedProfile } from './profile-file';
import { profileTarget, type ProbeSpec, type Target } from './target';

type KnownTarget = (given: { loaded?: LoadedProfile; command?: string }) => Target;

const KNOWN_TARGETS = new Map<CheckedProfile, KnownTarget>([[practice.profile, practiceTarget]]);

/** The target of a loaded profile: the app's own knowledge of it, or the profile alone. */
export function targetFor(loaded: LoadedProfile, probe: ProbeSpec | null, command: string): Target {
  const known = KNOWN_TARGETS.get(loaded.profile);
  return known ? known({ loaded, command }) : profileTarget(loaded, probe, command);
}
