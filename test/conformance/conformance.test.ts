// The conformance suite for every profile in the repository, each against the stand-in of its
// provider (support.ts, ALL_CASES), every endpoint family of it: through the kit's package entry,
// exactly as an integration calls it from its own jest tests (docs/conformance-kit.md).
import { conformance } from 'zapier-oauth-layer/conformance';
import { ALL_CASES } from './support';

for (const { name, profile, standIn } of ALL_CASES) {
  conformance({ name: `the ${name} profile`, profile, standIn, describe, it, beforeAll, afterAll, expect });
}
