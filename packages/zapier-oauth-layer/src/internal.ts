// The layer's second entry, `zapier-oauth-layer/internal`: every piece the tools and tests of
// this repository use (the doctor, the conformance kit, the benchmarks), beside what the main
// entry (index.ts) gives adopters. Nothing here is needed to adopt the layer, and its names may
// change in a minor version; the main entry's follow semver.

export { createLayer, type HardenableApp, type HardenOptions, type Layer } from './layer';
export type { LayerRequest } from './request';
export { parseCoreError, WHAT_HAPPENED, type CoreErrorParts } from './core-error-parts';
export { ConfigError, LOOPBACK_HOSTS, type ClientCredentials, type Endpoints } from './endpoints';
export {
  EXPIRY_SKEW_SECONDS,
  knownExpiry,
  lifetimeOf,
  MAX_SANE_EXPIRES_IN,
  readSeconds,
  refreshMarginFor,
  refreshMarginSeconds,
} from './expiry';
export {
  checkedField,
  checkInput,
  checkValue,
  clean,
  CHECKED_METHODS,
  withCheckedInput,
  withInputChecked,
  type CheckedField,
} from './input';
export { blankRefreshMessage } from './own-message';
export {
  codeChallengeS256,
  isLoopbackRedirect,
  LOCAL_VERIFIER_TTL_SECONDS,
  LocalVerifiers,
  newCodeVerifier,
} from './pkce';
export { graphqlFamily } from './graphql';
export {
  defineProfile,
  MAPPABLE_TOKEN_PROBLEMS,
  profileProblems,
  ProfileError,
  SIGNAL_KINDS,
  TOKEN_PROBLEMS,
  type Advice,
  type BodyPath,
  type CheckedProfile,
  type ConnectionField,
  type Envelope,
  type Family,
  type Profile,
  type ProfileInput,
  type SignalKind,
  type Signals,
  type TokenProblem,
} from './profile';
export { REDACTED, redact, secretForms, serverText } from './redact';
export {
  CALL_BUDGET_MS,
  DEAD_GRANT_TTL_SECONDS,
  FAILURE_TTL_SECONDS,
  RefreshCoordinator,
  reuseForgiven,
  ROTATION_TTL_SECONDS,
  rotationTtlSeconds,
  timing,
  type Outcome,
  type Rotation,
  type TokenRequest,
} from './refresh-coordination';
export { bySecret, bySubject, cacheKey, SealedCache, type KeyScheme, type Read } from './sealed-cache';
export { basicAuth, clientCredentialSecrets, formEncode } from './secrets';
export { DEFAULT_REQUEST_TIMEOUT_MS, readEnv, requestTimeoutMs } from './settings';
export {
  CONNECTION_KINDS,
  DEFAULT_STATUS_KINDS,
  parseBearerChallenge,
  parseRetryAfter,
  type ResponseLike,
  type Signal,
} from './signals';
export {
  expiresAtFrom,
  scopesOf,
  type Grant,
  type TokenAnswer,
  type TokenAuthData,
  type TokenContext,
  type TokenOutcome,
} from './tokens';
export { isRecord, nonEmptyText, parseJson, valueAt } from './values';
export { answerFromElsewhereMessage, originOf, redirectRefusedMessage } from './middleware';
export type { Attempt } from './network';
export type { AuthenticationParts, OAuthFunctions } from './oauth';
