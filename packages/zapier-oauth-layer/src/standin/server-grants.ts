// What a stand-in has issued: grants, authorization codes, access and refresh tokens, and how a
// refresh rotates them. It decides nothing about HTTP and writes nothing on the wire; the token
// endpoint (server-token.ts) and the resource checks (server-resource.ts) ask it.
import type { Issued, IssuedAccess, ProviderSpec, TokenRequest } from './server-spec';
import { StandInUsageError } from './server-util';

export interface Grant {
  id: string;
  scopes: readonly string[];
  revoked: boolean;
}

export interface AccessRecord {
  grantId: string;
  issuedAtMs: number;
  expiresAtMs: number;
  /** Set by expireAccessTokens(signal) or a refresh that ends the previous token. */
  endedWith?: string;
}

export interface RefreshRecord {
  grantId: string;
  /** When it was rotated away (undefined while it is the grant's current refresh token). */
  usedAtMs?: number;
  /** The refresh token whose refresh issued it. */
  parent?: string;
  /** A refresh token issued from it was presented (spec.graceEndsWhenReplacementUsed). */
  retired?: boolean;
}

interface CodeRecord {
  redirectUri: string;
  scopes: readonly string[];
}

export class Grants {
  private readonly grants = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, AccessRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly currentRefresh = new Map<string, string>();
  private readonly lastAccess = new Map<string, string>();
  private readonly codes = new Map<string, CodeRecord>();
  private grantSeq = 0;
  /** http://127.0.0.1:<port>, once the server listens. */
  baseUrl = '';

  constructor(
    private readonly spec: ProviderSpec,
    readonly lifetimeSeconds: number,
    private readonly now: () => number,
  ) {}

  /** The scopes asked for (all when omitted), each one the provider can grant. */
  checkScopes(scopes: readonly string[] | undefined): readonly string[] {
    const chosen = scopes ?? this.spec.allScopes;
    for (const s of chosen) {
      if (!this.spec.allScopes.includes(s))
        throw new StandInUsageError(`${this.spec.provider} grants no scope named "${s}"`);
    }
    return [...chosen];
  }

  /** A new single-use authorization code for a grant of `scopes`, bound to `redirectUri`. */
  newCode(redirectUri: string, scopes: readonly string[]): string {
    const code = this.spec.newAuthorizationCode();
    this.codes.set(code, { redirectUri, scopes });
    return code;
  }

  /** The code's record, spent whatever happens next (even when the redirect_uri turns out wrong). */
  spendCode(code: string): CodeRecord | undefined {
    const record = this.codes.get(code);
    this.codes.delete(code);
    return record;
  }

  /** A new grant of `scopes` and its first token pair. */
  newGrant(scopes: readonly string[], request: TokenRequest): Issued {
    const grant: Grant = { id: `g${++this.grantSeq}`, scopes, revoked: false };
    this.grants.set(grant.id, grant);
    const refreshToken = this.spec.newRefreshToken();
    this.refreshTokens.set(refreshToken, { grantId: grant.id });
    this.currentRefresh.set(grant.id, refreshToken);
    return this.issue(grant, refreshToken, true, request);
  }

  /** The refresh token's record and its grant (either undefined when unknown). */
  refreshRecord(token: string): { record?: RefreshRecord; grant?: Grant } {
    const record = this.refreshTokens.get(token);
    return { record, grant: record ? this.grants.get(record.grantId) : undefined };
  }

  /** A new access token for the grant; a new refresh token too unless rotation is 'none'. */
  rotate(grant: Grant, presented: string, request: TokenRequest): Issued {
    if (this.spec.refreshEndsPreviousAccessToken) {
      const previous = this.lastAccess.get(grant.id);
      const record = previous === undefined ? undefined : this.accessTokens.get(previous);
      if (record && record.endedWith === undefined) record.endedWith = this.spec.expirySignals[0];
    }
    if (this.spec.rotation === 'none') return this.issue(grant, presented, false, request);
    const current = this.currentRefresh.get(grant.id);
    if (current !== undefined) {
      const record = this.refreshTokens.get(current);
      if (record && record.usedAtMs === undefined) record.usedAtMs = this.now();
    }
    const next = this.spec.newRefreshToken();
    this.refreshTokens.set(next, { grantId: grant.id, parent: presented });
    this.currentRefresh.set(grant.id, next);
    return this.issue(grant, next, true, request);
  }

  /** A refresh token was presented: the one whose refresh issued it is retired. */
  presented(record: RefreshRecord): void {
    const parent = record.parent === undefined ? undefined : this.refreshTokens.get(record.parent);
    if (parent) parent.retired = true;
  }

  /** The access token's record and its grant (either undefined when the stand-in never issued it). */
  access(token: string): { record?: AccessRecord; grant?: Grant } {
    const record = this.accessTokens.get(token);
    return { record, grant: record ? this.grants.get(record.grantId) : undefined };
  }

  /** What a token-information endpoint would say of an access token. */
  accessInfo(token: string): IssuedAccess | undefined {
    const { record, grant } = this.access(token);
    if (!record || !grant) return undefined;
    return {
      grantId: grant.id,
      scopes: grant.scopes,
      issuedAtMs: record.issuedAtMs,
      expiresAtMs: record.expiresAtMs,
      ended: grant.revoked || record.endedWith !== undefined,
    };
  }

  /** Every live access token answers with expiry signal `signal` from now on. */
  endAccessTokens(signal: string): void {
    for (const record of this.accessTokens.values()) {
      if (record.endedWith === undefined) record.endedWith = signal;
    }
  }

  revokeAll(): void {
    for (const grant of this.grants.values()) grant.revoked = true;
  }

  private issue(
    grant: Grant,
    refreshToken: string,
    refreshTokenIsNew: boolean,
    request: TokenRequest,
  ): Issued {
    const issuedAtMs = this.now();
    const expiresAtMs = issuedAtMs + this.lifetimeSeconds * 1000;
    const accessToken = this.spec.newAccessToken({ scopes: grant.scopes, issuedAtMs, expiresAtMs });
    this.accessTokens.set(accessToken, { grantId: grant.id, issuedAtMs, expiresAtMs });
    this.lastAccess.set(grant.id, accessToken);
    return {
      baseUrl: this.baseUrl,
      grantId: grant.id,
      accessToken,
      refreshToken,
      refreshTokenIsNew,
      expiresIn: this.lifetimeSeconds,
      scopes: grant.scopes,
      issuedAtMs,
      request,
    };
  }
}
