import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Authentication, Bundle, ZObject } from 'zapier-platform-core';
import { getMe } from './practice/api';
import { parseRetryAfter } from './layer/signals';
import { apiUrl, clientCredentials, ConfigError } from './layer/endpoints';
import { logLine } from './layer/log';
import { failureBelowHttp, requestTimeoutMs } from './layer/network';
import { codeChallengeS256, isLoopbackRedirect, LocalVerifiers } from './layer/pkce';
import { RefreshCoordinator } from './layer/refresh-coordination';
import { REQUESTED_SCOPES } from './practice/scopes';
import { basicAuth, secretsOf } from './layer/secrets';
import { normaliseTokenResponse, type Grant, type TokenAuthData, type TokenProblem } from './layer/tokens';
import { parseJson, nonEmptyText as text } from './layer/values';

// Configuration mistakes are the integration owner's; say so instead of failing with a TypeError.
// BASE_URL goes through here too, so a bad one is the same clear error as a missing CLIENT_ID.
function configured<T>(z: ZObject, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) throw new z.errors.Error(error.message, 'configuration', 500);
    throw error;
  }
}

function credentials(z: ZObject) {
  return configured(z, clientCredentials);
}

/** Names a client configuration without revealing it: a failure recorded under one is not another's. */
function clientFingerprint(clientId: string, clientSecret: string): string {
  return createHash('sha256').update(`${clientId}\0${clientSecret}`).digest('base64url').slice(0, 22);
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
  const tokenUrl = configured(z, () => apiUrl('/oauth/token'));
  const { body, length } = unloggedForm({ grant_type: grant, ...form });
  let answer: { status: number; body: unknown; contentType: string | null; retryAfter: number | null };
  try {
    // raw: core neither reads nor logs the answer ("<probably streaming data>"); its log
    // scrubber reads only JSON, so a form-encoded answer would put fresh tokens in the log.
    // Redirects are refused by layer/middleware.ts before this code sees the answer.
    const response = await z.request({
      url: tokenUrl,
      method: 'POST',
      timeout: timeoutMs,
      headers: {
        'Content-Type': FORM_CONTENT_TYPE,
        'Content-Length': length,
        Accept: 'application/json',
        Authorization: basicAuth(clientId, clientSecret),
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
        failureBelowHttp(z, error, {
          method: 'POST',
          what: `POST /oauth/token, ${grant}`,
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
  const outcome = normaliseTokenResponse(answer, {
    grant,
    // The token this request presented, which may be newer than the run's (layer/refresh-coordination.ts).
    previousRefreshToken: text(form.refresh_token),
    previousScope: text(previous?.scope),
    nowSeconds: Math.floor(Date.now() / 1000),
    secrets: [...secretsOf(bundle), form.code, form.refresh_token, form.code_verifier],
  });
  if (outcome.ok) return outcome.authData;
  if (outcome.problem === 'rate_limited') {
    // 429 is one of Zapier's exemptions: the connection stays, the step is retried later.
    throw new z.errors.ThrottledError(outcome.message, answer.retryAfter ?? undefined);
  }
  if (grant === 'authorization_code')
    throw new z.errors.Error(outcome.message, outcome.problem, outcome.status);
  // A refresh token Practice refuses will never work again: tell Zapier the connection is dead.
  if (USER_MUST_RECONNECT.has(outcome.problem)) throw new z.errors.ExpiredAuthError(outcome.message);
  throw new z.errors.Error(outcome.message, outcome.problem, notStaleStatus(outcome.problem, outcome.status));
}

const authorizeUrl = async (z: ZObject, bundle: Bundle): Promise<string> => {
  const { clientId, clientSecret } = credentials(z);
  const url = new URL(configured(z, () => apiUrl('/oauth/authorize')));
  const redirectUri = text(bundle.inputData.redirect_uri) ?? '';
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('state', text(bundle.inputData.state) ?? '');
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', REQUESTED_SCOPES.join(' '));
  if (isLoopbackRedirect(redirectUri)) {
    const verifier = await new LocalVerifiers(z, clientSecret).issue(redirectUri);
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
      'Practice sent no authorization code back. Start connecting your Practice account again and approve access.',
      'missing_code',
      400,
    );
  }
  let verifier = text(bundle.inputData.code_verifier);
  if (!verifier && isLoopbackRedirect(redirectUri)) {
    verifier = await new LocalVerifiers(z, credentials(z).clientSecret).redeem(redirectUri);
    if (!verifier) {
      throw new z.errors.Error(
        'This local authorization has no PKCE verifier any more: it was already used, it is older than ' +
          '10 minutes, or the authorize URL came from another process. Run `zapier-platform invoke auth start` again.',
        'missing_code_verifier',
        400,
      );
    }
  }
  if (!verifier) {
    throw new z.errors.Error(
      'Zapier supplied no PKCE code_verifier, which Practice requires. The integration owner must keep ' +
        '`enablePkce: true` in the OAuth2 configuration.',
      'missing_code_verifier',
      500,
    );
  }
  return requestTokens(z, bundle, 'authorization_code', {
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
};

// Every run that meets an expired token calls this on its own; the coordinator makes sure
// only one of them asks Practice per refresh token, and that none presents a rotated one.
const refreshAccessToken = async (z: ZObject, bundle: Bundle): Promise<TokenAuthData> => {
  const refreshToken = text(bundle.authData.refresh_token);
  if (!refreshToken) {
    throw new z.errors.ExpiredAuthError(
      'This Practice connection has no refresh token, so it cannot be renewed. Reconnect your Practice account in Zapier.',
    );
  }
  const { clientId, clientSecret } = credentials(z);
  return new RefreshCoordinator(z, clientFingerprint(clientId, clientSecret)).refresh(
    { accessToken: text(bundle.authData.access_token), refreshToken },
    (token, timeoutMs) => requestTokens(z, bundle, 'refresh_token', { refresh_token: token }, timeoutMs),
    ({ mode, requested }) => {
      if (!requested) {
        logLine(
          z,
          bundle,
          'Another run of this connection had already renewed the Practice token; this run uses its result.',
        );
      } else if (mode === 'alone') {
        logLine(
          z,
          bundle,
          'z.cache did not answer in time; this run renewed the Practice token without coordination.',
        );
      }
    },
  );
};

const test = (z: ZObject) => getMe(z);

export default {
  type: 'oauth2',
  oauth2Config: {
    authorizeUrl,
    getAccessToken,
    refreshAccessToken,
    autoRefresh: true,
    enablePkce: true,
  },
  fields: [
    { key: 'expires_at', type: 'integer', required: false, computed: true },
    { key: 'expires_in', type: 'integer', required: false, computed: true },
    { key: 'scope', type: 'string', required: false, computed: true },
  ],
  test,
  // "<email> (<firm name>)" from what `test` returned; Zapier flattens nested keys with __.
  // A template, not a function: `zapier-platform invoke auth label` only renders templates.
  connectionLabel: '{{email}} ({{firm__name}})',
} satisfies Authentication;
