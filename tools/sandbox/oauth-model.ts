// The storage model @node-oauth/oauth2-server calls into. The library runs the protocol
// (client checks, code exchange, PKCE, redirect_uri matching, scope narrowing); this model
// adds what the contract asks beyond RFC 6749:
//   - refresh tokens only with `offline_access`,
//   - rotation with a 60 s grace period that replays the same pair (none with K8),
//   - reuse after the grace period revokes the whole grant,
//   - a replayed authorization code revokes the tokens it produced (RFC 6749 §4.1.2),
//   - every expiry judged by the sandbox clock, which tests can move.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import OAuth2Server from '@node-oauth/oauth2-server';
import { isRegisteredRedirect, secretMatches, type RegisteredClient } from './clients';
import { isScope, type RefreshTokenRecord, type Scope, type Store } from './store';

export const AUTHORIZATION_CODE_LIFETIME_S = 60;
export const REFRESH_TOKEN_LIFETIME_S = 90 * 24 * 60 * 60;
export const ROTATION_GRACE_MS = 60_000;
export const SUPPORTED_GRANTS = ['authorization_code', 'refresh_token'];

// What a refresh did to the refresh token it was given (request log, token stats):
//   rotated              a live token was exchanged for a new pair and is now rotated
//   grace_replay         a rotated token came back inside the grace period: the same pair again
//   reuse_revoked        a rotated token came back after the grace period (at once with K8):
//                        the grant is revoked
//   expired              the token outlived its 90 days
//   grant_revoked        the token's grant was already revoked
//   unknown_token        no such refresh token
//   concurrent_rotation  another request rotated the token between lookup and rotation
export type RotationOutcome =
  | 'rotated'
  | 'grace_replay'
  | 'reuse_revoked'
  | 'expired'
  | 'grant_revoked'
  | 'unknown_token'
  | 'concurrent_rotation';

export interface RotationTrace {
  rotation?: RotationOutcome;
}

// The library calls the model without the HTTP request; the token endpoint runs each call
// inside its own trace so the model can say what the refresh did.
const rotationTraces = new AsyncLocalStorage<RotationTrace>();

export function traceRotation<T>(trace: RotationTrace, run: () => Promise<T>): Promise<T> {
  return rotationTraces.run(trace, run);
}

function noteRotation(outcome: RotationOutcome): void {
  const trace = rotationTraces.getStore();
  if (trace) trace.rotation = outcome;
}

// What the library passes around as its opaque "user".
export type Subject = {
  memberId: string;
  grantId?: string;
  // Refresh: the token being exchanged, so the new pair can be linked to it.
  rotatedFrom?: string;
  // Refresh inside the grace period: the pair to hand out again instead of a new one.
  replay?: NonNullable<RefreshTokenRecord['successor']>;
};

function isPair(value: unknown): value is NonNullable<Subject['replay']> {
  return (
    typeof value === 'object' &&
    value !== null &&
    'accessToken' in value &&
    typeof value.accessToken === 'string'
  );
}

function toSubject(user: OAuth2Server.User): Subject {
  const { memberId, grantId, rotatedFrom, replay } = user;
  if (typeof memberId !== 'string') throw new Error('oauth model: user without memberId');
  return {
    memberId,
    grantId: typeof grantId === 'string' ? grantId : undefined,
    rotatedFrom: typeof rotatedFrom === 'string' ? rotatedFrom : undefined,
    replay: isPair(replay) ? replay : undefined,
  };
}

function toScopes(scope: string[] | undefined): Scope[] {
  return (scope ?? []).filter(isScope);
}

function randomToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

export interface ModelDeps {
  store: Store;
  clients: RegisteredClient[];
  accessTokenTtlSeconds: () => number;
  /** K8 on: a rotated refresh token has no grace period at all. */
  strictRotation?: () => boolean;
}

export type SandboxModel = OAuth2Server.AuthorizationCodeModel & OAuth2Server.RefreshTokenModel;

