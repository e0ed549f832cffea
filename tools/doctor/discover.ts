// `npm run doctor -- --discover URL`: what an API without a profile does, observed from one
// connection and one test URL, as a draft profile (tools/doctor/draft.ts).
//
// What it sends, and nothing else:
//   - GET on the RFC 8414 / OpenID metadata addresses of the test URL's origin (no credential);
//   - GET on the test URL with the connection's access token, and with one that cannot be valid;
//   - a refresh with a refresh token that cannot exist, at the token endpoint, once per client
//     authentication tried (HTTP Basic, then the form body when Basic is refused as a client error);
//   - only with --refresh: one refresh with the connection's refresh token (the new tokens are
//     written back to .env), and, when the first GET was refused, the test URL again with the
//     new access token;
//   - only with --refresh --probe-reuse: the rotated-away refresh token once more, then the newest
//     one. Under strict rotation the first of these ends the grant: the one request the doctor
//     makes that can, and only when asked to.
// Every GET changes nothing; nothing is revoked; no secret is printed or written (layer/redact.ts
// over everything, with every token seen).
import {
  LOOPBACK_HOSTS,
  MAPPABLE_TOKEN_PROBLEMS,
  clientCredentialSecrets,
  createLayer,
  defineProfile,
  isRecord,
  parseBearerChallenge,
  profileProblems,
  redact,
  type Profile,
  type TokenProblem,
} from '../../layer';
import { RATE_LIMIT_HEADER } from './checks';
import { branch, cleanTree, leaf, toObject, type Branch, type DraftNode } from './draft';
import {
  authorizedGet,
  fingerprint,
  networkFailure,
  probeToken,
  refreshAt,
  send,
  type Answer,
  type TokenClient,
} from './http';

export class DiscoverUsageError extends Error {
  override name = 'DiscoverUsageError';
}

export interface DiscoverRequest {
  /** The one test URL: a GET of the API that changes nothing. */
  testUrl: string;
  /** The token endpoint (URL, or path on the test URL's origin); null: from the server's metadata, if any. */
  tokenUrl: string | null;
  /** How the access token is sent: "Bearer" unless the API wants its own scheme. */
  authScheme: string;
  /** How the client authenticates at the token endpoint; null: HTTP Basic, then the form body. */
  clientAuth: 'basic' | 'body' | null;
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** The connection, as `authData_*` in .env. */
  authData: Readonly<Record<string, string>>;
  refresh: boolean;
  probeReuse: boolean;
  id: string | null;
  name: string | null;
  /** Where --refresh keeps the new tokens, so the connection goes on working. */
  saveTokens?: (fields: Record<string, string>) => void;
}

export interface Discovery {
  id: string;
  name: string;
  /** The draft's profile, every field observed, named or marked UNOBSERVED. */
  profile: Branch;
  /** What was sent, in order (no secret, no query string). */
  requests: string[];
  /** What else a person should know (failures, the tokens written to .env, the grant ended). */
  notes: string[];
  /** Every secret met, for redacting whatever is printed or written. */
  secrets: string[];
  /** Token prefixes seen, for the same. */
  prefixes: string[];
}

// -- reading answers ------------------------------------------------------------------------------

interface Leafy {
  path: string;
  key: string;
  value: string;
}

/** String leaves of a JSON body (objects three levels deep, the first item of arrays), with their paths. */
export function stringLeaves(body: unknown, maxDepth = 3): Leafy[] {
  const out: Leafy[] = [];
  const walk = (node: unknown, at: string, key: string, depth: number) => {
    if (typeof node === 'string') {
      if (at) out.push({ path: at, key, value: node });
      return;
    }
    if (depth >= maxDepth) return;
    if (Array.isArray(node)) {
      if (node.length > 0) walk(node[0], at ? `${at}.0` : '0', key, depth + 1);
      return;
    }
    if (!isRecord(node)) return;
    for (const [k, v] of Object.entries(node)) {
      if (/^[A-Za-z_$][\w$-]*$/.test(k)) walk(v, at ? `${at}.${k}` : k, k, depth + 1);
    }
  };
  walk(body, '', '', 0);
  return out;
}

/** Values that are words, not codes: a status line's phrase, a flag, a placeholder. */
const NOT_A_CODE_VALUE =
  /^(?:error|errors|fail|failed|failure|false|true|ok|success|null|none|unknown|bearer|unauthori[sz]ed|forbidden|not ?found|bad ?request|too ?many ?requests|internal ?server ?error|service ?unavailable|conflict|gone)$/i;
/** Keys that hold text, addresses, ids and times, never a code. */
const NOT_A_CODE_KEY =
  /message|description|url|uri|link|href|trace|correlation|request|^id$|[a-z]Id$|_id$|time|date|title|hint|help|documentation|scope|needed|provided|instance|domain/i;

/** Where an error body keeps its code: the best candidate first (error.code, errorCode, error, category, …). */
export function codeCandidates(body: unknown): Leafy[] {
  const rank = (c: Leafy) =>
    /^(?:error_?)?code$|errorcode/i.test(c.key)
      ? 0
      : c.key === 'error'
        ? 1
        : /category|reason|type|kind|detail|status|name/i.test(c.key)
          ? 2
          : 3;
  return stringLeaves(body)
    .filter(
      (c) =>
        /^[A-Za-z][A-Za-z0-9_.:-]{2,79}$/.test(c.value) &&
        !NOT_A_CODE_VALUE.test(c.value) &&
        !/^[0-9a-f-]{16,}$/i.test(c.value) &&
        !NOT_A_CODE_KEY.test(c.key),
    )
    .sort((a, b) => rank(a) - rank(b) || a.path.split('.').length - b.path.split('.').length);
}

/** Where an error body keeps its text for people, near `codePath`. */
function messagePath(body: unknown, codePath: string | undefined): string | undefined {
  const parent = codePath?.includes('.') ? codePath.slice(0, codePath.lastIndexOf('.') + 1) : '';
  const texts = stringLeaves(body).filter(
    (l) => /message|description|detail/i.test(l.key) && /\s/.test(l.value),
  );
  const preferred = codePath === 'error' ? 'error_description' : `${parent}message`;
  return (
    texts.find((l) => l.path === preferred)?.path ??
    texts.find((l) => l.path.startsWith(parent))?.path ??
    texts[0]?.path
  );
}

