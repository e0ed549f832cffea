// The OAuth 2.0 half of the layer: authorizeUrl, getAccessToken and refreshAccessToken for
// one profile, with the token endpoint's answers read by tokens.ts, refreshes coordinated
// across runs (refresh-coordination.ts) and failures mapped so that only a dead grant
// ever marks a connection stale.

import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Authentication, Bundle, ZObject } from 'zapier-platform-core';
import { ConfigError, connectionValue, endpointsOf } from './endpoints';
import { knownExpiry, readSeconds } from './expiry';
import { logLine } from './log';
import { failureBelowHttp } from './network';
import { codeChallengeS256, isLoopbackRedirect, LocalVerifiers } from './pkce';
import type { CheckedProfile } from './profile';
import { RefreshCoordinator } from './refresh-coordination';
import { redact } from './redact';
import { basicAuth, secretsOf } from './secrets';
import { requestTimeoutMs } from './settings';
import { parseRetryAfter } from './signals';
import { normaliseTokenResponse, type Grant, type TokenAuthData, type TokenProblem } from './tokens';
import { isRecord, parseJson, nonEmptyText as text } from './values';

// Configuration mistakes are the integration owner's; say so instead of failing with a TypeError.
// The base URL goes through here too, so a bad one is the same clear error as a missing client id.
export function configured<T>(z: ZObject, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) throw new z.errors.Error(error.message, error.code, 500);
    throw error;
  }
}

/** Names a client configuration without revealing it: a failure recorded under one is not another's. */
function clientFingerprint(clientId: string, clientSecret: string): string {
  return createHash('sha256').update(`${clientId}\0${clientSecret}`).digest('base64url').slice(0, 22);
}

/** When the held pair was issued (expires_at - expires_in, Unix seconds), or null when authData does not tell. */
function issuedAt(bundle: Bundle): number | null {
  const expiresAt = knownExpiry(bundle);
  const lifetime = readSeconds(bundle.authData?.expires_in);
  return expiresAt !== null && lifetime !== null ? expiresAt - lifetime : null;
}

function isRefreshAuthError(error: unknown): boolean {
  return error instanceof Error && error.name === 'RefreshAuthError';
}

// With its charset: core form-encodes any body whose type is exactly
// "application/x-www-form-urlencoded", a stream included (src/http-middlewares/before/prepare-request.js).
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';

/**
 * The form as a one-shot stream with a known length. Core's HTTP log records a request
 * body verbatim, but a stream only as "<streaming data>"
 * (src/http-middlewares/after/log-response.js): the code, the PKCE verifier and the
 * refresh token stay out of the logs, whatever core's scrubber knows about them.
 */
function unloggedForm(fields: Record<string, string>): { body: Readable; length: string } {
  const encoded = Buffer.from(new URLSearchParams(fields).toString(), 'utf8');
  return { body: Readable.from([encoded]), length: String(encoded.length) };
}

// Zapier marks a connection stale, and emails its user to reconnect, when refreshAccessToken
// fails with a 4xx other than 408, 409, 423, 425 or 429
// (docs.zapier.com/platform/news/4xx-errors-refreshAccessToken, 2025-09-08). Only a grant
// that is really dead is the user's to fix; anything else must not strand every connection.
const USER_MUST_RECONNECT: ReadonlySet<TokenProblem> = new Set([
  'invalid_grant',
  'invalid_scope',
  'missing_refresh_token',
]);

// The integration owner's configuration or code: our own fault, as far as Zapier is concerned.
const OWNERS_FAULT: ReadonlySet<TokenProblem> = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_request',
  'unsupported_grant_type',
]);

/** The status a failed refresh is reported with when the user is not the one to act: never a 4xx. */
function notStaleStatus(problem: TokenProblem, status: number): number {
  if (status >= 500 && status < 600) return status;
  return OWNERS_FAULT.has(problem) ? 500 : 502;
}

export interface OAuthFunctions {
  authorizeUrl: (z: ZObject, bundle: Bundle) => Promise<string>;
  getAccessToken: (z: ZObject, bundle: Bundle) => Promise<TokenAuthData>;
  refreshAccessToken: (z: ZObject, bundle: Bundle) => Promise<TokenAuthData>;
}

