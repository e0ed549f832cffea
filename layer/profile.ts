// A profile: everything the layer knows about one API, and nothing else does.
//
// The layer (this folder) classifies answers, refreshes, coordinates runs and writes
// messages from these facts alone; a Zapier integration adopts it by writing one profile of
// its API. Every field is declarative and checked when the profile is
// loaded: a profile that is wrong or contradicts itself fails at load with a message naming
// the field and why, not with a misclassified answer in a user's Zap.

/** What an answer of the resource API means for the Zap (lib: signals.ts decides it). */
export type SignalKind =
  | 'ok'
  | 'refresh' // the access token expired or was rejected: refresh and retry
  | 'revoked' // the grant itself is gone (revoked, account deactivated): only reconnecting helps
  | 'scope' // the connection lacks a scope: refreshing cannot add one
  | 'forbidden' // the user's role or the account's plan does not allow it
  | 'throttled'
  | 'validation'
  | 'conflict'
  | 'not_found'
  | 'bad_request'
  | 'unavailable'
  | 'server'
  | 'bad_response'
  | 'error';

export const SIGNAL_KINDS: readonly SignalKind[] = [
  'ok',
  'refresh',
  'revoked',
  'scope',
  'forbidden',
  'throttled',
  'validation',
  'conflict',
  'not_found',
  'bad_request',
  'unavailable',
  'server',
  'bad_response',
  'error',
];

/** What a token endpoint error means (RFC 6749 §5.2's codes, and what providers add). */
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

/** The token-endpoint problems a provider's own error code may be mapped to. */
export const MAPPABLE_TOKEN_PROBLEMS: readonly TokenProblem[] = [
  'invalid_client',
  'invalid_grant',
  'invalid_scope',
  'invalid_request',
  'unsupported_grant_type',
  'unauthorized_client',
  'server_error',
  'rate_limited',
];

/**
 * Where a value lives in a JSON body: dot-separated keys, a number for an array index.
 * "error.code" reads {"error": {"code": …}}; "0.errorCode" reads [{"errorCode": …}].
 */
export type BodyPath = string;

export interface Profile {
  /** Machine name, [a-z0-9-]: it prefixes z.cache keys, so two profiles in one app never share records. */
  id: string;
  /** The API's name as users read it in every message: "Slack", "HubSpot". */
  name: string;
  /**
   * Where the people who read a message find what it means: an https URL or a path in the
   * integration's repository. Named in the doctor's findings.
   */
  troubleshooting: string;

  endpoints: {
    /** The API's address in production, https. */
    base: string;
    /**
     * The environment variable that replaces `base` (a sandbox, a stand-in, a regional
     * host). http:// is accepted from it only for 127.0.0.1, localhost and [::1].
     */
    baseEnv: string;
    /**
     * Each endpoint is a path under the base, or an absolute https URL where the API splits
     * its hosts (HubSpot authorizes on app.hubspot.com, Xero's token endpoint is on
     * identity.xero.com). When baseEnv is set, absolute endpoints move onto its origin with
     * their paths, so one local stand-in serves them all.
     */
    authorize: string;
    token: string;
    /**
     * Prefix of the resource API: the only requests that carry the access token and whose
     * answers the layer classifies. May contain the token endpoint (Slack's oauth.v2.access
     * sits under its API prefix): the token endpoint is told apart first.
     */
    api: string;
    /** Other OAuth endpoints that must never get the access token (revoke, introspect). */
    oauthOther?: readonly string[];
    /**
     * A field the token answer names the API's origin in, kept in authData (token.keep): the
     * connection's own host (Salesforce's instance_url, Zoho's api_domain for its data centre).
     * The access token goes to that origin under endpoints.api's path; without the field, to
     * endpoints.api's own origin.
     */
    apiFrom?: string;
    /** The Authorization scheme API requests carry the access token with: "Bearer" (RFC 6750) unless the API says otherwise (Zoho: "Zoho-oauthtoken"). */
    authorizationScheme?: string;
  };

  client: {
    /** Environment variables holding the client id and secret. */
    idEnv: string;
    secretEnv: string;
    /** RFC 6749 §2.3.1: HTTP Basic (client_secret_basic) or in the form body (client_secret_post). */
    authMethod: 'basic' | 'body';
  };