const RFC_TOKEN_ERRORS: ReadonlySet<string> = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
]);

/** A token endpoint answer that refuses the client rather than the refresh token. */
function clientRefused(answer: Answer): boolean {
  if (answer.status === 401) return true;
  return stringLeaves(answer.body).some(
    (l) =>
      !NOT_A_CODE_KEY.test(l.key) &&
      (l.value === 'invalid_client' ||
        l.value === 'unauthorized_client' ||
        (/client/i.test(l.value) && /^[\w.:-]+$/.test(l.value))),
  );
}

/** Names an envelope's success flag goes by ("ok", "success"); other booleans are data ("site_admin"). */
const FLAG_KEY = /^(?:ok|success|succeeded|successful|result)$/i;

/** A 2xx whose body does not flag a failure (`"ok": false` or the like). */
function looksSuccessful(answer: Answer): boolean {
  if (answer.status < 200 || answer.status >= 300) return false;
  if (!isRecord(answer.body)) return true;
  return !Object.entries(answer.body).some(([key, value]) => value === false && FLAG_KEY.test(key));
}

/** What a scope string joins its scopes with; null when it names one (or none). */
function separatorOf(scope: string): ' ' | ',' | null {
  if (scope.includes(',')) return ',';
  if (/\S\s+\S/.test(scope)) return ' ';
  return null;
}

/**
 * A prefix of a token family ("xoxe.", "ghu_", "1000."): a lowercase word and a separator, or a
 * number and a dot. A random token rarely starts so (mixed case, or no separator that early).
 */
function prefixOf(token: string): string | null {
  const match = /^(?:[a-z]{3,8}[._-]|\d{2,6}\.)/.exec(token);
  return match ? match[0] : null;
}

/** Lifetime field candidates of a token answer, most usual first. */
const LIFETIME_FIELDS = /^(?:expires_in|expiresIn|expires|expires_at|expiresAt|expires_on|expiresOn)$/;

type LifetimeUnit = Profile['token']['lifetime']['unit'];

/** What a lifetime value means, read from its size (and its name: *_at, *_on are moments). */
function unitOf(name: string, value: number, nowSeconds: number): { unit: LifetimeUnit; why: string } {
  const moment = /at$|on$/i.test(name);
  if (value > 1e12 && Math.abs(value / 1000 - nowSeconds) < 366 * 86400)
    return { unit: 'epoch-milliseconds', why: `${value} is a moment in milliseconds (within a year of now)` };
  if (value > 1e9 && Math.abs(value - nowSeconds) < 366 * 86400)
    return { unit: 'epoch-seconds', why: `${value} is a moment in seconds (within a year of now)` };
  if (!moment && value >= 60_000 && value % 1000 === 0)
    return {
      unit: 'milliseconds',
      why: `${value} is a round number of thousands: read as milliseconds (a guess)`,
    };
  return { unit: 'seconds', why: `${value} reads as seconds (${Math.round(value / 60)} min)` };
}

function readNumber(raw: unknown): number | null {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  if (typeof raw === 'string' && /^\s*\d{1,16}(\.\d+)?\s*$/.test(raw)) return Number(raw);
  return null;
}

/**
 * A JSON snippet of a body for a comment: its shape, long strings cut. Redacted (`clean`) before
 * it is cut, so that no cut leaves the first characters of a secret behind.
 */
function snippet(body: unknown, content: string, clean: (text: string) => string): string {
  if (body === undefined) return content.trim() === '' ? 'no body' : 'a body that is not JSON';
  const text = JSON.stringify(body, (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    const safe = clean(value);
    return safe.length > 60 ? `${safe.slice(0, 57)}…` : safe;
  });
  const safe = clean(text);
  return safe.length > 160 ? `${safe.slice(0, 159)}…` : safe;
}

/** A machine name from the API's host: "api.hubapi.com" -> "hubapi"; a local host -> "discovered". */
export function idFromHost(host: string): string {
  const name = host.toLowerCase();
  if (LOOPBACK_HOSTS.has(name) || /^[\d.]+$/.test(name) || name.startsWith('[')) return 'discovered';
  const labels = name.split('.').filter((l) => l !== '' && !['www', 'api', 'apis'].includes(l));
  const pick = labels.length >= 2 ? labels[labels.length - 2] : (labels[0] ?? '');
  const id = (pick ?? '')
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 32);
  return id || 'discovered';
}

function httpUrl(raw: string, base: string | undefined, what: string): URL {
  let url: URL;
  try {
    url = base === undefined ? new URL(raw) : new URL(raw, base);
  } catch {
    throw new DiscoverUsageError(`${what} "${raw}" is not a URL`);
  }
  const local = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !local)
    throw new DiscoverUsageError(`${what} must be https:// (http:// only for 127.0.0.1, localhost or [::1])`);
  if (url.username || url.password || url.hash)
    throw new DiscoverUsageError(`${what} must not carry credentials or a fragment`);
  return url;
}

/** The endpoint as a profile writes it: a path on the base's origin, else the absolute https URL. */
function endpointFor(url: URL, baseOrigin: string): string {
  return url.origin === baseOrigin || url.protocol !== 'https:'
    ? url.pathname
    : `${url.origin}${url.pathname}`;
}

// -- the discovery --------------------------------------------------------------------------------

