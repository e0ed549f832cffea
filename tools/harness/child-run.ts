// One step in a process of its own, so a test can kill a run mid-request as Zapier's Lambda
// can be killed (the package's src/conformance/zapier-runner.ts, rule 5). The parent passes the run as JSON in
// HARNESS_CHILD_RUN, and the app's environment (BASE_URL, CLIENT_ID, CLIENT_SECRET, ...) as
// usual. When the run ends, its outcome and the connection's authData go to stdout as one JSON
// line. Never imported by the app, never packed.
//
//   HARNESS_CHILD_RUN='{"appPath":…,"rpcUrl":…,"connection":{…},"method":…,"bundle":{…}}' tsx tools/harness/child-run.ts
import { type Connection, ZapierRunner } from 'zapier-oauth-layer/conformance';

interface ChildRun {
  appPath: string;
  rpcUrl: string;
  connection: Connection;
  method: string;
  bundle?: Record<string, unknown>;
}

async function main(): Promise<void> {
  const run = JSON.parse(process.env.HARNESS_CHILD_RUN ?? 'null') as ChildRun | null;
  if (!run) throw new Error('HARNESS_CHILD_RUN is not set');
  const runner = new ZapierRunner({ appPath: run.appPath, rpcUrl: run.rpcUrl });
  const outcome = await runner.runStep(run.connection, run.method, run.bundle ?? {});
  process.stdout.write(`${JSON.stringify({ outcome, authData: run.connection.authData })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
