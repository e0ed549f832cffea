// How the sandbox is started from a command line: flags and environment -> SandboxOptions.
// The sandbox's executable (cli.ts), the demo (tools/scripts/start.ts) and the doctor's
// --sandbox mode all read their options here.
import { DEFAULT_QUIRKS, type Quirks } from './quirks';
import type { SandboxOptions } from './server';

export const USAGE = `Usage: tsx tools/sandbox/cli.ts [options]

  --port <n>            listen port (default 4010, or $PORT; 0 = any free port)
  --host <addr>         listen address (default 127.0.0.1)
  --ttl <seconds>       access token lifetime, 1..86400 (default 3600, or $SANDBOX_TTL)
  --redirect-uri <uri>  also accept this exact redirect URI (repeatable)
  --no-K1 --no-K2 --no-K3 --no-K6 --no-K7
                        turn a known behaviour off (see docs/practice-api.md §3)
  --K1-header-only      expired-token 403s carry no body, only WWW-Authenticate
  --K8                  strict token security: no grace period for rotated refresh tokens
  --help

Environment: SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET override the demo client.`;

export class UsageError extends Error {}

function parseInteger(flag: string, value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new UsageError(`${flag} needs a whole number`);
  return Number(value);
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): SandboxOptions | 'help' {
  const quirks: Partial<Quirks> = {};
  const redirectUris: string[] = [];
  let port = env.PORT ? parseInteger('PORT', env.PORT) : 4010;
  let ttl = env.SANDBOX_TTL ? parseInteger('SANDBOX_TTL', env.SANDBOX_TTL) : 3600;
  let host = '127.0.0.1';

  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    const quirk = /^--no-(K[0-9]+)$/.exec(flag)?.[1];
    if (flag === '--help' || flag === '-h') return 'help';
    else if (flag === '--port') port = parseInteger(flag, value());
    else if (flag === '--ttl') ttl = parseInteger(flag, value());
    else if (flag === '--host') host = value() ?? host;
    else if (flag === '--redirect-uri') {
      const uri = value();
      if (!uri) throw new UsageError('--redirect-uri needs a value');
      redirectUris.push(uri);
    } else if (flag === '--K1-header-only') quirks.K1HeaderOnly = true;
    else if (flag === '--K8') quirks.K8 = true;
    else if (quirk && quirk in DEFAULT_QUIRKS) quirks[quirk as keyof Quirks] = false;
    else throw new UsageError(`unknown option ${arg}`);
  }
  return {
    host,
    port,
    accessTokenTtlSeconds: ttl,
    quirks,
    redirectUris,
    clientId: env.SANDBOX_CLIENT_ID || undefined,
    clientSecret: env.SANDBOX_CLIENT_SECRET || undefined,
  };
}
