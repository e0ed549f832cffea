// Token endpoint answers -> authData, or a precise reason why not. Pure: the
// caller does the HTTP and turns a problem into the right Zapier error.

import { serverText } from './redact';
import { isRecord, nonEmptyText } from './values';

export type Grant = 'authorization_code' | 'refresh_token';

/** What authData holds after a successful exchange or refresh. */
export interface TokenAuthData {
  access_token: string;
  refresh_token: string;
  /** Unix seconds; 0 when the server gave no sane lifetime. */
  expires_at: number;
  /**
   * The lifetime the token was issued with, in seconds (0 when unknown): the refresh-ahead
   * margin shrinks with it, so a token that lives 5 s is used, not refreshed forever.
   */
  expires_in: number;
  scope: string;
}

/** The parts of a token endpoint answer this module looks at. */
export interface TokenAnswer {
  status: number;
  /** Parsed JSON body, undefined when there was none or it was not JSON. */
  body: unknown;
  /** The Content-Type header, to say what a non-JSON answer was. */
  contentType?: string | null;
}

export type TokenProblem =
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'invalid_request'
  | 'unsupported_grant_type'
  | 'unauthorized_client'
  | 'missing_access_token'
  | 'missing_refresh_token'
  | 'unsupported_token_type'
  | 'server_error'
  | 'rate_limited'
  | 'unreadable_answer'
  | 'unknown_error';

export type TokenOutcome =
  | { ok: true; authData: TokenAuthData }
  | { ok: false; problem: TokenProblem; status: number; message: string };

export interface TokenContext {
  grant: Grant;
  /** Kept when a refresh answer carries no new refresh token. */
  previousRefreshToken?: string;
  /** Kept when a refresh answer does not restate the granted scope. */
  previousScope?: string;
  nowSeconds: number;
  /** Values that must never appear in a message. */
  secrets: ReadonlyArray<string | undefined>;
}

/** The longest access-token lifetime we believe; anything above is a bug or garbage. */
export const MAX_SANE_EXPIRES_IN = 365 * 24 * 3600;

/**
 * `expires_in` as number or numeric string -> whole seconds. Missing, zero, negative,
 * non-numeric or absurd -> 0 (unknown).
 */
export function saneLifetime(expiresIn: unknown): number {
  let seconds: number;
  if (typeof expiresIn === 'number') {
    seconds = expiresIn;
  } else if (typeof expiresIn === 'string' && /^\s*\d{1,12}(\.\d+)?\s*$/.test(expiresIn)) {
    seconds = Number(expiresIn);
  } else {
    return 0;
  }
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > MAX_SANE_EXPIRES_IN) return 0;
  return Math.floor(seconds);
}

/** `expires_in` -> absolute expiry in Unix seconds, or 0 when either input is not sane. */
export function expiresAtFrom(expiresIn: unknown, nowSeconds: number): number {
  const lifetime = saneLifetime(expiresIn);
  if (lifetime === 0 || !Number.isFinite(nowSeconds) || nowSeconds <= 0) return 0;
  return Math.floor(nowSeconds) + lifetime;
}

function describe(code: string, description: string): string {
  return description ? `${code}: ${description}` : code;
}

const CLIENT_FIX =
  'This is for the integration owner to fix, not the Zap user: check CLIENT_ID and CLIENT_SECRET ' +
  '(`zapier-platform env:get <version>`) against the client registered in Practice. Reconnecting will not help; ' +
  'connections keep working once the configuration is fixed.';

/** For failures that are nobody's but Practice's: the user's connection is intact. */
function retryLater(grant: Grant): string {
  return grant === 'refresh_token'
    ? 'Your Practice connection is fine and nothing needs to be done: Zapier retries the step later.'
    : 'Try connecting again in a few minutes.';
}