export async function discover(req: DiscoverRequest): Promise<Discovery> {
  const test = httpUrl(req.testUrl, undefined, '--discover');
  const tokenUrlGiven = req.tokenUrl === null ? null : httpUrl(req.tokenUrl, test.origin, '--token-url');
  if (!/^[A-Za-z][A-Za-z0-9._~+/-]*$/.test(req.authScheme))
    throw new DiscoverUsageError(`--auth-scheme "${req.authScheme}" is not an HTTP auth scheme name`);
  const id = req.id ?? idFromHost(test.hostname);
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(id))
    throw new DiscoverUsageError(
      `--id "${id}" must be lowercase letters, digits and "-", starting with a letter`,
    );
  const name = req.name ?? id.charAt(0).toUpperCase() + id.slice(1);
  const ENV = id.toUpperCase().replace(/-/g, '_');

  const access = req.authData.access_token ?? '';
  const refresh = req.authData.refresh_token ?? '';
  const secrets = new Set<string>(
    [access, refresh, ...clientCredentialSecrets(req.clientId, req.clientSecret)].filter((s) => s !== ''),
  );
  const keep = (value: unknown) => {
    if (typeof value === 'string' && value !== '') secrets.add(value);
  };
  // Tokens the prefixes are read from: the connection's, then what --refresh got.
  const tokens = [access, refresh];
  const prefixesSeen = () => [
    ...new Set(
      tokens
        .filter((t) => t !== '')
        .map(prefixOf)
        .filter((p): p is string => p !== null),
    ),
  ];
  /** Every string that came from a server, made safe before it is kept anywhere. */
  const clean = (text: string) => redact(text, [...secrets], prefixesSeen());
  const requests: string[] = [];
  const notes: string[] = [];
  const shown = test.pathname;
  const scheme = req.authScheme;

  const attempt = async (what: string, run: () => Promise<Answer>): Promise<Answer | null> => {
    try {
      const answer = await run();
      requests.push(`${what}: HTTP ${answer.status}`);
      return answer;
    } catch (error) {
      requests.push(`${what}: failed (${networkFailure(error)})`);
      return null;
    }
  };

  // -- the server's own description (RFC 8414, OpenID Connect Discovery), if it publishes one
  let metadata: Record<string, unknown> | null = null;
  for (const where of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    const answer = await attempt(`GET ${where} (no credential)`, () =>
      send(`${test.origin}${where}`, { method: 'GET', headers: { Accept: 'application/json' } }),
    );
    if (answer?.status === 200 && isRecord(answer.body) && typeof answer.body.token_endpoint === 'string') {
      metadata = answer.body;
      break;
    }
  }
  const metadataUrl = (field: string): URL | null => {
    const value = metadata?.[field];
    if (typeof value !== 'string') return null;
    try {
      return httpUrl(value, undefined, `metadata ${field}`);
    } catch {
      return null;
    }
  };

  // -- the test URL: the connection's own token, then one that cannot be valid
  let success: Answer | null = null;
  let ownRefused: Answer | null = null;
  if (access) {
    const answer = await attempt(`GET ${shown} with the connection's access token`, () =>
      authorizedGet(test.toString(), scheme, access),
    );
    if (answer && looksSuccessful(answer)) success = answer;
    else ownRefused = answer;
  } else {
    notes.push(
      "The connection has no access token (authData_access_token): a success answer's shape is unobserved.",
    );
  }
  const badToken = probeToken('doctor');
  secrets.add(badToken);
  const invalid = await attempt(`GET ${shown} with an access token that cannot be valid`, () =>
    authorizedGet(test.toString(), scheme, badToken),
  );

  // -- the token endpoint: a refresh token that cannot exist, once per client authentication tried
  const tokenUrl = tokenUrlGiven ?? metadataUrl('token_endpoint');
  const canAskTokens = tokenUrl !== null && req.clientId !== undefined && req.clientSecret !== undefined;
  let tokenProbe: Answer | null = null;
  let client: TokenClient | null = null;
  const clientRefusals: string[] = [];
  if (!tokenUrl)
    notes.push('No token endpoint: none was named (--token-url) and the server publishes no metadata.');
  else if (!canAskTokens)
    notes.push(
      'No client credentials (see --client-id-env, --client-secret-env): the token endpoint was not asked.',
    );
  if (canAskTokens && tokenUrl) {
    for (const method of req.clientAuth ? [req.clientAuth] : (['basic', 'body'] as const)) {
      const candidate: TokenClient = {
        clientId: req.clientId ?? '',
        clientSecret: req.clientSecret ?? '',
        method,
      };
      const made = probeToken('doctor');
      secrets.add(made);
      const answer = await attempt(
        `POST ${tokenUrl.pathname} refresh_token=<one that cannot exist>, client ${method === 'basic' ? 'in HTTP Basic' : 'in the form body'}`,
        () => refreshAt(tokenUrl.toString(), candidate, made),
      );
      if (!answer) break;
      if (clientRefused(answer)) {
        clientRefusals.push(
          `${method}: HTTP ${answer.status} ${snippet(answer.body, answer.content, clean)}`,
        );
        continue;
      }
      tokenProbe = answer;
      client = candidate;
      break;
    }
  }

  // -- --refresh: one real refresh (and --probe-reuse: the rotated-away token once more)
  interface Refreshed {
    answer: Answer;
    body: Record<string, unknown>;
    access: string;
    refresh: string | null;
    receivedAtS: number;
  }
  let refreshed: Refreshed | null = null;
  let refreshProblem: string | null = null;
  let reuse: { accepted: boolean; newestWorks: boolean | null; detail: string } | null = null;
  let current = { access, refresh };
  if (req.refresh) {
    if (!refresh) refreshProblem = 'the connection has no refresh token (authData_refresh_token)';
    else if (!client || !tokenUrl)
      refreshProblem = 'the token endpoint did not accept the client credentials';
    else {
      const answer = await attempt(
        `POST ${tokenUrl.pathname} with the connection's refresh token (--refresh)`,
        () => refreshAt(tokenUrl.toString(), client, refresh),
      );
      const body = answer && isRecord(answer.body) ? answer.body : null;
      if (
        answer &&
        body &&
        answer.status >= 200 &&
        answer.status < 300 &&
        typeof body.access_token === 'string'
      ) {
        keep(body.access_token);
        keep(body.refresh_token);
        keep(body.id_token);
        const newRefresh =
          typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : null;
        tokens.push(body.access_token, newRefresh ?? '');
        refreshed = {
          answer,
          body,
          access: body.access_token,
          refresh: newRefresh,
          receivedAtS: Math.floor(answer.receivedAtMs / 1000),
        };
        current = { access: body.access_token, refresh: newRefresh ?? refresh };
        if (req.probeReuse && newRefresh !== null && newRefresh !== refresh) {
          const again = await attempt(
            `POST ${tokenUrl.pathname} with the rotated-away refresh token again (--probe-reuse)`,
            () => refreshAt(tokenUrl.toString(), client, refresh),
          );
          const againBody = again && isRecord(again.body) ? again.body : null;
          if (again && againBody && typeof againBody.access_token === 'string' && again.status < 300) {
            keep(againBody.access_token);
            keep(againBody.refresh_token);
            current = {
              access: againBody.access_token,
              refresh:
                typeof againBody.refresh_token === 'string' ? againBody.refresh_token : current.refresh,
            };
            reuse = { accepted: true, newestWorks: null, detail: `HTTP ${again.status} with new tokens` };
          } else if (again) {
            const code = codeCandidates(again.body)[0]?.value;
            const newest = current.refresh;
            const next = await attempt(
              `POST ${tokenUrl.pathname} with the newest refresh token (--probe-reuse: is the grant alive?)`,
              () => refreshAt(tokenUrl.toString(), client, newest),
            );
            const nextBody = next && isRecord(next.body) ? next.body : null;
            const works = !!(
              nextBody &&
              typeof nextBody.access_token === 'string' &&
              next &&
              next.status < 300
            );
            if (works && nextBody) {
              keep(nextBody.access_token);
              keep(nextBody.refresh_token);
              current = {
                access: String(nextBody.access_token),
                refresh: typeof nextBody.refresh_token === 'string' ? nextBody.refresh_token : newest,
              };
            }
            reuse = {
              accepted: false,
              newestWorks: next ? works : null,
              detail: `HTTP ${again.status}${code ? ` ${code}` : ''}`,
            };
          }
        }
      } else if (answer) {
        const code = codeCandidates(answer.body)[0]?.value;
        refreshProblem = `the refresh was refused (HTTP ${answer.status}${code ? ` ${code}` : ''})`;
      } else {
        refreshProblem = 'the refresh request failed';
      }
    }
    if (refreshProblem)
      notes.push(`--refresh: ${refreshProblem}; the lifetime and rotation stay unobserved.`);
  }
  if (reuse && !reuse.accepted && reuse.newestWorks === false)
    notes.push(
      `--probe-reuse ended the grant: ${name} refused the rotated-away refresh token and then the newest one too (strict rotation). Connect again: \`npx zapier-platform invoke auth start\`.`,
    );
  if (refreshed && req.saveTokens && !(reuse && reuse.newestWorks === false)) {
    // expires_at as the layer stores it (0: unknown), so that .env does not keep the old one.
    const lifetime = Object.keys(refreshed.body).find(
      (k) => LIFETIME_FIELDS.test(k) && readNumber(refreshed?.body[k]) !== null,
    );
    const value = lifetime === undefined ? null : readNumber(refreshed.body[lifetime]);
    let expiresAt = 0;
    if (lifetime !== undefined && value !== null) {
      const { unit } = unitOf(lifetime, value, refreshed.receivedAtS);
      expiresAt =
        unit === 'seconds'
          ? refreshed.receivedAtS + Math.floor(value)
          : unit === 'milliseconds'
            ? refreshed.receivedAtS + Math.floor(value / 1000)
            : unit === 'epoch-seconds'
              ? Math.floor(value)
              : Math.floor(value / 1000);
    }
    const fields: Record<string, string> = {
      access_token: current.access,
      refresh_token: current.refresh,
      expires_at: String(expiresAt),
    };
    const scope = refreshed.body.scope;
    if (typeof scope === 'string' && scope !== '') fields.scope = scope;
    try {
      req.saveTokens(fields);
      notes.push(
        `--refresh: the new tokens (access sha256 ${fingerprint(current.access)}…, refresh sha256 ${fingerprint(current.refresh)}…) were written to .env.`,
      );
    } catch (error) {
      notes.push(
        `--refresh: the new tokens could NOT be written to .env (${error instanceof Error ? error.message : String(error)}); if ${name} rotates refresh tokens, the one stored there no longer works: connect again.`,
      );
    }
  }
  if (!success && refreshed) {
    const answer = await attempt(`GET ${shown} with the refreshed access token`, () =>
      authorizedGet(test.toString(), scheme, current.access),
    );
    if (answer && looksSuccessful(answer)) success = answer;
  }

  // -- the draft, field by field ------------------------------------------------------------------
  const base =
    test.protocol === 'https:'
      ? leaf(test.origin, { observed: "the test URL's origin" })
      : leaf('https://api.example.invalid', {
          unobserved: `the test URL is local (${test.origin}): the API's production https address`,
        });
  const authorizeUrl = metadataUrl('authorization_endpoint');
  const revokeUrl = metadataUrl('revocation_endpoint');
  const endpoints: Record<string, DraftNode> = {
    base,
    baseEnv: leaf(`${ENV}_BASE_URL`, {
      notes: [
        'Named by the doctor: the variable that points the profile at another host (a sandbox, a stand-in).',
      ],
    }),
    authorize: authorizeUrl
      ? leaf(endpointFor(authorizeUrl, test.origin), {
          observed: "the server's metadata (authorization_endpoint)",
        })
      : leaf('/oauth/authorize', {
          unobserved: "no answer names it (the server publishes no metadata): the API's OAuth documentation",
        }),
    token: tokenUrl
      ? leaf(endpointFor(tokenUrl, test.origin), {
          observed: tokenUrlGiven
            ? `named with --token-url; it answered ${tokenProbe || clientRefusals.length > 0 ? 'a refresh as a token endpoint does' : 'nothing usable'}`
            : "the server's metadata (token_endpoint)",
        })
      : leaf('/oauth/token', {
          unobserved: "name it with --token-url, or read it in the API's OAuth documentation",
        }),
    api: leaf(apiPrefixOf(test.pathname), {
      unobserved: `guessed from the test URL's first path segment: the prefix every resource path of ${name} shares (the access token goes to every URL under it, and nowhere else)`,
    }),
    oauthOther: revokeUrl
      ? leaf([endpointFor(revokeUrl, test.origin)], {
          observed: "the server's metadata (revocation_endpoint)",
        })
      : leaf(undefined, {
          unobserved:
            "revocation or introspection endpoints (which must never get the access token): the API's OAuth documentation",
        }),
    authorizationScheme: success
      ? leaf(scheme, { observed: `GET ${shown} took the connection's token as "${scheme} …"` })
      : leaf(scheme, {
          unobserved: `the connection's token was not accepted${ownRefused ? ` (HTTP ${ownRefused.status})` : ''}, so whether ${name} takes it as "${scheme} …" is unknown: a token it accepts (--refresh, or a fresh connection)`,
        }),
  };

  const authMethod = client
    ? leaf(client.method, {
        observed: `the token endpoint took the client ${client.method === 'basic' ? 'in HTTP Basic' : 'in the form body'}: a refresh token that cannot exist was refused as such, not as a client error${clientRefusals.length > 0 ? ` (refused as a client error: ${clientRefusals.join('; ')})` : ''}`,
      })
    : leaf('basic', {
        unobserved:
          clientRefusals.length > 0
            ? `every client authentication was refused as a client error (${clientRefusals.join('; ')}): check the client id and secret, then run --discover again`
            : 'a refresh at the token endpoint with the client credentials (--token-url, and the client id and secret)',
      });

  // Scopes: what this connection was granted, and how the API joins them.
  const refreshScope = refreshed && typeof refreshed.body.scope === 'string' ? refreshed.body.scope : '';
  const scopeString = req.authData.scope ?? refreshScope;
  const scopeSource = req.authData.scope !== undefined ? 'authData_scope' : "the refresh answer's scope";
  const separator = separatorOf(scopeString) ?? separatorOf(refreshScope);
  const granted = scopeString.split(separator === ',' ? /[,\s]+/ : /\s+/).filter((s) => s !== '');
  const authorization: Record<string, DraftNode> = {
    scopes:
      granted.length > 0
        ? leaf(granted, {
            observed: `the scopes granted to this connection (${scopeSource}); which to ask for is the integration's choice`,
          })
        : leaf([], {
            unobserved: "a connection that stores its scope (authData_scope), or the API's list of scopes",
          }),
    scopeSeparator:
      separator !== null
        ? leaf(separator, { observed: `${scopeSource} joins its scopes with "${separator}"` })
        : leaf(' ', {
            unobserved: scopeString
              ? 'the stored scope names one scope: a connection granted two or more shows how they are joined'
              : 'a connection that stores its scope (authData_scope), or the refresh answer (--refresh)',
          }),
    scopeLabels: leaf(undefined, {
      unobserved: 'the words the consent page shows for each scope (optional)',
    }),
    pkce: leaf('supported', {
      unobserved: `only the authorize step shows it (a code refused without code_challenge means "required"; "none" if PKCE is unknown to it)${metadata && Array.isArray(metadata.code_challenge_methods_supported) ? `; the metadata lists code_challenge_methods_supported ${JSON.stringify(metadata.code_challenge_methods_supported)}` : ''}`,
    }),
    extraParams: leaf(undefined, {
      unobserved:
        "what the authorize URL needs beyond RFC 6749 (access_type=offline, prompt=consent): the API's OAuth documentation",
    }),
  };

  // Signals: the invalid-token answer against the success answer.
  const invalidCode = invalid ? codeCandidates(invalid.body)[0] : undefined;
  const invalidSeen = invalid
    ? `HTTP ${invalid.status} ${snippet(invalid.body, invalid.content, clean)}`
    : '';
  const envelope = envelopeOf(success, invalid);
  const codeNeeded = envelope !== null && invalidCode === undefined;
  const bodyCode: DraftNode = !invalid
    ? leaf(undefined, { unobserved: `an error answer of ${name}: GET ${shown} with an invalid token failed` })
    : invalidCode
      ? leaf(invalidCode.path, { observed: `GET ${shown} with an invalid token: ${invalidSeen}` })
      : codeNeeded
        ? leaf('error', {
            unobserved: `the failure answer (${invalidSeen}) holds no recognisable code, but its envelope needs one: the API's error reference`,
          })
        : leaf(undefined, { observed: `no field of the invalid-token answer holds a code: ${invalidSeen}` });
  const message = invalid ? messagePath(invalid.body, invalidCode?.path) : undefined;
  const body: Record<string, DraftNode> = {
    code: bodyCode,
    message: invalid
      ? leaf(message, {
          observed: message ? 'the invalid-token answer' : 'no text field in the invalid-token answer',
        })
      : leaf(undefined, { unobserved: 'an error answer' }),
    requiredScope: leaf(undefined, {
      unobserved: 'a missing-scope answer: GET an endpoint with a connection that lacks its scope',
    }),
    grantedScope: leaf(undefined, { unobserved: 'a missing-scope answer (see requiredScope)' }),
    fields: leaf(undefined, {
      unobserved: "a validation error (the doctor sends no writes): the API's error reference",
    }),
    field: leaf(undefined, {
      unobserved:
        "a validation error that names one field beside its message, if the API's are so (see fields)",
    }),
    existingId: leaf(undefined, {
      unobserved: "a conflict answer (the doctor sends no writes): the API's error reference",
    }),
    retryAfter: leaf(undefined, { unobserved: 'a throttled answer that says the wait in its body' }),
  };

  const successHeaders = success ?? invalid;
  const rateNames = successHeaders ? successHeaders.headerNames.filter((n) => RATE_LIMIT_HEADER.test(n)) : [];
  const remaining = rateNames.find((n) => n === 'x-ratelimit-remaining' || n === 'ratelimit-remaining');
  const reset = rateNames.find((n) => n === 'x-ratelimit-reset' || n === 'ratelimit-reset');
  const resetValue = reset ? Number(successHeaders?.header(reset)) : NaN;
  const others = rateNames.filter((n) => n !== remaining && n !== reset);
  const seenOn = success ? `GET ${shown} (a normal answer)` : `GET ${shown} (the invalid-token answer)`;
  const rateLimitHeaders: DraftNode = !successHeaders
    ? leaf(undefined, { unobserved: `any answer's headers: GET ${shown} failed` })
    : remaining
      ? leaf(
          {
            remainingHeader: remaining,
            ...(reset
              ? { resetHeader: reset, resetUnit: resetValue > 1e9 ? 'epoch-seconds' : 'seconds' }
              : {}),
          },
          {
            observed: `${seenOn} carried ${remaining}${reset ? ` and ${reset} (${resetValue > 1e9 ? 'a moment in epoch seconds' : 'seconds'})` : ''}`,
            notes: others.length > 0 ? [`Also seen: ${others.join(', ')}.`] : [],
          },
        )
      : leaf(undefined, {
          observed: `${seenOn} carried no x-ratelimit-remaining or ratelimit-remaining${others.length > 0 ? ` (seen: ${others.join(', ')}; a 429 is throttled whatever they say)` : ''}`,
        });
  const scopeHeaderNames = success?.headerNames ?? [];
  const scopeHeaders: DraftNode =
    scopeHeaderNames.includes('x-oauth-scopes') && scopeHeaderNames.includes('x-accepted-oauth-scopes')
      ? leaf(
          { accepted: 'x-accepted-oauth-scopes', granted: 'x-oauth-scopes' },
          { observed: `GET ${shown} names the token's scopes and the ones the call accepts in headers` },
        )
      : leaf(undefined, {
          unobserved:
            'headers naming the scopes a call accepts and the ones the token has (GitHub, Slack): a missing-scope answer',
        });
  const challenge = invalid ? parseBearerChallenge(invalid.header('www-authenticate')) : {};
  const signals: Record<string, DraftNode> = {
    body: branch(body),
    envelope: !invalid
      ? leaf(undefined, { unobserved: 'an error answer and a success answer of the test URL' })
      : envelope
        ? leaf(envelope, {
            observed: `the invalid-token answer has "${envelope.path}": ${JSON.stringify(envelope.failure)}${success ? `, the success answer "${envelope.path}": ${JSON.stringify(valueOf(success.body, envelope.path))}` : ' on a 2xx'}`,
          })
        : leaf(undefined, {
            observed: `none: ${success ? 'no field flags success in one answer and failure in the other' : 'the invalid-token answer flags no failure in its body'}`,
          }),
    codes: leaf({}, { unobserved: '' }), // filled below, once the classification is known
    statuses: leaf(undefined, {
      unobserved:
        "statuses whose meaning differs from HTTP's (see DEFAULT_STATUS_KINDS): only their answers show it",
    }),
    bearerChallenge: invalid
      ? leaf(typeof challenge.error === 'string', {
          observed:
            typeof challenge.error === 'string'
              ? `the invalid-token answer carried WWW-Authenticate: Bearer error="${challenge.error}"`
              : 'the invalid-token answer carried no Bearer challenge with an error',
        })
      : leaf(false, { unobserved: 'an invalid-token answer (WWW-Authenticate)' }),
    rateLimitHeaders,
    throttledWithRetryAfter: leaf(undefined, {
      unobserved: 'a throttled answer with a status other than 429 (GitHub: 403 with Retry-After)',
    }),
    scopeHeaders,
  };

  // Token endpoint: the refusal of a refresh token that cannot exist.
  const tokenCandidates = tokenProbe ? codeCandidates(tokenProbe.body) : [];
  const rfc = tokenCandidates.find((c) => c.path === 'error' && RFC_TOKEN_ERRORS.has(c.value));
  const own = tokenCandidates.find((c) => c.path !== 'error');
  // A provider's own code next to RFC 6749's is its more general one (HubSpot's "status" comes with
  // every refusal, "error" with some): read that, and learn what it means from the RFC code beside it.
  const tokenCode = rfc && own ? own : tokenCandidates[0];
  const tokenCodes: Record<string, TokenProblem> = {};
  if (tokenCode && !RFC_TOKEN_ERRORS.has(tokenCode.value)) {
    const meant = rfc && own ? (rfc.value as TokenProblem) : 'invalid_grant';
    if (MAPPABLE_TOKEN_PROBLEMS.includes(meant)) tokenCodes[tokenCode.value] = meant;
  }
  const tokenSeen = tokenProbe
    ? `HTTP ${tokenProbe.status} ${snippet(tokenProbe.body, tokenProbe.content, clean)}`
    : '';
  const description = tokenProbe ? messagePath(tokenProbe.body, tokenCode?.path) : undefined;
  const noTokenAnswer =
    'a refresh at the token endpoint with a refresh token that cannot exist (--token-url and the client credentials)';

  const lifetime = lifetimeNode(req, refreshed, name);
  const rotation = rotationNode(refreshed, refresh, reuse, req.probeReuse, name);
  const typeSeen = refreshed?.body.token_type;
  const keepFields = refreshed
    ? Object.entries(refreshed.body)
        .filter(
          ([k, v]) =>
            typeof v === 'string' &&
            /_url$|_domain$|_uri$|^instance|^api_/i.test(k) &&
            !/^error/.test(k) &&
            !['access_token', 'refresh_token', 'id_token', 'scope', 'token_type'].includes(k),
        )
        .map(([k]) => k)
    : [];
  const token: Record<string, DraftNode> = {
    errorCode: tokenCode
      ? leaf(tokenCode.path, {
          observed: `a refresh token that cannot exist got ${tokenSeen}`,
          notes:
            rfc && own
              ? [
                  `The answer also carried RFC 6749's "error": "${rfc.value}", which says what "${own.value}" means.`,
                ]
              : [],
        })
      : leaf('error', {
          unobserved: tokenProbe ? `the refusal (${tokenSeen}) holds no recognisable code` : noTokenAnswer,
        }),
    errorDescription: description
      ? leaf(description, { observed: 'the same refusal' })
      : leaf('error_description', {
          unobserved: tokenProbe ? 'the refusal carried no description' : noTokenAnswer,
        }),
    errorsAs200: tokenProbe
      ? leaf(tokenProbe.status === 200, {
          observed:
            tokenProbe.status === 200
              ? 'the refusal came with HTTP 200'
              : `the refusal came with HTTP ${tokenProbe.status} (other errors may still come as 200: true is the safe value when unsure)`,
        })
      : leaf(true, { unobserved: `${noTokenAnswer}; true is safe: errors are read in any answer` }),
    codes: leaf(tokenCodes, {
      unobserved:
        "the codes of other token errors (a wrong client secret, a used code, throttling): the API's OAuth error reference; add them to the ones observed here",
      notes:
        Object.keys(tokenCodes).length > 0
          ? [`Observed: a refresh token that cannot exist is refused with "${Object.keys(tokenCodes)[0]}".`]
          : [],
    }),
    tokenTypes:
      typeof typeSeen === 'string' && typeSeen !== ''
        ? leaf([typeSeen.toLowerCase()], { observed: `the refresh answer's token_type "${typeSeen}"` })
        : refreshed
          ? leaf(['bearer'], { observed: 'the refresh answer has no token_type (any is accepted then)' })
          : leaf(['bearer'], { unobserved: 'a real token answer (token_type): --refresh' }),
    lifetime,
    rotation,
    refreshTokenInRefresh: refreshed
      ? leaf(refreshed.refresh ? 'always' : 'never', {
          observed: refreshed.refresh
            ? 'the refresh answer carried a refresh token (one answer seen)'
            : 'the refresh answer carried no refresh token (one answer seen; "sometimes" if others do)',
        })
      : leaf('sometimes', { unobserved: 'a refresh answer: --refresh' }),
    keep: refreshed
      ? leaf(keepFields.length > 0 ? keepFields : undefined, {
          observed: `the refresh answer's fields: ${Object.keys(refreshed.body).join(', ')}`,
        })
      : leaf(undefined, {
          unobserved: "a refresh answer's other fields (instance_url, api_domain): --refresh",
        }),
  };

  const prefixes = prefixesSeen();
  const profile = branch({
    id: req.id
      ? leaf(id, { notes: ['Named with --id.'] })
      : leaf(id, { unobserved: "named after the test URL's host: the API's machine name (--id)" }),
    name: req.name
      ? leaf(name, { notes: ['Named with --name.'] })
      : leaf(name, { unobserved: "the API's name as its users read it (--name)" }),
    troubleshooting: leaf('docs/troubleshooting.md', {
      unobserved:
        "no answer names it: the API's page about its errors (https://…) or a page of this repository",
    }),
    endpoints: branch(endpoints),
    client: branch({
      idEnv: leaf(`${ENV}_CLIENT_ID`, { notes: ['Named by the doctor, like the next one.'] }),
      secretEnv: leaf(`${ENV}_CLIENT_SECRET`),
      authMethod,
    }),
    authorization: branch(authorization),
    signals: branch(signals),
    token: branch(token),
    tokenPrefixes:
      prefixes.length > 0
        ? leaf(prefixes, { observed: 'the tokens seen start so (only this much of them is written)' })
        : leaf(undefined, { observed: 'the tokens seen start with no recognisable prefix' }),
    advice: leaf(undefined, {
      unobserved:
        "sentences for people (why a grant dies, who can grant a permission): the API's documentation (optional)",
    }),
  });

  // signals.codes: the invalid-token code, listed only when the layer would not refresh on that
  // answer without it (a 401 is refreshed for its status; the same code on another status may mean
  // something else, as Xero's AuthenticationUnsuccessful does).
  const codes: Record<string, 'refresh'> = {};
  let codesNote = invalidCode
    ? `Observed: an invalid token gets ${invalid ? `HTTP ${invalid.status}` : ''} ${invalidCode.value}.`
    : '';
  if (invalid && invalidCode) {
    const without = classifyWith(profile, invalid);
    if (without !== 'refresh') codes[invalidCode.value] = 'refresh';
    else
      codesNote += ` Not listed: the layer refreshes on it for its status alone, and the same code on another status may mean something else.`;
  }
  setEntry(profile, ['signals', 'codes'], {
    kind: 'value',
    value: codes,
    unobserved:
      "the codes of other answers (a missing scope, a role's refusal, a rate limit, an outage) show only when they happen: the API's error reference; add them to the ones observed here",
    notes: codesNote ? [codesNote.trim()] : [],
  });

  // The draft must load: every placeholder is a value defineProfile accepts.
  const problems = profileProblems(toObject(profile));
  if (problems.length > 0)
    throw new Error(`the draft would not load (a defect of --discover):\n  - ${problems.join('\n  - ')}`);
  // And it must read what was observed as it was meant.
  if (tokenProbe) {
    const layer = createLayer(defineProfile(toObject(profile) as Profile));
    const outcome = layer.normaliseTokenResponse(
      { status: tokenProbe.status, body: tokenProbe.body },
      { grant: 'refresh_token', nowSeconds: Math.floor(Date.now() / 1000), secrets: [...secrets] },
    );
    if (outcome.ok || outcome.problem !== 'invalid_grant')
      notes.push(
        `The draft reads the refusal of a refresh token that cannot exist as ${outcome.ok ? 'tokens' : outcome.problem}, not invalid_grant: check token.errorCode and token.codes.`,
      );
  }
  if (invalid) {
    const kind = classifyWith(profile, invalid);
    if (kind !== 'refresh')
      notes.push(
        `The draft reads the invalid-token answer as "${kind}", not "refresh": check signals.body.code and signals.codes.`,
      );
  }

  return {
    id,
    name,
    profile: cleanTree(profile, clean),
    requests: requests.map(clean),
    notes: notes.map(clean),
    secrets: [...secrets],
    prefixes,
  };
}