  authorization: {
    /** Scopes asked for, in order. */
    scopes: readonly string[];
    /** How the API joins scopes in `scope` (RFC 6749 says space; Slack uses commas). */
    scopeSeparator: ' ' | ',';
    /** The words the consent page shows for each scope, so a message names the right box. */
    scopeLabels?: Readonly<Record<string, string>>;
    /**
     * PKCE (RFC 7636): 'required' (the API refuses a code without it: Zapier adds it on its
     * servers, the layer adds it for the local CLI, which does not: zapier-platform#1161),
     * 'supported' (used the same way, not required) or 'none'.
     */
    pkce: 'required' | 'supported' | 'none';
    /** Extra query parameters for the authorize URL (access_type=offline, prompt=consent). */
    extraParams?: Readonly<Record<string, string>>;
  };

  /** How the resource API signals each kind of outcome. */
  signals: {
    /** Where an error body keeps its code and its message. */
    body: {
      code?: BodyPath;
      message?: BodyPath;
      /** The scope a scope error says is missing, and the scopes it says were granted. */
      requiredScope?: BodyPath;
      grantedScope?: BodyPath;
      /** Field-level validation errors: an object of field -> text or list of texts. */
      fields?: BodyPath;
      /**
       * The one field an error names, when the API names a single field beside its message
       * ({"field": "amount", "detail": "must be positive"}) rather than an object of them; the
       * message (body.message) is that field's text.
       */
      field?: BodyPath;
      /** The id of the record a conflict is about. */
      existingId?: BodyPath;
      /** Seconds to wait, when the body says so rather than a header. */
      retryAfter?: BodyPath;
    };
    /**
     * An envelope whose value at `path` equals `failure` means an error whatever the HTTP
     * status (Slack's {"ok": false} with HTTP 200). The answer is then judged by its code alone.
     */
    envelope?: { path: BodyPath; failure: boolean | string };
    /** The API's error codes -> what they mean. Looked up before the status. */
    codes: Readonly<Record<string, SignalKind>>;
    /** Statuses whose meaning differs from the layer's defaults (see DEFAULT_STATUS_KINDS in signals.ts). */
    statuses?: Readonly<Record<number, SignalKind>>;
    /** Whether the API puts RFC 6750 `error="…"` in WWW-Authenticate (read when the body names no known code). */
    bearerChallenge: boolean;
    /**
     * A rate limit that arrives as another status (GitHub: 403 with x-ratelimit-remaining: 0).
     * When `remainingHeader` reads 0 the answer is throttled; the delay comes from Retry-After,
     * else from `resetHeader` (epoch seconds or seconds from now).
     */
    rateLimitHeaders?: {
      /** The statuses it applies to (default 403 and 429): the last unit of a quota can also be spent by a 404. */
      statuses?: readonly number[];
      remainingHeader: string;
      resetHeader?: string;
      resetUnit?: 'epoch-seconds' | 'seconds';
    };
    /** Statuses that mean throttled when they come with Retry-After (GitHub's secondary limits: 403). */
    throttledWithRetryAfter?: readonly number[];
    /**
     * A scope error told by headers (GitHub OAuth apps: X-Accepted-OAuth-Scopes lists what the
     * call accepts, X-OAuth-Scopes what the token has): a refusal whose token has none of the
     * accepted scopes is a scope error naming them.
     */
    scopeHeaders?: { accepted: string; granted: string };
  };

