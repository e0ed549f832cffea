// `tsx tools/sandbox/cli.ts [--port 4010] [--host 127.0.0.1] [--ttl 3600] [--no-K1 …]`
// Starts the sandbox and prints what to do next. The banner prints the demo client secret
// on purpose: it is a fixed local demo value (override with SANDBOX_CLIENT_SECRET).
import { parseArgs, USAGE, UsageError } from './options';
import { describeQuirks } from './quirks';
import { DEMO_MEMBERS, startSandbox, type SandboxOptions } from './server';

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
