// Adding a step touches five places (docs/adding-a-step.md). Each check here names the
// piece a step lacks and where it goes, so a forgotten one fails with a sentence, not with
// a doctor finding or a Zap that breaks in production.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from 'zapier-oauth-layer/internal';
import { STEP_ENDPOINTS } from '../../practice/scopes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const App = require('../../index') as Record<string, unknown>;
const ROOT = path.resolve(__dirname, '..', '..');
const KINDS = ['triggers', 'creates', 'searches'] as const;

/** Every step file, as "kind/key". */
const FILES = KINDS.flatMap((kind) =>
  readdirSync(path.join(ROOT, kind))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => ({ kind, key: name.replace(/\.ts$/, '') })),
);

/** Every registered step: its kind, key and definition. */
const REGISTERED = KINDS.flatMap((kind) => {
  const steps = isRecord(App[kind]) ? App[kind] : {};
  return Object.entries(steps).map(([key, definition]) => ({ kind, key, definition }));
});

type Files = typeof FILES;
type Registered = typeof REGISTERED;

/** What a step lacks, each as a sentence naming the file to edit. */
function missingPieces(
  files: Files = FILES,
  registered: Registered = REGISTERED,
  table: Readonly<Record<string, unknown>> = STEP_ENDPOINTS,
): string[] {
  const out: string[] = [];
  for (const { kind, key } of files) {
    if (!registered.some((r) => r.kind === kind && r.key === key))
      out.push(`${kind}/${key}.ts is not registered: add it to ${kind} in index.ts under the key "${key}"`);
  }
  for (const { kind, key, definition } of registered) {
    const operation = isRecord(definition) && isRecord(definition.operation) ? definition.operation : {};
    if (!isRecord(operation.sample))
      out.push(`${kind}.${key} has no sample: add one to practice/samples.ts and use it as operation.sample`);
    if (!Object.hasOwn(table, key))
      out.push(
        `${kind}.${key} has no scope entry: list the endpoints it calls in STEP_ENDPOINTS (practice/scopes.ts)`,
      );
  }
  for (const key of Object.keys(table)) {
    if (!registered.some((r) => r.key === key))
      out.push(`STEP_ENDPOINTS (practice/scopes.ts) lists "${key}", which is no registered step`);
  }
  return out;
}

describe('every step has what a step needs', () => {
  it('finds the step files and the registered steps', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(16);
    expect(REGISTERED.length).toBeGreaterThanOrEqual(16);
  });

  it('is registered, has a sample and a scope entry; no entry names a step that is gone', () => {
    expect(missingPieces()).toEqual([]);
  });

  it('names a step file that index.ts does not register', () => {
    const files = [...FILES, { kind: 'creates' as const, key: 'archive_client' }];
    expect(missingPieces(files)).toEqual([
      'creates/archive_client.ts is not registered: add it to creates in index.ts under the key "archive_client"',
    ]);
  });

  it('names a step without a sample', () => {
    const registered = REGISTERED.map((r) =>
      r.key === 'find_client' && isRecord(r.definition) && isRecord(r.definition.operation)
        ? {
            ...r,
            definition: { ...r.definition, operation: { ...r.definition.operation, sample: undefined } },
          }
        : r,
    );
    expect(missingPieces(FILES, registered)).toEqual([
      'searches.find_client has no sample: add one to practice/samples.ts and use it as operation.sample',
    ]);
  });

  it('names a step without a scope entry, and an entry without a step', () => {
    const table: Record<string, unknown> = { ...STEP_ENDPOINTS, archive_client: [] };
    delete table.new_client;
    expect(missingPieces(FILES, REGISTERED, table)).toEqual([
      'triggers.new_client has no scope entry: list the endpoints it calls in STEP_ENDPOINTS (practice/scopes.ts)',
      'STEP_ENDPOINTS (practice/scopes.ts) lists "archive_client", which is no registered step',
    ]);
  });
});
