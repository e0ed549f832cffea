// `tsx tools/sandbox/cli.ts [--port 4010] [--host 127.0.0.1] [--ttl 3600] [--no-K1 …]`
// Starts the sandbox and prints what to do next. The banner prints the demo client secret
// on purpose: it is a fixed local demo value (override with SANDBOX_CLIENT_SECRET).
import { describeQuirks, DEFAULT_QUIRKS, type Quirks } from './quirks';
import { DEMO_MEMBERS, startSandbox, type SandboxOptions } from './server';

const USAGE = `Usage: tsx tools/sandbox/cli.ts [options]

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

class UsageError extends Error {}

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

async function main(): Promise<void> {
  let options: SandboxOptions | 'help';
  try {
    options = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }

  const sandbox = await startSandbox({ ...options, log: (line) => console.log(`[sandbox] ${line}`) });
  const logins = DEMO_MEMBERS.map((m) => `    ${m.email.padEnd(24)} ${m.role}`).join('\n');
  console.log(`Practice API sandbox listening on ${sandbox.url}

  client id       ${sandbox.clientId}
  client secret   ${sandbox.clientSecret}
  redirect URIs   http://localhost:9000 (zapier invoke), https://zapier.com/dashboard/auth/oauth/return/App<id>CLIAPI/
  token lifetime  ${sandbox.accessTokenTtlSeconds} s
  behaviours      ${describeQuirks(sandbox.quirks)}

  Demo logins (password for all: ${sandbox.demoPassword})
${logins}

Next, in another terminal:
  export BASE_URL=${sandbox.url} CLIENT_ID=${sandbox.clientId} CLIENT_SECRET=${sandbox.clientSecret}
  npx zapier-platform invoke auth start

Provoke auth signals:
  curl -X POST ${sandbox.url}/_sandbox/expire-tokens
  curl -X POST ${sandbox.url}/_sandbox/rate-limit -H 'content-type: application/json' -d '{"count":3,"retry_after":10}'
  curl -X POST ${sandbox.url}/_sandbox/revoke -H 'content-type: application/json' -d '{"email":"owner@ledger.example"}'
  curl ${sandbox.url}/_sandbox/requests

Ctrl-C stops it.`);

  if (sandbox.host !== '127.0.0.1' && sandbox.host !== 'localhost' && sandbox.host !== '::1') {
    console.warn(`warning: listening on ${sandbox.host}; /_sandbox controls are unauthenticated`);
  }

  const stop = (signal: string) => {
    console.log(`\n${signal}: stopping the sandbox`);
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
