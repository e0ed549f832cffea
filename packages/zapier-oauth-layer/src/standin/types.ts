// What every provider stand-in offers the conformance suite (../conformance/suite.ts).
//
// A stand-in is a small HTTP server on 127.0.0.1 that answers the way one real provider
// documents it answers: its token endpoint, its API's endpoint families (one probe each), and
// its own error shapes.
// Each provider's file writes those answers from the provider's documentation, with the
// source of each in a comment, and never imports the layer or a profile: the suite checks
// a profile against answers written independently of it.

export interface StandInConnection {
  access_token: string;
  refresh_token: string;
  /** Seconds, as a number, whatever the provider's token endpoint sends. */
  expires_in: number;
  scope: string;
}

export interface TokenStats {
  /** Every request to the token endpoint. */
  tokenRequests: number;
  /** grant_type=refresh_token requests. */
  refreshRequests: number;
  /** Refresh requests that presented a refresh token already used (rotated away). */
  reusedRefreshTokens: number;
  /** Grants revoked because a used refresh token came back (strict single-use rotation). */
  revokedByReuse: number;
}

/** One request the suite sends to an endpoint family to see how it answers. */
export interface ProbeRequest {
  readonly method: 'GET' | 'POST';
  /** Path only, relative to StandIn.url; a GET's query string is ignored when matching. */
  readonly path: string;
  /**
   * The JSON body a POST sends (content-type application/json): a GraphQL probe is
   * `{ query: '{ viewer { id } }' }`. Undefined for a GET.
   */
  readonly body?: unknown;
}

/**
 * What a family's refusal under forbid(true) tells the user: 'role' (the user's role or
 * permissions, or an organisation's policy, forbid it: an admin can grant it) or 'plan' (the
 * account's plan lacks the feature: an upgrade brings it). Neither is a scope problem, and
 * neither is solved by a refresh.
 */
export type ForbiddenMeaning = 'role' | 'plan';

/**
 * A part of the provider's API that answers in its own way: REST beside GraphQL, /v2/ beside
 * /v3/. Every family shares the token endpoint, the tokens, their expiry and the grant's scopes;
 * each says expired, throttled, missing scope and forbidden in its own shape, which a profile
 * must read family by family. A stand-in has at least one family; the first is the one its
 * single-family fields (probePath, probeScope, expirySignals, rateLimitSignals,
 * scopeErrorIsExpiry) describe.
 */
export interface EndpointFamily {
  /** Unique within the stand-in: "api", "rest", "graphql", "v2"… */
  readonly name: string;
  /** The request the suite sends to this family. */
  readonly probe: ProbeRequest;
  /** Scope the probe requires. */
  readonly probeScope: string;
  /**
   * Names of this family's expiry answers. Names are unique across the stand-in's families, so
   * expireAccessTokens(name) says which family's form is played; every other family answers an
   * ended token with its own first expiry signal.
   */
  readonly expirySignals: readonly string[];
  /** Names of this family's rate-limit answers, unique across families as expirySignals are. */
  readonly rateLimitSignals: readonly string[];
  /** As StandIn.scopeErrorIsExpiry, for this family's missing-scope answer. */
  readonly scopeErrorIsExpiry: boolean;
  /** What this family's answer under forbid(true) means. */
  readonly forbidden: ForbiddenMeaning;
}

