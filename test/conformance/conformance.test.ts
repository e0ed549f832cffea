// The conformance suite (suite.ts) for every profile in the repository, each against the
// stand-in of its provider (support.ts, ALL_CASES), every endpoint family of it.
import { conformanceSuite } from './suite';
import { ALL_CASES } from './support';

describe.each(ALL_CASES)('the $name profile', ({ profile, start, signals }) => {
  conformanceSuite({ start, profile: () => profile, signals });
});
