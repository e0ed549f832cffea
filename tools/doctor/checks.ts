// The "my Zap says unauthorized / token expired" checklist, run through the integration's
// own code: layer/endpoints.ts reads the configuration, layer/tokens.ts judges every token endpoint
// answer, layer/signals.ts classifies every API answer, practice/scopes.ts says which step
// needs what. Never harmful: the probes use tokens no server can have issued, only GETs
// reach the API, and the connection's refresh token is presented only under --refresh.
import type { Bundle } from 'zapier-platform-core';
import authentication from '../../authentication';
import { renderLabel } from '../harness/zapier-runner';
import {
  type Signal,
  ConfigError,
  EXPIRY_SKEW_SECONDS,
  knownExpiry,
  redact,
  clientCredentialSecrets,
  expiresAtFrom,
  type TokenAuthData,
  type TokenOutcome,
  isRecord,
} from '../../layer';
import { practice } from '../../practice/layer';
import { scopeLabel, stepsMissingScopes } from '../../practice/scopes';
import type { Quirks } from '../sandbox/quirks';
import { apiGet, fingerprint, networkFailure, probeToken, refreshRequest, type Answer } from './http';

export const CHECK_IDS = [
  'config',
  'client_credentials',
  'token_endpoint_errors',
  'connection',
  'test_call',
  'scopes',
  'expiry_signal',
  'legacy_signal',
  'refresh',
  'clock',
  'rate_limit',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];
export type Status = 'pass' | 'warn' | 'fail' | 'skipped';

export interface Check {
  id: CheckId;
  status: Status;
  finding: string;
  /** What to do, ending with the row in docs/troubleshooting.md; '' when there is nothing to do. */
  fix: string;
}

/** What only a sandbox lets the doctor do: make throwaway connections and provoke signals. */
export interface SandboxHooks {
  quirks: Readonly<Quirks>;
  /** A fresh connection through the consent page, approving `scopes` (default: all offered). */
  connect(scopes?: readonly string[]): Promise<TokenAuthData>;
  /** Expires every live access token (the doctor calls it last: its own connection dies too). */
  expireAccessTokens(): void;
  /** The next API request bearing this token is rate-limited. */
  forceRateLimit(accessToken: string, retryAfterSeconds: number): void;
}

export interface DoctorOptions {
  /** The connection, as `authData_*` in .env. */
  authData: Readonly<Record<string, string>>;
  /** Refresh the connection's tokens (rotates the refresh token). */
  refresh: boolean;
  /** Where --refresh keeps the new tokens, so the connection goes on working. */
  saveTokens?: (fields: Record<string, string>) => void;
  /** Where the configuration came from, for the config finding. */
  source?: { file: string; fileExists: boolean; disagreements: readonly string[] };
  sandbox?: SandboxHooks;
}

/** The row of docs/troubleshooting.md's "run the doctor first" table for a check. */
export function docLink(id: CheckId): string {
  return `docs/troubleshooting.md#doctor-${id.replace(/_/g, '-')}`;
}

function see(id: CheckId, text: string): string {
  return `${text} See ${docLink(id)}.`;
}

const LEGACY_PROBE_PATH = '/api/v1/clients/search?email=doctor-probe%40example.invalid';
const PLAIN_PROBE_PATH = '/api/v1/clients?limit=1';

/** How an API answer says "this token is no good", with the contract's name for it. */
export function describeTokenSignal(answer: Answer, signal: Signal): string {
  const hasBody = answer.content.trim() !== '';
  if (signal.status === 401) return `HTTP 401${signal.code ? ` ${signal.code}` : ''} (standard, RFC 6750)`;
  if (signal.status === 403 && signal.code === 'token_expired')
    return 'HTTP 403 token_expired with a body (K1)';
  if (signal.status === 403 && signal.kind === 'refresh' && !hasBody) {
    return 'HTTP 403 with no body, only a WWW-Authenticate challenge with error="invalid_token" (K1, header-only)';
  }
  if (signal.status >= 200 && signal.status < 300 && signal.code)
    return `HTTP ${signal.status} ok:false ${signal.code} (K2)`;
  return signal.source;
}

/** Whether the integration refreshes on this answer, and who decides. */
function handling(signal: Signal): { handled: boolean; text: string } {
  if (signal.kind !== 'refresh') {
    return {
      handled: false,
      text: `the classifier calls it "${signal.kind}", so Zapier would NOT refresh the token`,
    };
  }
  return signal.status === 401
    ? {
        handled: true,
        text: 'handled: core raises RefreshAuthError on a 401 (http-middlewares/after/throw-for-stale-auth.js), Zapier refreshes and retries',
      }
    : {
        handled: true,
        text: 'handled: the classifier says "refresh", the middleware raises RefreshAuthError, Zapier refreshes and retries',
      };
}

