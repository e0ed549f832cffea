// /oauth/*: the authorization page, the token endpoint and revocation (docs/practice-api.md §2).
// Protocol work is @node-oauth/oauth2-server's; this router validates what must never
// reach the client as a redirect, renders the consent page, authenticates clients the
// same way for both methods, and shapes answers as the contract (and K6) says.
import express, { type Request, type Response, type Router } from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';
import { isRegisteredRedirect, secretMatches, type RegisteredClient } from './clients';
import { ConsentTokens, type RedeemFailure } from './consent-tokens';
import { SUPPORTED_GRANTS, traceRotation, type RotationTrace } from './oauth-model';
import { consentPage, errorPage } from './pages';
import type { Quirks } from './quirks';
import { metaOf, tokenFingerprint, type TokenGrantType } from './request-log';
import { checkHost, checkSameOrigin, type ListenAddress, type Refusal } from './same-origin';
import { isScope, type Scope, type Store } from './store';

export interface OAuthDeps {
  store: Store;
  server: OAuth2Server;
  clients: RegisteredClient[];
  quirks: () => Quirks;
  /** Where the sandbox listens, for the consent form's Host and Origin checks. */
  address: () => ListenAddress;
  /** Token requests still to fail on purpose, and how: `failTokenRequests`. */
  tokenFaults: { remaining: number; kind: TokenFault };
}

/** A token endpoint failure injected by a test: an outage, throttling, or the client refused. */
export type TokenFault = 'outage' | 'rate_limited' | 'bad_client';

const TOKEN_FAULTS: Record<TokenFault, { status: number; body: object; headers?: Record<string, string> }> = {
  outage: {
    status: 503,
    body: { error: 'server_error', error_description: 'The token service is unavailable' },
  },
  rate_limited: {
    status: 429,
    body: { error: 'rate_limited', error_description: 'Too many token requests' },
    headers: { 'Retry-After': '30' },
  },
  bad_client: {
    status: 401,
    body: { error: 'invalid_client', error_description: 'Client authentication failed' },
  },
};

type Params = Record<string, unknown>;