export function createModel({
  store,
  clients,
  accessTokenTtlSeconds,
  strictRotation = () => false,
}: ModelDeps): SandboxModel {
  const now = store.now;
  // The library compares expiry dates with the wall clock; translate sandbox-clock times
  // so a test that moves the sandbox clock sees the library agree.
  const libraryDate = (sandboxMs: number): Date => new Date(Date.now() + (sandboxMs - now()));

  const registered = (clientId: string) => clients.find((c) => c.clientId === clientId);

  const libraryClient = (client: RegisteredClient): OAuth2Server.Client => ({
    id: client.clientId,
    redirectUris: client.redirectUris,
    grants: SUPPORTED_GRANTS,
    accessTokenLifetime: accessTokenTtlSeconds(),
    refreshTokenLifetime: REFRESH_TOKEN_LIFETIME_S,
  });

  const clientOfGrant = (grantId: string): OAuth2Server.Client => {
    const client = registered(store.grants.get(grantId)?.clientId ?? '');
    if (!client) throw new Error('oauth model: grant of an unknown client');
    return libraryClient(client);
  };

  const issuedPair = (
    accessToken: string,
    refreshToken: string | undefined,
    user: Subject,
  ): OAuth2Server.Token => {
    const access = store.accessTokens.get(accessToken);
    if (!access) throw new Error('oauth model: issued access token is missing');
    const refresh = refreshToken ? store.refreshTokens.get(refreshToken) : undefined;
    return {
      accessToken: access.token,
      accessTokenExpiresAt: libraryDate(access.expiresAt),
      refreshToken: refresh?.token,
      refreshTokenExpiresAt: refresh ? libraryDate(refresh.expiresAt) : undefined,
      scope: access.scope,
      client: clientOfGrant(access.grantId),
      user,
    };
  };

  return {
    async getClient(clientId, clientSecret) {
      const client = registered(clientId);
      if (!client) return false;
      // The authorize endpoint asks without a secret; the token endpoint always has one
      // because the router refuses unauthenticated clients before the library runs.
      if (clientSecret !== null && clientSecret !== undefined && !secretMatches(client, clientSecret)) {
        return false;
      }
      return libraryClient(client);
    },

    async validateRedirectUri(redirectUri, client) {
      const known = registered(client.id);
      return known !== undefined && isRegisteredRedirect(known, redirectUri);
    },

    async validateScope(_user, _client, scope) {
      if (scope === undefined) return [];
      return scope.every(isScope) ? scope : false;
    },

    async generateAuthorizationCode() {
      return randomBytes(32).toString('base64url');
    },

    async generateAccessToken() {
      return randomToken('pat_');
    },

    async generateRefreshToken() {
      return randomToken('prt_');
    },

    async saveAuthorizationCode(code, client, user) {
      const subject = toSubject(user);
      const expiresAt = now() + AUTHORIZATION_CODE_LIFETIME_S * 1000;
      store.codes.set(code.authorizationCode, {
        code: code.authorizationCode,
        clientId: client.id,
        memberId: subject.memberId,
        redirectUri: code.redirectUri,
        scope: toScopes(code.scope),
        codeChallenge: code.codeChallenge,
        codeChallengeMethod: code.codeChallengeMethod,
        expiresAt,
      });
      return { ...code, expiresAt: libraryDate(expiresAt), client, user };
    },

    async getAuthorizationCode(authorizationCode) {
      const record = store.codes.get(authorizationCode);
      if (!record) return false;
      if (record.usedAt !== undefined) {
        if (record.grantId) store.revokeGrant(record.grantId, 'authorization code replayed');
        throw new OAuth2Server.InvalidGrantError(
          'Invalid grant: authorization code was already used; the tokens it produced are revoked',
        );
      }
      if (now() >= record.expiresAt) {
        throw new OAuth2Server.InvalidGrantError('Invalid grant: authorization code has expired');
      }
      const client = registered(record.clientId);
      if (!client || !store.members.has(record.memberId)) return false;
      return {
        authorizationCode: record.code,
        expiresAt: libraryDate(record.expiresAt),
        redirectUri: record.redirectUri,
        scope: record.scope,
        codeChallenge: record.codeChallenge,
        codeChallengeMethod: record.codeChallengeMethod,
        client: libraryClient(client),
        user: { memberId: record.memberId } satisfies Subject,
      };
    },

    async revokeAuthorizationCode(code) {
      const record = store.codes.get(code.authorizationCode);
      // Single use: a second exchange racing this one finds the code spent.
      if (!record || record.usedAt !== undefined) return false;
      record.usedAt = now();
      return true;
    },

    async getRefreshToken(refreshToken) {
      const record = store.refreshTokens.get(refreshToken);
      if (!record) {
        noteRotation('unknown_token');
        return false;
      }
      if (record.revokedAt !== undefined || !store.isGrantLive(record.grantId)) {
        noteRotation('grant_revoked');
        throw new OAuth2Server.InvalidGrantError('Invalid grant: the authorization was revoked');
      }
      const grant = store.grants.get(record.grantId);
      if (!grant) return false;
      const client = clientOfGrant(grant.id);
      const subject: Subject = { memberId: grant.memberId, grantId: grant.id, rotatedFrom: record.token };

      if (record.rotatedAt !== undefined) {
        const inGrace = !strictRotation() && now() - record.rotatedAt <= ROTATION_GRACE_MS;
        if (inGrace && record.successor) {
          // A client that lost the answer to its refresh may retry and get the same pair.
          const replay: Subject = { memberId: grant.memberId, grantId: grant.id, replay: record.successor };
          return { refreshToken: record.token, scope: record.scope, client, user: replay };
        }
        // An old refresh token coming back after the grace period (at once, with K8) means it leaked.
        noteRotation('reuse_revoked');
        store.revokeGrant(grant.id, 'refresh token reused after rotation');
        throw new OAuth2Server.InvalidGrantError(
          'Invalid grant: refresh token was already used; the authorization has been revoked',
        );
      }
      if (now() >= record.expiresAt) {
        noteRotation('expired');
        throw new OAuth2Server.InvalidGrantError('Invalid grant: refresh token expired');
      }
      // No refreshTokenExpiresAt: expiry was judged above, by the sandbox clock.
      return { refreshToken: record.token, scope: record.scope, client, user: subject };
    },

    async revokeToken(token) {
      const subject = toSubject(token.user);
      if (subject.replay) return true;
      const record = store.refreshTokens.get(token.refreshToken);
      if (!record || record.rotatedAt !== undefined) {
        noteRotation('concurrent_rotation');
        return false;
      }
      record.rotatedAt = now();
      return true;
    },

    async saveToken(token, client, user) {
      const subject = toSubject(user);
      if (subject.replay) {
        noteRotation('grace_replay');
        return issuedPair(subject.replay.accessToken, subject.replay.refreshToken, subject);
      }

      const scope = toScopes(token.scope);
      let grantId = subject.grantId;
      if (grantId === undefined) {
        // First exchange of an authorization code: this is where the grant is born.
        grantId = store.nextId('grt');
        store.grants.set(grantId, {
          id: grantId,
          clientId: client.id,
          memberId: subject.memberId,
          scope,
          createdAt: now(),
        });
        const codeValue: unknown = token.authorizationCode;
        const code = typeof codeValue === 'string' ? store.codes.get(codeValue) : undefined;
        if (code) code.grantId = grantId;
      }

      const issuedAt = now();
      store.accessTokens.set(token.accessToken, {
        token: token.accessToken,
        grantId,
        scope,
        issuedAt,
        expiresAt: issuedAt + accessTokenTtlSeconds() * 1000,
      });
      // The library always generates a refresh token; the contract issues one only for
      // offline_access, so without it the generated value is dropped here.
      const refreshToken = scope.includes('offline_access') ? token.refreshToken : undefined;
      if (refreshToken) {
        store.refreshTokens.set(refreshToken, {
          token: refreshToken,
          grantId,
          scope,
          issuedAt,
          expiresAt: issuedAt + REFRESH_TOKEN_LIFETIME_S * 1000,
        });
      }
      if (subject.rotatedFrom) {
        const previous = store.refreshTokens.get(subject.rotatedFrom);
        if (previous) previous.successor = { accessToken: token.accessToken, refreshToken };
        noteRotation('rotated');
      }
      return issuedPair(token.accessToken, refreshToken, { ...subject, grantId });
    },

    async getAccessToken(accessToken) {
      const record = store.accessTokens.get(accessToken);
      if (!record || record.revokedAt !== undefined || !store.isGrantLive(record.grantId)) {
        return false;
      }
      const grant = store.grants.get(record.grantId);
      if (!grant) return false;
      return {
        accessToken: record.token,
        // Far future on purpose: an expired token must be told apart from an unknown one
        // (K1 answers it differently), so the gateway judges expiry after this lookup.
        accessTokenExpiresAt: new Date(8.64e15),
        scope: record.scope,
        client: clientOfGrant(record.grantId),
        user: { memberId: grant.memberId, grantId: grant.id } satisfies Subject,
      };
    },
  };
}
