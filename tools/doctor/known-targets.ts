// The APIs the app knows more of than their profile says, found by their profile: --profile on
// one of them runs the checks on that knowledge (the package's doctor, setup.targets.known).
// Today: Practice.
import type { CheckedProfile } from 'zapier-oauth-layer/internal';
import type { LoadedProfile, Target } from 'zapier-oauth-layer/doctor';
import { practice } from '../../practice/layer';
import { practiceTarget } from './practice-target';

type KnownTarget = (given: { loaded?: LoadedProfile; command?: string }) => Target;

const KNOWN_TARGETS = new Map<CheckedProfile, KnownTarget>([[practice.profile, practiceTarget]]);

/** The app's own knowledge of a loaded profile's API, if it has any. */
export function targetFor(loaded: LoadedProfile, command: string): Target | undefined {
  return KNOWN_TARGETS.get(loaded.profile)?.({ loaded, command });
}
