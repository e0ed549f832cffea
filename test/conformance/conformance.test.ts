// The conformance suite (suite.ts) for every profile in the repository, each against the
// stand-in of its provider (support.ts, CASES).
import { conformanceSuite } from './suite';
import { CASES } from './support';

describe.each(CASES)('the $name profile', ({ profile, start }) => {
  conformanceSuite({ start, profile: () => profile });
});
