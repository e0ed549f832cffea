// A profile: everything the layer knows about one API, and nothing else does.
//
// The layer (this folder) classifies answers, refreshes, coordinates runs and writes
// messages from these facts alone; a Zapier integration adopts it by writing one profile of
// its API. Every field is declarative and checked when the profile is
// loaded: a profile that is wrong or contradicts itself fails at load with a message naming
// the field and why, not with a misclassified answer in a user's Zap.

// Each enum once, as a list the checks read; its type is derived from the list.

/**
 * What an answer of the resource API means for the Zap (lib: signals.ts decides it), in order
 * of precedence: when a list of errors names several, the first of them here is the list's
 * meaning (a revoked grant outranks an expired token, which outranks a missing scope, …).
 */
const SIGNAL_KIND_LIST = [
  'revoked', // the grant itself is gone (revoked, account deactivated): only reconnecting helps
  'refresh', // the access token expired or was rejected: refresh and retry
  'scope', // the connection lacks a scope: refreshing cannot add one
  'throttled',
  'forbidden', // the user's role or the account's plan does not allow it
  'validation',
  'conflict',
  'not_found',
  'bad_request',
  'unavailable',
  'server',
  'bad_response',
  'error',
  'ok',
] as const;
export type SignalKind = (typeof SIGNAL_KIND_LIST)[number];
export const SIGNAL_KINDS: readonly SignalKind[] = SIGNAL_KIND_LIST;

/** The token-endpoint problems a provider's own error code may be mapped to (RFC 6749 §5.2's codes, and throttling). */
const MAPPABLE_LIST = [
  'invalid_client',
  'invalid_grant',
  'invalid_scope',
  'invalid_request',
  'unsupported_grant_type',
  'unauthorized_client',
  'server_error',
  'rate_limited',
] as const;
/** What a token endpoint error means: a mappable problem, or one the layer finds in the answer itself. */
const TOKEN_PROBLEM_LIST = [
  ...MAPPABLE_LIST,
  'missing_access_token',
  'missing_refresh_token',
  'unsupported_token_type',
  'unreadable_answer',
  'unknown_error',
] as const;
export type TokenProblem = (typeof TOKEN_PROBLEM_LIST)[number];
export const TOKEN_PROBLEMS: readonly TokenProblem[] = TOKEN_PROBLEM_LIST;
export const MAPPABLE_TOKEN_PROBLEMS: readonly TokenProblem[] = MAPPABLE_LIST;

const AUTH_METHODS = ['basic', 'body'] as const;
const SCOPE_SEPARATORS = [' ', ','] as const;
const PKCE_MODES = ['required', 'supported', 'none'] as const;
const RESET_UNITS = ['epoch-seconds', 'seconds'] as const;
const MOMENT_UNITS = ['epoch-seconds', 'epoch-milliseconds'] as const;
const LIFETIME_UNITS = ['seconds', 'milliseconds', ...MOMENT_UNITS, 'iso-8601'] as const;
const ROTATION_KINDS = ['none', 'always', 'grace', 'single-use', 'strict'] as const;
const REFRESH_TOKEN_IN_REFRESH = ['always', 'sometimes', 'never'] as const;

/**
 * Where a value lives in a JSON body: dot-separated keys, a number for an array index.
 * "error.code" reads {"error": {"code": …}}; "0.errorCode" reads [{"errorCode": …}].
 */
export type BodyPath = string;

/** How the resource API signals each kind of outcome: for the whole API, or for one family of its endpoints. */
export interface Signals {
  /** Where an error body keeps its code and its message. */
  body: {
    /**
     * A list of errors (GraphQL's "errors", Zendesk Sell's "errors"): every path below is then
     * read inside each element of the list. The list means what its most significant known code
     * means (SIGNAL_KINDS gives the order); the message reports every error, each named by its
     * field where it names one. A body without the list is read as a list of itself.
     */
    list?: BodyPath;
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
   * A failure told by the body whatever the HTTP status:
   * - `{ path, failure }`: the value at `path` equals `failure` (Slack's {"ok": false} with
   *   HTTP 200); the answer is then judged by its code alone.
   * - `{ path, nonEmpty: true, data? }`: the list at `path` is not empty (GraphQL's "errors"
   *   with HTTP 200); a 2xx is judged by its codes, and one whose errors name no known code
   *   while `data` holds something (partial data) is the step's business: ok.
   */
  envelope?: Envelope;
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
    resetUnit?: (typeof RESET_UNITS)[number];
  };
  /** Statuses that mean throttled when they come with Retry-After (GitHub's secondary limits: 403). */
  throttledWithRetryAfter?: readonly number[];
  /**
   * A scope error told by headers (GitHub OAuth apps: X-Accepted-OAuth-Scopes lists what the
   * call accepts, X-OAuth-Scopes what the token has): a refusal whose token has none of the
   * accepted scopes is a scope error naming them.
   */
  scopeHeaders?: { accepted: string; granted: string };
}

export type Envelope =
  { path: BodyPath; failure: boolean | string } | { path: BodyPath; nonEmpty: true; data?: BodyPath };

/**
 * Endpoints of the API that signal differently (a GraphQL endpoint beside REST ones, /v3/
 * beside /v2/). A family states only what differs: each field of `signals` it names replaces
 * the top-level one whole; `advice` replaces the profile's advice sentence by sentence.
 */
