// The API the checks run against, as data: its layer, where its fixes point, the requests the
// checks that call it make, and the words its findings use. The checks are written once
// (src/doctor/checks/); what one API has that another lacks is a field here, not a branch there.
//
// Two kinds of target: an API a profile describes (--profile), whose findings name the profile's
// fields and call the one endpoint --probe names; and an API the app itself knows more of (its
// own endpoints, its steps' scopes, names for its known behaviours), given as data by the app
// (this repository's Practice: tools/doctor/practice-target.ts) through runDoctor's setup.targets.known.
import type { CheckedProfile, Layer, Signal } from '../internal';
import { createLayer } from '../internal';
import type { Answer } from './http';
import type { LoadedProfile } from './profile-file';
import { describeSignal } from './words';

/** A --probe as given: where, and how (--probe-method, --probe-body). */
export interface ProbeSpec {
  /** A URL, or a path under the API's prefix. */
  at: string;
  method: 'GET' | 'POST';
  /** JSON, sent with POST. */
  body?: string;
}

/** An endpoint of the app's own the checks call, with the words findings name it by. */
export interface OwnEndpoint {
  path: string;
  /** What kind of endpoint it is, before "(GET …)": "A plain endpoint". */
  what?: string;
}

/** What an app knows of its own API beyond the profile (Practice: its endpoints, steps, behaviours). */
export interface OwnEndpoints {
  /** The test call: an endpoint that answers who is connected, and the connection label it renders. */
  test: OwnEndpoint & { label?: ConnectionLabel };
  /** An endpoint the expiry signal is probed on. */
  expiry: OwnEndpoint;
  /** An endpoint that answers differently (Practice's legacy ones, K2), probed as well. */
  legacy?: OwnEndpoint;
}

export interface ConnectionLabel {
  render(body: Record<string, unknown>): string;
  /** The template, as the finding quotes it. */
  source: string;
  /** What to do when the label renders blank. */
  blankFix: string;
}

/** Which steps of the app need which scopes (Practice: practice/scopes.ts). */
export interface StepScopes {
  missing(granted: readonly string[]): Array<{ step: string; missing: string[] }>;
  label(scope: string): string | undefined;
  /** The scope without which no refresh token is issued, and what its absence means. */
  offline: { scope: string; finding: string };
  /** GETs that need one read scope each: a token lacking one shows how a missing scope is told. */
  readProbes: ReadonlyArray<readonly [scope: string, path: string]>;
  /** The scopes of the narrow throwaway connection a sandbox grants, to provoke a missing scope. */
  narrowGrant: readonly string[];
}

/** The sentences that differ from one target to another, as data. */
export interface Words {
  /** After the base URL in `config`, when its variable is unset. */
  baseUnset: string;
  /** After "check the client id and secret against …" when the client is refused. */
  clientMethod: string;
  /** Where a user approves offline access (a refresh token). */
  offline: string;
  /** The test call, named in passing ("/me", "the probe (--probe)"). */
  testShort: string;
  /** Who refused the connection's own token, in passing (" by /me"). */
  refusedBy: string;
  /** A fix for an answer the test call got that is neither success nor a token refusal. */
  lookUp: string;
  /** A fix for a token refusal the layer would not refresh on. */
  unhandled: string;
  /** After "A truly expired token may be answered differently": what the API is known to do. */
  expiredAside: string;
  /** How to see an expired token's answer. */
  seeExpiry: string;
  /** Where the grant can be read when the connection stores no scope. */
  grantWhere: string;
  /** `refresh` without --refresh. */
  refreshSkipped: { finding: string; fix: string };
  /** How the lifetime of a refresh answer reads. */
  refreshed(facts: { status: number; raw: unknown; expiry: string }): string;
  /** The fix when a refresh answer's lifetime is unknown. */
  unknownExpiry: string;
  /** Rate-limit headers of the test call's answer. */
  rateHeaders(answer: Answer, shown: string): string;
  /** The fix when no answer showed rate-limit headers. */
  rateFix: string;
  /** A throttled answer's status, named ("K3: throttling as a 403"); '' when the API names none. */
  throttledAs(status: number): string;
  /** `token_endpoint_errors`, by what the refusal of a refresh token that cannot exist looked like. */
  tokenErrors: TokenErrorWords;
}

