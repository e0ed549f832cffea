import type { Authentication, Bundle, ZObject } from 'zapier-platform-core';
import { getMe } from './lib/api';
import { apiUrl, clientCredentials, ConfigError } from './lib/config';
import { secretsOf } from './lib/middleware';
import { failureBelowHttp, requestTimeoutMs } from './lib/network';
import { codeChallengeS256, isLoopbackRedirect, localCodeVerifier } from './lib/pkce';
import { REQUESTED_SCOPES } from './lib/scopes';
import { normaliseTokenResponse, type Grant, type TokenAuthData } from './lib/tokens';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

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

function basicAuth(clientId: string, clientSecret: string): string {
  // RFC 6749 §2.3.1: both parts are form-encoded before base64.
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

function isRefreshAuthError(error: unknown): boolean {
  return error instanceof Error && error.name === 'RefreshAuthError';
}

// One token request. Core turns a 401 into a blank RefreshAuthError before any
// middleware sees it; at the token endpoint a 401 only ever means invalid_client.
async function requestTokens(
  z: ZObject,
  bundle: Bundle,
  grant: Grant,
  form: Record<string, string>,
): Promise<TokenAuthData> {
  const { clientId, clientSecret } = credentials(z);
  const tokenUrl = configured(z, () => apiUrl('/oauth/token'));
  const timeoutMs = requestTimeoutMs();
  let answer: { status: number; body: unknown };
  try {
    const response = await z.request({
      url: tokenUrl,
      method: 'POST',
      timeout: timeoutMs,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
        Authorization: basicAuth(clientId, clientSecret),
      },
      body: { grant_type: grant, ...form },
      skipThrowForStatus: true,
    });
    answer = { status: response.status, body: response.data as unknown };
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
    answer = { status: 401, body: undefined };
  }

  // Only a refresh continues the old grant; a new code starts a new one, whatever authData still holds.
  const previous = grant === 'refresh_token' ? bundle.authData : undefined;
  const outcome = normaliseTokenResponse(answer, {
    grant,
    previousRefreshToken: text(previous?.refresh_token),
    previousScope: text(previous?.scope),
    nowSeconds: Math.floor(Date.now() / 1000),
    secrets: [...secretsOf(bundle), clientSecret, form.code, form.refresh_token, form.code_verifier],
  });
  if (outcome.ok) return outcome.authData;
  // A refresh token Practice refuses will never work again: tell Zapier the connection is dead.
  if (grant === 'refresh_token' && outcome.problem === 'invalid_grant') {
    throw new z.errors.ExpiredAuthError(outcome.message);
  }
  throw new z.errors.Error(outcome.message, outcome.problem, outcome.status);
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
    url.searchParams.set('code_challenge', codeChallengeS256(localCodeVerifier(clientSecret, redirectUri)));
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
    verifier = localCodeVerifier(credentials(z).clientSecret, redirectUri);
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

const refreshAccessToken = async (z: ZObject, bundle: Bundle): Promise<TokenAuthData> => {
  const refreshToken = text(bundle.authData.refresh_token);
  if (!refreshToken) {
    throw new z.errors.ExpiredAuthError(
      'This Practice connection has no refresh token, so it cannot be renewed. Reconnect your Practice account in Zapier.',
    );
  }
  return requestTokens(z, bundle, 'refresh_token', { refresh_token: refreshToken });
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
    { key: 'scope', type: 'string', required: false, computed: true },
  ],
  test,
  // "<email> (<firm name>)" from what `test` returned; Zapier flattens nested keys with __.
  // A template, not a function: `zapier-platform invoke auth label` only renders templates.
  connectionLabel: '{{email}} ({{firm__name}})',
} satisfies Authentication;