function valueOf(body: unknown, key: string): unknown {
  return isRecord(body) ? body[key] : undefined;
}

/** The resource API's prefix as guessed from the test URL: its first path segment. */
function apiPrefixOf(pathname: string): string {
  const segments = pathname.split('/').filter((s) => s !== '');
  if (segments.length === 0) return '/';
  return segments.length >= 2 ? `/${segments[0]}/` : `/${segments[0]}`;
}

/** An `ok:false`-style envelope: a field that flags success in one answer and failure in the other. */
function envelopeOf(
  success: Answer | null,
  failure: Answer | null,
): { path: string; failure: boolean | string } | null {
  if (!failure || !isRecord(failure.body)) return null;
  const good = success && isRecord(success.body) ? success.body : null;
  const failed2xx = failure.status >= 200 && failure.status < 300;
  for (const [key, value] of Object.entries(failure.body)) {
    if (!/^[A-Za-z_$][\w$-]*$/.test(key)) continue;
    if (value === false && (good ? good[key] === true : failed2xx && FLAG_KEY.test(key)))
      return { path: key, failure: false };
    if (
      typeof value === 'string' &&
      /^(?:error|fail|failed|failure|ko)$/i.test(value) &&
      good &&
      typeof good[key] === 'string' &&
      good[key] !== value
    )
      return { path: key, failure: value };
  }
  return null;
}