export interface Family extends Partial<Signals> {
  /** Named in the doctor's findings and the conformance suite: "graphql", "v3". */
  name: string;
  /**
   * The requests it covers: paths under an API prefix (endpoints.api), and a method when only
   * it differs. The longest matching prefix decides, a family with a method before one without;
   * a request under the API that no family matches uses the top-level signals.
   */
  match: { prefix: string | readonly string[]; method?: string };
  /** What this family's messages say differently ("your plan" here, "your role" there). */
  advice?: Advice;
}

/** Sentences the messages add where the API has something particular to say. */
export interface Advice {
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
}

/** A value that differs per connection and that the user gives when connecting (Zoho's data centre). */
export interface ConnectionField {
  /** Its key in Zapier's connection form and in authData, named in endpoints as {{key}}. */
  key: string;
  /** What the connection form calls it: "Data centre". */
  label: string;
  /** Where the user finds it, shown under the field. */
  help: string;
  /** The values the provider documents, value -> what the form shows ("zoho.eu": "Europe"). */
  choices?: Readonly<Record<string, string>>;
  /** What a connection that gives none uses; without one the field is required. */
  default?: string;
}

/**
 * A profile as the layer reads it: every field there, those RFC 6749 and 6750 settle filled in
 * by defineProfile (DEFAULTS below) when a profile leaves them out (ProfileInput).
 */
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
     * their paths, so one local stand-in serves them all. An absolute endpoint's host may name
     * a connection field, "https://accounts.{{dc}}/oauth/v2/auth" (connection).
     */
    authorize: string;
    token: string;
    /**
     * Where a refresh goes when it is not the token endpoint (Zapier's own oauth2 template's
     * server takes codes at /oauth/access-token and refreshes at /oauth/refresh-token). Left out:
     * refreshes go to `token`, as RFC 6749 §6 has it.
     */
    refresh?: string;
    /**
     * Prefix of the resource API, or several ("/v2/" and "/graphql"): the only requests that
     * carry the access token and whose answers the layer classifies. May contain the token
     * endpoint (Slack's oauth.v2.access sits under its API prefix): the token endpoint is told
     * apart first. Paths the layer builds (apiUrl) go under the first.
     */
    api: string | readonly string[];
    /** Other OAuth endpoints that must never get the access token (revoke, introspect). */
    oauthOther?: readonly string[];
    /**
     * The connection's own API origin, named by the token answer (Salesforce's instance_url,
     * Zoho's api_domain for its data centre): the access token goes to that origin under
     * endpoints.api's path; without the field, to endpoints.api's own origin.
     */
    apiFrom?: {
      /** The top-level field of the token answer that names it, kept in authData (token.keep). */
      field: string;
      /**
       * The hosts it may name, from the provider's documentation: "api.example.com", or
       * "*.example.com" for any host under example.com. Only https on the default port; a
       * loopback origin only when it is the base variable's own (a local stand-in). A value
       * outside is refused when the token answer arrives and whenever authData is read: the
       * access token never goes there.
       */
      hosts: readonly string[];
    };
    /** The Authorization scheme API requests carry the access token with: "Bearer" (RFC 6750) unless the API says otherwise (Zoho: "Zoho-oauthtoken"). */
    authorizationScheme?: string;
    /**
     * The header API requests carry the access token in, alone, when it is not Authorization
     * (Shopify: "X-Shopify-Access-Token"); authorizationScheme then does not apply.
     */
    tokenHeader?: string;
  };

  /**
   * Values that differ per connection (Salesforce's My Domain, Zoho's data centre), as Nango's
   * providers.yaml has them (connection_config): each is a field of Zapier's connection form,
   * and endpoints name it in their host as {{key}}.
   */
  connection?: {
    fields: readonly ConnectionField[];
    /**
     * The hosts an endpoint may resolve to with them, from the provider's documentation, as
     * endpoints.apiFrom.hosts ("accounts.zoho.eu", "*.my.salesforce.com"): a value that
     * makes another is refused, and nothing is sent there.
     */
    hosts: readonly string[];
  };

  client: {
    /** Environment variables holding the client id and secret. */
    idEnv: string;
    secretEnv: string;
    /** RFC 6749 §2.3.1: HTTP Basic (client_secret_basic, which every server must support: the default) or in the form body (client_secret_post). */
    authMethod: (typeof AUTH_METHODS)[number];
  };

  authorization: {
    /** Scopes asked for, in order (with omitScope: the scopes the client's registration grants). */
    scopes: readonly string[];
    /** How the API joins scopes in `scope` (RFC 6749 §3.3 says space, the default; Slack uses commas). */
    scopeSeparator: (typeof SCOPE_SEPARATORS)[number];
    /** The words the consent page shows for each scope, so a message names the right box. */
    scopeLabels?: Readonly<Record<string, string>>;
    /**
     * Leave `scope` out of the authorize URL, so that the scopes registered with the client
     * apply (RFC 6749 §3.3 lets the server use its default; Zendesk Sell's integration relies
     * on it). `scopes` then only says what the integration expects to be granted.
     */
    omitScope?: boolean;
    /**
     * PKCE (RFC 7636): 'required' (the API refuses a code without it: Zapier adds it on its
     * servers, the layer adds it for the local CLI, which does not: zapier-platform#1161),
     * 'supported' (used the same way, not required) or 'none'.
     */
    pkce: (typeof PKCE_MODES)[number];
    /** Extra query parameters for the authorize URL (access_type=offline, prompt=consent). */
    extraParams?: Readonly<Record<string, string>>;
  };

  /** How the resource API signals each kind of outcome, and where some of its endpoints differ. */
  signals: Signals & { families?: readonly Family[] };

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
    /** The access token's lifetime (RFC 6749 §5.1: expires_in, in seconds). */
    lifetime: {
      /** The field that holds it ("expires_in"); null when the answer has none (Salesforce). */
      field: string | null;
      /**
       * What it holds: a lifetime (seconds, milliseconds) or the moment it ends (epoch-seconds,
       * epoch-milliseconds, or iso-8601: a date with its zone, "2026-07-11T22:14:10Z", as
       * GitHub's installation tokens say expires_at). Digits in a string are read as a number.
       */
      unit: (typeof LIFETIME_UNITS)[number];
      /** Seconds to assume when the field is absent or unreadable; null: unknown (refresh on rejection only). */
      assumeSeconds: number | null;
      /**
       * When the answer says the token was issued (Salesforce's issued_at, epoch milliseconds
       * in a string): a lifetime, the one assumed included, counts from then, not from arrival.
       */
      issuedAt?: { field: string; unit: (typeof MOMENT_UNITS)[number] };
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
     * strict); the kind is what the conformance suite and the doctor check. Never filled in:
     * RFC 6749 leaves it open, and a guess of "none" for a strict API loses connections.
     */
    rotation: { kind: (typeof ROTATION_KINDS)[number]; graceSeconds?: number };
    /**
     * Whether a refresh answer carries a refresh token: 'always', 'sometimes' (keep the
     * previous one when it is absent: RFC 6749 §6's "may", the default) or 'never' (only with
     * rotation 'none').
     */
    refreshTokenInRefresh: (typeof REFRESH_TOKEN_IN_REFRESH)[number];
    /** Other top-level string fields of the token answer kept in authData (instance_url, api_domain). */
    keep?: readonly string[];
  };

  /** Prefixes of the API's tokens ("xoxb-", "ghu_"): text that starts so is redacted even when unknown. */
  tokenPrefixes?: readonly string[];

  /** Sentences the messages add where the API has something particular to say. */
  advice?: Advice;
}

