// `npm run doctor [-- --json] [-- --refresh]`: the unauthorized / token-expired checklist for the
// connection in .env (as `zapier-platform invoke auth start` writes it).
// `npm run doctor -- --sandbox [sandbox options]`: the same against the sandbox, plus what
// needs its controls (a truly expired token, throttling, grace period versus K8).
import path from 'node:path';
import { parseArgs } from '../sandbox/options';
import { redact, clientCredentialSecrets } from '../../layer';
import { practice } from '../../practice/layer';
import { describeQuirks } from '../sandbox/quirks';
import { runDoctor, type Check } from './checks';
import { loadEnv, writeAuthData } from './env-file';
import { exitCode, toJson, toText } from './report';
import { sandboxHooks, startDoctorSandbox } from './sandbox-mode';

const USAGE = `Usage: npm run doctor [-- options]

  --json        print only {"checks":[{"id","status","finding","fix"}]}
  --refresh     also refresh the connection (rotates its refresh token; writes the new tokens to .env)
  --sandbox     start the sandbox (port 4010, or any free port) and check a fresh connection to it;
                sandbox options follow: --port, --ttl, --no-K1 … --no-K7, --K1-header-only, --K8
  --help

Reads BASE_URL, CLIENT_ID, CLIENT_SECRET and authData_* from the environment and from .env in
this folder (the environment wins). Exit status 0 when no check failed, 1 otherwise.`;

export interface DoctorRun {
  code: number;
  output: string;
  checks: Check[];
}

const CONFIG_KEYS = ['BASE_URL', 'CLIENT_ID', 'CLIENT_SECRET'] as const;

// layer/endpoints.ts reads process.env; the doctor sets what it found and puts everything back.
async function withConfig<T>(values: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = CONFIG_KEYS.map((key) => [key, process.env[key]] as const);
  for (const key of CONFIG_KEYS) {
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

export async function doctor(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<DoctorRun> {
  const json = argv.includes('--json');
  const refresh = argv.includes('--refresh');
  const useSandbox = argv.includes('--sandbox');
  const rest = argv.filter((a) => !['--json', '--refresh', '--sandbox'].includes(a));
  if (rest.includes('--help') || rest.includes('-h')) return { code: 0, output: USAGE, checks: [] };

  let checks: Check[];
  let heading: string;
  // What the doctor was given; runDoctor redacts its findings with these and every token it met.
  const given: string[] = [];
  if (useSandbox) {
    const options = parseArgs(rest, env);
    if (options === 'help') return { code: 0, output: USAGE, checks: [] };
    const { sandbox, note } = await startDoctorSandbox(options);
    try {
      const values = {
        BASE_URL: sandbox.url,
        CLIENT_ID: sandbox.clientId,
        CLIENT_SECRET: sandbox.clientSecret,
      };
      checks = await withConfig(values, async () => {
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
    if (rest.length > 0) return { code: 2, output: `unknown option ${rest[0]}\n\n${USAGE}`, checks: [] };
    const file = path.join(cwd, '.env');
    const loaded = loadEnv(file, env);
    given.push(
      ...clientCredentialSecrets(loaded.values.CLIENT_ID, loaded.values.CLIENT_SECRET),
      ...[loaded.authData.access_token, loaded.authData.refresh_token].filter((t): t is string => !!t),
    );
    checks = await withConfig(loaded.values, () =>
      runDoctor({
        authData: loaded.authData,
        refresh,
        saveTokens: (fields) => writeAuthData(file, fields),
        source: { file: '.env', fileExists: loaded.fileExists, disagreements: loaded.disagreements },
      }),
    );
    heading = `Practice doctor: the connection in ${loaded.fileExists ? '.env' : 'the environment (no .env)'}, against ${loaded.values.BASE_URL ?? 'the default BASE_URL'}.`;
  }
  // JSON: each field was redacted before it was encoded; text: all of it once more.
  const output = json
    ? toJson(checks)
    : redact(toText(checks, heading), given, practice.profile.tokenPrefixes);
  return { code: exitCode(checks), output, checks };
}

if (require.main === module) {
  doctor(process.argv.slice(2), process.env, process.cwd()).then(
    ({ code, output }) => {
      (code === 2 ? console.error : console.log)(output);
      process.exitCode = code;
    },
    (error: unknown) => {
      const secrets = clientCredentialSecrets(process.env.CLIENT_ID, process.env.CLIENT_SECRET);
      const why = error instanceof Error ? error.message : String(error);
      console.error(redact(`The doctor could not run: ${why}`, secrets, practice.profile.tokenPrefixes));
      process.exitCode = 1;
    },
  );
}
