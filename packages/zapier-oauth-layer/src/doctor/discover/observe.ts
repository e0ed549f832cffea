// --discover's half that talks to the API: what it sends, and nothing else.
//   - GET on the RFC 8414 / OpenID metadata addresses of the test URL's origin (no credential),
//     whose token endpoint is used only where metadata.ts allows (the test URL's origin, or an
//     https issuer's); then, before any secret, which host gets which credential is said;
//   - GET on the test URL with the connection's access token, and with one that cannot be valid;
//   - a refresh with a refresh token that cannot exist, at the token endpoint, once per client
//     authentication tried (HTTP Basic, then the form body when Basic is refused as a client error);
//   - only with --refresh: one refresh with the connection's refresh token (the new tokens are
//     written back to .env), and, when the first GET was refused, the test URL again with the
//     new access token;
//   - only with --refresh --probe-reuse: the rotated-away refresh token once more, then the newest
//     one. Under strict rotation the first of these ends the grant: the one request the doctor
//     makes that can, and only when asked to.
// It returns what it saw (Observations); the draft is made from them without a server.
import { clientCredentialSecrets, isRecord } from '../../internal';
import {
  authorizedRequest,
  fingerprint,
  networkFailure,
  probeToken,
  refreshAt,
  send,
  type Answer,
  type TokenClient,
} from '../http';
import {
  clientRefused,
  codeCandidates,
  expiredAgo,
  LIFETIME_FIELDS,
  looksSuccessful,
  prefixOf,
  readNumber,
  unitOf,
} from './answers';
import { metadataEndpoint, metadataIn } from './metadata';
import { duration } from '../words';
import type { Observations, Plan, Refreshed, Reuse } from './request';

/** What one discovery has seen so far, and the requests it made. */
class Observer {
  readonly secrets: Set<string>;
  /** Tokens the prefixes are read from: the connection's, then what --refresh got. */
  readonly tokens: string[];
  readonly requests: string[] = [];
  readonly notes: string[] = [];

  constructor(readonly plan: Plan) {
    const { request } = plan;
    const access = request.authData.access_token ?? '';
    const refresh = request.authData.refresh_token ?? '';
    this.tokens = [access, refresh];
    this.secrets = new Set(
      [access, refresh, ...clientCredentialSecrets(request.clientId, request.clientSecret)].filter(
        (s) => s !== '',
      ),
    );
  }

  keep(value: unknown): void {
    if (typeof value === 'string' && value !== '') this.secrets.add(value);
  }

  prefixes(): string[] {
    return [
      ...new Set(
        this.tokens
          .filter((t) => t !== '')
          .map(prefixOf)
          .filter((p): p is string => p !== null),
      ),
    ];
  }

  async attempt(what: string, run: () => Promise<Answer>): Promise<Answer | null> {
    try {
      const answer = await run();
      this.requests.push(`${what}: HTTP ${answer.status}`);
      return answer;
    } catch (error) {
      this.requests.push(`${what}: failed (${networkFailure(error)})`);
      return null;
    }
  }
}

/** The server's own description (RFC 8414, OpenID Connect Discovery), if it publishes one. */
async function metadataOf(seen: Observer): Promise<Record<string, unknown> | null> {
  const origin = seen.plan.test.origin;
  for (const where of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    const answer = await seen.attempt(`GET ${where} (no credential)`, () =>
      send(`${origin}${where}`, { method: 'GET', headers: { Accept: 'application/json' } }),
    );
    const metadata = metadataIn(answer);
    if (metadata) return metadata;
  }
  return null;
}

/** The token endpoint: the one named with --token-url, else one the metadata names where it may be used. */
function tokenUrlOf(seen: Observer, metadata: Record<string, unknown> | null): URL | null {
  const { tokenUrlGiven, test } = seen.plan;
  if (tokenUrlGiven) return tokenUrlGiven;
  const found = metadataEndpoint(metadata, 'token_endpoint', test);
  if (found && 'url' in found) return found.url;
  if (found)
    seen.notes.push(
      `No token endpoint: ${found.refused}, so no credential went there. Name the token endpoint with --token-url if it is right.`,
    );
  else
    seen.notes.push('No token endpoint: none was named (--token-url) and the server publishes no metadata.');
  return null;
}

