// Token endpoint answers -> authData, or a precise reason why not. Pure: the
// caller does the HTTP and turns a problem into the right Zapier error.

import { lifetimeOf, readSeconds } from './expiry';
import type { CheckedProfile, TokenProblem } from './profile';
import { stop } from './messages';
import { serverText } from './redact';
import { envelopeFails } from './signals';
import { isRecord, nonEmptyText, valueAt } from './values';

export type { TokenProblem } from './profile';

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
  /** Fields the profile keeps from the token answer (token.keep), such as instance_url. */
  [kept: string]: string | number;
}

/** The parts of a token endpoint answer this module looks at. */
export interface TokenAnswer {
  status: number;
  /** Parsed JSON body, undefined when there was none or it was not JSON. */
  body: unknown;
  /** The Content-Type header, to say what a non-JSON answer was. */
  contentType?: string | null;
}

export type TokenOutcome =
  | { ok: true; authData: TokenAuthData }
  | { ok: false; problem: TokenProblem; status: number; message: string };

export interface TokenContext {
  grant: Grant;
  /** Kept when a refresh answer carries no new refresh token. */
  previousRefreshToken?: string;
  /** Kept when a refresh answer does not restate the granted scope. */
  previousScope?: string;
  /** The profile's kept fields (token.keep) from the previous authData, kept when a refresh answer omits them. */
  previousKept?: Readonly<Record<string, unknown>>;
  nowSeconds: number;
  /** Values that must never appear in a message. */
  secrets: ReadonlyArray<string | undefined>;
}

/**
 * `expires_in` in seconds (number or numeric string) -> absolute expiry in Unix seconds, or
 * 0 when either input is not sane.
 */
export function expiresAtFrom(expiresIn: unknown, nowSeconds: number): number {
  const lifetime = readSeconds(expiresIn);
  if (lifetime === null || !Number.isFinite(nowSeconds) || nowSeconds <= 0) return 0;
  return Math.floor(nowSeconds) + lifetime;
}

function describe(code: string, description: string): string {
  return description ? `${code}: ${description}` : code;
}

function clientFix(profile: CheckedProfile): string {
  const where = (profile.advice?.clientRegistration ?? `the client registered with ${profile.name}`).replace(
    /\.$/,
    '',
  );
  return (
    `This is for the integration owner to fix, not the Zap user: check ${profile.client.idEnv} and ` +
    `${profile.client.secretEnv} (\`zapier-platform env:get <version>\`) against ${where}. Reconnecting will not help; ` +
    'connections keep working once the configuration is fixed.'
  );
}

/** For failures that are nobody's but the API's: the user's connection is intact. */
function retryLater(profile: CheckedProfile, grant: Grant): string {
  return grant === 'refresh_token'
    ? `Your ${profile.name} connection is fine and nothing needs to be done: Zapier retries the step later.`
    : 'Try connecting again in a few minutes.';
}

function sentence(text: string | undefined): string {
  return text ? ` ${stop(text)}` : '';
}

function problemMessage(
  profile: CheckedProfile,
  problem: TokenProblem,
  grant: Grant,
  status: number,
  detail: string,
): string {
  const name = profile.name;
  const where = `${name}'s token endpoint (HTTP ${status})`;
  const advice = profile.advice ?? {};
  switch (problem) {
    case 'invalid_client':
      return `${name} rejected the integration's client credentials (${describe('invalid_client', detail)}). ${clientFix(profile)}`;
    case 'unauthorized_client':
      return `${name} does not allow this client to use the ${grant} grant (${describe('unauthorized_client', detail)}). ${clientFix(profile)}`;
    case 'invalid_grant':
      return grant === 'authorization_code'
        ? `${name} did not accept the authorization code (${describe('invalid_grant', detail)}). ` +
            (advice.authorizationCode
              ? `${advice.authorizationCode.replace(/\.$/, '')}: start connecting your ${name} account again.`
              : `Start connecting your ${name} account again.`)
        : `${name} no longer accepts this connection's refresh token (${describe('invalid_grant', detail)}).` +
            `${sentence(advice.deadGrant)} Reconnect your ${name} account in Zapier.`;
    case 'invalid_scope':
      return `${name} refused the requested permissions (${describe('invalid_scope', detail)}). Reconnect your ${name} account and approve the permissions on the consent page.`;
    case 'invalid_request':
    case 'unsupported_grant_type':
      return `${name} rejected the token request as malformed (${describe(problem, detail)}). This is a defect in the integration; please report it to its owner.`;
    case 'missing_access_token':
      return `${where} answered without an access_token, so nothing was stored. ${retryLater(profile, grant)} If it keeps happening, report it to the integration owner.`;
    case 'missing_refresh_token':
      return (
        `${name} issued no refresh token, so this connection would stop working when its access token expires. ` +
        stop(
          `Connect your ${name} account again and ${advice.offlineAccess ?? 'approve offline access on the consent page'}`,
        )
      );
    case 'unsupported_token_type':
      return `${where} issued a "${detail}" token; this integration only uses ${profile.token.tokenTypes.join(' or ')} tokens. The integration owner must look into it; reconnecting will not help.`;
    case 'server_error':
      return `${where} failed${detail ? ` (${detail})` : ''}. ${name} may be down. ${retryLater(profile, grant)}`;
    case 'rate_limited':
      return `${where} is rate limiting token requests. ${retryLater(profile, grant)}`;
    case 'unreadable_answer':
      return `${where} answered with something that is not a token response${detail ? ` (${detail})` : ''}, so nothing was stored. ${retryLater(profile, grant)} If it keeps happening, report it to the integration owner.`;
    case 'unknown_error':
      return `${where} refused the request (${detail || 'no reason given'}). ${retryLater(profile, grant)} If it keeps happening, the integration owner must look into it.`;
  }
}