/** Some of `T`'s fields left out. */
type Omitting<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/**
 * A profile as it is written: what RFC 6749 and 6750 settle may be left out (DEFAULTS), and
 * defineProfile fills it in. Every Profile is one.
 */
export type ProfileInput = Omit<Profile, 'client' | 'authorization' | 'signals' | 'token'> & {
  client: Omitting<Profile['client'], 'authMethod'>;
  authorization: Omitting<Profile['authorization'], 'scopeSeparator'>;
  signals?: Omitting<Profile['signals'], 'body' | 'codes' | 'bearerChallenge'>;
  token: Omitting<
    Omit<Profile['token'], 'lifetime'>,
    'errorCode' | 'errorDescription' | 'errorsAs200' | 'tokenTypes' | 'refreshTokenInRefresh'
  > & { lifetime?: Partial<Profile['token']['lifetime']> };
};

/**
 * What RFC 6749 and 6750 settle, filled in where a profile leaves it out. Not among them:
 * rotation (RFC 6749 leaves it open; a wrong guess loses connections) and PKCE (RFC 7636 is an
 * extension; OAuth 2.1 would have it on, RFC 6749 knows none of it).
 */
const DEFAULTS = {
  endpoints: { authorizationScheme: 'Bearer' }, // RFC 6750 §2.1
  client: { authMethod: 'basic' }, // RFC 6749 §2.3.1: every server must support it
  authorization: { scopeSeparator: ' ' }, // RFC 6749 §3.3
  // RFC 6750 §3: a refused request carries WWW-Authenticate; its body is not specified.
  signals: { body: {}, codes: {}, bearerChallenge: true },
  token: {
    errorCode: 'error', // RFC 6749 §5.2
    errorDescription: 'error_description',
    errorsAs200: false, // §5.2: HTTP 400
    tokenTypes: ['Bearer'], // RFC 6750 §4 (compared without case, RFC 6749 §7.1)
    refreshTokenInRefresh: 'sometimes', // §6: the server "MAY issue a new refresh token"
    lifetime: { field: 'expires_in', unit: 'seconds', assumeSeconds: null }, // §5.1
  },
} as const;

/** A profile that was checked. Only defineProfile makes one. */
export type CheckedProfile = Readonly<Profile> & { readonly checked: true };

export class ProfileError extends Error {
  override name = 'ProfileError';
}

/**
 * Checks a profile and returns it frozen, or throws ProfileError naming every field that is
 * wrong or contradicts another, and why.
 */