/** What a refusal of a refresh token that cannot exist is called, case by case. */
export interface TokenErrorWords {
  /** Errors as HTTP 200, as the profile says. */
  as200(facts: TokenErrorFacts): string;
  /** Errors as HTTP 200, but the profile says otherwise. */
  as200Unexpected(facts: TokenErrorFacts): { finding: string; fix: string };
  /** An error status with a code where the profile reads it. */
  status(facts: TokenErrorFacts): string;
  /** Anything else: tokens, an error status without a code, another status. */
  other(facts: TokenErrorFacts & { accepted: boolean; statusWithoutCode: boolean }): {
    finding: string;
    fix: string;
  };
}

export interface TokenErrorFacts {
  status: number;
  /** What layer/tokens.ts made of it ("invalid_grant"). */
  problem: string;
  /** The answer, as findings quote it ("HTTP 400 error=invalid_grant (…)"). */
  seen: string;
  /** The code where token.errorCode reads it, as findings name it. */
  named: string;
}

export interface Target {
  layer: Layer;
  /** The doctor run again on this target, for fixes ("npm run doctor --"). */
  command: string;
  /** --profile: where the profile came from, and what a draft still marks UNOBSERVED. */
  loaded?: LoadedProfile;
  /** Where a check's fix points. */
  link(id: string): string;
  /** Prefixes of the tokens no server can have issued ("pat", "prt"; "doctor"). */
  probeTokens: { access: string; refresh: string };
  /** The app's own endpoints the API checks call; absent: the one --probe names. */
  own?: OwnEndpoints;
  /** --probe; null when none was named (only without `own`). */
  probe: ProbeSpec | null;
  /** Which step needs which scope, when the app knows it. */
  steps?: StepScopes;
  /**
   * Whether a refresh answer is held against the profile (rotation, lifetime): a profile written
   * for one API says what it does. Practice's profile covers every deployment, whose known
   * behaviours differ (K6, K8): its answers are named, not held against it.
   */
  holdAgainstProfile: boolean;
  /** How an answer that refuses a token is named in findings. */
  describe(answer: Answer, signal: Signal): string;
  words: Words;
}

/** Where --profile's own check points: how a draft is completed. */
export const PROFILE_DOC = 'docs/doctor.md#what-a-draft-holds';

/** The words for an API a profile describes: its name, its variables, its fields. */
function profileWords(profile: CheckedProfile, command: string): Words {
  const name = profile.name;
  const again = `${command} --refresh`;
  return {
    baseUnset: " (not set: the profile's production address)",
    clientMethod: `, and that ${name} takes them as the profile sends them (client.authMethod "${profile.client.authMethod}": ${profile.client.authMethod === 'basic' ? 'HTTP Basic' : 'in the form body'})`,
    offline: profile.advice?.offlineAccess ?? 'approve offline access on the consent page',
    testShort: 'the probe (--probe)',
    refusedBy: '',
    lookUp: `Look the answer up in ${name}'s documentation.`,
    unhandled:
      'The profile does not read this answer as a rejected token: name its code in signals.codes as "refresh" (or its envelope or status), then run the doctor again.',
    expiredAside: '',
    seeExpiry: 'To see it: run the doctor again once expires_at has passed.',
    grantWhere: `in ${name}'s settings`,
    refreshSkipped: {
      finding: `Not run: a refresh may rotate the refresh token. Whether ${name} still takes a rotated-away one is never probed on a live connection: under strict rotation it would revoke the grant.`,
      fix: `Run \`${again}\` (reports the lifetime and rotation against the profile, writes the new tokens to .env), or \`npx zapier-platform invoke auth refresh\`.`,
    },
    refreshed: ({ status, raw, expiry }) => {
      const { field, unit, assumeSeconds } = profile.token.lifetime;
      return field === null
        ? `Refreshed: HTTP ${status}; the profile reads no lifetime field and assumes ${assumeSeconds ?? '?'} s, giving expires_at ${expiry}`
        : `Refreshed: HTTP ${status}; ${field} is ${rawType(raw, {})}, giving expires_at ${expiry} as token.lifetime reads it (${unit})`;
    },
    unknownExpiry: `Nothing breaks: with expires_at unknown the integration relies on ${name}'s expiry signals; check token.lifetime in the profile.`,
    rateHeaders: (answer, shown) => {
      const names = answer.headerNames.filter((n) => RATE_LIMIT_NAMES.test(n));
      return names.length > 0
        ? `${shown} carried ${names.map((n) => `${n}: ${answer.header(n) ?? ''}`).join(', ')}`
        : `${shown} carried no rate-limit headers (x-ratelimit-*, ratelimit-*, retry-after)`;
    },
    rateFix: `Look for rate-limit headers and Retry-After in any answer of ${name} (\`curl -i\`).`,
    throttledAs: () => '',
    tokenErrors: profileTokenErrors(profile),
  };
}

