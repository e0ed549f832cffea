// A draft from `--discover --refresh`, completed only where it says UNOBSERVED (from the
// hand-written profile, as a person would from the API's documentation), is a profile the layer
// can run: it passes profileProblems and the whole conformance suite (test/conformance/suite.ts)
// through core's Lambda handler with Zapier's refresh, retry and stale rules, against each
// provider's stand-in.
import type { CheckedProfile } from 'zapier-oauth-layer/internal';
import type { SuiteStandIn } from 'zapier-oauth-layer/standin';
import { conformanceSuite } from '../conformance/suite';
import { CASES } from '../conformance/support';
import { completeDraft, discoverStandIn, type Discovered } from './discover-support';

describe.each(CASES)('the completed draft of the $name stand-in', ({ profile: hand, start, signals }) => {
  let found: Discovered | undefined;
  let made: CheckedProfile | undefined;
  const completed = (): CheckedProfile => {
    if (!made) throw new Error('the draft was not made');
    return made;
  };

  conformanceSuite({
    start,
    signals,
    profile: async (standIn: SuiteStandIn) => {
      found = await discoverStandIn(hand, standIn, ['--refresh']);
      const { problems, profile } = completeDraft(found.loaded.profile, hand, found.loaded.unobserved);
      expect(problems).toEqual([]);
      made = profile();
      return made;
    },
  });

  it('keeps what it observed: only the marked fields came from the hand-written profile', () => {
    const marked = new Set(found!.loaded.unobserved.map((u) => u.path));
    expect(marked.has('signals.envelope')).toBe(false);
    expect(marked.has('token.errorCode')).toBe(false);
    expect(completed().signals.body.code).toBe(found!.loaded.profile.signals.body.code);
    expect(completed().token.errorsAs200).toBe(found!.loaded.profile.token.errorsAs200);
    expect(completed().client.authMethod).toBe(found!.loaded.profile.client.authMethod);
  });
});