export function defineProfile(profile: ProfileInput): CheckedProfile {
  const problems = profileProblems(profile);
  if (problems.length > 0) {
    const who = typeof profile?.id === 'string' ? `Profile "${profile.id}"` : 'The profile';
    throw new ProfileError(`${who} cannot be used:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return deepFreeze({ ...complete(profile), checked: true as const });
}

/** `given` over `standard`: each field it names replaces the standard's; not an object: as it is, for the shape to report. */
function over(standard: object, given: unknown): unknown {
  if (!isPlainObject(given)) return given;
  const out: Record<string, unknown> = { ...standard };
  for (const [key, value] of Object.entries(given))
    if (value !== undefined || !(key in out)) out[key] = value;
  return out;
}

/** The profile with what the standard settles filled in where it is left out (DEFAULTS). */
function complete(input: unknown): Profile {
  if (!isPlainObject(input)) return input as Profile;
  const token = over(DEFAULTS.token, input.token);
  return {
    ...input,
    endpoints: over(DEFAULTS.endpoints, input.endpoints),
    client: over(DEFAULTS.client, input.client),
    authorization: over(DEFAULTS.authorization, input.authorization),
    signals: over(DEFAULTS.signals, input.signals ?? {}),
    token: isPlainObject(token)
      ? { ...token, lifetime: over(DEFAULTS.token.lifetime, token.lifetime) }
      : token,
  } as Profile;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// The check: what each field may hold, written as data (SHAPE below) that one walker reads,
// then the rules between fields. A key the shape does not name is refused, with the nearest one
// it does name. Hand-written rather than a schema library, measured side by side: the layer ships
// in every adopter's build.zip, whose budget (1.10x the official template's) had 0.5 KiB left;
// valibot adds 27 KiB to it, Ajv 94 KiB (10 KiB even as precompiled standalone code), zod 273
// KiB, and each adds 20 to 230 ms to loading the layer, while the rules between fields would
// still be written by hand. This costs 0.4 KiB and nothing measurable at load
// (docs/benchmarks.md, "Checking a profile").

type Problem = (field: string, why: string) => void;
/** Checks the value at `field`, telling `problem` what is wrong with it. */
type Check = (value: unknown, field: string, problem: Problem) => unknown;

/** ", not <value>" (what JSON cannot write, by its type), or that it is missing. */
function not(value: unknown): string {
  if (value === undefined) return ' (it is missing)';
  try {
    return `, not ${(JSON.stringify(value) ?? typeof value).slice(0, 80)}`;
  } catch {
    return `, not ${Array.isArray(value) ? 'a list' : typeof value}`;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** A key under `field`: "a.b", or a["b c"] when the key is not a plain name. */
const child = (field: string, key: string): string =>
  /^[\w$-]+$/.test(key) ? (field ? `${field}.${key}` : key) : `${field}[${JSON.stringify(key)}]`;

/** A check that the value is `what`, as `test` says. */
const must =
  (what: string, test: (value: unknown) => boolean): Check =>
  (value, field, problem) =>
    test(value) || problem(field, `must be ${what}${not(value)}`);

const optional =
  (check: Check): Check =>
  (value, field, problem) =>
    value === undefined || check(value, field, problem);

const text = must('a non-empty string', isText);
const bool = must('true or false', (v) => typeof v === 'boolean');
const matching = (pattern: RegExp, what: string) => must(what, (v) => isText(v) && pattern.test(v));
const oneOf = (values: readonly unknown[]) =>
  must(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, (v) => values.includes(v));
const wholeSeconds = must(
  'a positive whole number of seconds',
  (v) => Number.isInteger(v) && (v as number) > 0,
);
// 200 too: GraphQL's limits come as HTTP 200 with errors (GitHub's x-ratelimit-remaining: 0); a
// 200 is only read so when its envelope says it failed.
const errorStatus = must(
  'HTTP 200 or an error status other than 401',
  (v) => v === 200 || (Number.isInteger(v) && (v as number) >= 400 && (v as number) <= 599 && v !== 401),
);

const path = matching(
  /^(?:[A-Za-z_$][\w$-]*|\d+)(?:\.(?:[A-Za-z_$][\w$-]*|\d+))*$/,
  'a body path like "error.code" or "0.errorCode"',
);
const env = matching(/^[A-Z][A-Z0-9_]*$/, 'an environment variable name (A-Z, 0-9, _)');
const fieldName = matching(/^[A-Za-z_][\w-]*$/, 'a top-level field name');

const isHttpsUrl = (value: unknown): boolean => {
  try {
    const url = new URL(value as string);
    return (
      typeof value === 'string' &&
      url.protocol === 'https:' &&
      !(url.search || url.hash || url.username || url.password)
    );
  } catch {
    return false;
  }
};

/** A connection field named in an endpoint's host: {{key}}. */
export const PLACEHOLDER = /\{\{([a-z][a-z0-9_]*)\}\}/g;
/** The fields an endpoint names ({{key}}), in order. */
export const placeholdersOf = (endpoint: string): string[] =>
  [...endpoint.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');

/** A path under the base, or an absolute https URL where the API splits its hosts (its host may name connection fields). */
const endpoint = must(
  'https:// or a path starting with "/", without a query, fragment or credentials ({{field}} only in the host)',
  (v) => {
    if (!isText(v)) return false;
    if (v.startsWith('/')) return !/[?#{}]/.test(v);
    const [, host = '', rest = ''] = /^https:\/\/([^/]*)(.*)$/.exec(v) ?? [];
    return isHttpsUrl(v.replace(PLACEHOLDER, 'x')) && !/[{}]/.test(host.replace(PLACEHOLDER, '') + rest);
  },
);
/** A prefix of requests: a path under the API's origin. */
const prefixPath = matching(/^\/[^?#{}\s]*$/, 'a path starting with "/", without a query or fragment');
const hostName = matching(
  /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$/,
  'a host name like "api.example.com" or "*.example.com"',
);
/** What a connection field may hold: host labels ("eu", "acme--uat.sandbox", "zoho.com.au"). */
export const HOST_PART = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const hostPart = matching(HOST_PART, 'lowercase host labels ("eu", "zoho.com.au")');

/** A list of `item`s; `needs` says what it must hold when it may not be empty. */
const list =
  (item: Check, needs?: string): Check =>
  (value, field, problem) => {
    if (!Array.isArray(value)) return problem(field, `must be a list${not(value)}`);
    if (needs && value.length === 0) problem(field, `must list ${needs}`);
    value.forEach((v, i) => item(v, `${field}[${i}]`, problem));
  };
/** One `item` or a list of them. */
const oneOrList =
  (item: Check, needs: string): Check =>
  (value, field, problem) =>
    Array.isArray(value) ? list(item, needs)(value, field, problem) : item(value, field, problem);
/** A value that may be one or a list, as a list. */
export const listOf = <T>(value: T | readonly T[]): readonly T[] =>
  Array.isArray(value) ? (value as readonly T[]) : [value as T];

/** An object of any keys (checked by `key`), each holding a `value`. */
const table =
  (value: Check, key?: Check): Check =>
  (object, field, problem) => {
    if (!isPlainObject(object)) return problem(field, `must be an object${not(object)}`);
    for (const [k, v] of Object.entries(object)) {
      key?.(k, child(field, k), problem);
      value(v, child(field, k), problem);
    }
  };

/** Edit distance, for "did you mean": a key one or two keystrokes from a field is a misspelling of it. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (const [i, x] of [...a].entries()) {
    const next = [i + 1];
    for (const [j, y] of [...b].entries())
      next.push(Math.min((row[j + 1] ?? 0) + 1, (next[j] ?? 0) + 1, (row[j] ?? 0) + (x === y ? 0 : 1)));
    row = next;
  }
  return row[b.length] ?? 0;
}

/** An object with exactly the fields of `T`: every one is named, so the check cannot drift from the type. */
function fields<T>(shape: { [K in keyof T]-?: Check }): Check {
  const known = Object.keys(shape);
  const checks = shape as Record<string, Check>;
  return (object, field, problem) => {
    if (!isPlainObject(object)) return problem(field, `must be an object${not(object)}`);
    for (const key of Object.keys(object)) {
      if (Object.hasOwn(checks, key)) continue;
      let near = '';
      let nearest = key.length > 5 ? 3 : 2;
      for (const name of known) {
        const d = distance(name.toLowerCase(), key.toLowerCase());
        if (d < nearest) [near, nearest] = [name, d];
      }
      problem(
        child(field, key),
        `is not a field of ${field || 'the profile'}${near ? `; did you mean "${near}"?` : ` (it has ${known.join(', ')})`}`,
      );
    }
    for (const key of known) checks[key]?.(object[key], child(field, key), problem);
  };
}

/** What a code or a status of the API may mean: any kind but 'ok'. */
const meaning = oneOf(SIGNAL_KINDS.filter((k) => k !== 'ok'));

type Endpoints = Profile['endpoints'];
type Token = Profile['token'];

const failureEnvelope = fields<Extract<Envelope, { failure: unknown }>>({
  path,
  failure: must('a boolean or a string', (v) => typeof v === 'boolean' || typeof v === 'string'),
});
const listEnvelope = fields<Extract<Envelope, { nonEmpty: true }>>({
  path,
  nonEmpty: oneOf([true]),
  data: optional(path),
});

/** Each field of Signals, checked alike at the top level and in a family. */
const SIGNAL_FIELDS: { [K in keyof Signals]-?: Check } = {
  body: fields<Signals['body']>({
    list: optional(path),
    code: optional(path),
    message: optional(path),
    requiredScope: optional(path),
    grantedScope: optional(path),
    fields: optional(path),
    field: optional(path),
    existingId: optional(path),
    retryAfter: optional(path),
  }),
  envelope: optional((v, f, problem) =>
    (isPlainObject(v) && ('nonEmpty' in v || 'data' in v) ? listEnvelope : failureEnvelope)(v, f, problem),
  ),
  codes: table(meaning),
  // Keys as answers are looked up: "409", never " 409" or "0x199".
  statuses: optional(
    table(
      meaning,
      must('an HTTP status in three digits (300-599)', (k) => /^[3-5]\d\d$/.test(k as string)),
    ),
  ),
  bearerChallenge: bool,
  rateLimitHeaders: optional(
    fields<NonNullable<Signals['rateLimitHeaders']>>({
      statuses: optional(list(errorStatus)),
      remainingHeader: text,
      resetHeader: optional(text),
      resetUnit: optional(oneOf(RESET_UNITS)),
    }),
  ),
  throttledWithRetryAfter: optional(list(errorStatus)),
  scopeHeaders: optional(fields<NonNullable<Signals['scopeHeaders']>>({ accepted: text, granted: text })),
};

const ADVICE = fields<Advice>({
  deadGrant: optional(text),
  authorizationCode: optional(text),
  offlineAccess: optional(text),
  forbiddenWho: optional(text),
  forbidden: optional(text),
  conflict: optional(text),
  clientRegistration: optional(text),
});

const FAMILY = fields<Family>({
  ...(Object.fromEntries(Object.entries(SIGNAL_FIELDS).map(([k, check]) => [k, optional(check)])) as {
    [K in keyof Signals]-?: Check;
  }),
  name: matching(/^[a-z][a-z0-9-]{0,31}$/, 'lowercase letters, digits and "-"'),
  match: fields<Family['match']>({
    prefix: oneOrList(prefixPath, 'at least one prefix'),
    method: optional(matching(/^[A-Z]+$/, 'an HTTP method in capitals ("POST")')),
  }),
  advice: optional(ADVICE),
});

const SHAPE = fields<Profile & { checked: true }>({
  id: matching(/^[a-z][a-z0-9-]{0,31}$/, 'lowercase letters, digits and "-", for it prefixes z.cache keys'),
  name: text,
  // A link people follow from a message: https, or a path in the repository (no scheme at all).
  troubleshooting: matching(
    /^(?:https:\/\/[^\s\\/@?#]+(?:[/?#][^\s\\]*)?|(?!\/\/)[^\s:\\]+)$/i,
    'an https:// URL or a path in the repository',
  ),
  endpoints: fields<Endpoints>({
    base: must(
      'https:// without a query, fragment or credentials (a local http:// base comes from baseEnv)',
      isHttpsUrl,
    ),
    baseEnv: env,
    authorize: endpoint,
    token: endpoint,
    refresh: optional(endpoint),
    api: oneOrList(endpoint, 'at least one prefix'),
    oauthOther: optional(list(endpoint)),
    apiFrom: optional(
      fields<NonNullable<Endpoints['apiFrom']>>({
        field: fieldName,
        hosts: list(hostName, 'at least one host the token answer may name'),
      }),
    ),
    tokenHeader: optional(
      matching(/^(?!authorization$)[A-Za-z][A-Za-z0-9-]*$/i, 'a header name other than Authorization'),
    ),
    authorizationScheme: optional(
      must(
        'an HTTP auth scheme such as "Bearer" (Basic is how the client authenticates to the token endpoint)',
        (v) => isText(v) && /^(?!basic$)[A-Za-z][\w.~+/-]*$/i.test(v),
      ),
    ),
  }),
  connection: optional(
    fields<NonNullable<Profile['connection']>>({
      fields: list(
        fields<ConnectionField>({
          key: matching(
            /^[a-z][a-z0-9_]{0,31}$/,
            'lowercase letters, digits and "_", starting with a letter',
          ),
          label: text,
          help: text,
          choices: optional(table(text, hostPart)),
          default: optional(hostPart),
        }),
        'at least one field',
      ),
      hosts: list(hostName, 'at least one host an endpoint may resolve to'),
    }),
  ),
  client: fields<Profile['client']>({ idEnv: env, secretEnv: env, authMethod: oneOf(AUTH_METHODS) }),
  authorization: fields<Profile['authorization']>({
    scopes: list(matching(/^[^\s,]+$/, 'a scope name without spaces or commas')),
    scopeSeparator: oneOf(SCOPE_SEPARATORS),
    scopeLabels: optional(table(text)),
    omitScope: optional(bool),
    pkce: oneOf(PKCE_MODES),
    extraParams: optional(
      table(
        must('a string', (v) => typeof v === 'string'),
        (key, f, problem) =>
          ['client_id', 'state', 'redirect_uri', 'response_type', 'scope', 'code_challenge'].includes(
            key as string,
          ) && problem(f, 'is set by the layer itself'),
      ),
    ),
  }),
  signals: fields<Profile['signals']>({ ...SIGNAL_FIELDS, families: optional(list(FAMILY)) }),
  token: fields<Token>({
    errorCode: path,
    errorDescription: path,
    errorsAs200: bool,
    codes: optional(table(oneOf(MAPPABLE_TOKEN_PROBLEMS))),
    tokenTypes: list(text, 'at least one token_type, such as "bearer"'),
    lifetime: fields<Token['lifetime']>({
      field: (v, f, problem) => v === null || fieldName(v, f, problem),
      unit: oneOf(LIFETIME_UNITS),
      assumeSeconds: (v, f, problem) => v === null || wholeSeconds(v, f, problem),
      issuedAt: optional(
        fields<NonNullable<Token['lifetime']['issuedAt']>>({ field: fieldName, unit: oneOf(MOMENT_UNITS) }),
      ),
    }),
    rotation: fields<Token['rotation']>({
      kind: oneOf(ROTATION_KINDS),
      graceSeconds: optional(wholeSeconds),
    }),
    refreshTokenInRefresh: oneOf(REFRESH_TOKEN_IN_REFRESH),
    keep: optional(list(fieldName)),
  }),
  tokenPrefixes: optional(
    list(
      matching(
        /^[A-Za-z0-9][A-Za-z0-9._-]{1,15}[_.-]$/,
        '3 to 17 letters, digits, ".", "_" or "-", ending in "_", "-" or "."',
      ),
    ),
  ),
  advice: optional(ADVICE),
  // defineProfile's mark: a checked profile checked again (the doctor) is still sound.
  checked: optional(oneOf([true])),
});

/** Whether `host` is one `hosts` names ("api.example.com", "*.example.com"): apiFrom's and connection's rule. */
export function hostAllowed(host: string, hosts: readonly string[]): boolean {
  return hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h));
}

/** Whether a request path lies under a prefix path (both as written: "/v2/", "/graphql"). */
export function underPrefix(path: string, prefix: string): boolean {
  const p = prefix.replace(/\/+$/, '');
  return p === '' || path === p || path.startsWith(`${p}/`);
}

/** The rules between the fields of one set of signals (the top level's, or a family's over it). */
function signalRules(s: Partial<Signals>, at: string, problem: Problem): void {
  if (s.envelope !== undefined && s.body?.code === undefined)
    problem(`${at}.body.code`, `is needed with ${at}.envelope: an enveloped failure is judged by its code`);
  if (isPlainObject(s.codes) && Object.keys(s.codes).length > 0 && s.body?.code === undefined)
    problem(`${at}.body.code`, `is needed: ${at}.codes names codes but nothing says where a code is`);
  // Inside a Zapier app core answers a 401 before any middleware: another meaning would never apply.
  if (isPlainObject(s.statuses) && Object.hasOwn(s.statuses, 401) && s.statuses[401] !== 'refresh')
    problem(
      `${at}.statuses.401`,
      'cannot be anything but "refresh": with autoRefresh core turns every 401 into RefreshAuthError before the layer sees it',
    );
  const limits = s.rateLimitHeaders;
  if (limits?.resetHeader !== undefined && limits.resetUnit === undefined)
    problem(`${at}.rateLimitHeaders.resetUnit`, 'is needed with resetHeader: "epoch-seconds" or "seconds"');
}

/** The paths of the API's prefixes, as requests are matched against them. */
function apiPaths(api: unknown): string[] {
  const paths: string[] = [];
  for (const prefix of Array.isArray(api) ? api : [api])
    if (typeof prefix === 'string')
      paths.push(prefix.startsWith('/') ? prefix : (/^https:\/\/[^/]*(\/[^?#]*)?/.exec(prefix)?.[1] ?? '/'));
  return paths;
}

/** Every problem of a profile, each naming its field; empty when it is sound. Exported for the doctor. */
export function profileProblems(input: unknown): string[] {
  if (!isPlainObject(input)) return ['the profile is not an object'];
  const out: string[] = [];
  const problem: Problem = (field, why) => out.push(`${field}: ${why}`);
  const profile = complete(input);
  SHAPE(profile, '', problem);

  // The rules between fields. The shape has reported what is mistyped; these read only what
  // has the type they need, so a profile wrong in many ways is described, never a TypeError.
  const { endpoints: e, client: c, authorization: a, signals: s, token: t } = profile as Partial<Profile>;
  if (c?.idEnv !== undefined && c.idEnv === c.secretEnv)
    problem('client.secretEnv', 'is the same variable as client.idEnv');
  if (e?.baseEnv !== undefined && (e.baseEnv === c?.idEnv || e.baseEnv === c?.secretEnv))
    problem('endpoints.baseEnv', 'is one of the client variables');
  if (isPlainObject(a?.scopeLabels) && Array.isArray(a.scopes))
    for (const scope of Object.keys(a.scopeLabels))
      if (!a.scopes.includes(scope))
        problem(
          child('authorization.scopeLabels', scope),
          'labels a scope that authorization.scopes does not ask for',
        );
  if (isPlainObject(s)) signalRules(s, 'signals', problem);
  familyRules(profile, problem);
  connectionRules(profile, problem);
  if (t?.lifetime?.field === null && t.lifetime.assumeSeconds === null)
    problem(
      'token.lifetime',
      'says neither where the lifetime is nor what to assume: set field or assumeSeconds',
    );
  const moment = (MOMENT_UNITS as readonly string[]).includes(t?.lifetime?.unit ?? '');
  if (
    t?.lifetime?.issuedAt !== undefined &&
    t.lifetime.field !== null &&
    moment &&
    t.lifetime.assumeSeconds === null
  )
    problem(
      'token.lifetime.issuedAt',
      `only applies to a lifetime (seconds, milliseconds) or assumeSeconds, not to the moment "${t.lifetime.unit}" names`,
    );
  const rotation = t?.rotation?.kind;
  if (rotation === 'grace' && t?.rotation?.graceSeconds === undefined)
    problem(
      'token.rotation.graceSeconds',
      'is needed with rotation "grace": how long the old refresh token keeps working',
    );
  if (rotation !== undefined && rotation !== 'grace' && t?.rotation?.graceSeconds !== undefined)
    problem('token.rotation.graceSeconds', `only applies to rotation "grace", not "${rotation}"`);
  if (rotation !== undefined && rotation !== 'none' && t?.refreshTokenInRefresh === 'never')
    problem(
      'token.refreshTokenInRefresh',
      `cannot be "never" with rotation "${rotation}": a rotated token must come back in the answer`,
    );
  const keep = Array.isArray(t?.keep) ? t.keep : [];
  for (const field of keep)
    if (LAYER_KEEPS.includes(field)) problem('token.keep', `"${field}" is kept by the layer already`);
  const from = e?.apiFrom?.field;
  if (typeof from === 'string' && (t?.keep === undefined || Array.isArray(t.keep)) && !keep.includes(from))
    problem('endpoints.apiFrom.field', `names "${from}", which token.keep does not keep`);
  return out;
}

/** What the layer keeps in authData of every token answer itself. */
const LAYER_KEEPS = ['access_token', 'refresh_token', 'expires_at', 'expires_in', 'scope'];

/** Families: under the API, told apart, and each sound over the top-level signals it inherits. */
function familyRules(profile: Profile, problem: Problem): void {
  const families = profile.signals?.families;
  if (!Array.isArray(families)) return;
  const roots = apiPaths(profile.endpoints?.api);
  const seen = new Map<string, string>();
  families.forEach((family: Partial<Family>, i) => {
    if (!isPlainObject(family)) return;
    const at = `signals.families[${i}]`;
    if (typeof family.name === 'string') {
      if (seen.has(`name ${family.name}`)) problem(`${at}.name`, `"${family.name}" names another family too`);
      seen.set(`name ${family.name}`, at);
    }
    const { prefix, method } = isPlainObject(family.match) ? family.match : {};
    for (const p of typeof prefix === 'string' || Array.isArray(prefix) ? listOf(prefix) : []) {
      if (typeof p !== 'string') continue;
      if (!roots.some((root) => underPrefix(p.replace(/\/+$/, '') || '/', root)))
        problem(`${at}.match.prefix`, `"${p}" is not under endpoints.api (${roots.join(', ')})`);
      const key = `${p.replace(/\/+$/, '')} ${method ?? '*'}`;
      const other = seen.get(key);
      if (other) problem(`${at}.match`, `matches the same requests as ${other}`);
      seen.set(key, at);
    }
    signalRules({ ...profile.signals, ...familySignals(family) }, at, problem);
  });
}

/** What a family says of the signals (its fields but its name, match and advice), each replacing the top level's. */
export function familySignals(family: Partial<Family>): Partial<Signals> {
  return Object.fromEntries(
    Object.entries(family).filter(
      ([key, v]) => v !== undefined && !['name', 'match', 'advice'].includes(key),
    ),
  );
}

/** Connection fields: each named by an endpoint, each endpoint's {{field}} declared, every documented value on an allowed host. */
function connectionRules(profile: Profile, problem: Problem): void {
  const e = profile.endpoints;
  if (!isPlainObject(e)) return;
  const conn = isPlainObject(profile.connection) ? profile.connection : undefined;
  const declared = new Map<string, Partial<ConnectionField>>();
  const list: unknown[] = Array.isArray(conn?.fields) ? conn.fields : [];
  list.forEach((raw, i) => {
    const f = raw as Partial<ConnectionField>;
    if (!isPlainObject(raw) || typeof f.key !== 'string') return;
    if (declared.has(f.key)) problem(`connection.fields[${i}].key`, `"${f.key}" is declared twice`);
    if ([...LAYER_KEEPS, ...(profile.token?.keep ?? [])].includes(f.key))
      problem(`connection.fields[${i}].key`, `"${f.key}" is a field of the token answer`);
    if (typeof f.default === 'string' && isPlainObject(f.choices) && !Object.hasOwn(f.choices, f.default))
      problem(`connection.fields[${i}].default`, `"${f.default}" is not one of its choices`);
    declared.set(f.key, f);
  });
  const named: Array<[string, string]> = [];
  for (const key of ['authorize', 'token'] as const) named.push([`endpoints.${key}`, e[key]]);
  listOf(e.api).forEach((api, i) =>
    named.push([Array.isArray(e.api) ? `endpoints.api[${i}]` : 'endpoints.api', api]),
  );
  (Array.isArray(e.oauthOther) ? e.oauthOther : []).forEach((o, i) =>
    named.push([`endpoints.oauthOther[${i}]`, o]),
  );
  const used = new Set<string>();
  const hosts = Array.isArray(conn?.hosts) ? conn.hosts.filter((h) => typeof h === 'string') : [];
  for (const [field, value] of named) {
    if (typeof value !== 'string') continue;
    const keys = placeholdersOf(value);
    for (const key of keys) {
      used.add(key);
      if (!declared.has(key)) problem(field, `names {{${key}}}, which connection.fields does not declare`);
    }
    // Every value the profile documents (choices, default) resolves to a host connection.hosts allows.
    if (keys.length !== 1 || !declared.has(keys[0] ?? '')) continue;
    const f = declared.get(keys[0] ?? '');
    const values = [...Object.keys(isPlainObject(f?.choices) ? f.choices : {}), f?.default].filter(
      (v): v is string => typeof v === 'string' && HOST_PART.test(v),
    );
    for (const v of new Set(values)) {
      const host = /^https:\/\/([^/]*)/.exec(value.replace(PLACEHOLDER, v))?.[1] ?? '';
      if (!hostAllowed(host, hosts))
        problem(field, `with ${keys[0]} "${v}" names ${host}, a host connection.hosts does not allow`);
    }
  }
  list.forEach((raw, i) => {
    const key = (raw as Partial<ConnectionField>)?.key;
    if (typeof key === 'string' && !used.has(key))
      problem(`connection.fields[${i}]`, `"${key}" is named by no endpoint ({{${key}}})`);
  });
}