// RFC 6749 §3.1: a parameter given twice is as bad as a missing one.
function single(params: Params, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

function stringParams(params: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof params !== 'object' || params === null) return out;
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

function scopeList(value: unknown): string[] {
  const parts = Array.isArray(value) ? value : [value];
  return parts
    .filter((v): v is string => typeof v === 'string')
    .flatMap((v) => v.split(/\s+/))
    .filter((v) => v.length > 0);
}

interface AuthorizeRequest {
  client: RegisteredClient;
  redirectUri: string;
  state: string | undefined;
  scopes: Scope[];
  codeChallenge: string;
  codeChallengeMethod: string;
}

type AuthorizeCheck =
  | { kind: 'page'; title: string; message: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'ok'; request: AuthorizeRequest };

function errorRedirect(redirectUri: string, error: string, description: string, state?: string): string {
  const url = new URL(redirectUri);
  url.searchParams.set('error', error);
  url.searchParams.set('error_description', description);
  if (state !== undefined) url.searchParams.set('state', state);
  return url.toString();
}

// Runs on the GET and again on the POST (hidden fields come back from the browser and
// are not trusted). Until client and redirect URI check out, nothing is redirected.
function checkAuthorizeRequest(
  params: Params,
  clients: RegisteredClient[],
  scopeParam: 'scope' | 'requested_scope',
): AuthorizeCheck {
  const clientId = single(params, 'client_id');
  const client = clients.find((c) => c.clientId === clientId);
  if (!clientId || !client) {
    return {
      kind: 'page',
      title: 'Unknown application',
      message: 'This application (client_id) is not registered with Practice.',
    };
  }
  const redirectUri = single(params, 'redirect_uri');
  if (!redirectUri || !isRegisteredRedirect(client, redirectUri)) {
    return {
      kind: 'page',
      title: 'Redirect URI not registered',
      message: `The redirect_uri ${redirectUri ? `"${redirectUri}" ` : ''}does not exactly match one registered for ${client.name}.`,
    };
  }
  const state = single(params, 'state');
  const fail = (error: string, description: string): AuthorizeCheck => ({
    kind: 'redirect',
    location: errorRedirect(redirectUri, error, description, state),
  });

  if (single(params, 'response_type') !== 'code') {
    return fail('unsupported_response_type', 'Only response_type=code is supported');
  }
  const codeChallenge = single(params, 'code_challenge');
  const codeChallengeMethod = single(params, 'code_challenge_method');
  if (!codeChallenge || !codeChallengeMethod) {
    return fail('invalid_request', 'PKCE is required: send code_challenge and code_challenge_method=S256');
  }
  if (codeChallengeMethod !== 'S256') {
    return fail('invalid_request', 'code_challenge_method must be S256; plain is not accepted');
  }
  // A base64url SHA-256 digest is exactly 43 characters.
  if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
    return fail('invalid_request', 'code_challenge is not a base64url-encoded SHA-256 digest');
  }
  const requested = scopeList(params[scopeParam]);
  const unknown = requested.filter((s) => !isScope(s));
  if (unknown.length > 0) return fail('invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
  const scopes = [...new Set(requested.filter(isScope))];

  return { kind: 'ok', request: { client, redirectUri, state, scopes, codeChallenge, codeChallengeMethod } };
}

// What a consent token is bound to: the request the page was rendered for, as validated.
function bindingOf(request: AuthorizeRequest): string {
  return JSON.stringify([
    request.client.clientId,
    request.redirectUri,
    request.state ?? null,
    request.scopes.join(' '),
    request.codeChallenge,
    request.codeChallengeMethod,
  ]);
}

function hiddenFields(request: AuthorizeRequest, consentToken: string): Record<string, string> {
  const fields: Record<string, string> = {
    client_id: request.client.clientId,
    redirect_uri: request.redirectUri,
    response_type: 'code',
    code_challenge: request.codeChallenge,
    code_challenge_method: request.codeChallengeMethod,
    requested_scope: request.scopes.join(' '),
  };
  if (request.state !== undefined) fields.state = request.state;
  fields.csrf_token = consentToken;
  return fields;
}

function renderConsent(
  res: Response,
  request: AuthorizeRequest,
  tokens: ConsentTokens,
  extra: { checked?: Scope[]; email?: string; error?: string } = {},
): void {
  res.set('X-Frame-Options', 'DENY');
  res.set('Content-Security-Policy', "frame-ancestors 'none'");
  // The page holds a single-use token: never from a cache.
  res.set('Cache-Control', 'no-store');
  res.type('html').send(
    consentPage({
      clientName: request.client.name,
      hidden: hiddenFields(request, tokens.issue(bindingOf(request))),
      requestedScopes: request.scopes,
      checkedScopes: extra.checked ?? request.scopes,
      email: extra.email,
      error: extra.error,
    }),
  );
}

const REDEEM_FAILURES: Record<RedeemFailure, string> = {
  missing: 'The form was sent without its security token.',
  unknown: 'The form was already sent once, or its security token is not one this sandbox issued.',
  expired: 'The form was open too long and its security token expired.',
  mismatch: 'The form was changed after the sandbox rendered it.',
};

function refuseForm(res: Response, message: string): void {
  res
    .status(403)
    .type('html')
    .send(
      errorPage(
        'Request refused',
        message,
        'Nothing was approved or sent back to the application. Start the connection again from the application.',
      ),
    );
}

function answerCheck(res: Response, check: Exclude<AuthorizeCheck, { kind: 'ok' }>): void {
  if (check.kind === 'page') {
    res.status(400).type('html').send(errorPage(check.title, check.message));
  } else {
    res.redirect(302, check.location);
  }
}

// RFC 6749 §2.3.1: Basic credentials are form-encoded before base64.
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

// Both client authentication methods end here, so they behave identically and a failure
// is always the contract's 401 invalid_client. The library then sees client_secret_post.
function authenticateClient(
  req: Request,
  clients: RegisteredClient[],
): { client: RegisteredClient; secret: string } {
  const body = stringParams(req.body);
  const header = req.get('authorization');
  let id: string | undefined;
  let secret: string | undefined;
  if (header) {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0)
      throw new OAuth2Server.InvalidClientError('Invalid client: malformed HTTP Basic credentials');
    id = formDecode(decoded.slice(0, colon));
    secret = formDecode(decoded.slice(colon + 1));
    if (body.client_secret !== undefined) {
      throw new OAuth2Server.InvalidRequestError(
        'Invalid request: authenticate with HTTP Basic or client_secret in the body, not both',
      );
    }
    if (body.client_id !== undefined && body.client_id !== id) {
      throw new OAuth2Server.InvalidRequestError(
        'Invalid request: client_id in the body does not match HTTP Basic',
      );
    }
  } else {
    id = body.client_id;
    secret = body.client_secret;
  }
  if (!id || !secret) {
    throw new OAuth2Server.InvalidClientError(
      'Invalid client: client authentication required (HTTP Basic, or client_id and client_secret in the body)',
    );
  }
  const client = clients.find((c) => c.clientId === id);
  if (!client || !secretMatches(client, secret)) {
    throw new OAuth2Server.InvalidClientError('Invalid client: unknown client_id or wrong client_secret');
  }
  return { client, secret };
}