const RATE_LIMIT_NAMES = /rate-?limit|limit-remaining|^retry-after$/i;

/** How a lifetime field's raw value looks, for the refresh finding, with the API's names for its types. */
export function rawType(raw: unknown, names: { string?: string; number?: string }): string {
  if (raw === undefined) return 'absent';
  if (typeof raw === 'string') return `a string "${raw.slice(0, 20)}"${names.string ?? ''}`;
  if (typeof raw === 'number') return `a number ${raw}${names.number ?? ''}`;
  return typeof raw;
}

function profileTokenErrors(profile: CheckedProfile): TokenErrorWords {
  const name = profile.name;
  return {
    as200: ({ named, problem }) =>
      `Token endpoint errors come as HTTP 200 with ${named}, as the profile says (token.errorsAs200); handled: layer/tokens.ts reads the body and reports ${problem}, nothing is stored.`,
    as200Unexpected: ({ named, problem }) => ({
      finding: `${name}'s token endpoint answered an error with HTTP 200 (${named}), but the profile says token.errorsAs200: false; layer/tokens.ts still reads the body and reports ${problem}.`,
      fix: 'Set token.errorsAs200: true in the profile.',
    }),
    status: ({ status, named, problem }) =>
      `Token endpoint errors come as HTTP ${status} with ${named}; layer/tokens.ts reports ${problem}.`,
    other: ({ status, named, problem, seen, accepted, statusWithoutCode }) =>
      accepted
        ? {
            finding: `The token endpoint answered a refresh token that cannot exist with ${seen}.`,
            fix: `Report the answer to ${name}.`,
          }
        : statusWithoutCode
          ? {
              finding: `Token endpoint errors come as HTTP ${status} with ${named}; layer/tokens.ts reports ${problem}.`,
              fix: `Point token.errorCode at where ${name}'s token errors keep their code.`,
            }
          : {
              finding: `The token endpoint answered an invalid refresh token with ${seen}, neither an error status nor an error in an HTTP 200.`,
              fix: `Report the answer to ${name}; the integration shows it as the message named.`,
            },
  };
}

/** The target for an API a profile describes, called at the endpoint --probe names. */
export function profileTarget(loaded: LoadedProfile, probe: ProbeSpec | null, command: string): Target {
  const profile = loaded.profile;
  return {
    layer: createLayer(profile),
    command,
    loaded,
    link: (id) => (id === 'profile' ? PROFILE_DOC : profile.troubleshooting),
    probeTokens: { access: 'doctor', refresh: 'doctor' },
    probe,
    holdAgainstProfile: true,
    describe: (_answer, signal) => describeSignal(signal),
    words: profileWords(profile, command),
  };
}