/**
 * The connection's own values (profile.connection.fields), as they are kept in authData: from
 * the connection form while connecting (inputData), from authData afterwards.
 */
function connectionValues(profile: CheckedProfile, from: Readonly<Record<string, unknown>> | undefined) {
  const values: Record<string, string> = {};
  for (const { key, default: fallback } of profile.connection?.fields ?? []) {
    const value = connectionValue(from?.[key]) || fallback;
    if (value) values[key] = value;
  }
  return values;
}

/** Where a grant's token request goes: a refresh to `endpoints.refresh` when the profile names one. */
export function refreshOrToken(profile: CheckedProfile, grant: string): string {
  return grant === 'refresh_token' && profile.endpoints.refresh
    ? profile.endpoints.refresh
    : profile.endpoints.token;
}

/** authorizeUrl, getAccessToken and refreshAccessToken for one profile's API. */
export function oauthFor(profile: CheckedProfile): OAuthFunctions {
  const endpoints = endpointsOf(profile);
  const name = profile.name;
  const credentials = (z: ZObject) => configured(z, () => endpoints.clientCredentials());

  // One token request. Core turns a 401 into a blank RefreshAuthError before any
  // middleware sees it; at the token endpoint a 401 only ever means invalid_client.
  async function requestTokens(
    z: ZObject,
    bundle: Bundle,
    grant: Grant,
    form: Record<string, string>,
    timeoutMs: number = requestTimeoutMs(),
  ): Promise<TokenAuthData> {
    const { clientId, clientSecret } = credentials(z);
    // Where this connection's token endpoint is: its own fields, typed into the form while connecting.
    const connection = connectionValues(
      profile,
      grant === 'refresh_token' ? bundle.authData : bundle.inputData,
    );
    const tokenUrl = configured(z, () => endpoints.endpoint(refreshOrToken(profile, grant), connection));
    const inBody = profile.client.authMethod === 'body';
    const { body, length } = unloggedForm({
      grant_type: grant,
      ...form,
      ...(inBody ? { client_id: clientId, client_secret: clientSecret } : {}),
    });
    let answer: { status: number; body: unknown; contentType: string | null; retryAfter: number | null };
    try {
      // raw: core neither reads nor logs the answer ("<probably streaming data>"); its log
      // scrubber reads only JSON, so a form-encoded answer would put fresh tokens in the log.
      // Redirects are refused by the layer's middleware before this code sees the answer.
      const response = await z.request({
        url: tokenUrl,
        method: 'POST',
        timeout: timeoutMs,
        headers: {
          'Content-Type': FORM_CONTENT_TYPE,
          'Content-Length': length,
          Accept: 'application/json',
          ...(inBody ? {} : { Authorization: basicAuth(clientId, clientSecret) }),
        },
        body,
        skipThrowForStatus: true,
        raw: true,
      });
      answer = {
        status: response.status,
        // JSON, as RFC 6749 §5.1 requires; anything else reads as no body.
        body: parseJson(await response.text()),
        contentType: response.getHeader('content-type') ?? null,
        retryAfter: parseRetryAfter(response.getHeader('retry-after')),
      };
    } catch (error) {
      if (!isRefreshAuthError(error)) {
        // Not a 4xx: a refresh that failed on the network must not mark the connection stale.
        throw (
          failureBelowHttp(profile, z, error, {
            method: 'POST',
            what: `POST ${new URL(tokenUrl).pathname}, ${grant}`,
            host: new URL(tokenUrl).hostname,
            timeoutMs,
            advice:
              grant === 'refresh_token'
                ? 'Zapier will try again on the next run; the connection is fine.'
                : 'Try connecting again in a few minutes.',
          }) ?? error
        );
      }
      answer = { status: 401, body: undefined, contentType: null, retryAfter: null };
    }

    // Only a refresh continues the old grant; a new code starts a new one, whatever authData still holds.
    const previous = grant === 'refresh_token' ? bundle.authData : undefined;
    const outcome = normaliseTokenResponse(profile, answer, {
      grant,
      // The token this request presented, which may be newer than the run's (refresh-coordination.ts).
      previousRefreshToken: text(form.refresh_token),
      previousScope: text(previous?.scope),
      previousKept: isRecord(previous) ? previous : undefined,
      nowSeconds: Math.floor(Date.now() / 1000),
      secrets: [...secretsOf(profile, bundle), form.code, form.refresh_token, form.code_verifier],
    });
    if (outcome.ok) {
      Object.assign(outcome.authData, connection);
      // An API origin the profile does not allow (endpoints.apiFrom.hosts): no connection is made
      // with it; a renewal keeps its tokens (a rotated refresh token must not be lost) and the
      // middleware sends nothing until a renewal names an allowed origin or the profile allows it.
      const refused = endpoints.refusedApiOrigin(outcome.authData);
      if (refused) {
        const fresh = [outcome.authData.access_token, outcome.authData.refresh_token];
        if (grant === 'authorization_code')
          throw new z.errors.Error(
            redact(refused, [...secretsOf(profile, bundle), ...fresh], profile.tokenPrefixes),
            'untrusted_api_host',
            500,
          );
        logLine(profile, z, bundle, refused, fresh);
      }
      return outcome.authData;
    }
    if (outcome.problem === 'rate_limited') {
      // 429 is one of Zapier's exemptions: the connection stays, the step is retried later.
      throw new z.errors.ThrottledError(outcome.message, answer.retryAfter ?? undefined);
    }
    if (grant === 'authorization_code')
      throw new z.errors.Error(outcome.message, outcome.problem, outcome.status);
    // A refresh token the API refuses will never work again: tell Zapier the connection is dead.
    if (USER_MUST_RECONNECT.has(outcome.problem)) throw new z.errors.ExpiredAuthError(outcome.message);
    throw new z.errors.Error(
      outcome.message,
      outcome.problem,
      notStaleStatus(outcome.problem, outcome.status),
    );
  }

  const usesPkce = profile.authorization.pkce !== 'none';

  const authorizeUrl = async (z: ZObject, bundle: Bundle): Promise<string> => {
    const { clientId, clientSecret } = credentials(z);
    const url = new URL(
      configured(z, () =>
        endpoints.endpoint(profile.endpoints.authorize, connectionValues(profile, bundle.inputData)),
      ),
    );
    const redirectUri = text(bundle.inputData.redirect_uri) ?? '';
    for (const [key, value] of Object.entries(profile.authorization.extraParams ?? {}))
      url.searchParams.set(key, value);
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('state', text(bundle.inputData.state) ?? '');
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('response_type', 'code');
    // Without scope the client's registered scopes apply (RFC 6749 §3.3), when the profile relies on them.
    // An empty list says nothing either: "scope=" is a request for no scope at all, which some
    // servers refuse (invalid_scope) and others read as their defaults.
    if (!profile.authorization.omitScope && profile.authorization.scopes.length > 0)
      url.searchParams.set('scope', profile.authorization.scopes.join(profile.authorization.scopeSeparator));
    if (usesPkce && isLoopbackRedirect(redirectUri)) {
      const verifier = await new LocalVerifiers(z, profile.id, clientSecret).issue(redirectUri);
      url.searchParams.set('code_challenge', codeChallengeS256(verifier));
      url.searchParams.set('code_challenge_method', 'S256');
    }
    return url.toString();
  };

  const getAccessToken = async (z: ZObject, bundle: Bundle): Promise<TokenAuthData> => {
    const code = text(bundle.inputData.code);
    const redirectUri = text(bundle.inputData.redirect_uri) ?? '';
    if (!code) {
      throw new z.errors.Error(
        `${name} sent no authorization code back. Start connecting your ${name} account again and approve access.`,
        'missing_code',
        400,
      );
    }
    let verifier = text(bundle.inputData.code_verifier);
    if (!verifier && usesPkce && isLoopbackRedirect(redirectUri)) {
      verifier = await new LocalVerifiers(z, profile.id, credentials(z).clientSecret).redeem(redirectUri);
      if (!verifier) {
        throw new z.errors.Error(
          'This local authorization has no PKCE verifier any more: it was already used, it is older than ' +
            '10 minutes, or the authorize URL came from another process. Run `zapier-platform invoke auth start` again.',
          'missing_code_verifier',
          400,
        );
      }
    }
    if (!verifier && profile.authorization.pkce === 'required') {
      throw new z.errors.Error(
        `Zapier supplied no PKCE code_verifier, which ${name} requires. The integration owner must keep ` +
          '`enablePkce: true` in the OAuth2 configuration.',
        'missing_code_verifier',
        500,
      );
    }
    return requestTokens(z, bundle, 'authorization_code', {
      code,
      redirect_uri: redirectUri,
      ...(verifier ? { code_verifier: verifier } : {}),
    });
  };

  // Every run that meets an expired token calls this on its own; the coordinator makes sure
  // only one of them asks the API per refresh token, and that none presents a rotated one.
  const refreshAccessToken = async (z: ZObject, bundle: Bundle): Promise<TokenAuthData> => {
    const refreshToken = text(bundle.authData.refresh_token);
    if (!refreshToken) {
      throw new z.errors.ExpiredAuthError(
        `This ${name} connection has no refresh token, so it cannot be renewed. Reconnect your ${name} account in Zapier.`,
      );
    }
    const { clientId, clientSecret } = credentials(z);
    const coordinator = new RefreshCoordinator(z, {
      namespace: profile.id,
      name,
      client: clientFingerprint(clientId, clientSecret),
      rotation: profile.token.rotation,
    });
    return coordinator.refresh(
      { accessToken: text(bundle.authData.access_token), refreshToken, issuedAtSeconds: issuedAt(bundle) },
      (token, timeoutMs) => requestTokens(z, bundle, 'refresh_token', { refresh_token: token }, timeoutMs),
      ({ mode, requested }) => {
        if (!requested) {
          logLine(
            profile,
            z,
            bundle,
            `Another run of this connection had already renewed the ${name} token; this run uses its result.`,
          );
        } else if (mode === 'alone') {
          logLine(
            profile,
            z,
            bundle,
            `z.cache did not answer in time; this run renewed the ${name} token without coordination.`,
          );
        }
      },
    );
  };

  return { authorizeUrl, getAccessToken, refreshAccessToken };
}

