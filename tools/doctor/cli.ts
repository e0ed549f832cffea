// `npm run doctor [-- --json] [-- --refresh]`: the unauthorized / token-expired checklist for the
// connection in .env (as `zapier-platform invoke auth start` writes it).
// `npm run doctor -- --sandbox [sandbox options]`: the same against the sandbox, plus what
// needs its controls (a truly expired token, throttling, grace period versus K8).
// `npm run doctor -- --profile FILE|NAME [--probe URL|PATH]`: the same checks against any API a
// profile describes, in its words.
// `npm run doctor -- --discover URL [options]`: an API without a profile, observed from one
// connection and one test URL; writes a draft profile (tools/doctor/discover.ts).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from '../sandbox/options';
import { createLayer, redact, clientCredentialSecrets } from '../../layer';
import { practice } from '../../practice/layer';
import { describeQuirks } from '../sandbox/quirks';
import { practiceTarget, runDoctor, type Check } from './checks';
import { discover, DiscoverUsageError, idFromHost } from './discover';
import { fieldsOf, formatDraft, layerImportFor, renderDraft } from './draft';
import { loadEnv, writeAuthData } from './env-file';
import { loadProfile, ProfileLoadError } from './profile-file';
import { exitCode, toJson, toText } from './report';
import { sandboxHooks, startDoctorSandbox } from './sandbox-mode';

const USAGE = `Usage: npm run doctor [-- options]

  --json        print only {"checks":[{"id","status","finding","fix"}]}
  --refresh     also refresh the connection (rotates its refresh token; writes the new tokens to .env)
  --sandbox     start the sandbox (port 4010, or any free port) and check a fresh connection to it;
                sandbox options follow: --port, --ttl, --no-K1 … --no-K7, --K1-header-only, --K8
  --profile P   check the API profile P describes instead of Practice: a built-in name (practice,
                slack, hubspot, salesforce, xero, zoho, github, microsoft) or a .ts file exporting a
                profile (defineProfile); its variables (endpoints.baseEnv, client.idEnv, …) configure it
  --probe U     with --profile: the GET the API checks call (a URL or a path under the profile's API
                prefix; nothing else ever gets the token)
  --discover U  observe an API that has no profile yet, through the test URL U (a GET that changes
                nothing), and write a draft profile; see docs/doctor.md for its options
  --help

Reads the configuration (BASE_URL, CLIENT_ID, CLIENT_SECRET, or the profile's variables) and
authData_* from the environment and from .env in this folder (the environment wins). Exit status
0 when no check failed, 1 otherwise, 2 for a usage error.`;

export interface DoctorRun {
  code: number;
  output: string;
  checks: Check[];
  /** --discover: the draft profile written. */
  draft?: string;
}

const PRACTICE_KEYS = ['BASE_URL', 'CLIENT_ID', 'CLIENT_SECRET'] as const;

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
const DISCOVER_ONLY: readonly string[] = [...DISCOVER_VALUES, ...DISCOVER_SWITCHES];

/** Flags that take a value (`--flag value` or `--flag=value`). */
const VALUE_FLAGS = ['--profile', '--probe', '--discover', ...DISCOVER_VALUES] as const;
const SWITCHES = ['--json', '--refresh', '--sandbox', ...DISCOVER_SWITCHES] as const;

type ValueFlag = (typeof VALUE_FLAGS)[number];
type Switch = (typeof SWITCHES)[number];

interface Flags {
  values: Map<ValueFlag, string>;
  switches: Set<Switch>;
  /** Everything else, in order (the sandbox's options, or mistakes). */
  rest: string[];
}

function readFlags(argv: readonly string[]): Flags | string {
  const values = new Map<ValueFlag, string>();
  const switches = new Set<Switch>();
  const rest: string[] = [];
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
    } else {
      rest.push(arg);
    }
  }
  return { values, switches, rest };
}

