// What a provider's file writes (a ProviderSpec) and what the skeleton hands its answers: the
// types of the stand-in skeleton (server.ts). A stand-in is its spec: the skeleton decides
// *whether* a request succeeds, the spec's answers decide *how* it is written on the wire.
import type { IncomingHttpHeaders } from 'node:http';
import type { ForbiddenMeaning, ProbeRequest, StandIn } from './types';

export type Rotation = StandIn['rotation'];

/** One HTTP answer: JSON when `json` is set, otherwise `text` (with its own content type). */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

/** What the token endpoint just issued, for the provider to write in its own shape. */
export interface Issued {
  /** The stand-in's own http://127.0.0.1:<port>, for answers that name a URL (Salesforce instance_url). */
  baseUrl: string;
  grantId: string;
  accessToken: string;
  /** The refresh token the client must keep from now on (the same one under rotation 'none'). */
  refreshToken: string;
  /** True when `refreshToken` is a new value in this answer. */
  refreshTokenIsNew: boolean;
  expiresIn: number;
  scopes: readonly string[];
  issuedAtMs: number;
  /** Whatever the client sent (form body and query string merged), e.g. Accept negotiation. */
  request: TokenRequest;
}

export interface TokenRequest {
  grantType: 'authorization_code' | 'refresh_token';
  params: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The token endpoint's path the request reached (spec.tokenPath or one of moreTokenPaths); '' for connect(). */
  path: string;
}

/**
 * Ways the token endpoint refuses. `unknown_client` and `wrong_secret` are both a bad client
 * (failTokenEndpoint 'bad_client' answers `wrong_secret`); `dead_grant` is a refresh token that
 * is unknown, revoked, expired or rotated away.
 */
export type TokenFailure =
  | 'unknown_client'
  | 'wrong_secret'
  | 'invalid_code'
  | 'redirect_uri_mismatch'
  | 'dead_grant'
  | 'unsupported_grant_type'
  | 'outage'
  | 'rate_limited';

export interface TokenFailureContext {
  nowMs: number;
  retryAfterSeconds: number;
  headers: IncomingHttpHeaders;
  params: URLSearchParams;
  /** The token endpoint's path the request reached. */
  path: string;
}

/** Another token endpoint beside spec.tokenPath, sharing its grants (a provider's new version of it). */
export interface TokenPath {
  path: string;
  /** Parameters in the query string are not read (an endpoint that takes the form body only). */
  ignoreQuery?: boolean;
}

export interface ProbeContext {
  baseUrl: string;
  nowMs: number;
  /** The endpoint family the request belongs to (the first family's name for a single-family spec). */
  family: string;
  /** The request's method, and its body parsed as JSON (undefined when empty or not JSON): a GraphQL endpoint reads the operation there. */
  method: string;
  body: unknown;
  /** The scope the endpoint requires (the probe's, or a route's), for a missing-scope answer to name. */
  requiredScope: string;
  grantId: string;
  scopes: readonly string[];
  /** When the presented access token expires (or expired). */
  expiresAtMs: number;
  issuedAtMs: number;
  accessToken: string;
  headers: IncomingHttpHeaders;
}

/** How the token endpoint writes what it decided. */
export interface TokenAnswers {
  token(issued: Issued): Reply;
  tokenFailure(failure: TokenFailure, ctx: TokenFailureContext): Reply;
}

/** How one endpoint family writes each outcome of the checks every API request passes. */
export interface ResourceAnswers {
  /** The probe's own answer; a request to the probe's method and path always reaches it (a GraphQL endpoint answers every operation here, from ctx.body). */
  probe(ctx: ProbeContext): Reply;
  /** `signal` is one of the family's expirySignals. */
  expired(signal: string, ctx: ProbeContext): Reply;
  /** No token at all, a token the stand-in never issued, or one whose grant was revoked. */
  invalidToken(why: 'missing' | 'unknown' | 'revoked', nowMs: number): Reply;
  missingScope(ctx: ProbeContext): Reply;
  /** `signal` is one of the family's rateLimitSignals. */
  rateLimited(signal: string, retryAfterSeconds: number, nowMs: number): Reply;
  forbidden(ctx: ProbeContext): Reply;
}

/** The token endpoint's answers, and the first endpoint family's. */
export interface ProviderAnswers extends TokenAnswers, ResourceAnswers {}

/**
 * An endpoint family beyond the first (types.ts EndpointFamily): its probe, its signals and
 * its answers. The token endpoint, tokens, expiry, scopes and injected faults are shared.
 */
export interface FamilySpec {
  /** Unique within the spec (the first family is spec.familyName). */
  name: string;
  probe: ProbeRequest;
  probeScope: string;
  /** Unique across the spec's families, as every family's signal names are. */
  expirySignals: readonly string[];
  rateLimitSignals: readonly string[];
  scopeErrorIsExpiry?: boolean;
  /** What its forbid answer means; 'role' when omitted. */
  forbidden?: ForbiddenMeaning;
  /** The access token a request of this family carries; the spec's readAccessToken when omitted. */
  readAccessToken?: ProviderSpec['readAccessToken'];
  /**
   * The scope a request to the probe's method and path requires, from its parsed body: a
   * GraphQL endpoint's operations each require their own. probeScope when omitted.
   */
  requiredScope?: (body: unknown) => string;
  answers: ResourceAnswers;
}

