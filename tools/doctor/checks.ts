// The "my Zap says unauthorized / token expired" checklist, run through the integration's
// own code: layer/endpoints.ts reads the configuration, layer/tokens.ts judges every token endpoint
// answer, layer/signals.ts classifies every API answer, practice/scopes.ts says which step
// needs what. Never harmful: the probes use tokens no server can have issued, only GETs
// reach the API, and the connection's refresh token is presented only under --refresh.
//
// The checks run for one target: Practice (the default: its endpoints, the steps of this app,
// the names of its known behaviours K1–K8, the rows of docs/troubleshooting.md), or any API a
// profile describes (--profile): the same checks in that API's words (its name, its variables,
// its troubleshooting page), the API reached at the URL --probe names. What only Practice has
// (this app's steps and connection label, its legacy endpoints) is skipped for the others, and
// the finding says why.
import type { Bundle } from 'zapier-platform-core';
import authentication from '../../authentication';
import { renderLabel } from '../harness/zapier-runner';
import {
  type Layer,
  type Signal,
  ConfigError,
  EXPIRY_SKEW_SECONDS,
  knownExpiry,
  redact,
  clientCredentialSecrets,
  expiresAtFrom,
  scopesOf,
  type TokenAuthData,
  type TokenOutcome,
  isRecord,
  readEnv,
  valueAt,
} from '../../layer';
import { practice } from '../../practice/layer';
import { scopeLabel, stepsMissingScopes } from '../../practice/scopes';
import type { Quirks } from '../sandbox/quirks';
import { apiGet, fingerprint, networkFailure, probeToken, refreshRequest, type Answer } from './http';
import type { LoadedProfile } from './profile-file';

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

/** Only with --profile, first: the profile itself (sound; fields a draft still marks UNOBSERVED). */
export const PROFILE_CHECK = 'profile';

export type CheckId = (typeof CHECK_IDS)[number] | typeof PROFILE_CHECK;
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

/** The API the checks run against, and how. */
export interface Target {
  layer: Layer;
  /** Practice's own checks (the default): its endpoints, this app's steps, K1–K8, its docs rows. */
  practice: boolean;
  /** --probe: the URL or path (under the API's prefix) the API checks GET; null when none was named. */
  probe: string | null;
  /** The command that runs the doctor again on this target, for fixes ("npm run doctor --"). */
  command: string;
  /** --profile: where the profile came from, and what a draft still marks UNOBSERVED. */
  loaded?: LoadedProfile;
}

/** The default target: Practice, through the app's own layer. */
export function practiceTarget(): Target {
  return { layer: practice, practice: true, probe: null, command: 'npm run doctor --' };
}