function problemMessage(problem: TokenProblem, grant: Grant, status: number, detail: string): string {
  const where = `Practice's token endpoint (HTTP ${status})`;
  switch (problem) {
    case 'invalid_client':
      return `Practice rejected the integration's client credentials (${describe('invalid_client', detail)}). ${CLIENT_FIX}`;
    case 'unauthorized_client':
      return `Practice does not allow this client to use the ${grant} grant (${describe('unauthorized_client', detail)}). ${CLIENT_FIX}`;
    case 'invalid_grant':
      return grant === 'authorization_code'
        ? `Practice did not accept the authorization code (${describe('invalid_grant', detail)}). ` +
            'Codes work once and expire after 60 seconds: start connecting your Practice account again.'
        : `Practice no longer accepts this connection's refresh token (${describe('invalid_grant', detail)}). ` +
            'The access was revoked in Practice, the password changed, the token went unused for 90 days, ' +
            'or an old token was reused after rotation. Reconnect your Practice account in Zapier.';
    case 'invalid_scope':
      return `Practice refused the requested permissions (${describe('invalid_scope', detail)}). Reconnect your Practice account and approve the permissions on the consent page.`;
    case 'invalid_request':
    case 'unsupported_grant_type':
      return `Practice rejected the token request as malformed (${describe(problem, detail)}). This is a defect in the integration; please report it to its owner.`;
    case 'missing_access_token':
      return `${where} answered without an access_token, so nothing was stored. ${retryLater(grant)} If it keeps happening, report it to the integration owner.`;
    case 'missing_refresh_token':
      return (
        'Practice issued no refresh token, so this connection would stop working within the hour. ' +
        'Connect your Practice account again and keep "Stay connected (offline access)" approved on the consent page.'
      );
    case 'unsupported_token_type':
      return `${where} issued a "${detail}" token; this integration only uses Bearer tokens. The integration owner must look into it; reconnecting will not help.`;
    case 'server_error':
      return `${where} failed${detail ? ` (${detail})` : ''}. Practice may be down. ${retryLater(grant)}`;
    case 'rate_limited':
      return `${where} is rate limiting token requests. ${retryLater(grant)}`;
    case 'unreadable_answer':
      return `${where} answered with something that is not a token response${detail ? ` (${detail})` : ''}, so nothing was stored. ${retryLater(grant)} If it keeps happening, report it to the integration owner.`;
    case 'unknown_error':
      return `${where} refused the request (${detail || 'no reason given'}). ${retryLater(grant)} If it keeps happening, the integration owner must look into it.`;
  }
}

const KNOWN_ERRORS: ReadonlySet<string> = new Set([
  'invalid_client',
  'invalid_grant',
  'invalid_scope',
  'invalid_request',
  'unsupported_grant_type',
  'unauthorized_client',
]);

function fail(ctx: TokenContext, problem: TokenProblem, status: number, detail = ''): TokenOutcome {
  return {
    ok: false,
    problem,
    status,
    message: problemMessage(problem, ctx.grant, status, serverText(detail, ctx.secrets, 200)),
  };
}

/**
 * What a 2xx answer without a JSON object was: OAuth 2.0 token answers are JSON (RFC 6749
 * §5.1); a form-encoded one, which core would parse and log, is refused like an HTML page.
 */
function notATokenResponse({ body, contentType }: TokenAnswer): string {
  if (body !== undefined) return 'JSON, but not an object';
  const media = /^\s*([\w.+-]+\/[\w.+-]+)/.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (!media) return 'no JSON';
  return media.includes('json') ? `${media} that does not parse` : `${media}, not JSON`;
}

/** Classifies one token endpoint answer (K6 included: errors sent with HTTP 200). */
export function normaliseTokenResponse(answer: TokenAnswer, ctx: TokenContext): TokenOutcome {
  const { status, body } = answer;

  // RFC 6749 §5.2 reserves 401 for client authentication; core hides the body of a 401.
  if (status === 401)
    return fail(
      ctx,
      'invalid_client',
      status,
      isRecord(body) && typeof body.error_description === 'string' ? body.error_description : '',
    );

  // Throttling, whatever the body says: the grant is not in question (core's 429 handling is off, see index.ts).
  if (status === 429) return fail(ctx, 'rate_limited', status);

  const errorCode = isRecord(body) ? nonEmptyText(body.error) : undefined;
  if (errorCode !== undefined || status >= 400 || status < 200) {
    const description = isRecord(body) ? body.error_description : undefined;
    const detail = typeof description === 'string' ? description : '';
    if (errorCode && KNOWN_ERRORS.has(errorCode)) {
      return fail(ctx, errorCode as TokenProblem, status, detail);
    }
    if (status >= 500) return fail(ctx, 'server_error', status, errorCode ?? '');
    const code = errorCode ? serverText(errorCode, ctx.secrets, 60) : '';
    return fail(
      ctx,
      'unknown_error',
      status,
      [code, serverText(detail, ctx.secrets)].filter(Boolean).join(': '),
    );
  }

  if (!isRecord(body)) return fail(ctx, 'unreadable_answer', status, notATokenResponse(answer));

  const accessToken = nonEmptyText(body.access_token);
  if (!accessToken) return fail(ctx, 'missing_access_token', status);

  const tokenType = body.token_type;
  if (tokenType !== undefined && !(typeof tokenType === 'string' && tokenType.toLowerCase() === 'bearer')) {
    return fail(
      ctx,
      'unsupported_token_type',
      status,
      typeof tokenType === 'string' ? tokenType.slice(0, 40) : typeof tokenType,
    );
  }

  const refreshToken = nonEmptyText(body.refresh_token) ?? nonEmptyText(ctx.previousRefreshToken);
  if (!refreshToken) return fail(ctx, 'missing_refresh_token', status);

  const expiresAt = expiresAtFrom(body.expires_in, ctx.nowSeconds);
  return {
    ok: true,
    authData: {
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_at: expiresAt,
      expires_in: expiresAt === 0 ? 0 : saneLifetime(body.expires_in),
      scope: typeof body.scope === 'string' ? body.scope : (ctx.previousScope ?? ''),
    },
  };
}