// layer/endpoints.ts reads process.env; the doctor sets what it found and puts everything back.
async function withConfig<T>(
  keys: readonly string[],
  values: Record<string, string>,
  fn: () => Promise<T>,
): Promise<T> {
  const saved = keys.map((key) => [key, process.env[key]] as const);
  for (const key of keys) {
    if (values[key] === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = values[key];
  }
  try {
    return await fn();
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  }
}

const usage = (why: string): DoctorRun => ({ code: 2, output: `${why}\n\n${USAGE}`, checks: [] });

export async function doctor(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<DoctorRun> {
  const flags = readFlags(argv);
  if (typeof flags === 'string') return usage(flags);
  const { values, switches, rest } = flags;
  const json = switches.has('--json');
  const refresh = switches.has('--refresh');
  const useSandbox = switches.has('--sandbox');
  if (rest.includes('--help') || rest.includes('-h')) return { code: 0, output: USAGE, checks: [] };

  if (values.has('--discover')) {
    if (values.has('--profile') || values.has('--probe') || useSandbox)
      return usage(
        '--discover observes an API without a profile: it takes no --profile, --probe or --sandbox',
      );
    if (rest.length > 0) return usage(`unknown option ${rest[0]}`);
    return discoverRun(values, switches, env, cwd);
  }
  const stray = DISCOVER_ONLY.find((flag) => values.has(flag as ValueFlag) || switches.has(flag as Switch));
  if (stray) return usage(`${stray} belongs to --discover`);

  let target = practiceTarget();
  if (values.has('--profile')) {
    if (useSandbox) return usage("--sandbox is Practice's: it takes no --profile");
    const spec = values.get('--profile') ?? '';
    let loaded;
    try {
      loaded = loadProfile(spec, cwd);
    } catch (error) {
      if (error instanceof ProfileLoadError) return { code: 2, output: error.message, checks: [] };
      throw error;
    }
    const isPractice = loaded.profile === practice.profile;
    const probe = values.get('--probe') ?? null;
    if (isPractice && probe !== null)
      return usage("--probe is for other APIs: Practice's checks call its own endpoints");
    target = {
      layer: isPractice ? practice : createLayer(loaded.profile),
      practice: isPractice,
      probe,
      command: `npm run doctor -- --profile ${spec}${probe !== null ? ` --probe ${probe}` : ''}`,
      loaded,
    };
  } else if (values.has('--probe')) {
    return usage('--probe needs --profile: Practice is checked on its own endpoints');
  }

  let checks: Check[];
  let heading: string;
  // What the doctor was given; runDoctor redacts its findings with these and every token it met.
  const given: string[] = [];
  if (useSandbox) {
    const options = parseArgs(rest, env);
    if (options === 'help') return { code: 0, output: USAGE, checks: [] };
    const { sandbox, note } = await startDoctorSandbox(options);
    try {
      const config = {
        BASE_URL: sandbox.url,
        CLIENT_ID: sandbox.clientId,
        CLIENT_SECRET: sandbox.clientSecret,
      };
      checks = await withConfig(PRACTICE_KEYS, config, async () => {
        const hooks = sandboxHooks(sandbox);
        const tokens = await hooks.connect();
        return runDoctor({
          authData: {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            expires_at: String(tokens.expires_at),
            scope: tokens.scope,
          },
          refresh: true,
          sandbox: hooks,
        });
      });
      heading = `Practice doctor: the sandbox ${note}, a fresh connection as the owner.\nKnown behaviours: ${describeQuirks(sandbox.quirks)}.`;
    } finally {
      await sandbox.close();
    }
  } else {
    if (rest.length > 0) return usage(`unknown option ${rest[0]}`);
    const profile = target.layer.profile;
    const keys = [profile.endpoints.baseEnv, profile.client.idEnv, profile.client.secretEnv];
    const file = path.join(cwd, '.env');
    const loaded = loadEnv(file, env, keys);
    const [baseKey = '', idKey = '', secretKey = ''] = keys;
    given.push(
      ...clientCredentialSecrets(loaded.values[idKey], loaded.values[secretKey]),
      ...[loaded.authData.access_token, loaded.authData.refresh_token].filter((t): t is string => !!t),
    );
    checks = await withConfig(keys, loaded.values, () =>
      runDoctor({
        target,
        authData: loaded.authData,
        refresh,
        saveTokens: (fields) => writeAuthData(file, fields),
        source: { file: '.env', fileExists: loaded.fileExists, disagreements: loaded.disagreements },
      }),
    );
    const where = loaded.fileExists ? '.env' : 'the environment (no .env)';
    heading = target.loaded
      ? `${profile.name} doctor (profile ${target.loaded.label}): the connection in ${where}, against ${loaded.values[baseKey] ?? `${profile.endpoints.base} (${baseKey} unset)`}.`
      : `Practice doctor: the connection in ${where}, against ${loaded.values.BASE_URL ?? 'the default BASE_URL'}.`;
  }
  // JSON: each field was redacted before it was encoded; text: all of it once more.
  const output = json
    ? toJson(checks)
    : redact(toText(checks, heading), given, target.layer.profile.tokenPrefixes);
  return { code: exitCode(checks), output, checks };
}

/** Where the repository's layer lives: drafts import defineProfile from it. */
const LAYER_DIR = path.resolve(__dirname, '..', '..', 'layer');

async function discoverRun(
  values: Map<ValueFlag, string>,
  switches: Set<Switch>,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<DoctorRun> {
  const clientAuth = values.get('--client-auth') ?? null;
  if (clientAuth !== null && clientAuth !== 'basic' && clientAuth !== 'body')
    return usage('--client-auth is "basic" or "body"');
  if (switches.has('--probe-reuse') && !switches.has('--refresh'))
    return usage('--probe-reuse needs --refresh: it presents the refresh token that --refresh rotated away');
  const idEnv = values.get('--client-id-env') ?? 'CLIENT_ID';
  const secretEnv = values.get('--client-secret-env') ?? 'CLIENT_SECRET';
  const envFile = path.join(cwd, '.env');
  const loaded = loadEnv(envFile, env, [idEnv, secretEnv]);
  const clientId = values.get('--client-id') ?? loaded.values[idEnv];
  const clientSecret = loaded.values[secretEnv];
  const given = [
    ...clientCredentialSecrets(clientId, clientSecret),
    ...[loaded.authData.access_token, loaded.authData.refresh_token].filter((t): t is string => !!t),
  ];

  let result;
  let out: string;
  try {
    // The output file is settled before anything is sent: no probe for a draft that cannot be kept.
    const id = values.get('--id') ?? null;
    const testUrl = values.get('--discover') ?? '';
    let guessedId = id ?? 'discovered';
    if (id === null && URL.canParse(testUrl)) guessedId = idFromHost(new URL(testUrl).hostname);
    out = path.resolve(cwd, values.get('--out') ?? path.join('profiles', `${guessedId}.draft.ts`));
    if (existsSync(out) && !switches.has('--force'))
      return usage(`${out} exists: name another file with --out, or overwrite it with --force`);
    result = await discover({
      testUrl,
      tokenUrl: values.get('--token-url') ?? null,
      authScheme: values.get('--auth-scheme') ?? 'Bearer',
      clientAuth,
      clientId,
      clientSecret,
      authData: loaded.authData,
      refresh: switches.has('--refresh'),
      probeReuse: switches.has('--probe-reuse'),
      id,
      name: values.get('--name') ?? null,
      saveTokens: (fields) => writeAuthData(envFile, fields),
    });
  } catch (error) {
    if (error instanceof DiscoverUsageError) return usage(error.message);
    throw error;
  }

  const secrets = [...given, ...result.secrets];
  const exportName = `${result.id.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase())}Profile`;
  const test = new URL(values.get('--discover') ?? '');
  const rendered = renderDraft({
    header: [
      `Draft profile of ${result.name} (layer/profile.ts documents every field), written by`,
      `\`npm run doctor -- --discover\` on ${new Date().toISOString().slice(0, 10)} from one connection and one`,
      `test URL (GET ${test.origin}${test.pathname}). What it observed is set, with how; every field it`,
      'could not observe holds a safe placeholder under a marker comment: UNOBSERVED, then what would reveal it.',
      'The draft loads as it is; `npm run doctor -- --profile <this file>` warns while a marker is left.',
      "Complete each marked field (from the API's documentation, or by observing it), then delete its marker.",
    ],
    layerImport: layerImportFor(out, LAYER_DIR),
    exportName,
    profile: result.profile,
  });
  const formatted = await formatDraft(rendered, path.join(LAYER_DIR, '..', 'profiles', 'draft.ts'));
  // The draft holds header names, paths and codes, never a token; redacted all the same, in case a
  // server echoed a secret where a code belongs.
  const draftText = redact(formatted, secrets, result.prefixes);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, draftText);

  const fields = fieldsOf(result.profile);
  const open = fields.filter((f) => f.status === 'unobserved');
  const shownOut = path.relative(cwd, out).startsWith('..') ? out : path.relative(cwd, out);
  const next = `npm run doctor -- --profile ${shownOut} --probe ${test.pathname}`;
  let output: string;
  if (switches.has('--json')) {
    output = JSON.stringify({ draft: out, fields, requests: result.requests, notes: result.notes });
  } else {
    const width = Math.max(...fields.map((f) => f.path.length));
    output = [
      `Discovering ${result.name} through GET ${test.origin}${test.pathname}.`,
      '',
      'Sent:',
      ...result.requests.map((r) => `  ${r}`),
      '',
      ...fields.map(
        (f) =>
          `${f.status === 'observed' ? 'OBSERVED  ' : 'UNOBSERVED'}  ${f.path.padEnd(width)}  ${f.value}${f.how ? ` — ${f.how}` : ''}`,
      ),
      ...(result.notes.length > 0 ? ['', ...result.notes] : []),
      '',
      `Draft written to ${shownOut}: ${fields.length - open.length} fields observed, ${open.length} marked UNOBSERVED.`,
      `Complete the marked ones, then check the profile: ${next}`,
    ].join('\n');
  }
  return { code: 0, output: redact(output, secrets, result.prefixes), checks: [], draft: out };
}

if (require.main === module) {
  doctor(process.argv.slice(2), process.env, process.cwd()).then(
    ({ code, output }) => {
      (code === 2 ? console.error : console.log)(output);
      process.exitCode = code;
    },
    (error: unknown) => {
      // Whatever a run may have read: Practice's client, and any variable that holds a secret or
      // a connection field (a profile's *_CLIENT_SECRET, authData_*).
      const secrets = [
        ...clientCredentialSecrets(process.env.CLIENT_ID, process.env.CLIENT_SECRET),
        ...Object.entries(process.env)
          .filter(([key]) => /SECRET|TOKEN|^authData_/i.test(key))
          .map(([, value]) => value),
      ];
      const why = error instanceof Error ? error.message : String(error);
      console.error(redact(`The doctor could not run: ${why}`, secrets, practice.profile.tokenPrefixes));
      process.exitCode = 1;
    },
  );
}