/**
 * One more endpoint of the provider's API, beyond the token endpoint and the probe, for an
 * integration's end-to-end tests: its answers written from the provider's documentation like
 * the others (each route's source in the provider's file).
 */
export interface Route {
  method: 'GET' | 'POST';
  /** Matched against the whole path (query string aside); its groups reach `answer`. */
  path: RegExp;
  /**
   * The scope it requires: the request then passes the probe's checks first (injected rate
   * limit, token, expiry, scope, forbid). null: it takes no bearer token, and answers alone.
   */
  scope: string | null;
  /** The family whose answers write those checks' outcomes; the first family when omitted. */
  family?: string;
  answer(request: RouteRequest): Reply;
}

export interface RouteRequest {
  match: RegExpExecArray;
  query: URLSearchParams;
  /** The request's headers, for a route that takes the bearer token itself (scope null). */
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  body: unknown;
  /** The body's parameters: a form-encoded body's, or a flat JSON object's. */
  form: URLSearchParams;
  nowMs: number;
  /** Who called, for routes with a scope. */
  caller?: ProbeContext;
  /** What the stand-in knows of an access token it issued (a token named in the path, say). */
  accessToken(token: string): IssuedAccess | undefined;
}

/** An access token the stand-in issued, as a token-information endpoint would describe it. */
export interface IssuedAccess {
  grantId: string;
  scopes: readonly string[];
  issuedAtMs: number;
  expiresAtMs: number;
  /** Ended early (expireAccessTokens, or its grant revoked): it no longer works. */
  ended: boolean;
}

/**
 * A provider's stand-in. Its single-family fields (probePath, probeScope, expirySignals,
 * rateLimitSignals, scopeErrorIsExpiry, the resource answers) are its first endpoint family,
 * probed with a GET; `families` adds more.
 */
export interface ProviderSpec {
  provider: string;
  tokenPath: string;
  /** More token endpoints beside tokenPath, answered by the same answers (which see the path). */
  moreTokenPaths?: readonly TokenPath[];
  /** The first family's name; 'api' when omitted. */
  familyName?: string;
  /** What the first family's forbid answer means; 'role' when omitted. */
  forbidden?: ForbiddenMeaning;
  /** Endpoint families beyond the first (GraphQL beside REST, another prefix). */
  families?: readonly FamilySpec[];
  /** Path only; the query string of a probe request is ignored when matching. */
  probePath: string;
  probeScope: string;
  allScopes: readonly string[];
  client: { id: string; secret: string };
  /** How the provider accepts client credentials at its token endpoint. */
  clientAuth: readonly ('basic' | 'body' | 'query')[];
  /** The provider's documented access-token lifetime, used unless the test asks for another. */
  accessTokenLifetimeSeconds: number;
  rotation: Rotation;
  /** The provider answers a missing scope exactly as an expired token (StandIn.scopeErrorIsExpiry). */
  scopeErrorIsExpiry?: boolean;
  /** How the token endpoint joins scopes in its `scope` field (connect() answers the same way). */
  scopeSeparator: ' ' | ',';
  /** Rotation 'grace': how long a rotated-away refresh token keeps working. */
  graceSeconds?: number;
  /**
   * Rotation 'grace': a rotated-away refresh token also stops working once a refresh token
   * issued from it is presented (Shopify keeps the previous one "until an app begins using its
   * replacement", within graceSeconds).
   */
  graceEndsWhenReplacementUsed?: boolean;
  /**
   * The provider's authorize page, for StandIn.consent(authorizeUrl): the path the URL must have,
   * how its `scope` parameter joins scopes, and the scopes granted when the URL carries none
   * (the client's registered defaults; without them a URL without scope is refused).
   */
  authorize?: { path: string; scopeSeparator: ' ' | ','; defaultScopes?: readonly string[] };
  /** A refresh also ends the access token issued before it (GitHub). */
  refreshEndsPreviousAccessToken?: boolean;
  /** redirect_uri may be left out at the code exchange ("if one was sent"). */
  redirectUriOptional?: boolean;
  expirySignals: readonly string[];
  rateLimitSignals: readonly string[];
  newAccessToken(info: { scopes: readonly string[]; issuedAtMs: number; expiresAtMs: number }): string;
  newRefreshToken(): string;
  newAuthorizationCode(): string;
  /** The access token a probe request carries, read the way the provider reads it. */
  readAccessToken(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined;
  answers: ProviderAnswers;
  /** Endpoints beyond the probe (none for the conformance suite). */
  routes?: readonly Route[];
  /**
   * Whether the provider no longer serves `path` at `nowMs` (a version past its sunset): such a
   * request is answered as a path the stand-in does not know (404), whatever endpoint it was.
   */
  retired?(path: string, nowMs: number): boolean;
}

export interface StartOptions {
  accessTokenLifetimeSeconds?: number;
  /** Milliseconds since the epoch; tests pass one to move time without sleeping. */
  clock?: () => number;
}
