// The conformance kit's stand-in of the template's API (test/standin.ts, docs/conformance-kit.md's
// worked example, written into the adopted template by adopt-template.mjs) served on 127.0.0.1
// for the doctor, which calls the API itself: `node standin-server.mjs <template folder>`.
//
// It runs the template's own copies: test/standin.ts as Node 22 loads TypeScript (types
// stripped) and zapier-oauth-layer/standin from the template's node_modules (the packed
// package). Once listening it makes one connection, as a user who consented to every scope, and
// prints one JSON line: the stand-in's URL, the client it accepts and the connection's tokens.
// It serves until its standard input closes (the parent ends it so), then closes the server.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const app = path.resolve(process.argv[2] ?? '.');
const fromApp = createRequire(path.join(app, 'package.json'));
const { startStandIn } = fromApp('zapier-oauth-layer/standin');
const { spec } = await import(pathToFileURL(path.join(app, 'test', 'standin.ts')).href);

const standIn = await startStandIn(spec);
const connection = standIn.connect();
process.stdout.write(
  `${JSON.stringify({
    url: standIn.url,
    client: standIn.client,
    connection: {
      access_token: connection.access_token,
      refresh_token: connection.refresh_token,
      expires_at: String(Math.floor(Date.now() / 1000) + connection.expires_in),
      scope: connection.scope,
    },
  })}\n`,
);

process.stdin.resume();
process.stdin.on('end', () => {
  void standIn.close().then(() => process.exit(0));
});
