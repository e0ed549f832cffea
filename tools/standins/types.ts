// What every provider stand-in offers the conformance suite (test/conformance/).
//
// A stand-in is a small HTTP server on 127.0.0.1 that answers the way one real provider
// documents it answers: its token endpoint, one resource endpoint, and its own error shapes.
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

export interface StandIn {
  /** The provider's name, as in its profile file: "slack", "hubspot", … */
  readonly provider: string;
  /** http://127.0.0.1:<port>: every endpoint path is relative to it. */
  readonly url: string;
  /** Path of the one resource endpoint the suite calls (GET), e.g. "/api/conversations.list". */
  readonly probePath: string;
  /** Scope the probe endpoint requires. */
  readonly probeScope: string;
  /** Every scope the provider can grant in this stand-in. */
  readonly allScopes: readonly string[];
  /** The client the stand-in accepts. */
  readonly client: { id: string; secret: string };
  /**
   * Names of the ways this provider tells a client its access token expired or is invalid
   * (e.g. ["401 EXPIRED_AUTHENTICATION"], or Slack's ["200 ok:false token_expired",
   * "200 ok:false invalid_auth"]). The suite runs the expiry scenario once per name.
   */
  readonly expirySignals: readonly string[];
  /** Names of the provider's rate-limit answers on the resource API ("429 Retry-After", "403 x-ratelimit-remaining: 0"). */
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
  /** Every live access token answers with expiry signal `signal` (one of expirySignals; the first when omitted) from now on. */
  expireAccessTokens(signal?: string): void;
  /**
   * The next `count` resource requests (the probe, and any route that takes the bearer token) get rate-limit answer `signal` (one of rateLimitSignals), asking to wait `retryAfterSeconds`,
   * unless the provider documents a fixed wait in seconds for that answer (Tallybook's 503: always 20), which the suite then expects.
   */
  rateLimit(count: number, retryAfterSeconds: number, signal?: string): void;
  /** The connected user may no longer do what the probe (or any route that takes the bearer token) does: a role or permission answer, not a scope one. */
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