export interface DoctorOptions {
  /** Practice unless --profile names another API. */
  target?: Target;
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

/** Where --profile's own check points: how a draft is completed. */
export const PROFILE_DOC = 'docs/doctor.md#what-a-draft-holds';

const LEGACY_PROBE_PATH = '/api/v1/clients/search?email=doctor-probe%40example.invalid';
const PLAIN_PROBE_PATH = '/api/v1/clients?limit=1';

/** How any API's answer says "this token is no good": the status, and the code if there is one. */
function describeSignal(signal: Signal): string {
  if (signal.status === 401) return `HTTP 401${signal.code ? ` ${signal.code}` : ''} (standard, RFC 6750)`;
  return signal.source;
}

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

function tokenProbeFinding(run: Run, answer: Answer, outcome: TokenOutcome): string {
  const path = run.layer.profile.token.errorCode;
  const value = valueAt(answer.body, path);
  const error = typeof value === 'string' ? value : null;
  return `HTTP ${answer.status}${error ? ` ${path}=${error}` : ''}${outcome.ok ? '' : ` (layer/tokens.ts: ${outcome.problem})`}`;
}

/** What the checks share: their results, every secret seen so far, and what earlier checks found. */
interface Run {
  options: DoctorOptions;
  target: Target;
  layer: Layer;
  /** The API's name as its users read it ("Practice", "Slack"). */
  name: string;
  /** A fix, ending with where to read more: docs/troubleshooting.md's row, or the profile's page. */
  see(id: CheckId, text: string): string;
  /** The doctor run again on this target with `flags`, as a command to type. */
  again(flags: string): string;
  /** The probe URL, once `config` checked it lies under the API's prefix (other profiles only). */
  probeUrl: string | null;
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
  /** The answer to the stored token (/me, or the probe), for the clock and rate-limit checks. */
  meAnswer: Answer | null;
  /** /me (or the probe) refused the stored token as expired: the API's real expiry signal. */
  observedExpiry: { answer: Answer; signal: Signal } | null;
}

const NOT_CONFIGURED = 'Not checked: the configuration is incomplete.';
const FIX_CONFIG_FIRST = 'Fix `config` first, then run the doctor again.';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The path of a URL, without its query (which may carry anything). */
function shownPath(url: string): string {
  return new URL(url).pathname;
}

/** A --probe URL or path, resolved against the API's prefix; refused unless the token would go there. */
function resolveProbe(layer: Layer, probe: string): { url: string } | { problem: string } {
  const api = layer.endpoints.endpoint(layer.profile.endpoints.api);
  if (!/^(?:https?:\/\/|\/)/i.test(probe))
    return { problem: `--probe "${probe}" is neither an http(s) URL nor a path starting with "/"` };
  let url: URL;
  try {
    url = new URL(probe, api);
  } catch {
    return { problem: `--probe "${probe}" is not a URL` };
  }
  if (url.username || url.password || url.hash)
    return { problem: `--probe must not carry credentials or a fragment` };
  if (!layer.endpoints.isApiRequest(url.toString())) {
    return {
      problem:
        `--probe ${url.origin}${url.pathname} is not under ${layer.profile.name}'s API (${api}): ` +
        'the integration sends the access token nowhere else, and neither does the doctor',
    };
  }
  return { url: url.toString() };
}

/** `profile` (--profile only): the profile is sound, and which fields a draft still leaves open. */
function checkProfile(run: Run): void {
  const { record, target, layer } = run;
  const loaded = target.loaded;
  if (!loaded) return;
  const p = layer.profile;
  const head = `Profile "${p.id}" (${p.name}) from ${loaded.label} loads and is sound (layer/profile.ts profileProblems finds nothing)`;
  const open = loaded.unobserved;
  if (open.length === 0) {
    record(PROFILE_CHECK, 'pass', `${head}; no field is marked UNOBSERVED.`);
    return;
  }
  const list = open.map((u) => `${u.path || '(above no field)'} (line ${u.line}: ${u.reveal})`).join('; ');
  record(
    PROFILE_CHECK,
    'warn',
    `${head}, but it is a draft: ${open.length} field${open.length === 1 ? '' : 's'} still marked UNOBSERVED hold placeholders, and every check below holds only as far as they are right: ${list}.`,
    `Complete each marked field from ${p.name}'s documentation or by observing it, then delete its marker. See ${PROFILE_DOC}.`,
  );
}

/** `config`: the three variables, read by layer/endpoints.ts; for other profiles also --probe. */
async function checkConfig(run: Run): Promise<void> {
  const { options, record, layer, target, see, name } = run;
  const { baseEnv } = layer.profile.endpoints;
  const { idEnv, secretEnv } = layer.profile.client;
  try {
    const base = layer.endpoints.baseUrl();
    const { clientId, clientSecret } = layer.endpoints.clientCredentials();
    run.configured = true;
    const origin = options.source
      ? options.source.fileExists
        ? `environment and ${options.source.file}`
        : `environment (no ${options.source.file})`
      : 'environment';
    const disagree = options.source?.disagreements ?? [];
    const unset =
      !target.practice && readEnv(baseEnv) === undefined
        ? " (not set: the profile's production address)"
        : '';
    let finding =
      `${baseEnv} ${base}${unset}, ${idEnv} ${clientId}, ${secretEnv} set (sha256 ${fingerprint(clientSecret)}…), from the ${origin}` +
      (disagree.length > 0
        ? `; ${disagree.join(', ')} differ between the environment and .env: the doctor uses the environment's, ` +
          '`zapier-platform invoke` the .env value (it loads .env with override)'
        : '');
    let status: Status = disagree.length > 0 ? 'warn' : 'pass';
    let fix =
      disagree.length > 0
        ? see('config', 'Set each variable in one place (unset it in the shell or edit .env).')
        : '';
    if (!target.practice) {
      if (target.probe === null) {
        finding += `; no --probe named, so the checks that call ${name}'s API are skipped`;
      } else {
        const probe = resolveProbe(layer, target.probe);
        if ('url' in probe) {
          run.probeUrl = probe.url;
          finding += `; the API checks GET ${shownPath(probe.url)}`;
        } else {
          finding += `; ${probe.problem}`;
          status = 'fail';
          fix = see(
            'config',
            `Name a GET of ${name}'s API that changes nothing, as a path (--probe /…) or a URL under ${layer.endpoints.endpoint(layer.profile.endpoints.api)}.`,
          );
        }
      }
    }
    record('config', status, finding, fix);
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
  const { secrets, record, skip, layer, target, see, name } = run;
  const profile = layer.profile;
  if (!run.configured) {
    skip('client_credentials', NOT_CONFIGURED, FIX_CONFIG_FIRST);
    skip('token_endpoint_errors', NOT_CONFIGURED, FIX_CONFIG_FIRST);
  } else {
    const probe = probeToken(target.practice ? 'prt' : 'doctor');
    secrets.add(probe);
    try {
      const answer = await refreshRequest(layer, probe);
      const outcome = layer.normaliseTokenResponse(
        { status: answer.status, body: answer.body, contentType: answer.header('content-type') },
        { grant: 'refresh_token', nowSeconds: Math.floor(Date.now() / 1000), secrets: [...secrets] },
      );
      const seen = tokenProbeFinding(run, answer, outcome);
      const problem = outcome.ok ? 'accepted' : outcome.problem;
      if (problem === 'invalid_grant') {
        run.clientOk = true;
        record(
          'client_credentials',
          'pass',
          `Client credentials accepted: a refresh token that cannot exist was refused with invalid_grant (${seen}); the connection's own refresh token was not sent.`,
        );
      } else if (problem === 'invalid_client' || problem === 'unauthorized_client') {
        const registered = profile.advice?.clientRegistration ?? `the client registered with ${name}`;
        const method = target.practice
          ? ''
          : `, and that ${name} takes them as the profile sends them (client.authMethod "${profile.client.authMethod}": ${profile.client.authMethod === 'basic' ? 'HTTP Basic' : 'in the form body'})`;
        record(
          'client_credentials',
          'fail',
          `${name} rejected the client credentials: ${problem} (${seen}). Every refresh fails the same way, and no connection can be made.`,
          see(
            'client_credentials',
            `The integration owner checks ${profile.client.idEnv} and ${profile.client.secretEnv} against ${registered}${method}; reconnecting will not help.`,
          ),
        );
      } else {
        record(
          'client_credentials',
          problem === 'server_error' || problem === 'unreadable_answer' ? 'fail' : 'warn',
          `The token endpoint answered a refresh with an unknown token with ${problem === 'accepted' ? 'tokens (!)' : problem} (${seen}), so the credentials could not be judged.`,
          see('client_credentials', `Try again later; if it persists, ask ${name} about its token endpoint.`),
        );
      }
      if (target.practice) practiceTokenErrors(run, answer, outcome, problem, seen);
      else tokenErrors(run, answer, outcome, seen);
    } catch (error) {
      const base = target.practice ? 'BASE_URL' : profile.endpoints.baseEnv;
      const why = `The token endpoint could not be reached: ${networkFailure(error)}.`;
      record('client_credentials', 'fail', why, see('client_credentials', `Check ${base} and the network.`));
      skip(
        'token_endpoint_errors',
        why,
        see('token_endpoint_errors', 'Run again once the token endpoint answers.'),
      );
    }
  }
}

/** `token_endpoint_errors` for Practice: RFC 6749 or K6. */
function practiceTokenErrors(run: Run, answer: Answer, outcome: TokenOutcome, problem: string, seen: string) {
  const { record, see } = run;
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
}

/** `token_endpoint_errors` for another profile: the refusal against token.errorsAs200 and token.errorCode. */
function tokenErrors(run: Run, answer: Answer, outcome: TokenOutcome, seen: string) {
  const { record, see, name } = run;
  const token = run.layer.profile.token;
  const status = answer.status;
  const code = valueAt(answer.body, token.errorCode);
  const named =
    typeof code === 'string' || typeof code === 'number'
      ? `${token.errorCode} "${String(code)}"`
      : `nothing at token.errorCode ("${token.errorCode}")`;
  if (outcome.ok) {
    record(
      'token_endpoint_errors',
      'warn',
      `The token endpoint answered a refresh token that cannot exist with ${seen}.`,
      see('token_endpoint_errors', `Report the answer to ${name}.`),
    );
  } else if (status === 200 && token.errorsAs200) {
    record(
      'token_endpoint_errors',
      'pass',
      `Token endpoint errors come as HTTP 200 with ${named}, as the profile says (token.errorsAs200); handled: layer/tokens.ts reads the body and reports ${outcome.problem}, nothing is stored.`,
    );
  } else if (status === 200) {
    record(
      'token_endpoint_errors',
      'warn',
      `${name}'s token endpoint answered an error with HTTP 200 (${named}), but the profile says token.errorsAs200: false; layer/tokens.ts still reads the body and reports ${outcome.problem}.`,
      see('token_endpoint_errors', 'Set token.errorsAs200: true in the profile.'),
    );
  } else if (status >= 400 && status < 500) {
    const found = typeof code === 'string' || typeof code === 'number';
    record(
      'token_endpoint_errors',
      found ? 'pass' : 'warn',
      `Token endpoint errors come as HTTP ${status} with ${named}; layer/tokens.ts reports ${outcome.problem}.`,
      found
        ? ''
        : see(
            'token_endpoint_errors',
            `Point token.errorCode at where ${name}'s token errors keep their code.`,
          ),
    );
  } else {
    record(
      'token_endpoint_errors',
      'warn',
      `The token endpoint answered an invalid refresh token with ${seen}, neither an error status nor an error in an HTTP 200.`,
      see(
        'token_endpoint_errors',
        `Report the answer to ${name}; the integration shows it as the message named.`,
      ),
    );
  }
}

/** `connection`: the stored tokens (fingerprints) and what expires_at says. */
async function checkConnection(run: Run): Promise<void> {
  const { record, see, again, name, target } = run;
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
      `Nothing needed; a refresh (\`${again('--refresh')}\`) stores a known expires_at.`,
    );
  } else if (run.expiresAt <= nowSeconds()) {
    parts.push(
      `expires_at ${when(run.expiresAt)}: expired ${duration(nowSeconds() - run.expiresAt)} ago; the next step refreshes before calling ${name} (refreshBeforeExpiry)`,
    );
    status = 'warn';
    fix = see(
      'connection',
      `Nothing needed on Zapier; locally run \`${again('--refresh')}\` or \`npx zapier-platform invoke auth refresh\`.`,
    );
  } else {
    const left = run.expiresAt - nowSeconds();
    parts.push(
      `expires_at ${when(run.expiresAt)}: valid for ${duration(left)}${left < EXPIRY_SKEW_SECONDS ? `, inside the ${EXPIRY_SKEW_SECONDS} s refresh-ahead margin` : ''}`,
    );
  }
  if (!run.accessToken || !run.refreshToken) {
    status = 'fail';
    const offline = target.practice
      ? 'keep "Stay connected (offline access)" ticked'
      : (run.layer.profile.advice?.offlineAccess ?? 'approve offline access on the consent page');
    fix = see(
      'connection',
      run.refreshToken
        ? 'Connect again: `npx zapier-platform invoke auth start` writes authData_* to .env.'
        : `Without a refresh token the connection dies with its access token: connect again (\`npx zapier-platform invoke auth start\`) and ${offline}.`,
    );
  }
  record('connection', status, `${parts.join('; ')}.`, fix);
}

