// The doctor's command line: which flags take a value, which are switches, which belong to
// --discover only, and the usage text.
import { parseJson } from '../internal';
import type { Check } from './context';
import type { ProbeRequest } from './http';

/** What a run of the doctor gives back: its exit status, what it prints, its checks. */
export interface DoctorRun {
  code: number;
  output: string;
  checks: Check[];
  /** --discover: the draft profile written. */
  draft?: string;
  /** A usage error: the usage follows `output` when printed (runDoctor adds it). */
  usage?: true;
}
/** How the doctor is run where it is installed as this package's bin. */
export const BIN_COMMAND = 'npx zapier-oauth-doctor';

/** A switch of an app's own that runs a mode of its own (this repository: --sandbox). */
export interface ExtraMode {
  /** The switch ("--sandbox"); the arguments no flag of the doctor takes go to `run`. */
  flag: string;
  /** Its lines in --help, the first beginning with the switch. */
  help: readonly string[];
  run(rest: string[], env: NodeJS.ProcessEnv, json: boolean): Promise<DoctorRun>;
}

/** What --help says, for a doctor run as `command` (with the app's own names and switches, if any). */
export interface UsageOf {
  command: string;
  /** The names --profile takes without a file. */
  builtIn: readonly string[];
  /** The API checked without --profile (this repository: Practice). */
  defaultName?: string;
  extra?: ExtraMode;
}

/** `text` in lines of at most `width` characters, each after the first indented by `indent`. */
function wrapped(text: string, indent: string, lead = 16, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const room = width - (lines.length === 0 ? lead : indent.length);
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

/** The flags, one list: what --help and every usage error print. */
export function usageText({ command, builtIn, defaultName, extra }: UsageOf): string {
  const indent = ' '.repeat(16);
  const profile = wrapped(
    [
      defaultName
        ? `check the API the profile P describes instead of ${defaultName}:`
        : 'check the API the profile P describes:',
      builtIn.length > 0 ? `a built-in name (${builtIn.join(', ')}) or a` : 'a',
      '.ts/.js file exporting a profile (defineProfile); its variables (endpoints.baseEnv, client.idEnv, …) configure it',
      defaultName ? '' : '(needed, unless --discover)',
    ]
      .filter((part) => part !== '')
      .join(' '),
    indent,
  );
  const usageLine = command.endsWith(' --') ? `${command.slice(0, -3)} [-- options]` : `${command} [options]`;
  const reads = wrapped(
    `Reads the configuration (${defaultName ? 'BASE_URL, CLIENT_ID, CLIENT_SECRET, or ' : ''}the profile's variables) and authData_* from the environment and from .env in the current folder (the environment wins). A .ts profile is compiled with the project's own typescript. Exit status 0 when no check failed, 1 otherwise, 2 for a usage error.`,
    '',
    0,
  );
  return `Usage: ${usageLine}

  --json        print only {"checks":[{"id","status","finding","fix"}]}
  --refresh     also refresh the connection (rotates its refresh token; writes the new tokens to .env)
${extra ? `${extra.help.map((line) => `  ${line}`).join('\n')}\n` : ''}  --profile P   ${profile}
  --probe U     with --profile: the GET the API checks call (a URL or a path under the profile's API
                prefix; nothing else ever gets the token)
  --probe-method POST, --probe-body JSON
                with --probe or --discover: ask the endpoint with a POST of this JSON body instead
                (a GraphQL query); it is sent several times, so it must change nothing
  --discover U  observe an API that has no profile yet, through the test URL U (a GET that changes
                nothing), and write a draft profile (TypeScript); with it:
    --token-url URL|PATH, --auth-scheme NAME, --client-auth basic|body, --client-id ID,
    --client-id-env NAME, --client-secret-env NAME, --id ID, --name NAME, --out FILE, --force,
    --refresh, --probe-reuse (only with --refresh: may end the grant under strict rotation)
  --help

${reads}`;
}

/** What a run may say as it goes, before its report (--discover: which host gets which credential). */
export interface DoctorIo {
  say?: (line: string) => void;
}

/** A usage error: why; the run adds the usage (usageText) after it. */
export const usage = (why: string): DoctorRun => ({ code: 2, output: why, checks: [], usage: true });

/** The flags only --discover takes: with a value, and switches. */
const DISCOVER_VALUES = [
  '--token-url',
  '--auth-scheme',
  '--client-auth',
  '--client-id',
  '--client-id-env',
  '--client-secret-env',
  '--id',
  '--name',
  '--out',
] as const;
const DISCOVER_SWITCHES = ['--probe-reuse', '--force'] as const;
export const DISCOVER_ONLY: readonly string[] = [...DISCOVER_VALUES, ...DISCOVER_SWITCHES];

/** Flags that take a value (`--flag value` or `--flag=value`). */
const VALUE_FLAGS = [
  '--profile',
  '--probe',
  '--probe-method',
  '--probe-body',
  '--discover',
  ...DISCOVER_VALUES,
] as const;
const SWITCHES = ['--json', '--refresh', ...DISCOVER_SWITCHES] as const;

export type ValueFlag = (typeof VALUE_FLAGS)[number];
export type Switch = (typeof SWITCHES)[number];

export interface Flags {
  values: Map<ValueFlag, string>;
  switches: Set<Switch>;
  /** Everything else, in order (the options of an app's own mode, or mistakes). */
  rest: string[];
  /** The app's own switch (ExtraMode.flag) was given. */
  extra?: boolean;
}

export function readFlags(argv: readonly string[], extraFlag?: string): Flags | string {
  const values = new Map<ValueFlag, string>();
  const switches = new Set<Switch>();
  const rest: string[] = [];
  let extra = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if ((VALUE_FLAGS as readonly string[]).includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') return `${name} needs a value`;
      values.set(name as ValueFlag, value);
    } else if ((SWITCHES as readonly string[]).includes(arg)) {
      switches.add(arg as Switch);
    } else if (extraFlag !== undefined && arg === extraFlag) {
      extra = true;
    } else {
      rest.push(arg);
    }
  }
  return { values, switches, rest, ...(extra ? { extra } : {}) };
}

/** A --discover flag given without --discover, if any. */
export function strayDiscoverFlag(flags: Flags): string | undefined {
  return DISCOVER_ONLY.find(
    (flag) => flags.values.has(flag as ValueFlag) || flags.switches.has(flag as Switch),
  );
}

/** A word the shell takes as it is, else single-quoted. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** --probe-method and --probe-body, checked; a usage error as a string. */
export function probeRequestOf({ values }: Flags): ProbeRequest | string {
  const method = (values.get('--probe-method') ?? 'GET').toUpperCase();
  const body = values.get('--probe-body');
  if (method !== 'GET' && method !== 'POST')
    return '--probe-method is GET or POST: the probe is sent several times, with tokens that cannot be valid too, and must change nothing';
  if (body !== undefined && method !== 'POST') return '--probe-body needs --probe-method POST';
  if (body !== undefined && parseJson(body) === undefined)
    return '--probe-body must be JSON (it is sent as application/json)';
  return body === undefined ? { method } : { method, body };
}

/** The flags that ask for a probe as --probe-method and --probe-body say, to type again. */
export function probeFlags(probe: ProbeRequest): string {
  return `${probe.method !== 'GET' ? ` --probe-method ${probe.method}` : ''}${probe.body !== undefined ? ` --probe-body ${shellWord(probe.body)}` : ''}`;
}

/** --probe-method or --probe-body, if given. */
export function probeHowFlag({ values }: Flags): string | undefined {
  return (['--probe-method', '--probe-body'] as const).find((flag) => values.has(flag));
}