  /** How the token endpoint answers. */
  token: {
    /** Where its error code and description live (RFC 6749 §5.2: "error", "error_description"). */
    errorCode: BodyPath;
    errorDescription: BodyPath;
    /**
     * Whether the endpoint may answer an error with HTTP 200 (Zoho, GitHub, Slack). The layer
     * reads an error code in any answer either way; the doctor and the conformance suite
     * check that the profile says so.
     */
    errorsAs200: boolean;
    /** The API's own error codes -> problem, beyond RFC 6749's (HubSpot's BAD_REFRESH_TOKEN -> invalid_grant). */
    codes?: Readonly<Record<string, TokenProblem>>;
    /** token_type values accepted (case-insensitive); RFC 6750 says "bearer". */
    tokenTypes: readonly string[];
    /** The access token's lifetime. */
    lifetime: {
      /** The field that holds it ("expires_in"); null when the answer has none (Salesforce). */
      field: string | null;
      /** What the number means; strings of digits are read as numbers whatever the unit. */
      unit: 'seconds' | 'milliseconds' | 'epoch-seconds' | 'epoch-milliseconds';
      /** Seconds to assume when the field is absent or unreadable; null: unknown (refresh on rejection only). */
      assumeSeconds: number | null;
    };
    /**
     * What a refresh does to the refresh token:
     * - none: the same one stays valid (HubSpot, Zoho, Google);
     * - always: a new one each time, the old one stays valid (Microsoft);
     * - grace: a new one; the old one works for `graceSeconds` (Xero: 30 minutes);
     * - single-use: a new one; the old one is refused, the grant lives on (Slack token
     *   rotation, GitHub App user tokens);
     * - strict: a new one; presenting the old one again revokes the grant (Salesforce with
     *   rotation on).
     * The layer coordinates refreshes the same way for all of them (built for the worst,
     * strict); the kind is what the conformance suite and the doctor check.
     */
    rotation: { kind: 'none' | 'always' | 'grace' | 'single-use' | 'strict'; graceSeconds?: number };
    /**
     * Whether a refresh answer carries a refresh token: 'always', 'sometimes' (keep the
     * previous one when it is absent) or 'never' (only with rotation 'none').
     */
    refreshTokenInRefresh: 'always' | 'sometimes' | 'never';
    /** Other top-level string fields of the token answer kept in authData (instance_url, api_domain). */
    keep?: readonly string[];
  };

  /** Prefixes of the API's tokens ("xoxb-", "ghu_"): text that starts so is redacted even when unknown. */
  tokenPrefixes?: readonly string[];

  /** Sentences the messages add where the API has something particular to say. */
  advice?: {
    /** Why a refresh token dies (after "no longer accepts this connection's refresh token."). */
    deadGrant?: string;
    /** About authorization codes (after "did not accept the authorization code."). */
    authorizationCode?: string;
    /** How to be sure a refresh token is issued (after "issued no refresh token."). */
    offlineAccess?: string;
    /** Whose permissions a forbidden action lacks, as "… does not let <forbiddenWho> do this" ("your role"). */
    forbiddenWho?: string;
    /** Who can grant a forbidden action. */
    forbidden?: string;
    /** What to do about a conflict with an existing record. */
    conflict?: string;
    /** Where the client id and secret are registered. */
    clientRegistration?: string;
  };
}

/** A profile that was checked. Only defineProfile makes one. */
export type CheckedProfile = Readonly<Profile> & { readonly checked: true };

export class ProfileError extends Error {
  override name = 'ProfileError';
}

const PATH = /^(?:[A-Za-z_$][\w$-]*|\d+)(?:\.(?:[A-Za-z_$][\w$-]*|\d+))*$/;
const ENV = /^[A-Z][A-Z0-9_]*$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a profile and returns it frozen, or throws ProfileError naming every field that is
 * wrong or contradicts another, and why.
 */