/** Which host gets which kind of credential, said before any is sent. */
function credentialPlan(plan: Plan, tokenUrl: URL | null): string[] {
  const { request, test, scheme, tokenUrlGiven } = plan;
  const lines = [
    `  ${test.host} (the test URL) gets ${request.authData.access_token ? `the connection's access token (Authorization: ${scheme} …) and ` : ''}an access token that cannot be valid`,
  ];
  if (tokenUrl && request.clientId !== undefined && request.clientSecret !== undefined) {
    const client =
      request.clientAuth === 'body'
        ? 'in the form body'
        : request.clientAuth === 'basic'
          ? 'in HTTP Basic'
          : 'in HTTP Basic, then in the form body if Basic is refused';
    const refresh =
      request.refresh && request.authData.refresh_token
        ? ", and the connection's refresh token (--refresh)"
        : '';
    lines.push(
      `  ${tokenUrl.host} (the token endpoint, ${tokenUrlGiven ? 'named with --token-url' : "from the server's metadata"}) gets the client id and secret (${client}), a refresh token that cannot exist${refresh}`,
    );
  }
  return ['Credentials, by host, before any is sent:', ...lines];
}

/** The test URL with the connection's own token, then with one that cannot be valid. */
async function testUrlAnswers(seen: Observer) {
  const { plan } = seen;
  const { test, scheme, request } = plan;
  const access = request.authData.access_token ?? '';
  let success: Answer | null = null;
  let ownRefused: Answer | null = null;
  if (access) {
    // An expired token shows how the API says "expired": the doctor says it is probing with one.
    const ago = expiredAgo(request.authData);
    const expired = ago === null ? '' : ` (expired ${duration(ago)} ago, by its expires_at)`;
    const answer = await seen.attempt(`${plan.shown} with the connection's access token${expired}`, () =>
      authorizedRequest(test.toString(), scheme, access, plan.probe),
    );
    if (answer && looksSuccessful(answer)) success = answer;
    else ownRefused = answer;
  } else {
    seen.notes.push(
      "The connection has no access token (authData_access_token): a success answer's shape is unobserved.",
    );
  }
  const badToken = probeToken('doctor');
  seen.secrets.add(badToken);
  const invalid = await seen.attempt(`${plan.shown} with an access token that cannot be valid`, () =>
    authorizedRequest(test.toString(), scheme, badToken, plan.probe),
  );
  return { success, ownRefused, invalid };
}

/** The token endpoint: a refresh token that cannot exist, once per client authentication tried. */
async function tokenEndpointAnswers(seen: Observer, tokenUrl: URL | null) {
  const { request } = seen.plan;
  const clientRefusals: Observations['clientRefusals'] = [];
  const canAsk = tokenUrl !== null && request.clientId !== undefined && request.clientSecret !== undefined;
  if (tokenUrl && !canAsk)
    seen.notes.push(
      'No client credentials (see --client-id-env, --client-secret-env): the token endpoint was not asked.',
    );
  if (!canAsk || !tokenUrl) return { tokenProbe: null, client: null, clientRefusals };
  for (const method of request.clientAuth ? [request.clientAuth] : (['basic', 'body'] as const)) {
    const candidate: TokenClient = {
      clientId: request.clientId ?? '',
      clientSecret: request.clientSecret ?? '',
      method,
    };
    const made = probeToken('doctor');
    seen.secrets.add(made);
    const answer = await seen.attempt(
      `POST ${tokenUrl.pathname} refresh_token=<one that cannot exist>, client ${method === 'basic' ? 'in HTTP Basic' : 'in the form body'}`,
      () => refreshAt(tokenUrl.toString(), candidate, made),
    );
    if (!answer) break;
    if (!clientRefused(answer)) return { tokenProbe: answer, client: candidate, clientRefusals };
    clientRefusals.push({ method, answer });
  }
  return { tokenProbe: null, client: null, clientRefusals };
}