function when(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

function duration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

// knownExpiry reads nothing but bundle.authData.expires_at.
function expiryOf(authData: Readonly<Record<string, string>>): number | null {
  return knownExpiry({ authData: { ...authData } } as Pick<Bundle, 'authData'> as Bundle);
}

function tokenProbeFinding(answer: Answer, outcome: TokenOutcome): string {
  const body = isRecord(answer.body) ? answer.body : {};
  const error = typeof body.error === 'string' ? body.error : null;
  return `HTTP ${answer.status}${error ? ` error=${error}` : ''}${outcome.ok ? '' : ` (layer/tokens.ts: ${outcome.problem})`}`;
}

/** What the checks share: their results, every secret seen so far, and what earlier checks found. */
interface Run {
  options: DoctorOptions;
  results: Map<CheckId, Check>;
  /** Everything that must not be printed: tokens (real and probe) and the client secret. */
  secrets: Set<string>;
  record(id: CheckId, status: Status, finding: string, fix?: string): void;
  skip(id: CheckId, why: string, byHand: string): void;
  configured: boolean;
  /** The client credentials were accepted; a refresh can work. */
  clientOk: boolean;
  accessToken: string;
  refreshToken: string;
  expiresAt: number | null;
  /** /me's answer to the stored token, for the clock and rate-limit checks. */
  meAnswer: Answer | null;
  /** /me refused the stored token as expired: the API's real expiry signal. */
  observedExpiry: { answer: Answer; signal: Signal } | null;
}

const NOT_CONFIGURED = 'Not checked: the configuration is incomplete.';
const FIX_CONFIG_FIRST = 'Fix `config` first, then run the doctor again.';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** `config`: the three variables, read by layer/endpoints.ts. */
async function checkConfig(run: Run): Promise<void> {
  const { options, record } = run;
  try {
    const base = practice.endpoints.baseUrl();
    const { clientId, clientSecret } = practice.endpoints.clientCredentials();
    run.configured = true;
    const origin = options.source
      ? options.source.fileExists
        ? `environment and ${options.source.file}`
        : `environment (no ${options.source.file})`
      : 'environment';
    const disagree = options.source?.disagreements ?? [];
    const finding =
      `BASE_URL ${base}, CLIENT_ID ${clientId}, CLIENT_SECRET set (sha256 ${fingerprint(clientSecret)}…), from the ${origin}` +
      (disagree.length > 0
        ? `; ${disagree.join(', ')} differ between the environment and .env: the doctor uses the environment's, ` +
          '`zapier-platform invoke` the .env value (it loads .env with override)'
        : '');
    if (disagree.length > 0) {
      record(
        'config',
        'warn',
        finding,
        see('config', 'Set each variable in one place (unset it in the shell or edit .env).'),
      );
    } else {
      record('config', 'pass', finding);
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    record(
      'config',
      'fail',
      error.message,
      see('config', 'Fix the variable in .env (locally) or with `zapier-platform env:set` (on Zapier).'),
    );
  }
}

/** `client_credentials` and `token_endpoint_errors`: one refresh with a token that cannot exist. */
async function checkClientCredentials(run: Run): Promise<void> {
  const { secrets, record, skip } = run;
  if (!run.configured) {
    skip('client_credentials', NOT_CONFIGURED, FIX_CONFIG_FIRST);
    skip('token_endpoint_errors', NOT_CONFIGURED, FIX_CONFIG_FIRST);
  } else {
    const probe = probeToken('prt');
    secrets.add(probe);
    try {
      const answer = await refreshRequest(probe);
      const outcome = practice.normaliseTokenResponse(
        { status: answer.status, body: answer.body, contentType: answer.header('content-type') },
        { grant: 'refresh_token', nowSeconds: Math.floor(Date.now() / 1000), secrets: [...secrets] },
      );
      const seen = tokenProbeFinding(answer, outcome);
      const problem = outcome.ok ? 'accepted' : outcome.problem;
      if (problem === 'invalid_grant') {
        run.clientOk = true;
        record(
          'client_credentials',
          'pass',
          `Client credentials accepted: a refresh token that cannot exist was refused with invalid_grant (${seen}); the connection's own refresh token was not sent.`,
        );
      } else if (problem === 'invalid_client' || problem === 'unauthorized_client') {
        record(
          'client_credentials',
          'fail',
          `Practice rejected the client credentials: ${problem} (${seen}). Every refresh fails the same way, and no connection can be made.`,
          see(
            'client_credentials',
            'The integration owner checks CLIENT_ID and CLIENT_SECRET against the client registered in Practice; reconnecting will not help.',
          ),
        );
      } else {
        record(
          'client_credentials',
          problem === 'server_error' || problem === 'unreadable_answer' ? 'fail' : 'warn',
          `The token endpoint answered a refresh with an unknown token with ${problem === 'accepted' ? 'tokens (!)' : problem} (${seen}), so the credentials could not be judged.`,
          see(
            'client_credentials',
            'Try again later; if it persists, ask Practice about its token endpoint.',
          ),
        );
      }
      const status = answer.status;
      const rfc = status === 400 || (status === 401 && problem === 'invalid_client');
      if (status === 200 && !outcome.ok) {
        record(
          'token_endpoint_errors',
          'pass',
          `Token endpoint errors come as HTTP 200 with an RFC 6749 error body (K6, legacy deployment); handled: layer/tokens.ts reads the body and reports ${outcome.problem}, nothing is stored.`,
        );
      } else if (rfc) {
        record(
          'token_endpoint_errors',
          'pass',
          `Token endpoint errors come as HTTP ${status} with an RFC 6749 §5.2 error body (standard).`,
        );
      } else {
        record(
          'token_endpoint_errors',
          'warn',
          `The token endpoint answered an invalid refresh token with ${seen}, neither an RFC 6749 400 nor a K6 200.`,
          see(
            'token_endpoint_errors',
            'Report the answer to Practice; the integration shows it as the message named.',
          ),
        );
      }
    } catch (error) {
      const why = `The token endpoint could not be reached: ${networkFailure(error)}.`;
      record('client_credentials', 'fail', why, see('client_credentials', 'Check BASE_URL and the network.'));
      skip(
        'token_endpoint_errors',
        why,
        see('token_endpoint_errors', 'Run again once the token endpoint answers.'),
      );
    }
  }
}

/** `connection`: the stored tokens (fingerprints) and what expires_at says. */
async function checkConnection(run: Run): Promise<void> {
  const { record } = run;
  const { authData } = run.options;
  const parts = [
    run.accessToken ? `access token sha256 ${fingerprint(run.accessToken)}…` : 'no access token',
    run.refreshToken ? `refresh token sha256 ${fingerprint(run.refreshToken)}…` : 'no refresh token',
  ];
  let status: Status = 'pass';
  let fix = '';
  if (run.expiresAt === null) {
    parts.push(
      `expires_at ${authData.expires_at === undefined ? 'absent' : `"${authData.expires_at}"`}: expiry unknown, so the integration learns of it only from the API's answer (one extra request per expiry)`,
    );
    status = 'warn';
    fix = see(
      'connection',
      'Nothing needed; a refresh (`npm run doctor -- --refresh`) stores a known expires_at.',
    );
  } else if (run.expiresAt <= nowSeconds()) {
    parts.push(
      `expires_at ${when(run.expiresAt)}: expired ${duration(nowSeconds() - run.expiresAt)} ago; the next step refreshes before calling Practice (refreshBeforeExpiry)`,
    );
    status = 'warn';
    fix = see(
      'connection',
      'Nothing needed on Zapier; locally run `npm run doctor -- --refresh` or `npx zapier-platform invoke auth refresh`.',
    );
  } else {
    const left = run.expiresAt - nowSeconds();
    parts.push(
      `expires_at ${when(run.expiresAt)}: valid for ${duration(left)}${left < EXPIRY_SKEW_SECONDS ? `, inside the ${EXPIRY_SKEW_SECONDS} s refresh-ahead margin` : ''}`,
    );
  }
  if (!run.accessToken || !run.refreshToken) {
    status = 'fail';
    fix = see(
      'connection',
      run.refreshToken
        ? 'Connect again: `npx zapier-platform invoke auth start` writes authData_* to .env.'
        : 'Without a refresh token the connection dies with its access token: connect again (`npx zapier-platform invoke auth start`) and keep "Stay connected (offline access)" ticked.',
    );
  }
  record('connection', status, `${parts.join('; ')}.`, fix);
}

/** `test_call`: GET /api/v1/me with the stored token, and the label it renders. */
async function checkTestCall(run: Run): Promise<void> {
  const { record, skip } = run;
  if (!run.configured || !run.accessToken) {
    skip(
      'test_call',
      run.configured ? 'Not checked: the connection has no access token.' : NOT_CONFIGURED,
      see('test_call', 'Connect first (`npx zapier-platform invoke auth start`).'),
    );
  } else {
    try {
      const answer = await apiGet('/api/v1/me', run.accessToken);
      run.meAnswer = answer;
      const signal = practice.classify(answer);
      if (signal.kind === 'ok' && isRecord(answer.body)) {
        const label = renderLabel({ authentication }, answer.body);
        const blank = /^\s|\(\s*\)|^\s*$/.test(label) || label.startsWith(' ');
        record(
          'test_call',
          blank ? 'warn' : 'pass',
          `GET /api/v1/me answered HTTP ${answer.status}; the connection label renders as "${label}" (connectionLabel ${authentication.connectionLabel}).`,
          blank ? see('test_call', 'The /me answer lacks email or firm.name; report it to Practice.') : '',
        );
      } else if (signal.kind === 'refresh') {
        run.observedExpiry = { answer, signal };
        const how = handling(signal);
        record(
          'test_call',
          'warn',
          `GET /api/v1/me refused the connection's access token: ${describeTokenSignal(answer, signal)}; ${how.text}.`,
          see(
            'test_call',
            'On Zapier nothing is needed if the refresh works. Locally: `npm run doctor -- --refresh` (writes new tokens to .env).',
          ),
        );
      } else {
        record(
          'test_call',
          'fail',
          `GET /api/v1/me answered ${signal.source}${signal.apiMessage ? `: "${signal.apiMessage}"` : ''} (the classifier calls it "${signal.kind}").`,
          see('test_call', 'Find the message for this signal in the table below the doctor section.'),
        );
      }
    } catch (error) {
      record(
        'test_call',
        'fail',
        `GET /api/v1/me failed: ${networkFailure(error)}.`,
        see('test_call', 'Check BASE_URL and the network.'),
      );
    }
  }
}

/** `scopes`: granted scopes against practice/scopes.ts, and how a missing one is signalled (K4). */
async function checkScopes(run: Run): Promise<void> {
  const { secrets, record } = run;
  const { authData, sandbox } = run.options;
  const granted = (authData.scope ?? '').split(/\s+/).filter(Boolean);
  let k4 = '';
  // How Practice says "missing scope" (K4), seen with a GET that needs a scope the token lacks:
  // on the sandbox a throwaway connection without projects:read, on a live connection its own
  // token, only when it lacks a read scope (a GET changes nothing).
  const READ_PROBES = [
    ['projects:read', '/api/v1/projects?limit=1'],
    ['clients:read', '/api/v1/clients?limit=1'],
    ['tasks:read', '/api/v1/tasks?limit=1'],
  ] as const;
  let scopeProbe: { token: string; scope: string; path: string } | undefined;
  try {
    if (sandbox && run.configured) {
      const narrow = await sandbox.connect(['clients:read', 'offline_access']);
      secrets.add(narrow.access_token).add(narrow.refresh_token);
      scopeProbe = { token: narrow.access_token, scope: 'projects:read', path: READ_PROBES[0][1] };
    } else if (
      run.configured &&
      run.accessToken &&
      granted.length > 0 &&
      run.observedExpiry === null &&
      run.meAnswer
    ) {
      const lacking = READ_PROBES.find(([scope]) => !granted.includes(scope));
      if (lacking) scopeProbe = { token: run.accessToken, scope: lacking[0], path: lacking[1] };
    }
    if (scopeProbe) {
      const answer = await apiGet(scopeProbe.path, scopeProbe.token);
      const signal = practice.classify(answer);
      const shown = scopeProbe.path.replace(/\?.*$/, '');
      k4 =
        signal.kind === 'scope'
          ? ` A token without ${scopeProbe.scope} gets ${signal.source} naming ${signal.requiredScope ?? 'no scope'} on GET ${shown} (K4); handled: no refresh, the user is told to reconnect and approve "${scopeLabel(signal.requiredScope ?? '') ?? signal.requiredScope}".`
          : ` A token without ${scopeProbe.scope} got ${signal.source} on GET ${shown}; the classifier calls it "${signal.kind}", not a scope error.`;
    }
  } catch (error) {
    k4 = ` (The missing-scope probe failed: ${networkFailure(error)}.)`;
  }
  if (granted.length === 0) {
    record(
      'scopes',
      'skipped',
      `The connection stores no scope (authData_scope), so the granted permissions are unknown.${k4}`,
      see(
        'scopes',
        'Connect again with `npx zapier-platform invoke auth start` (it stores scope), or read the grant in Practice under connected apps.',
      ),
    );
  } else {
    const lacking = stepsMissingScopes(granted);
    const noOffline = !granted.includes('offline_access');
    const steps = lacking.map((l) => `${l.step} (needs ${l.missing.join(' ')})`).join(', ');
    const missingScopes = [...new Set(lacking.flatMap((l) => l.missing))];
    const finding =
      `Granted: ${granted.join(' ')}.` +
      (lacking.length > 0
        ? ` These steps will fail with a missing-permission error: ${steps}.`
        : ' Every step has the scopes it needs.') +
      (noOffline
        ? ' No offline_access: Practice issues no refresh token, the connection dies within the hour.'
        : '') +
      k4;
    record(
      'scopes',
      noOffline ? 'fail' : lacking.length > 0 ? 'warn' : 'pass',
      finding,
      lacking.length > 0 || noOffline
        ? see(
            'scopes',
            `Reconnect the Practice account and keep ${[
              ...missingScopes,
              ...(noOffline ? ['offline_access'] : []),
            ]
              .filter((s, i, all) => all.indexOf(s) === i)
              .map((s) => `"${scopeLabel(s) ?? s}"`)
              .join(', ')} ticked; a refresh never widens scope.`,
          )
        : '',
    );
  }
}

/** `expiry_signal`, `legacy_signal`: a plain and a legacy endpoint, given a token that cannot be valid. */
async function checkTokenSignals(run: Run): Promise<void> {
  const { secrets, record, skip, results } = run;
  const { sandbox } = run.options;
  const probeAccess = probeToken('pat');
  secrets.add(probeAccess);
  const signalCheck = async (id: 'expiry_signal' | 'legacy_signal', path: string, what: string) => {
    if (!run.configured) return skip(id, NOT_CONFIGURED, FIX_CONFIG_FIRST);
    try {
      const answer = await apiGet(path, probeAccess);
      const signal = practice.classify(answer);
      const how = handling(signal);
      const shown = path.replace(/\?.*$/, '');
      record(
        id,
        how.handled ? 'pass' : 'fail',
        `${what} (GET ${shown}) answers an access token that cannot be valid with ${describeTokenSignal(answer, signal)}; ${how.text}.`,
        how.handled
          ? ''
          : see(id, 'Report this answer to the integration owner: layer/signals.ts must learn it.'),
      );
    } catch (error) {
      record(
        id,
        'fail',
        `GET ${path} failed: ${networkFailure(error)}.`,
        see(id, 'Check BASE_URL and the network.'),
      );
    }
  };
  await signalCheck('expiry_signal', PLAIN_PROBE_PATH, 'A plain endpoint');
  await signalCheck('legacy_signal', LEGACY_PROBE_PATH, 'A legacy endpoint');
  const expiryCheck = results.get('expiry_signal');
  if (expiryCheck && run.observedExpiry) {
    expiryCheck.finding += ` This connection's own token was refused by /me with ${describeTokenSignal(run.observedExpiry.answer, run.observedExpiry.signal)}; ${handling(run.observedExpiry.signal).text}.`;
  } else if (expiryCheck && run.configured && !sandbox) {
    // An unknown token is not an expired one: K1 answers only the latter with 403.
    expiryCheck.finding +=
      " A truly expired token may be answered differently (K1: 403 token_expired); this connection's token is not expired, so that was not observed.";
    expiryCheck.fix ||= see(
      'expiry_signal',
      'To see it: run the doctor again once expires_at has passed, or `npm run doctor -- --sandbox` (expires a token on purpose).',
    );
  }
}

/** `refresh`: only with --refresh (always on the sandbox, whose connection is the doctor's own). */
async function checkRefresh(run: Run): Promise<void> {
  const { options, secrets, record, skip, results } = run;
  const { authData, sandbox } = run.options;
  if (!options.refresh) {
    skip(
      'refresh',
      'Not run: a refresh rotates the refresh token. Grace period versus strict rotation (K8) is never probed on a live connection: under K8 it would revoke the grant.',
      see(
        'refresh',
        'Run `npm run doctor -- --refresh` (reports expires_in and rotation, writes the new tokens to .env), or `npx zapier-platform invoke auth refresh`. For K8, ask whether the firm turned on strict token security in Practice.',
      ),
    );
  } else if (!run.configured || !run.refreshToken) {
    skip(
      'refresh',
      run.configured ? 'Not run: the connection has no refresh token.' : NOT_CONFIGURED,
      see('refresh', 'Connect again first.'),
    );
  } else if (!run.clientOk) {
    skip(
      'refresh',
      'Not run: the client credentials were not confirmed, and a refresh would fail the same way.',
      see('refresh', 'Fix `client_credentials` first.'),
    );
  } else {
    try {
      const answer = await refreshRequest(run.refreshToken);
      const now = Math.floor(Date.now() / 1000);
      const outcome = practice.normaliseTokenResponse(
        { status: answer.status, body: answer.body, contentType: answer.header('content-type') },
        {
          grant: 'refresh_token',
          previousRefreshToken: run.refreshToken,
          previousScope: authData.scope,
          nowSeconds: now,
          secrets: [...secrets],
        },
      );
      if (!outcome.ok) {
        record(
          'refresh',
          'fail',
          `The refresh was refused: ${outcome.message}`,
          see(
            'refresh',
            outcome.problem === 'invalid_grant' ? 'Reconnect the Practice account.' : 'Follow the message.',
          ),
        );
      } else {
        const fresh = outcome.authData;
        secrets.add(fresh.access_token).add(fresh.refresh_token);
        const body = isRecord(answer.body) ? answer.body : {};
        const raw = body.expires_in;
        const type =
          raw === undefined
            ? 'absent'
            : typeof raw === 'string'
              ? `a string "${raw.slice(0, 20)}" (K6)`
              : typeof raw === 'number'
                ? `a number ${raw} (standard)`
                : typeof raw;
        const rotated = typeof body.refresh_token === 'string' && body.refresh_token !== run.refreshToken;
        const parts = [
          `Refreshed: HTTP ${answer.status}; expires_in is ${type}, giving expires_at ${fresh.expires_at ? `${when(fresh.expires_at)} (in ${duration(fresh.expires_at - now)})` : '0 (unknown)'} via expiresAtFrom`,
          rotated
            ? `the refresh token rotated (sha256 ${fingerprint(run.refreshToken)}… → ${fingerprint(fresh.refresh_token)}…); the old one is never presented again`
            : 'the refresh token did not rotate (the old one is kept, as layer/tokens.ts does)',
        ];
        let writeError: string | null = null;
        if (options.saveTokens) {
          const fields: Record<string, string> = {
            access_token: fresh.access_token,
            refresh_token: fresh.refresh_token,
            expires_at: String(fresh.expires_at),
          };
          if (fresh.scope) fields.scope = fresh.scope;
          try {
            options.saveTokens(fields);
            parts.push('the new tokens were written to .env');
          } catch (error) {
            writeError = error instanceof Error ? error.message : String(error);
          }
        }
        if (sandbox) parts.push(await rotationProbe(sandbox, secrets));
        if (writeError !== null) {
          // The stored refresh token is rotated out now: say so plainly rather than lose the connection quietly.
          record(
            'refresh',
            'fail',
            `${parts.join('; ')}; but the new tokens could not be written to .env (${writeError}), and the refresh token stored there was rotated out.`,
            see('refresh', 'Make .env writable and connect again: `npx zapier-platform invoke auth start`.'),
          );
        } else {
          record('refresh', 'pass', `${parts.join('; ')}.`);
        }
        if (writeError === null && expiresAtFrom(raw, now) === 0) {
          const check = results.get('refresh');
          if (check) {
            check.status = 'warn';
            check.fix = see(
              'refresh',
              "Nothing breaks: with expires_at unknown the integration relies on the API's expiry signals; ask Practice for a numeric expires_in.",
            );
          }
        }
      }
    } catch (error) {
      record(
        'refresh',
        'fail',
        `The refresh request failed: ${networkFailure(error)}.`,
        see('refresh', 'Check BASE_URL and the network; the connection was not changed.'),
      );
    }
  }
}

/** `clock`: this machine's clock against the API's Date header. */
async function checkClock(run: Run): Promise<void> {
  const { record, skip } = run;
  const dated = run.meAnswer ?? null;
  const dateHeader = dated?.header('date');
  const serverMs = dateHeader ? Date.parse(dateHeader) : NaN;
  if (!dated || Number.isNaN(serverMs)) {
    skip(
      'clock',
      dated
        ? 'The API sent no readable Date header.'
        : 'Not checked: no answer from /me to read a Date header from.',
      see('clock', 'Compare `date -u` with an NTP source by hand.'),
    );
  } else {
    // Date has whole seconds: a second either way is resolution, not skew.
    const skew = Math.round((dated.receivedAtMs - serverMs) / 1000);
    const serverNow = Math.floor(serverMs / 1000);
    const left =
      run.expiresAt !== null
        ? ` By the API's clock this connection's expires_at is ${run.expiresAt - serverNow >= 0 ? `${duration(run.expiresAt - serverNow)} away` : `${duration(serverNow - run.expiresAt)} past`}.`
        : '';
    const ahead = skew > 0 ? 'ahead of' : 'behind';
    if (Math.abs(skew) <= 1) {
      record(
        'clock',
        'pass',
        `The local clock agrees with the API's Date header (within its 1 s resolution).${left}`,
      );
    } else {
      const effect =
        skew > 0
          ? `expires_at (computed from this clock) is ${skew} s early: tokens are refreshed ${skew} s sooner than needed, which is harmless`
          : `expires_at (computed from this clock) is ${-skew} s late: ${-skew > EXPIRY_SKEW_SECONDS ? `beyond the ${EXPIRY_SKEW_SECONDS} s refresh-ahead margin, a step can hit a dead token and pay one refused request before the refresh` : `within the ${EXPIRY_SKEW_SECONDS} s refresh-ahead margin`}`;
      record(
        'clock',
        Math.abs(skew) > EXPIRY_SKEW_SECONDS ? 'warn' : 'pass',
        `The local clock is ${Math.abs(skew)} s ${ahead} the API's Date header; ${effect}.${left}`,
        Math.abs(skew) > EXPIRY_SKEW_SECONDS
          ? see('clock', "Synchronise this machine's clock (NTP). Zapier's servers keep theirs in sync.")
          : '',
      );
    }
  }
}

/** `rate_limit`: X-RateLimit-* and Retry-After; on the sandbox a forced throttle (K3). */
async function checkRateLimit(run: Run): Promise<void> {
  const { secrets, record, skip } = run;
  const { sandbox } = run.options;
  const parts: string[] = [];
  let status: Status = 'pass';
  let fix = '';
  if (run.meAnswer) {
    const limit = run.meAnswer.header('x-ratelimit-limit');
    const remaining = run.meAnswer.header('x-ratelimit-remaining');
    const retry = run.meAnswer.header('retry-after');
    if (limit || remaining) {
      parts.push(
        `X-RateLimit-Limit ${limit ?? '?'}, X-RateLimit-Remaining ${remaining ?? '?'} on /me${limit === '120' ? ' (K7: 120 requests per minute per token)' : ''}`,
      );
    } else {
      parts.push('/me carried no X-RateLimit-* headers');
    }
    const signal = practice.classify(run.meAnswer);
    if (signal.kind === 'throttled') {
      status = 'warn';
      parts.push(
        `the connection is being throttled right now (${signal.source}, Retry-After ${retry ?? 'absent'} → wait ${signal.retryAfter ?? '?'} s)`,
      );
      fix = see(
        'rate_limit',
        'Nothing: Zapier retries after the delay. If it persists, spread the Zaps over more connections.',
      );
    }
  }
  if (sandbox && run.configured) {
    try {
      const throwaway = await sandbox.connect();
      secrets.add(throwaway.access_token).add(throwaway.refresh_token);
      sandbox.forceRateLimit(throwaway.access_token, 7);
      const answer = await apiGet(PLAIN_PROBE_PATH, throwaway.access_token);
      const signal = practice.classify(answer);
      const k3 =
        answer.status === 403 ? ' (K3: throttling as a 403)' : answer.status === 429 ? ' (standard 429)' : '';
      parts.push(
        signal.kind === 'throttled'
          ? `a throttled request gets ${signal.source}${k3} with Retry-After ${answer.header('retry-after') ?? 'absent'}; handled: ThrottledError, Zapier retries after ${signal.retryAfter ?? '?'} s`
          : `a throttled request got ${signal.source}, which the classifier calls "${signal.kind}"`,
      );
      if (signal.kind !== 'throttled') status = 'fail';
    } catch (error) {
      parts.push(`the throttling probe failed: ${networkFailure(error)}`);
    }
  }
  if (parts.length === 0) {
    skip(
      'rate_limit',
      'Not checked: no answer from /me.',
      see('rate_limit', 'Look for X-RateLimit-* and Retry-After in any API answer (`curl -i`).'),
    );
  } else {
    record('rate_limit', status, `${parts.join('; ')}.`, fix);
  }
}

/** Runs every check and returns them in CHECK_IDS order. */
export async function runDoctor(options: DoctorOptions): Promise<Check[]> {
  const { authData } = options;
  const results = new Map<CheckId, Check>();
  const record = (id: CheckId, status: Status, finding: string, fix = '') =>
    void results.set(id, { id, status, finding, fix });
  const secrets = new Set(
    [
      authData.access_token,
      authData.refresh_token,
      ...clientCredentialSecrets(
        practice.endpoints.configuredClientId(),
        practice.endpoints.configuredClientSecret(),
      ),
    ].filter((value): value is string => typeof value === 'string' && value !== ''),
  );
  const run: Run = {
    options,
    results,
    secrets,
    record,
    skip: (id, why, byHand) => record(id, 'skipped', why, byHand),
    configured: false,
    clientOk: false,
    accessToken: authData.access_token ?? '',
    refreshToken: authData.refresh_token ?? '',
    expiresAt: expiryOf(authData),
    meAnswer: null,
    observedExpiry: null,
  };
  // In this order: each may use what the ones before it found.
  for (const check of [
    checkConfig,
    checkClientCredentials,
    checkConnection,
    checkTestCall,
    checkScopes,
    checkTokenSignals,
    checkRefresh,
    checkClock,
    checkRateLimit,
  ]) {
    await check(run);
  }

  // Sandbox only, last: expire every token (its own connection's too) to see the real signal.
  if (options.sandbox && run.configured) await expiredTokenProbe(options.sandbox, results, run.secrets);

  const checks = CHECK_IDS.map(
    (id) => results.get(id) ?? { id, status: 'skipped' as const, finding: 'Not checked.', fix: '' },
  );
  // Belt and braces: nothing printed may carry a token or the client credentials, in any
  // encoding (layer/redact.ts, the same function as for the integration's errors and logs).
  return checks.map((c) => ({
    ...c,
    finding: redact(c.finding, [...run.secrets], practice.profile.tokenPrefixes),
    fix: redact(c.fix, [...run.secrets], practice.profile.tokenPrefixes),
  }));
}

/** Refresh a throwaway connection, then present its rotated refresh token again: grace or K8. */
async function rotationProbe(sandbox: SandboxHooks, secrets: Set<string>): Promise<string> {
  try {
    const throwaway = await sandbox.connect();
    secrets.add(throwaway.access_token).add(throwaway.refresh_token);
    const first = await refreshRequest(throwaway.refresh_token);
    const firstBody = isRecord(first.body) ? first.body : {};
    if (typeof firstBody.access_token === 'string') secrets.add(firstBody.access_token);
    if (typeof firstBody.refresh_token === 'string') secrets.add(firstBody.refresh_token);
    // The throwaway's rotated token, presented again: exactly what the doctor never does to a real one.
    const again = await refreshRequest(throwaway.refresh_token);
    const againBody = isRecord(again.body) ? again.body : {};
    const newAccess = typeof firstBody.access_token === 'string' ? firstBody.access_token : '';
    const alive = newAccess ? practice.classify(await apiGet('/api/v1/me', newAccess)).kind === 'ok' : false;
    if (typeof againBody.access_token === 'string') {
      return `a rotated refresh token presented again within the grace period got ${againBody.access_token === firstBody.access_token ? 'the same new pair' : 'a pair'} (grace period, K8 off)`;
    }
    return `a rotated refresh token presented again was refused with ${typeof againBody.error === 'string' ? againBody.error : `HTTP ${again.status}`} and the grant was ${alive ? 'kept' : 'revoked'} (K8 strict rotation: two runs refreshing at once kill the connection; the integration never presents a rotated refresh token)`;
  } catch (error) {
    return `the rotation probe failed: ${networkFailure(error)}`;
  }
}

/** Sandbox only: a truly expired token on a plain and a legacy endpoint. */
async function expiredTokenProbe(sandbox: SandboxHooks, results: Map<CheckId, Check>, secrets: Set<string>) {
  try {
    const throwaway = await sandbox.connect();
    secrets.add(throwaway.access_token).add(throwaway.refresh_token);
    sandbox.expireAccessTokens();
    for (const [id, path] of [
      ['expiry_signal', PLAIN_PROBE_PATH],
      ['legacy_signal', LEGACY_PROBE_PATH],
    ] as const) {
      const answer = await apiGet(path, throwaway.access_token);
      const signal = practice.classify(answer);
      const how = handling(signal);
      const check = results.get(id);
      if (!check) continue;
      check.finding += ` An expired token gets ${describeTokenSignal(answer, signal)}; ${how.text}.`;
      if (!how.handled) {
        check.status = 'fail';
        check.fix = see(id, 'Report this answer to the integration owner: layer/signals.ts must learn it.');
      }
    }
  } catch (error) {
    const check = results.get('expiry_signal');
    if (check) check.finding += ` (The expired-token probe failed: ${networkFailure(error)}.)`;
  }
}