function setEntry(node: Branch, at: readonly string[], value: DraftNode): void {
  const [head, ...rest] = at;
  const entries = node.entries as Array<[string, DraftNode]>;
  const index = entries.findIndex(([k]) => k === head);
  const child = entries[index];
  if (!child || head === undefined) throw new Error(`no field ${at.join('.')} in the draft`);
  if (rest.length === 0) entries[index] = [head, value];
  else if (child[1].kind === 'object') setEntry(child[1], rest, value);
}

/** How the draft as it stands classifies an answer. */
function classifyWith(profile: Branch, answer: Answer): string {
  const draft = defineProfile(toObject(profile) as Profile);
  return createLayer(draft).classify(answer).kind;
}

/** token.lifetime: from the refresh answer, or the stored authData when it is a raw token answer. */
function lifetimeNode(
  req: DiscoverRequest,
  refreshed: { body: Record<string, unknown>; receivedAtS: number } | null,
  name: string,
): DraftNode {
  const from = (
    body: Record<string, unknown>,
    nowS: number,
    where: string,
    typeKnown: boolean,
  ): DraftNode => {
    const field = Object.keys(body).find((k) => LIFETIME_FIELDS.test(k) && readNumber(body[k]) !== null);
    if (field === undefined) {
      return branch(
        {
          field: leaf(null, { observed: `${where} names no lifetime (${Object.keys(body).join(', ')})` }),
          unit: leaf('seconds', { notes: ['Unused while field is null.'] }),
          assumeSeconds: leaf(3600, {
            unobserved: `how long ${name}'s access tokens live (its documentation, or a token refused after some time); a shorter guess only refreshes sooner`,
          }),
        },
        {},
      );
    }
    const raw = body[field];
    const value = readNumber(raw) ?? 0;
    const { unit, why } = unitOf(field, value, nowS);
    return branch({
      field: leaf(field, {
        observed: `${where}: "${field}" is ${typeKnown ? (typeof raw === 'string' ? `a string "${raw}" (read as a number all the same)` : `a number ${String(raw)}`) : `"${String(raw)}" (its JSON type is not kept in .env: unobserved, and read either way)`}`,
      }),
      unit: leaf(unit, { observed: why }),
      assumeSeconds: leaf(null, { notes: ['The answer names the lifetime: nothing to assume.'] }),
    });
  };
  if (refreshed) return from(refreshed.body, refreshed.receivedAtS, 'the refresh answer', true);
  // authData as the layer stores it (expires_at, expires_in in seconds) says nothing of the API's
  // field; authData that keeps token_type is the token answer as the API sent it.
  if (req.authData.token_type !== undefined) {
    const stored: Record<string, unknown> = { ...req.authData };
    return from(
      stored,
      Math.floor(Date.now() / 1000),
      'the stored authData (a raw token answer: it keeps token_type)',
      false,
    );
  }
  return leaf(
    { field: 'expires_in', unit: 'seconds', assumeSeconds: null },
    {
      unobserved: `a real token answer: --refresh (the stored authData${req.authData.expires_in !== undefined ? `'s expires_in is what this app stored, in seconds, not necessarily what ${name} sent` : ' names no lifetime'})`,
    },
  );
}