function toOAuthError(err: unknown): OAuth2Server.OAuthError {
  if (err instanceof OAuth2Server.OAuthError) return err;
  return new OAuth2Server.ServerError(err instanceof Error ? err : 'Server error');
}

// K6: legacy deployments answer every token-endpoint error with HTTP 200. We apply it to
// invalid_client too: the contract says "errors", the integration must read the body of a
// 200 anyway, and a gateway that flattens statuses does not spare one. The
// WWW-Authenticate header stays, as such gateways pass headers through.
function sendOAuthError(res: Response, error: OAuth2Server.OAuthError, legacy200: boolean): void {
  const isClientError = error.name === 'invalid_client';
  if (isClientError) res.set('WWW-Authenticate', 'Basic realm="Practice"');
  const status = isClientError ? 401 : error.code >= 400 ? error.code : 400;
  res.set('Cache-Control', 'no-store');
  res.status(legacy200 ? 200 : status).json({ error: error.name, error_description: error.message });
}

export function oauthRouter(deps: OAuthDeps): Router {
  const { store, server, clients } = deps;
  const consentTokens = new ConsentTokens(store.now);
  const router = express.Router();
  router.use(express.urlencoded({ extended: false }));

  router.get('/authorize', (req, res) => {
    const foreignHost = checkHost(req.get('host'), deps.address());
    if (foreignHost) return refuseForm(res, foreignHost.message);
    const check = checkAuthorizeRequest(req.query, clients, 'scope');
    if (check.kind !== 'ok') return answerCheck(res, check);
    renderConsent(res, check.request, consentTokens);
  });

  // The consent form is guarded like the controls (same-origin.ts), and by its own token:
  // both are checked before anything in the form is believed.
  router.post('/authorize', async (req, res) => {
    const refusal: Refusal | null = checkHost(req.get('host'), deps.address()) ?? checkSameOrigin(req);
    if (refusal) return refuseForm(res, refusal.message);
    const body: Params = typeof req.body === 'object' && req.body !== null ? req.body : {};
    const check = checkAuthorizeRequest(body, clients, 'requested_scope');
    // Spent before anything else can fail, so no answer leaves a token reusable.
    const redeemed = consentTokens.redeem(
      single(body, 'csrf_token'),
      check.kind === 'ok' ? bindingOf(check.request) : '',
    );
    if (redeemed === 'missing' || redeemed === 'unknown' || redeemed === 'expired') {
      return refuseForm(res, REDEEM_FAILURES[redeemed]);
    }
    if (check.kind !== 'ok') return answerCheck(res, check);
    if (redeemed === 'mismatch') return refuseForm(res, REDEEM_FAILURES.mismatch);
    const request = check.request;
    const decision = single(body, 'decision');
    const email = single(body, 'email') ?? '';
    // Unticked boxes are simply absent; anything not requested is ignored.
    const ticked = scopeList(body.scope);
    const granted = request.scopes.filter((s) => ticked.includes(s));

    let memberId: string | undefined;
    if (decision === 'approve') {
      const member = store.findMemberByEmail(email);
      const password = single(body, 'password') ?? '';
      if (!member || member.password !== password) {
        return renderConsent(res, request, consentTokens, {
          checked: granted,
          email,
          error: 'Wrong email or password.',
        });
      }
      if (request.scopes.length > 0 && granted.length === 0) {
        return renderConsent(res, request, consentTokens, {
          checked: granted,
          email,
          error: 'Tick at least one permission, or press Deny.',
        });
      }
      memberId = member.id;
    } else if (decision !== 'deny') {
      return renderConsent(res, request, consentTokens, { email, error: 'Press Approve or Deny.' });
    }

    const libraryRequest = new OAuth2Server.Request({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      query: {},
      body: {
        client_id: request.client.clientId,
        redirect_uri: request.redirectUri,
        response_type: 'code',
        ...(request.state !== undefined ? { state: request.state } : {}),
        ...(granted.length > 0 ? { scope: granted.join(' ') } : {}),
        code_challenge: request.codeChallenge,
        code_challenge_method: request.codeChallengeMethod,
        // The library turns allowed=false into the access_denied redirect.
        ...(memberId === undefined ? { allowed: 'false' } : {}),
      },
    });
    const libraryResponse = new OAuth2Server.Response();
    // Denial needs no login; the library still wants some user to pass around.
    const subject = { memberId: memberId ?? 'anonymous' };
    try {
      await server.authorize(libraryRequest, libraryResponse, {
        authenticateHandler: { handle: () => subject },
      });
    } catch (err) {
      if (!(err instanceof OAuth2Server.OAuthError)) throw err;
    }
    const location = libraryResponse.get('location');
    if (libraryResponse.status === 302 && typeof location === 'string') {
      metaOf(req).memberId = memberId;
      return res.redirect(302, location);
    }
    res
      .status(500)
      .type('html')
      .send(errorPage('Authorization failed', 'The authorization could not be completed.'));
  });

  router.post('/token', async (req, res) => {
    const legacy200 = deps.quirks().K6;
    const meta = metaOf(req);
    const trace: RotationTrace = {};
    const grantType = stringParams(req.body).grant_type;
    const known = SUPPORTED_GRANTS.find((g): g is TokenGrantType => g === grantType);
    if (known) meta.grantType = known;
    const presented = known === 'refresh_token' ? stringParams(req.body).refresh_token : undefined;
    if (presented) meta.presentedRefreshFingerprint = tokenFingerprint(presented);
    if (deps.tokenFaults.remaining > 0) {
      deps.tokenFaults.remaining -= 1;
      const fault = TOKEN_FAULTS[deps.tokenFaults.kind];
      res
        .status(fault.status)
        .set(fault.headers ?? {})
        .json(fault.body);
      return;
    }
    try {
      if (grantType !== undefined && !SUPPORTED_GRANTS.includes(grantType)) {
        throw new OAuth2Server.UnsupportedGrantTypeError(
          `Unsupported grant type: use ${SUPPORTED_GRANTS.join(' or ')}`,
        );
      }
      const { client, secret } = authenticateClient(req, clients);
      const headers = stringParams(req.headers);
      delete headers.authorization;
      const libraryRequest = new OAuth2Server.Request({
        method: req.method,
        headers,
        query: {},
        body: { ...stringParams(req.body), client_id: client.clientId, client_secret: secret },
      });
      const libraryResponse = new OAuth2Server.Response();
      const token = await traceRotation(trace, () => server.token(libraryRequest, libraryResponse));
      meta.rotation = trace.rotation;
      meta.issuedAccessFingerprint = tokenFingerprint(token.accessToken);
      if (token.refreshToken) meta.issuedRefreshFingerprint = tokenFingerprint(token.refreshToken);

      const record = store.accessTokens.get(token.accessToken);
      const grant = record ? store.grants.get(record.grantId) : undefined;
      meta.grantId = grant?.id;
      meta.memberId = grant?.memberId;
      // expires_in from the sandbox clock (the library's is wall-clock and rounds down).
      const expiresIn = record ? Math.max(0, Math.ceil((record.expiresAt - store.now()) / 1000)) : 0;
      res.set('Cache-Control', 'no-store');
      res.set('Pragma', 'no-cache');
      res.status(200).json({
        access_token: token.accessToken,
        token_type: 'Bearer',
        expires_in: legacy200 ? String(expiresIn) : expiresIn,
        ...(token.refreshToken ? { refresh_token: token.refreshToken } : {}),
        scope: (token.scope ?? []).join(' '),
      });
    } catch (err) {
      const error = toOAuthError(err);
      meta.rotation = trace.rotation;
      meta.errorCode = error.name;
      // A refused refresh is still attributed to the grant its token belongs to.
      const refreshRecord = presented ? store.refreshTokens.get(presented) : undefined;
      if (refreshRecord) {
        meta.grantId = refreshRecord.grantId;
        meta.memberId = store.grants.get(refreshRecord.grantId)?.memberId;
      }
      sendOAuthError(res, error, legacy200);
    }
  });

  // RFC 7009. Any token value, known or not, live or dead, gets 200; only a request that
  // fails client authentication or names no token is refused, as §2.2.1 allows.
  router.post('/revoke', (req, res) => {
    try {
      const { client } = authenticateClient(req, clients);
      const token = stringParams(req.body).token;
      if (!token) throw new OAuth2Server.InvalidRequestError('Missing parameter: `token`');
      const belongsToClient = (grantId: string) => store.grants.get(grantId)?.clientId === client.clientId;
      const refresh = store.refreshTokens.get(token);
      const access = store.accessTokens.get(token);
      if (refresh && belongsToClient(refresh.grantId)) {
        // Revoking a refresh token ends the authorization it belongs to (RFC 7009 §2.1).
        store.revokeGrant(refresh.grantId, 'refresh token revoked by the client');
      } else if (access && belongsToClient(access.grantId) && access.revokedAt === undefined) {
        access.revokedAt = store.now();
      }
      res.status(200).end();
    } catch (err) {
      const error = toOAuthError(err);
      metaOf(req).errorCode = error.name;
      sendOAuthError(res, error, false);
    }
  });

  return router;
}