/** Tokens in a token answer, kept as secrets; null when it carried none. */
function tokensIn(seen: Observer, answer: Answer | null): Record<string, unknown> | null {
  const body = answer && isRecord(answer.body) ? answer.body : null;
  if (
    !answer ||
    !body ||
    answer.status < 200 ||
    answer.status >= 300 ||
    typeof body.access_token !== 'string'
  )
    return null;
  seen.keep(body.access_token);
  seen.keep(body.refresh_token);
  seen.keep(body.id_token);
  return body;
}

/** --probe-reuse: the rotated-away refresh token again; refused, the newest one (is the grant alive?). */
async function reuseProbe(
  seen: Observer,
  tokenUrl: URL,
  client: TokenClient,
  current: { access: string; refresh: string },
) {
  const previous = seen.plan.request.authData.refresh_token ?? '';
  const again = await seen.attempt(
    `POST ${tokenUrl.pathname} with the rotated-away refresh token again (--probe-reuse)`,
    () => refreshAt(tokenUrl.toString(), client, previous),
  );
  const againBody = tokensIn(seen, again);
  if (again && againBody) {
    const refresh = typeof againBody.refresh_token === 'string' ? againBody.refresh_token : current.refresh;
    return {
      reuse: { accepted: true, newestWorks: null, detail: `HTTP ${again.status} with new tokens` },
      current: { access: String(againBody.access_token), refresh },
    };
  }
  if (!again) return { reuse: null, current };
  const code = codeCandidates(again.body)[0]?.value;
  const newest = current.refresh;
  const next = await seen.attempt(
    `POST ${tokenUrl.pathname} with the newest refresh token (--probe-reuse: is the grant alive?)`,
    () => refreshAt(tokenUrl.toString(), client, newest),
  );
  const nextBody = next && next.status < 300 ? tokensIn(seen, next) : null;
  const after = nextBody
    ? {
        access: String(nextBody.access_token),
        refresh: typeof nextBody.refresh_token === 'string' ? nextBody.refresh_token : newest,
      }
    : current;
  const reuse: Reuse = {
    accepted: false,
    newestWorks: next ? nextBody !== null : null,
    detail: `HTTP ${again.status}${code ? ` ${code}` : ''}`,
  };
  return { reuse, current: after };
}

/** --refresh: one real refresh (and --probe-reuse), the tokens it leaves the connection with. */
async function refreshAnswers(seen: Observer, tokenUrl: URL | null, client: TokenClient | null) {
  const { request } = seen.plan;
  const refresh = request.authData.refresh_token ?? '';
  let current = { access: request.authData.access_token ?? '', refresh };
  if (!request.refresh) return { refreshed: null, reuse: null, current };
  let problem: string | null = null;
  let refreshed: Refreshed | null = null;
  let reuse: Reuse | null = null;
  if (!refresh) problem = 'the connection has no refresh token (authData_refresh_token)';
  else if (!client || !tokenUrl) problem = 'the token endpoint did not accept the client credentials';
  else {
    const answer = await seen.attempt(
      `POST ${tokenUrl.pathname} with the connection's refresh token (--refresh)`,
      () => refreshAt(tokenUrl.toString(), client, refresh),
    );
    const body = tokensIn(seen, answer);
    if (answer && body) {
      const access = String(body.access_token);
      const newRefresh =
        typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : null;
      seen.tokens.push(access, newRefresh ?? '');
      refreshed = {
        answer,
        body,
        access,
        refresh: newRefresh,
        receivedAtS: Math.floor(answer.receivedAtMs / 1000),
      };
      current = { access, refresh: newRefresh ?? refresh };
      if (request.probeReuse && newRefresh !== null && newRefresh !== refresh)
        ({ reuse, current } = await reuseProbe(seen, tokenUrl, client, current));
    } else if (answer) {
      const code = codeCandidates(answer.body)[0]?.value;
      problem = `the refresh was refused (HTTP ${answer.status}${code ? ` ${code}` : ''})`;
    } else problem = 'the refresh request failed';
  }
  if (problem) seen.notes.push(`--refresh: ${problem}; the lifetime and rotation stay unobserved.`);
  return { refreshed, reuse, current };
}