/** token.rotation: none, or a new refresh token each refresh (and with --probe-reuse, what reuse does). */
function rotationNode(
  refreshed: { refresh: string | null } | null,
  previous: string,
  reuse: { accepted: boolean; newestWorks: boolean | null; detail: string } | null,
  probeReuse: boolean,
  name: string,
): DraftNode {
  if (!refreshed)
    return leaf({ kind: 'strict' }, { unobserved: 'a refresh: --refresh (strict is the safe guess)' });
  if (refreshed.refresh === null || refreshed.refresh === previous) {
    return leaf(
      { kind: 'none' },
      {
        observed:
          refreshed.refresh === null
            ? 'the refresh answer carried no refresh token: the one the connection has stays'
            : 'the refresh answer repeated the same refresh token',
      },
    );
  }
  if (!reuse) {
    return leaf(
      { kind: 'strict' },
      {
        unobserved: `new token each refresh; reuse behaviour unobserved: ${probeReuse ? 'the reuse probe could not run' : '--refresh --probe-reuse (which ends the grant under strict rotation)'} or ${name}'s documentation (always, grace, single-use or strict; strict is the safe guess)`,
      },
    );
  }
  if (reuse.accepted) {
    return leaf(
      { kind: 'always' },
      {
        unobserved: `a new token each refresh, and the rotated-away one still worked right after (${reuse.detail}): "always", or "grace" (with graceSeconds) if it stops working after a while, which only waiting or ${name}'s documentation shows`,
      },
    );
  }
  if (reuse.newestWorks === true) {
    return leaf(
      { kind: 'single-use' },
      {
        observed: `a new token each refresh; the rotated-away one was refused (${reuse.detail}) and the newest still worked`,
      },
    );
  }
  if (reuse.newestWorks === false) {
    return leaf(
      { kind: 'strict' },
      {
        observed: `a new token each refresh; the rotated-away one was refused (${reuse.detail}) and then the newest too: the grant ended`,
      },
    );
  }
  return leaf(
    { kind: 'strict' },
    {
      unobserved: `the rotated-away refresh token was refused (${reuse.detail}); whether the grant lives on (single-use) or ended (strict) is unobserved`,
    },
  );
}
