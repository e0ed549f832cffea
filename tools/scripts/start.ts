// `npm start`: the Practice sandbox on 127.0.0.1:4010 and the integration working
// against it, end to end: connect through the consent page, poll, create, then
// survive an expired token with a refresh, as Zapier's servers would run it.
// Then it stays up for `zapier-platform invoke` when run from a terminal, and
// exits when nobody can use it (no TTY: CI, scripts); `--serve` / `--once` force either.
import path from 'node:path';
import { consent } from '../harness/consent';
import { ZapierRunner } from 'zapier-oauth-layer/conformance';
import { parseArgs } from '../sandbox/options';
import { DEMO_MEMBERS, startSandbox, type Sandbox } from '../sandbox/server';

const REDIRECT_URI = 'http://localhost:9000';

function line(label: string, value: string): void {
  console.log(`  ${label.padEnd(34)} ${value}`);
}

function requestsSince(sandbox: Sandbox, from: number): string {
  return sandbox.requests
    .slice(from)
    .map((r) => `${r.method} ${r.path} → ${r.status}${r.errorCode ? ` ${r.errorCode}` : ''}`)
    .join(', ');
}

async function demo(sandbox: Sandbox): Promise<void> {
  process.env.BASE_URL = sandbox.url;
  process.env.CLIENT_ID = sandbox.clientId;
  process.env.CLIENT_SECRET = sandbox.clientSecret;
  const runner = new ZapierRunner({ appPath: path.resolve(__dirname, '..', '..', 'index.js') });
  const owner = DEMO_MEMBERS.find((m) => m.role === 'owner');
  if (!owner) throw new Error('the sandbox has no owner to log in as');

  console.log('\nThe integration against the sandbox:');
  const url = await runner.invoke<string>('authentication.oauth2Config.authorizeUrl', {
    inputData: { redirect_uri: REDIRECT_URI, state: 'npm-start' },
  });
  const answer = await consent(url, { email: owner.email, password: sandbox.demoPassword });
  const { connection, label } = await runner.connect({ code: answer.code, redirect_uri: REDIRECT_URI });
  line('connected (PKCE, consent page)', label);

  let mark = sandbox.requests.length;
  const poll = await runner.runStep<{ id: string; name: string }[]>(
    connection,
    'triggers.new_client.operation.performList',
  );
  if (!poll.ok || !poll.results) throw new Error(`New Client failed: ${poll.error?.message}`);
  line('New Client (poll)', `${poll.results.length} clients, newest "${poll.results[0]?.name}"`);

  const created = await runner.runStep<{ id: string; name: string }>(
    connection,
    'creates.create_client.operation.perform',
    {
      inputData: { name: `Demo Client ${new Date().toISOString().slice(11, 19)}`, type: 'business' },
    },
  );
  if (!created.ok || !created.results) throw new Error(`Create Client failed: ${created.error?.message}`);
  line('Create Client', `${created.results.id} "${created.results.name}"`);
  line('  requests', requestsSince(sandbox, mark));

  sandbox.expireAccessTokens();
  mark = sandbox.requests.length;
  const again = await runner.runStep<{ id: string }[]>(
    connection,
    'triggers.new_client.operation.performList',
  );
  if (!again.ok) throw new Error(`poll after expiry failed: ${again.error?.message}`);
  line(
    'token expired (K1 403), poll again',
    again.refreshed ? 'refreshed and retried: ok' : 'ok without refresh?!',
  );
  line('  requests', requestsSince(sandbox, mark));

  connection.authData.expires_at = Math.floor(Date.now() / 1000) - 1;
  sandbox.expireAccessTokens();
  mark = sandbox.requests.length;
  const proactive = await runner.runStep(connection, 'triggers.new_client.operation.performList');
  if (!proactive.ok) throw new Error(`proactive refresh failed: ${proactive.error?.message}`);
  line('expiry known from expires_at', 'refreshed before calling the API');
  line('  requests', requestsSince(sandbox, mark));
  line('refreshes / rotated refresh tokens', `${connection.refreshes}, all kept`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const once = argv.includes('--once') || (!argv.includes('--serve') && !process.stdin.isTTY);
  const options = parseArgs(
    argv.filter((a) => a !== '--once' && a !== '--serve'),
    process.env,
  );
  if (options === 'help') {
    console.log('npm start [-- --once | --serve] [sandbox options: see `npm run sandbox -- --help`]');
    return;
  }
  const sandbox = await startSandbox({ ...options, log: (l) => console.log(`[sandbox] ${l}`) });
  console.log(`Practice API sandbox listening on ${sandbox.url}`);
  try {
    await demo(sandbox);
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  if (once) {
    await sandbox.close();
    console.log('\nDemo done; sandbox stopped (no terminal attached). `npm start -- --serve` keeps it up.');
    return;
  }
  console.log(`
Connect with the real CLI (another terminal, in this folder):
  printf 'BASE_URL=${sandbox.url}\\nCLIENT_ID=${sandbox.clientId}\\nCLIENT_SECRET=${sandbox.clientSecret}\\n' > .env
  npx zapier-platform invoke auth start        # log in as ${DEMO_MEMBERS[0]?.email}, password ${sandbox.demoPassword}
  npx zapier-platform invoke trigger new_client
  npx zapier-platform invoke create create_client --inputData '{"name":"From the CLI"}'

Ctrl-C stops the sandbox.`);
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