/** RFC 6749 §5.2's error codes. */
const RFC_ERRORS: Readonly<Record<string, TokenProblem>> = {
  invalid_client: 'invalid_client',
  invalid_grant: 'invalid_grant',
  invalid_scope: 'invalid_scope',
  invalid_request: 'invalid_request',
  unsupported_grant_type: 'unsupported_grant_type',
  unauthorized_client: 'unauthorized_client',
};

/** What an error code means: the profile's own codes first, then RFC 6749's. */
function problemFor(profile: CheckedProfile, code: string): TokenProblem | undefined {
  const own = profile.token.codes ?? {};
  if (Object.hasOwn(own, code)) return own[code];
  return Object.hasOwn(RFC_ERRORS, code) ? RFC_ERRORS[code] : undefined;
}

function fail(
  profile: CheckedProfile,
  ctx: TokenContext,
  problem: TokenProblem,
  status: number,
  detail = '',
): TokenOutcome {
  return {
    ok: false,
    problem,
    status,
    message: problemMessage(
      profile,
      problem,
      ctx.grant,
      status,
      serverText(detail, ctx.secrets, 200, profile.tokenPrefixes),
    ),
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

/** A code or description: a string, or a number some APIs send as a code. */
function textAt(body: unknown, path: string): string | undefined {
  const value = valueAt(body, path);
  return typeof value === 'number' ? String(value) : nonEmptyText(value);
}

/** Classifies one token endpoint answer, errors sent with HTTP 200 included. */
export function normaliseTokenResponse(
  profile: CheckedProfile,
  answer: TokenAnswer,
  ctx: TokenContext,
): TokenOutcome {
  const { status, body } = answer;
  const description = textAt(body, profile.token.errorDescription) ?? '';

  // RFC 6749 §5.2 reserves 401 for client authentication; core hides the body of a 401.
  if (status === 401) return fail(profile, ctx, 'invalid_client', status, description);

  // Throttling, whatever the body says: the grant is not in question (core's 429 handling is off).
  if (status === 429) return fail(profile, ctx, 'rate_limited', status);

  const errorCode = textAt(body, profile.token.errorCode);
  const envelopeFailed = envelopeFails(profile.signals.envelope, body);
  if (errorCode !== undefined || envelopeFailed || status >= 400 || status < 200) {
    const known = errorCode ? problemFor(profile, errorCode) : undefined;
    if (known) return fail(profile, ctx, known, status, known === 'rate_limited' ? '' : description);
    if (status >= 500) return fail(profile, ctx, 'server_error', status, errorCode ?? '');
    const code = errorCode ? serverText(errorCode, ctx.secrets, 60, profile.tokenPrefixes) : '';
    return fail(
      profile,
      ctx,
      'unknown_error',
      status,
      [code, serverText(description, ctx.secrets, 300, profile.tokenPrefixes)].filter(Boolean).join(': '),
    );
  }

  if (!isRecord(body)) return fail(profile, ctx, 'unreadable_answer', status, notATokenResponse(answer));

  const accessToken = nonEmptyText(body.access_token);
  if (!accessToken) return fail(profile, ctx, 'missing_access_token', status);

  const tokenType = body.token_type;
  const accepted = profile.token.tokenTypes.map((type) => type.toLowerCase());
  if (
    tokenType !== undefined &&
    !(typeof tokenType === 'string' && accepted.includes(tokenType.toLowerCase()))
  ) {
    return fail(
      profile,
      ctx,
      'unsupported_token_type',
      status,
      typeof tokenType === 'string' ? tokenType.slice(0, 40) : typeof tokenType,
    );
  }

  const refreshToken = nonEmptyText(body.refresh_token) ?? nonEmptyText(ctx.previousRefreshToken);
  if (!refreshToken) return fail(profile, ctx, 'missing_refresh_token', status);

  const lifetime =
    Number.isFinite(ctx.nowSeconds) && ctx.nowSeconds > 0
      ? lifetimeOf(profile.token.lifetime, body, Math.floor(ctx.nowSeconds))
      : 0;
  const kept: Record<string, string> = {};
  for (const field of profile.token.keep ?? []) {
    const value = nonEmptyText(body[field]) ?? nonEmptyText(ctx.previousKept?.[field]);
    if (value !== undefined) kept[field] = value;
  }
  return {
    ok: true,
    authData: {
      ...kept,
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_at: lifetime === 0 ? 0 : Math.floor(ctx.nowSeconds) + lifetime,
      expires_in: lifetime,
      scope: typeof body.scope === 'string' ? body.scope : (ctx.previousScope ?? ''),
    },
  };
}

/** The scopes a token answer's `scope` names, split as the profile says. */
export function scopesOf(profile: CheckedProfile, scope: string): string[] {
  return scope
    .split(profile.authorization.scopeSeparator === ',' ? /[,\s]+/ : /\s+/)
    .filter((part) => part !== '');
}
