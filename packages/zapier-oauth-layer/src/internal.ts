// The layer's second entry, `zapier-oauth-layer/internal`: every piece the tools and tests of
// this repository use (the doctor, the conformance kit, the benchmarks), beside what the main
// entry (index.ts) gives adopters. Nothing here is needed to adopt the layer, and its names may
// change in a minor version; the main entry's follow semver.

// Everything the main entry gives adopters, then the rest.
export * from './index';
export { parseCoreError, WHAT_HAPPENED, type CoreErrorParts } from './core-error-parts';
export { ConfigError, LOOPBACK_HOSTS, type Endpoints } from './endpoints';
export {
  EXPIRY_SKEW_SECONDS,
  knownExpiry,
  lifetimeOf,
  MAX_SANE_EXPIRES_IN,
  refreshMarginSeconds,
} from './expiry';
export {
  checkedField,
  checkInput,
  checkValue,
  clean,
  CHECKED_METHODS,
  withCheckedInput,
  type CheckedField,
} from './input';
export { blankRefreshMessage } from './own-message';
export {
  MAPPABLE_TOKEN_PROBLEMS,
  profileProblems,
  SIGNAL_KINDS,
  TOKEN_PROBLEMS,
  type Signals,
  type TokenProblem,
} from './profile';
export { REDACTED, redact, serverText } from './redact';
export {
  FAILURE_TTL_SECONDS,
  RefreshCoordinator,
  reuseForgiven,
  timing,
  type Outcome,
  type Rotation,
  type TokenRequest,
} from './refresh-coordination';
export { bySecret, bySubject, cacheKey, SealedCache, type Read } from './sealed-cache';
export { basicAuth, clientCredentialSecrets, formEncode } from './secrets';
export { readEnv, requestTimeoutMs } from './settings';
export { DEFAULT_STATUS_KINDS, parseBearerChallenge, parseRetryAfter, type ResponseLike } from './signals';
export {
  expiresAtFrom,
  scopesOf,
  type Grant,
  type TokenAnswer,
  type TokenContext,
  type TokenOutcome,
} from './tokens';
export { isRecord, parseJson, valueAt } from './values';
export {
  accessTokenHeader,
  answerFromElsewhereMessage,
  originOf,
  redirectRefusedMessage,
} from './middleware';
