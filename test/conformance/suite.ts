// The conformance suite as the doctor's tests call it (test/doctor/discover-conformance.test.ts):
// inside their describe block, with a profile made from the running stand-in. The suite itself
// is the package's kit (zapier-oauth-layer/conformance, its src/conformance/suite.ts).
import { conformance, type Signals } from 'zapier-oauth-layer/conformance';
import type { CheckedProfile } from 'zapier-oauth-layer/internal';
import type { SuiteStandIn } from 'zapier-oauth-layer/standin';

export interface SuiteCase {
  /** The stand-in of the provider. */
  start: () => Promise<SuiteStandIn>;
  /** The profile under test; may be made from the running stand-in (a --discover draft). */
  profile: (standIn: SuiteStandIn) => CheckedProfile | Promise<CheckedProfile>;
  /** The stand-in's signals, known before it starts. */
  signals: Signals;
}

/** Every scenario of the kit, for one profile against its provider's stand-in (call inside a describe). */
export function conformanceSuite({ start, profile, signals }: SuiteCase): void {
  conformance({
    name: 'the conformance suite',
    profile,
    standIn: { start, signals },
    describe,
    it,
    beforeAll,
    afterAll,
    expect,
  });
}