export function defineProfile(profile: Profile): CheckedProfile {
  const problems = profileProblems(profile);
  if (problems.length > 0) {
    const who = typeof profile?.id === 'string' ? `Profile "${profile.id}"` : 'The profile';
    throw new ProfileError(`${who} cannot be used:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return deepFreeze({ ...profile, checked: true as const });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Every problem of a profile, each naming its field; empty when it is sound. Exported for the doctor. */
export function profileProblems(input: unknown): string[] {
  const out: string[] = [];
  const problem = (field: string, why: string) => out.push(`${field}: ${why}`);
  if (!isPlainObject(input)) return ['the profile is not an object'];
  const p = input as unknown as Profile;

  const text = (field: string, value: unknown): value is string => {
    if (typeof value === 'string' && value.trim() !== '') return true;
    problem(field, `must be a non-empty string, not ${JSON.stringify(value)}`);
    return false;
  };
  const path = (field: string, value: unknown, optional = true) => {
    if (value === undefined && optional) return;
    if (typeof value !== 'string' || !PATH.test(value))
      problem(field, `must be a body path like "error.code" or "0.errorCode", not ${JSON.stringify(value)}`);
  };
  const urlPath = (field: string, value: unknown) => {
    if (!text(field, value)) return;
    if (value.startsWith('/')) {
      if (/[?#]/.test(value)) problem(field, `must not carry a query or fragment: "${value}"`);
      return;
    }
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      problem(field, `must be a path starting with "/" or an absolute https URL, not "${value}"`);
      return;
    }
    if (url.protocol !== 'https:') problem(field, `must be https://, not "${value}"`);
    if (url.search || url.hash || url.username || url.password)
      problem(field, `must not carry a query, fragment or credentials: "${value}"`);
  };
  const env = (field: string, value: unknown) => {
    if (text(field, value) && !ENV.test(value))
      problem(field, `must be an environment variable name (A-Z, 0-9, _), not "${value}"`);
  };
  const section = (field: string, value: unknown): boolean => {
    if (isPlainObject(value)) return true;
    problem(field, 'is missing or not an object');
    return false;
  };

  if (text('id', p.id) && !/^[a-z][a-z0-9-]{0,31}$/.test(p.id))
    problem('id', `must be lowercase letters, digits and "-" (it prefixes z.cache keys), not "${p.id}"`);
  text('name', p.name);
  if (text('troubleshooting', p.troubleshooting) && /^http:/i.test(p.troubleshooting))
    problem('troubleshooting', 'must be https:// or a path in the repository');

  if (section('endpoints', p.endpoints)) {
    const e = p.endpoints;
    if (text('endpoints.base', e.base)) {
      let url: URL | undefined;
      try {
        url = new URL(e.base);
      } catch {
        problem('endpoints.base', `is not a URL: "${e.base}"`);
      }
      if (url && url.protocol !== 'https:')
        problem('endpoints.base', 'must be https:// in production (a local http:// base comes from baseEnv)');
      if (url && (url.search || url.hash || url.username || url.password))
        problem('endpoints.base', 'must not carry a query, fragment or credentials');
    }
    env('endpoints.baseEnv', e.baseEnv);
    urlPath('endpoints.authorize', e.authorize);
    urlPath('endpoints.token', e.token);
    urlPath('endpoints.api', e.api);
    for (const [i, other] of (e.oauthOther ?? []).entries()) urlPath(`endpoints.oauthOther[${i}]`, other);
    if (e.authorizationScheme !== undefined && /^basic$/i.test(e.authorizationScheme))
      problem(
        'endpoints.authorizationScheme',
        'cannot be "Basic": that is how the client authenticates to the token endpoint',
      );
    if (e.authorizationScheme !== undefined && !/^[A-Za-z][A-Za-z0-9._~+/-]*$/.test(e.authorizationScheme))
      problem(
        'endpoints.authorizationScheme',
        `must be an HTTP auth scheme name such as "Bearer", not ${JSON.stringify(e.authorizationScheme)}`,
      );
  }

  if (section('client', p.client)) {
    env('client.idEnv', p.client.idEnv);
    env('client.secretEnv', p.client.secretEnv);
    if (p.client.idEnv === p.client.secretEnv)
      problem('client.secretEnv', 'is the same variable as client.idEnv');
    if (p.client.authMethod !== 'basic' && p.client.authMethod !== 'body')
      problem('client.authMethod', `must be "basic" or "body", not ${JSON.stringify(p.client.authMethod)}`);
  }
  if (isPlainObject(p.endpoints) && isPlainObject(p.client) && p.endpoints.baseEnv !== undefined) {
    if (p.endpoints.baseEnv === p.client.idEnv || p.endpoints.baseEnv === p.client.secretEnv)
      problem('endpoints.baseEnv', 'is one of the client variables');
  }

  if (section('authorization', p.authorization)) {
    const a = p.authorization;
    if (!Array.isArray(a.scopes) || a.scopes.some((s) => typeof s !== 'string' || s === '' || /\s|,/.test(s)))
      problem('authorization.scopes', 'must be a list of scope names without spaces or commas');
    if (a.scopeSeparator !== ' ' && a.scopeSeparator !== ',')
      problem('authorization.scopeSeparator', `must be " " or ",", not ${JSON.stringify(a.scopeSeparator)}`);
    if (!['required', 'supported', 'none'].includes(a.pkce))
      problem(
        'authorization.pkce',
        `must be "required", "supported" or "none", not ${JSON.stringify(a.pkce)}`,
      );
    for (const scope of Object.keys(a.scopeLabels ?? {}))
      if (Array.isArray(a.scopes) && !a.scopes.includes(scope))
        problem(
          `authorization.scopeLabels.${scope}`,
          'labels a scope that authorization.scopes does not ask for',
        );
    for (const key of Object.keys(a.extraParams ?? {}))
      if (['client_id', 'state', 'redirect_uri', 'response_type', 'scope', 'code_challenge'].includes(key))
        problem(`authorization.extraParams.${key}`, 'is set by the layer itself');
  }

  if (section('signals', p.signals)) {
    const s = p.signals;
    if (section('signals.body', s.body))
      for (const [key, value] of Object.entries(s.body)) path(`signals.body.${key}`, value);
    if (s.envelope !== undefined) {
      if (!isPlainObject(s.envelope)) problem('signals.envelope', 'must be {path, failure}');
      else {
        path('signals.envelope.path', s.envelope.path, false);
        if (typeof s.envelope.failure !== 'boolean' && typeof s.envelope.failure !== 'string')
          problem('signals.envelope.failure', 'must be a boolean or a string');
        if (s.body?.code === undefined)
          problem(
            'signals.body.code',
            'is needed with signals.envelope: an enveloped failure is judged by its code',
          );
      }
    }
    if (!isPlainObject(s.codes)) problem('signals.codes', 'must be an object of code -> kind');
    else
      for (const [code, kind] of Object.entries(s.codes))
        if (!SIGNAL_KINDS.includes(kind) || kind === 'ok')
          problem(
            `signals.codes.${code}`,
            `must be one of ${SIGNAL_KINDS.filter((k) => k !== 'ok').join(', ')}, not ${JSON.stringify(kind)}`,
          );
    if (isPlainObject(s.codes) && Object.keys(s.codes).length > 0 && s.body?.code === undefined)
      problem('signals.body.code', 'is needed: signals.codes names codes but nothing says where a code is');
    for (const [status, kind] of Object.entries(s.statuses ?? {})) {
      const n = Number(status);
      if (!Number.isInteger(n) || n < 300 || n > 599)
        problem(`signals.statuses.${status}`, 'must be an HTTP error status (300-599)');
      if (!SIGNAL_KINDS.includes(kind) || kind === 'ok')
        problem(`signals.statuses.${status}`, `is not a signal kind: ${JSON.stringify(kind)}`);
      // Inside a Zapier app core answers a 401 before any middleware: another meaning would never apply.
      if (n === 401 && kind !== 'refresh')
        problem(
          'signals.statuses.401',
          'cannot be anything but "refresh": with autoRefresh core turns every 401 into RefreshAuthError before the layer sees it',
        );
    }
    if (typeof s.bearerChallenge !== 'boolean') problem('signals.bearerChallenge', 'must be true or false');
    if (s.rateLimitHeaders !== undefined) {
      const r = s.rateLimitHeaders;
      if (!isPlainObject(r)) problem('signals.rateLimitHeaders', 'must be an object');
      else {
        text('signals.rateLimitHeaders.remainingHeader', r.remainingHeader);
        if (r.resetHeader !== undefined) text('signals.rateLimitHeaders.resetHeader', r.resetHeader);
        for (const [i, status] of (r.statuses ?? []).entries())
          if (!Number.isInteger(status) || status < 400 || status > 599 || status === 401)
            problem(`signals.rateLimitHeaders.statuses[${i}]`, 'must be an HTTP error status other than 401');
        if (r.resetHeader !== undefined && r.resetUnit === undefined)
          problem(
            'signals.rateLimitHeaders.resetUnit',
            'is needed with resetHeader: "epoch-seconds" or "seconds"',
          );
      }
    }
  }

  if (section('token', p.token)) {
    const t = p.token;
    path('token.errorCode', t.errorCode, false);
    path('token.errorDescription', t.errorDescription, false);
    if (typeof t.errorsAs200 !== 'boolean') problem('token.errorsAs200', 'must be true or false');
    for (const [code, what] of Object.entries(t.codes ?? {}))
      if (!MAPPABLE_TOKEN_PROBLEMS.includes(what))
        problem(
          `token.codes.${code}`,
          `must be one of ${MAPPABLE_TOKEN_PROBLEMS.join(', ')}, not ${JSON.stringify(what)}`,
        );
    if (
      !Array.isArray(t.tokenTypes) ||
      t.tokenTypes.length === 0 ||
      t.tokenTypes.some((v) => typeof v !== 'string' || v === '')
    )
      problem('token.tokenTypes', 'must list at least one token_type, such as "bearer"');
    if (section('token.lifetime', t.lifetime)) {
      const l = t.lifetime;
      if (l.field !== null && (typeof l.field !== 'string' || !/^[A-Za-z_][\w-]*$/.test(l.field)))
        problem('token.lifetime.field', 'must be a top-level field name or null');
      if (!['seconds', 'milliseconds', 'epoch-seconds', 'epoch-milliseconds'].includes(l.unit))
        problem(
          'token.lifetime.unit',
          `must be seconds, milliseconds, epoch-seconds or epoch-milliseconds, not ${JSON.stringify(l.unit)}`,
        );
      if (l.assumeSeconds !== null && !(Number.isInteger(l.assumeSeconds) && l.assumeSeconds > 0))
        problem('token.lifetime.assumeSeconds', 'must be a positive whole number of seconds or null');
      if (l.field === null && l.assumeSeconds === null)
        problem(
          'token.lifetime',
          'says neither where the lifetime is nor what to assume: set field or assumeSeconds',
        );
    }
    if (section('token.rotation', t.rotation)) {
      const r = t.rotation;
      if (!['none', 'always', 'grace', 'single-use', 'strict'].includes(r.kind))
        problem(
          'token.rotation.kind',
          `must be none, always, grace, single-use or strict, not ${JSON.stringify(r.kind)}`,
        );
      if (r.kind === 'grace' && !(Number.isInteger(r.graceSeconds) && (r.graceSeconds ?? 0) > 0))
        problem(
          'token.rotation.graceSeconds',
          'is needed with rotation "grace": how long the old refresh token keeps working',
        );
      if (r.kind !== 'grace' && r.graceSeconds !== undefined)
        problem('token.rotation.graceSeconds', `only applies to rotation "grace", not "${r.kind}"`);
      if (r.kind !== 'none' && t.refreshTokenInRefresh === 'never')
        problem(
          'token.refreshTokenInRefresh',
          `cannot be "never" with rotation "${r.kind}": a rotated token must come back in the answer`,
        );
    }
    if (!['always', 'sometimes', 'never'].includes(t.refreshTokenInRefresh))
      problem(
        'token.refreshTokenInRefresh',
        `must be always, sometimes or never, not ${JSON.stringify(t.refreshTokenInRefresh)}`,
      );
    for (const field of t.keep ?? [])
      if (['access_token', 'refresh_token', 'expires_at', 'expires_in', 'scope'].includes(field))
        problem('token.keep', `"${field}" is kept by the layer already`);
    const apiFrom = isPlainObject(p.endpoints) ? p.endpoints.apiFrom : undefined;
    if (apiFrom !== undefined && !(t.keep ?? []).includes(apiFrom))
      problem('endpoints.apiFrom', `names "${apiFrom}", which token.keep does not keep`);
  }

  for (const [i, prefix] of (p.tokenPrefixes ?? []).entries())
    if (typeof prefix !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{1,15}[_.-]$/.test(prefix))
      problem(
        `tokenPrefixes[${i}]`,
        'must be 3 to 17 letters, digits, ".", "_" or "-", ending in "_", "-" or "."',
      );
  return out;
}
