// What the checks share during one run: the target, the connection, every secret met, and what
// the checks before found (the configuration, the client, the test call's answer). A check is
// `{ id, shouldRun, run }` (src/doctor/checks/index.ts lists them in order), as core's own
// checks are (zapier-platform-core src/checks/).
import type { Layer, Signal, TokenAuthData, TokenOutcome } from '../internal';
import type { Answer } from './http';
import type { Target } from './target';

export type Status = 'pass' | 'warn' | 'fail' | 'skipped';

/** One line of the report. */
export interface Check {
  id: string;
  status: Status;
  finding: string;
  /** What to do, ending with where to read more; '' when there is nothing to do. */
  fix: string;
}

export type Finding = Omit<Check, 'id'>;

/** One check of the doctor, as core writes its checks: a name, whether it applies, what it finds. */
export interface DoctorCheck {
  id: string;
  /** Whether it belongs in this run's report at all. */
  shouldRun(ctx: Context): boolean;
  /** Profile fields its verdict rests on: with a draft, the report says when one is still a guess. */
  restsOn?: readonly string[];
  run(ctx: Context): Promise<Finding> | Finding;
  /**
   * After every check ran, in the same order: what could only be done last (on a sandbox,
   * expiring every token), added to this check's finding.
   */
  finish?(ctx: Context, finding: Finding): Promise<void>;
}

/** What only a sandbox lets the doctor do: make throwaway connections and provoke signals. */
export interface SandboxHooks {
  /** A fresh connection through the consent page, approving `scopes` (default: all offered). */
  connect(scopes?: readonly string[]): Promise<TokenAuthData>;
  /** Expires every live access token (the doctor calls it last: its own connection dies too). */
  expireAccessTokens(): void;
  /** The next API request bearing this token is rate-limited. */
  forceRateLimit(accessToken: string, retryAfterSeconds: number): void;
}

export interface DoctorOptions {
  /** The API, and what the app knows of it (Practice: tools/doctor/practice-target.ts). */
  target: Target;
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

/** A request the API checks make: where, how, and how findings name it. */
export interface Call {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  /** "GET /api/v1/me": the method and the path, never the query. */
  shown: string;
  /** What kind of endpoint it is, before "(GET …)". */
  what?: string;
  /** What to check when it cannot be reached: "BASE_URL", "SLACK_BASE_URL, --probe". */
  hint: string;
  label?: NonNullable<Target['own']>['test']['label'];
}

/** The refusal of a refresh token that cannot exist, as client_credentials got it. */
export interface TokenProbe {
  answer: Answer;
  outcome: TokenOutcome;
  /** What layer/tokens.ts made of it, or "accepted". */
  problem: string;
  /** The answer, as findings quote it. */
  seen: string;
}

export interface Context {
  options: DoctorOptions;
  target: Target;
  layer: Layer;
  /** The API's name as its users read it ("Practice", "Slack"). */
  name: string;
  sandbox?: SandboxHooks;
  /** A fix, ending with where to read more: the target's link for the check. */
  see(id: string, text: string): string;
  /** The doctor run again on this target with `flags`, as a command to type. */
  again(flags: string): string;
  /** Everything that must not be printed: tokens (real and probe) and the client secret. */
  secrets: Set<string>;
  configured: boolean;
  /** The requests of the API checks, once `config` has checked where they go. */
  calls: { test: Call | null; expiry: Call | null; legacy: Call | null };
  /** client_credentials' probe, for token_endpoint_errors; a string when it could not be made. */
  tokenProbe: TokenProbe | string | null;
  /** The client credentials were accepted; a refresh can work. */
  clientOk: boolean;
  accessToken: string;
  refreshToken: string;
  expiresAt: number | null;
  /** The test call's answer to the stored token, for the clock and rate-limit checks. */
  testAnswer: Answer | null;
  /** The test call refused the stored token as expired: the API's real expiry signal. */
  observedExpiry: { answer: Answer; signal: Signal } | null;
  /** On a sandbox: a throwaway connection's token, expired with every other (src/doctor/signal-probe.ts). */
  expiredToken?: Promise<string>;
}

export const skipped = (finding: string, fix = ''): Finding => ({ status: 'skipped', finding, fix });

/** A check that calls the API, skipped because no endpoint of it was named (--probe). */
export function noProbe(ctx: Context, id: string): Finding {
  return skipped(
    `Not checked: no endpoint of ${ctx.name} was named to call (--probe).`,
    ctx.see(
      id,
      `Run again naming a GET of ${ctx.name}'s API that changes nothing: \`${ctx.again('--probe /…')}\`.`,
    ),
  );
}
