// `npm run bench`: every benchmark, one after the other, printing tables.
// Cold start goes first: its `zapier-platform build` also rebuilds dist/ (the CLI
// runs our _zapier-build script), which the request counts then run against.
import { main as coldStart } from './cold-start';
import { main as coordination } from './coordination';
import { main as middleware } from './middleware';
import { main as redaction } from './redact';
import { main as requests } from './requests';

async function all(): Promise<void> {
  await coldStart();
  await requests();
  await middleware();
  redaction();
  await coordination();
}

all().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