/** What an integration adds to the layer's authentication: its test call and connection label. */
export interface AuthenticationParts {
  /** The connection test (Zapier's `test`): one cheap authenticated request. */
  test: (z: ZObject, bundle: Bundle) => Promise<unknown>;
  /** A template over what `test` returned ("{{email}}"); `invoke auth label` only renders templates. */
  connectionLabel: string;
}

/** The whole `authentication` of an app on this profile. */
export function authenticationFor(profile: CheckedProfile, parts: AuthenticationParts) {
  const { authorizeUrl, getAccessToken, refreshAccessToken } = oauthFor(profile);
  return {
    type: 'oauth2',
    oauth2Config: {
      authorizeUrl,
      getAccessToken,
      refreshAccessToken,
      autoRefresh: true,
      enablePkce: profile.authorization.pkce !== 'none',
    },
    fields: [
      // What differs per connection (profile.connection): asked on Zapier's connection form, then
      // in bundle.inputData for authorizeUrl and getAccessToken, and in bundle.authData after.
      ...(profile.connection?.fields ?? []).map((field) => ({
        key: field.key,
        label: field.label,
        helpText: field.help,
        type: 'string' as const,
        required: field.default === undefined,
        ...(field.default !== undefined ? { default: field.default } : {}),
        ...(field.choices ? { choices: { ...field.choices } } : {}),
      })),
      { key: 'expires_at', type: 'integer', required: false, computed: true },
      { key: 'expires_in', type: 'integer', required: false, computed: true },
      { key: 'scope', type: 'string', required: false, computed: true },
      ...(profile.token.keep ?? []).map((key) => ({
        key,
        type: 'string' as const,
        required: false,
        computed: true,
      })),
    ],
    test: parts.test,
    connectionLabel: parts.connectionLabel,
  } satisfies Authentication;
}