/** expires_at as the layer stores it (0: unknown), so that .env does not keep the old one. */
function expiresAtOf(refreshed: Refreshed): number {
  const lifetime = Object.keys(refreshed.body).find(
    (k) => LIFETIME_FIELDS.test(k) && readNumber(refreshed.body[k]) !== null,
  );
  const value = lifetime === undefined ? null : readNumber(refreshed.body[lifetime]);
  if (lifetime === undefined || value === null) return 0;
  const at = refreshed.receivedAtS;
  switch (unitOf(lifetime, value, at).unit) {
    case 'seconds':
      return at + Math.floor(value);
    case 'milliseconds':
      return at + Math.floor(value / 1000);
    case 'epoch-seconds':
      return Math.floor(value);
    default:
      return Math.floor(value / 1000);
  }
}

/** The new tokens back to .env, unless the grant ended; said either way. */
function saveTokens(
  seen: Observer,
  refreshed: Refreshed | null,
  reuse: Reuse | null,
  current: { access: string; refresh: string },
) {
  const { request, name } = seen.plan;
  if (reuse && !reuse.accepted && reuse.newestWorks === false)
    seen.notes.push(
      `--probe-reuse ended the grant: ${name} refused the rotated-away refresh token and then the newest one too (strict rotation). Connect again: \`npx zapier-platform invoke auth start\`.`,
    );
  if (!refreshed || !request.saveTokens || (reuse && reuse.newestWorks === false)) return;
  const fields: Record<string, string> = {
    access_token: current.access,
    refresh_token: current.refresh,
    expires_at: String(expiresAtOf(refreshed)),
  };
  const scope = refreshed.body.scope;
  if (typeof scope === 'string' && scope !== '') fields.scope = scope;
  try {
    request.saveTokens(fields);
    seen.notes.push(
      `--refresh: the new tokens (access sha256 ${fingerprint(current.access)}…, refresh sha256 ${fingerprint(current.refresh)}…) were written to .env.`,
    );
  } catch (error) {
    seen.notes.push(
      `--refresh: the new tokens could NOT be written to .env (${error instanceof Error ? error.message : String(error)}); if ${name} rotates refresh tokens, the one stored there no longer works: connect again.`,
    );
  }
}

/** Everything --discover sends, in order; what it saw. */
export async function observe(plan: Plan): Promise<Observations> {
  const seen = new Observer(plan);
  const metadata = await metadataOf(seen);
  const tokenUrl = tokenUrlOf(seen, metadata);
  const credentials = credentialPlan(plan, tokenUrl);
  for (const line of credentials) plan.request.say?.(line);
  const answers = await testUrlAnswers(seen);
  const endpoint = await tokenEndpointAnswers(seen, tokenUrl);
  const { refreshed, reuse, current } = await refreshAnswers(seen, tokenUrl, endpoint.client);
  saveTokens(seen, refreshed, reuse, current);
  let success = answers.success;
  if (!success && refreshed) {
    const answer = await seen.attempt(`${plan.shown} with the refreshed access token`, () =>
      authorizedRequest(plan.test.toString(), plan.scheme, current.access, plan.probe),
    );
    if (answer && looksSuccessful(answer)) success = answer;
  }
  return {
    plan,
    metadata,
    tokenUrl,
    credentials,
    ...answers,
    success,
    tokenProbe: endpoint.tokenProbe,
    client: endpoint.client?.method ?? null,
    clientRefusals: endpoint.clientRefusals,
    refreshed,
    reuse,
    requests: seen.requests,
    notes: seen.notes,
    secrets: [...seen.secrets],
    prefixes: seen.prefixes(),
    nowSeconds: Math.floor(Date.now() / 1000),
  };
}