/** `test_call`: GET /api/v1/me (Practice) or the probe with the stored token. */
async function checkTestCall(run: Run): Promise<void> {
  const { record, skip, layer, target, see, again } = run;
  if (!run.configured || !run.accessToken) {
    skip(
      'test_call',
      run.configured ? 'Not checked: the connection has no access token.' : NOT_CONFIGURED,
      see('test_call', 'Connect first (`npx zapier-platform invoke auth start`).'),
    );
    return;
  }
  if (!target.practice) return genericTestCall(run);
  try {
    const answer = await apiGet(layer, layer.endpoints.url('/api/v1/me'), run.accessToken);
    run.meAnswer = answer;
    const signal = layer.classify(answer);
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
          `On Zapier nothing is needed if the refresh works. Locally: \`${again('--refresh')}\` (writes new tokens to .env).`,
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

async function genericTestCall(run: Run): Promise<void> {
  const { record, skip, layer, see, again, name } = run;
  if (run.probeUrl === null) {
    skip(
      'test_call',
      `Not checked: no endpoint of ${name} was named to call (--probe).`,
      see(
        'test_call',
        `Run again naming a GET of ${name}'s API that changes nothing: \`${again('--probe /…')}\`.`,
      ),
    );
    return;
  }
  const shown = shownPath(run.probeUrl);
  try {
    const answer = await apiGet(layer, run.probeUrl, run.accessToken);
    run.meAnswer = answer;
    const signal = layer.classify(answer);
    if (signal.kind === 'ok') {
      record(
        'test_call',
        'pass',
        `GET ${shown} answered HTTP ${answer.status}: ${name} accepted the connection's access token. No connection label is rendered: the label is this app's (Practice's /me), not ${name}'s.`,
      );
    } else if (signal.kind === 'refresh') {
      run.observedExpiry = { answer, signal };
      record(
        'test_call',
        'warn',
        `GET ${shown} refused the connection's access token: ${describeSignal(signal)}; ${handling(signal).text}.`,
        see(
          'test_call',
          `On Zapier nothing is needed if the refresh works. Locally: \`${again('--refresh')}\` (writes new tokens to .env).`,
        ),
      );
    } else {
      record(
        'test_call',
        'fail',
        `GET ${shown} answered ${signal.source}${signal.apiMessage ? `: "${signal.apiMessage}"` : ''} (the classifier calls it "${signal.kind}").`,
        see('test_call', `Look the answer up in ${name}'s documentation.`),
      );
    }
  } catch (error) {
    record(
      'test_call',
      'fail',
      `GET ${shown} failed: ${networkFailure(error)}.`,
      see('test_call', `Check ${layer.profile.endpoints.baseEnv}, --probe and the network.`),
    );
  }
}

/** `scopes`: granted scopes against practice/scopes.ts, and how a missing one is signalled (K4). */
async function checkScopes(run: Run): Promise<void> {
  if (!run.target.practice) return genericScopes(run);
  const { secrets, record, layer, see } = run;
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
      const answer = await apiGet(layer, layer.endpoints.url(scopeProbe.path), scopeProbe.token);
      const signal = layer.classify(answer);
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

/**
 * `scopes` for another profile: the granted scopes against what the profile asks for. Which
 * step needs which scope is this app's, known for Practice only (practice/scopes.ts).
 */
function genericScopes(run: Run): void {
  const { record, see, name, layer } = run;
  const profile = layer.profile;
  const granted = scopesOf(profile, run.options.authData.scope ?? '');
  const steps = ` Which step needs which scope is known for Practice only (practice/scopes.ts): for ${name} that part is skipped, and no missing-scope answer is provoked.`;
  if (granted.length === 0) {
    record(
      'scopes',
      'skipped',
      `The connection stores no scope (authData_scope), so the granted permissions are unknown.${steps}`,
      see(
        'scopes',
        `Connect again with \`npx zapier-platform invoke auth start\` (it stores scope), or read the grant in ${name}'s settings.`,
      ),
    );
    return;
  }
  const missing = profile.authorization.scopes.filter((scope) => !granted.includes(scope));
  const labelOf = (scope: string) => profile.authorization.scopeLabels?.[scope] ?? scope;
  record(
    'scopes',
    missing.length > 0 ? 'warn' : 'pass',
    `Granted: ${granted.join(profile.authorization.scopeSeparator)}.` +
      (missing.length > 0
        ? ` The profile also asks for ${missing.join(', ')}, not granted: requests that need ${missing.length === 1 ? 'it' : 'them'} get a missing-permission error.`
        : ' Every scope the profile asks for was granted.') +
      steps,
    missing.length > 0
      ? see(
          'scopes',
          `Reconnect the ${name} account and approve ${missing.map((s) => `"${labelOf(s)}"`).join(', ')}; a refresh never widens scope.`,
        )
      : '',
  );
}

/** `expiry_signal`, `legacy_signal`: a plain and a legacy endpoint, given a token that cannot be valid. */
async function checkTokenSignals(run: Run): Promise<void> {
  if (!run.target.practice) return genericTokenSignals(run);
  const { secrets, record, skip, results, layer, see } = run;
  const { sandbox } = run.options;
  const probeAccess = probeToken('pat');
  secrets.add(probeAccess);
  const signalCheck = async (id: 'expiry_signal' | 'legacy_signal', path: string, what: string) => {
    if (!run.configured) return skip(id, NOT_CONFIGURED, FIX_CONFIG_FIRST);
    try {
      const answer = await apiGet(layer, layer.endpoints.url(path), probeAccess);
      const signal = layer.classify(answer);
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

/** `expiry_signal` on the probe for another profile; `legacy_signal` is Practice's (K2) and skipped. */
async function genericTokenSignals(run: Run): Promise<void> {
  const { secrets, record, skip, layer, see, again, name } = run;
  const envelope = layer.profile.signals.envelope;
  skip(
    'legacy_signal',
    `Skipped for ${name}: legacy endpoints that answer in an ok:false envelope (K2) are Practice's. expiry_signal covers the endpoint --probe names${envelope ? `, ${name}'s own envelope (${envelope.path}) included` : ''}.`,
    see(
      'legacy_signal',
      `If ${name} answers some endpoints differently, run the doctor again with --probe naming one.`,
    ),
  );
  if (!run.configured) return skip('expiry_signal', NOT_CONFIGURED, FIX_CONFIG_FIRST);
  if (run.probeUrl === null) {
    return skip(
      'expiry_signal',
      `Not checked: no endpoint of ${name} was named to call (--probe).`,
      see(
        'expiry_signal',
        `Run again naming a GET of ${name}'s API that changes nothing: \`${again('--probe /…')}\`.`,
      ),
    );
  }
  const probeAccess = probeToken('doctor');
  secrets.add(probeAccess);
  const shown = shownPath(run.probeUrl);
  try {
    const answer = await apiGet(layer, run.probeUrl, probeAccess);
    const signal = layer.classify(answer);
    const how = handling(signal);
    let finding = `GET ${shown} answers an access token that cannot be valid with ${describeSignal(signal)}; ${how.text}.`;
    let fix = how.handled
      ? ''
      : see(
          'expiry_signal',
          `The profile does not read this answer as a rejected token: name its code in signals.codes as "refresh" (or its envelope or status), then run the doctor again.`,
        );
    if (run.observedExpiry) {
      finding += ` This connection's own token was refused with ${describeSignal(run.observedExpiry.signal)}; ${handling(run.observedExpiry.signal).text}.`;
    } else {
      finding +=
        " A truly expired token may be answered differently; this connection's token is not expired, so that was not observed.";
      fix ||= see('expiry_signal', 'To see it: run the doctor again once expires_at has passed.');
    }
    record('expiry_signal', how.handled ? 'pass' : 'fail', finding, fix);
  } catch (error) {
    record(
      'expiry_signal',
      'fail',
      `GET ${shown} failed: ${networkFailure(error)}.`,
      see('expiry_signal', `Check ${layer.profile.endpoints.baseEnv}, --probe and the network.`),
    );
  }
}

/** How a lifetime field's raw value looks, for the refresh finding. */
function rawType(raw: unknown, practiceWords: boolean): string {
  if (raw === undefined) return 'absent';
  if (typeof raw === 'string') return `a string "${raw.slice(0, 20)}"${practiceWords ? ' (K6)' : ''}`;
  if (typeof raw === 'number') return `a number ${raw}${practiceWords ? ' (standard)' : ''}`;
  return typeof raw;
}

/** `refresh`: only with --refresh (always on the sandbox, whose connection is the doctor's own). */
async function checkRefresh(run: Run): Promise<void> {
  const { options, secrets, record, skip, results, layer, target, see, again, name } = run;
  const { authData, sandbox } = run.options;
  const profile = layer.profile;
  if (!options.refresh) {
    skip(
      'refresh',
      target.practice
        ? 'Not run: a refresh rotates the refresh token. Grace period versus strict rotation (K8) is never probed on a live connection: under K8 it would revoke the grant.'
        : `Not run: a refresh may rotate the refresh token. Whether ${name} still takes a rotated-away one is never probed on a live connection: under strict rotation it would revoke the grant.`,
      see(
        'refresh',
        target.practice
          ? 'Run `npm run doctor -- --refresh` (reports expires_in and rotation, writes the new tokens to .env), or `npx zapier-platform invoke auth refresh`. For K8, ask whether the firm turned on strict token security in Practice.'
          : `Run \`${again('--refresh')}\` (reports the lifetime and rotation against the profile, writes the new tokens to .env), or \`npx zapier-platform invoke auth refresh\`.`,
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
      const answer = await refreshRequest(layer, run.refreshToken);
      const now = Math.floor(Date.now() / 1000);
      const outcome = layer.normaliseTokenResponse(
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
            outcome.problem === 'invalid_grant' ? `Reconnect the ${name} account.` : 'Follow the message.',
          ),
        );
      } else {
        const fresh = outcome.authData;
        secrets.add(fresh.access_token).add(fresh.refresh_token);
        const body = isRecord(answer.body) ? answer.body : {};
        const field = target.practice ? 'expires_in' : profile.token.lifetime.field;
        const raw = field === null ? undefined : body[field];
        const rotated = typeof body.refresh_token === 'string' && body.refresh_token !== run.refreshToken;
        const expiry = `${fresh.expires_at ? `${when(fresh.expires_at)} (in ${duration(fresh.expires_at - now)})` : '0 (unknown)'}`;
        const parts = [
          target.practice
            ? `Refreshed: HTTP ${answer.status}; expires_in is ${rawType(raw, true)}, giving expires_at ${expiry} via expiresAtFrom`
            : field === null
              ? `Refreshed: HTTP ${answer.status}; the profile reads no lifetime field and assumes ${profile.token.lifetime.assumeSeconds ?? '?'} s, giving expires_at ${expiry}`
              : `Refreshed: HTTP ${answer.status}; ${field} is ${rawType(raw, false)}, giving expires_at ${expiry} as token.lifetime reads it (${profile.token.lifetime.unit})`,
          rotated
            ? `the refresh token rotated (sha256 ${fingerprint(run.refreshToken)}… → ${fingerprint(fresh.refresh_token)}…); the old one is never presented again`
            : 'the refresh token did not rotate (the old one is kept, as layer/tokens.ts does)',
        ];
        // What the profile says of rotation and lifetime, held against this one answer.
        const disagreements: string[] = [];
        if (!target.practice) {
          const kind = profile.token.rotation.kind;
          const inAnswer = typeof body.refresh_token === 'string';
          if (rotated && kind === 'none')
            disagreements.push('the refresh token rotated, but the profile says token.rotation "none"');
          if (!rotated && kind !== 'none')
            disagreements.push(
              `the refresh token did not rotate, but the profile says token.rotation "${kind}"`,
            );
          if (!inAnswer && profile.token.refreshTokenInRefresh === 'always')
            disagreements.push(
              'the answer carried no refresh token, but the profile says token.refreshTokenInRefresh "always"',
            );
          if (inAnswer && profile.token.refreshTokenInRefresh === 'never')
            disagreements.push(
              'the answer carried a refresh token, but the profile says token.refreshTokenInRefresh "never"',
            );
          if (field !== null && raw === undefined)
            disagreements.push(`the answer has no ${field}, which the profile's token.lifetime reads`);
          // Access tokens live minutes or hours: more than a day read from the answer is, far more
          // often, a unit mistake (milliseconds read as seconds: an hour becomes 1000 hours).
          const read = fresh.expires_at ? fresh.expires_at - now : 0;
          if (field !== null && raw !== undefined && read > 24 * 3600)
            disagreements.push(
              `${field} reads as ${duration(read)} with token.lifetime.unit "${profile.token.lifetime.unit}": ` +
                "more than a day is rare for an access token; check the unit against the API's documentation",
            );
          if (disagreements.length > 0) parts.push(`against the profile: ${disagreements.join('; ')}`);
        }
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
        } else if (disagreements.length > 0) {
          record(
            'refresh',
            'warn',
            `${parts.join('; ')}.`,
            see('refresh', `Correct the profile where ${name}'s answer contradicts it.`),
          );
        } else {
          record('refresh', 'pass', `${parts.join('; ')}.`);
        }
        const unknownExpiry = target.practice ? expiresAtFrom(raw, now) === 0 : fresh.expires_at === 0;
        if (writeError === null && unknownExpiry) {
          const check = results.get('refresh');
          if (check) {
            check.status = 'warn';
            check.fix = see(
              'refresh',
              target.practice
                ? "Nothing breaks: with expires_at unknown the integration relies on the API's expiry signals; ask Practice for a numeric expires_in."
                : `Nothing breaks: with expires_at unknown the integration relies on ${name}'s expiry signals; check token.lifetime in the profile.`,
            );
          }
        }
      }
    } catch (error) {
      record(
        'refresh',
        'fail',
        `The refresh request failed: ${networkFailure(error)}.`,
        see(
          'refresh',
          `Check ${target.practice ? 'BASE_URL' : profile.endpoints.baseEnv} and the network; the connection was not changed.`,
        ),
      );
    }
  }
}

/** `clock`: this machine's clock against the API's Date header. */
async function checkClock(run: Run): Promise<void> {
  const { record, skip, see, target } = run;
  const dated = run.meAnswer ?? null;
  const dateHeader = dated?.header('date');
  const serverMs = dateHeader ? Date.parse(dateHeader) : NaN;
  if (!dated || Number.isNaN(serverMs)) {
    skip(
      'clock',
      dated
        ? 'The API sent no readable Date header.'
        : target.practice
          ? 'Not checked: no answer from /me to read a Date header from.'
          : 'Not checked: no answer from the probe (--probe) to read a Date header from.',
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

/** Headers that speak of rate limits, by the names APIs use (x-ratelimit-*, ratelimit-*, x-*limit-remaining, retry-after). */
export const RATE_LIMIT_HEADER = /rate-?limit|limit-remaining|^retry-after$/i;

/** `rate_limit`: X-RateLimit-* and Retry-After; on the sandbox a forced throttle (K3). */
async function checkRateLimit(run: Run): Promise<void> {
  if (!run.target.practice) return genericRateLimit(run);
  const { secrets, record, skip, layer, see } = run;
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
    const signal = layer.classify(run.meAnswer);
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
      const answer = await apiGet(layer, layer.endpoints.url(PLAIN_PROBE_PATH), throwaway.access_token);
      const signal = layer.classify(answer);
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

/** `rate_limit` for another profile: what the probe's answer says of limits, and what the profile reads. */
function genericRateLimit(run: Run): void {
  const { record, skip, layer, see, name } = run;
  const answer = run.meAnswer;
  if (!answer || run.probeUrl === null) {
    skip(
      'rate_limit',
      'Not checked: no answer from the probe (--probe).',
      see(
        'rate_limit',
        `Look for rate-limit headers and Retry-After in any answer of ${name} (\`curl -i\`).`,
      ),
    );
    return;
  }
  const shown = shownPath(run.probeUrl);
  const names = answer.headerNames.filter((n) => RATE_LIMIT_HEADER.test(n));
  const parts = [
    names.length > 0
      ? `GET ${shown} carried ${names.map((n) => `${n}: ${answer.header(n) ?? ''}`).join(', ')}`
      : `GET ${shown} carried no rate-limit headers (x-ratelimit-*, ratelimit-*, retry-after)`,
  ];
  const rule = layer.profile.signals.rateLimitHeaders;
  if (rule) {
    parts.push(
      names.includes(rule.remainingHeader.toLowerCase())
        ? `the profile reads ${rule.remainingHeader}: 0 as throttled, whatever the status`
        : `the profile reads ${rule.remainingHeader}, which this answer did not carry`,
    );
  }
  let status: Status = 'pass';
  let fix = '';
  const signal = layer.classify(answer);
  if (signal.kind === 'throttled') {
    status = 'warn';
    parts.push(
      `the connection is being throttled right now (${signal.source}, Retry-After ${answer.header('retry-after') ?? 'absent'} → wait ${signal.retryAfter ?? '?'} s)`,
    );
    fix = see(
      'rate_limit',
      'Nothing: Zapier retries after the delay. If it persists, spread the Zaps over more connections.',
    );
  }
  record('rate_limit', status, `${parts.join('; ')}.`, fix);
}

/** Runs every check and returns them in CHECK_IDS order (after `profile`, with --profile). */
export async function runDoctor(options: DoctorOptions): Promise<Check[]> {
  const { authData } = options;
  const target = options.target ?? practiceTarget();
  const layer = target.layer;
  const results = new Map<CheckId, Check>();
  const record = (id: CheckId, status: Status, finding: string, fix = '') =>
    void results.set(id, { id, status, finding, fix });
  const secrets = new Set(
    [
      authData.access_token,
      authData.refresh_token,
      ...clientCredentialSecrets(
        layer.endpoints.configuredClientId(),
        layer.endpoints.configuredClientSecret(),
      ),
    ].filter((value): value is string => typeof value === 'string' && value !== ''),
  );
  const run: Run = {
    options,
    target,
    layer,
    name: layer.profile.name,
    see: (id, text) =>
      `${text} See ${target.practice ? docLink(id) : id === PROFILE_CHECK ? PROFILE_DOC : layer.profile.troubleshooting}.`,
    again: (flags) => `${target.command} ${flags}`,
    probeUrl: null,
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
  checkProfile(run);
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

  const ids: CheckId[] = target.loaded ? [PROFILE_CHECK, ...CHECK_IDS] : [...CHECK_IDS];
  const checks = ids.map(
    (id) => results.get(id) ?? { id, status: 'skipped' as const, finding: 'Not checked.', fix: '' },
  );
  // Belt and braces: nothing printed may carry a token or the client credentials, in any
  // encoding (layer/redact.ts, the same function as for the integration's errors and logs).
  const prefixes = layer.profile.tokenPrefixes;
  return checks.map((c) => ({
    ...c,
    finding: redact(c.finding, [...run.secrets], prefixes),
    fix: redact(c.fix, [...run.secrets], prefixes),
  }));
}

/** Refresh a throwaway connection, then present its rotated refresh token again: grace or K8. */
async function rotationProbe(sandbox: SandboxHooks, secrets: Set<string>): Promise<string> {
  try {
    const throwaway = await sandbox.connect();
    secrets.add(throwaway.access_token).add(throwaway.refresh_token);
    const first = await refreshRequest(practice, throwaway.refresh_token);
    const firstBody = isRecord(first.body) ? first.body : {};
    if (typeof firstBody.access_token === 'string') secrets.add(firstBody.access_token);
    if (typeof firstBody.refresh_token === 'string') secrets.add(firstBody.refresh_token);
    // The throwaway's rotated token, presented again: exactly what the doctor never does to a real one.
    const again = await refreshRequest(practice, throwaway.refresh_token);
    const againBody = isRecord(again.body) ? again.body : {};
    const newAccess = typeof firstBody.access_token === 'string' ? firstBody.access_token : '';
    const alive = newAccess
      ? practice.classify(await apiGet(practice, practice.endpoints.url('/api/v1/me'), newAccess)).kind ===
        'ok'
      : false;
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
      const answer = await apiGet(practice, practice.endpoints.url(path), throwaway.access_token);
      const signal = practice.classify(answer);
      const how = handling(signal);
      const check = results.get(id);
      if (!check) continue;
      check.finding += ` An expired token gets ${describeTokenSignal(answer, signal)}; ${how.text}.`;
      if (!how.handled) {
        check.status = 'fail';
        check.fix = `Report this answer to the integration owner: layer/signals.ts must learn it. See ${docLink(id)}.`;
      }
    }
  } catch (error) {
    const check = results.get('expiry_signal');
    if (check) check.finding += ` (The expired-token probe failed: ${networkFailure(error)}.)`;
  }
}