export interface StandIn {
  /** The provider's name, as in its profile file: "slack", "hubspot", … */
  readonly provider: string;
  /** http://127.0.0.1:<port>: every endpoint path is relative to it. */
  readonly url: string;
  /**
   * Every endpoint family of the API, the first one described again by the single-family fields
   * below (a stand-in of one family has just that one). A suite that knows families asks each.
   */
  readonly families: readonly EndpointFamily[];
  /** Path of the first family's probe (GET), e.g. "/api/conversations.list". */
  readonly probePath: string;
  /** Scope the first family's probe requires. */
  readonly probeScope: string;
  /** Every scope the provider can grant in this stand-in. */
  readonly allScopes: readonly string[];
  /**
   * How long an access token it issues lives, in seconds, whatever unit its token endpoint
   * writes the lifetime in (Tallybook's milliseconds): what a profile must read out of the answer.
   */
  readonly accessTokenLifetimeSeconds: number;
  /** The client the stand-in accepts. */
  readonly client: { id: string; secret: string };
  /**
   * Names of the ways this provider tells a client its access token expired or is invalid
   * (e.g. ["401 EXPIRED_AUTHENTICATION"], or Slack's ["200 ok:false token_expired",
   * "200 ok:false invalid_auth"]), on the first family's probe. The suite runs the expiry
   * scenario once per name.
   */
  readonly expirySignals: readonly string[];
  /** Names of the first family's rate-limit answers ("429 Retry-After", "403 x-ratelimit-remaining: 0"). */
  readonly rateLimitSignals: readonly string[];
  /**
   * How the provider rotates refresh tokens: none, always (old one stays valid), grace (old valid for a
   * while), strict (reuse revokes the grant), single-use (a new one each time; the used one stops working,
   * and presenting it again is refused without touching the grant, as GitHub documents for GitHub App
   * user tokens).
   */
  readonly rotation: 'none' | 'always' | 'grace' | 'strict' | 'single-use';
  /**
   * True where the provider answers a token that lacks the probe's scope exactly as it answers
   * an expired one (Salesforce's INVALID_SESSION_ID, Azure's invalid audience): no client can
   * tell them apart, so the suite does not ask a profile to.
   */
  readonly scopeErrorIsExpiry?: boolean;

  /** A new grant with these scopes (all when omitted), as if the user had consented; its first token pair. */
  connect(scopes?: readonly string[]): StandInConnection;
  /** An authorization code for a new grant, to exchange at the token endpoint (redirect_uri as given). */
  authorizationCode(redirectUri: string, scopes?: readonly string[]): string;
  /**
   * Consents to an authorize URL the app built, as a user would on the provider's page, and
   * answers the code it redirects with. Stand-ins whose provider requires PKCE offer it, so the
   * code is bound to the app's own challenge; the others are given a code by authorizationCode.
   */
  consent?(authorizeUrl: string): Promise<string>;
  /**
   * Every live access token is ended from now on: the family `signal` belongs to (any family's
   * expiry signal; the first family's first when omitted) answers it with that signal, every
   * other family with its own first.
   */
  expireAccessTokens(signal?: string): void;
  /**
   * The next `count` resource requests (any family's probe, and any route that takes the bearer token) get rate-limit answer `signal`
   * (any family's; the first family's first when omitted) where they reach its family, and their own family's first elsewhere, asking to wait `retryAfterSeconds`,
   * unless the provider documents a fixed wait in seconds for that answer (Tallybook's 503: always 20), which the suite then expects.
   */
  rateLimit(count: number, retryAfterSeconds: number, signal?: string): void;
  /**
   * The connected user may no longer do what any probe (or any route that takes the bearer
   * token) does: each family answers with its own refusal, meaning what its `forbidden` says
   * (a role or a plan), never a scope one.
   */
  forbid(on: boolean): void;
  /** Revokes every grant: refresh tokens get the provider's dead-grant answer. */
  revokeAll(): void;
  /** The next `count` token endpoint requests fail as `kind`. */
  failTokenEndpoint(count: number, kind: 'outage' | 'rate_limited' | 'bad_client'): void;
  /** Token endpoint requests wait for `release()` before they are answered (a burst of concurrent refreshes). */
  holdTokenRequests(): { waiting(): number; release(): void };
  tokenStats(): TokenStats;
  close(): Promise<void>;
}

export type StartStandIn = (options?: { accessTokenLifetimeSeconds?: number }) => Promise<StandIn>;

/**
 * What the conformance suite accepts: a stand-in whose `connect` may take time (the Practice
 * sandbox connects through its consent page). The suite awaits every answer.
 */
export type SuiteStandIn = Omit<StandIn, 'connect'> & {
  connect(scopes?: readonly string[]): StandInConnection | Promise<StandInConnection>;
};
