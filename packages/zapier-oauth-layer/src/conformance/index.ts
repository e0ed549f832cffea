// zapier-oauth-layer/conformance: the conformance kit. An integration calls it from its own tests
// with its profile and a stand-in of its API (zapier-oauth-layer/standin), under jest, vitest or
// node:test (docs/conformance-kit.md):
//
//   import { conformance } from 'zapier-oauth-layer/conformance';
//   conformance({ profile, standIn: spec, describe, it, beforeAll, afterAll, expect });
//
// And the harness the kit drives core's Lambda handler with, for an integration's own end-to-end
// tests: ZapierRunner (Zapier's refresh, retry and stale rules) and the RPC stand-in for z.cache.
// zapier-platform-core is the integration's own (a peer dependency).
export {
  conformance,
  signalsOf,
  type ConformanceOptions,
  type CustomStandIn,
  type ExpectLike,
  type Signals,
  type TestFramework,
} from './suite';
export { appFor, familyProbe, familyTrigger, PROBE, pointAt, type FamilyProbe } from './profile-app';
export {
  defaultRpcServer,
  describeError,
  newConnection,
  refreshVerdict,
  renderLabel,
  stepVerdict,
  TEMPORARY_4XX,
  ZAPIER_LIMIT_MS,
  ZapierRunner,
  ZapierTimeout,
  type AuthData,
  type Connection,
  type ErrorDescription,
  type InvokeOptions,
  type RefreshOutcome,
  type RunnerOptions,
  type StepOutcome,
  type Verdict,
} from './zapier-runner';
export * from './rpc-server';
