// --discover as the CLI runs it: its flags read into a request, the output file settled before
// anything is sent, the draft written in the repository's style, and the report: what was sent,
// each field observed or UNOBSERVED, what else to know.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fieldsOf, formatDraft, renderDraft } from '../draft';
import { loadEnv, writeAuthData } from '../env-file';
import { BIN_COMMAND, probeFlags, probeRequestOf, usage, type DoctorRun, type Flags } from '../flags';
import { typescriptFor, MissingModule } from '../modules';
import type { DoctorSetup } from '../setup';
import { printable } from '../words';
import { discover, DiscoverUsageError, idFromHost, type Discovery, type DiscoverRequest } from './index';
import { writtenAs } from './verify';

/** Drafts import defineProfile from the package, as an adopter's profile does. */
const LAYER_PACKAGE = 'zapier-oauth-layer';

interface Asked {
  request: DiscoverRequest;
  /** Where the draft goes. */
  out: string;
}

/** The request the flags make; a usage error as a string. */
function askedBy({ values, switches }: Flags, setup: DoctorSetup): Asked | string {
  const { env, cwd } = setup;
  const clientAuth = values.get('--client-auth') ?? null;
  if (clientAuth !== null && clientAuth !== 'basic' && clientAuth !== 'body')
    return '--client-auth is "basic" or "body"';
  const probe = probeRequestOf({ values, switches, rest: [] });
  if (typeof probe === 'string') return probe;
  if (switches.has('--probe-reuse') && !switches.has('--refresh'))
    return '--probe-reuse needs --refresh: it presents the refresh token that --refresh rotated away';
  const idEnv = values.get('--client-id-env') ?? 'CLIENT_ID';
  const secretEnv = values.get('--client-secret-env') ?? 'CLIENT_SECRET';
  const envFile = path.join(cwd, '.env');
  const loaded = loadEnv(envFile, env, [idEnv, secretEnv]);
  const clientId = values.get('--client-id') ?? loaded.values[idEnv];
  const clientSecret = loaded.values[secretEnv];
  // The output file is settled before anything is sent: no probe for a draft that cannot be kept.
  const id = values.get('--id') ?? null;
  const testUrl = values.get('--discover') ?? '';
  let guessedId = id ?? 'discovered';
  if (id === null && URL.canParse(testUrl)) guessedId = idFromHost(new URL(testUrl).hostname);
  const out = path.resolve(cwd, values.get('--out') ?? path.join('profiles', `${guessedId}.draft.ts`));
  if (existsSync(out) && !switches.has('--force'))
    return `${out} exists: name another file with --out, or overwrite it with --force`;
  // The draft is read back from its syntax tree before it is written, with the project's own
  // TypeScript: without it nothing could be written, so nothing is sent.
  try {
    typescriptFor(
      [path.dirname(out), cwd],
      'The draft --discover writes is TypeScript, read back before it is written: it',
    );
  } catch (error) {
    if (error instanceof MissingModule) return error.message;
    throw error;
  }
  const request: DiscoverRequest = {
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
    ...(setup.say ? { say: setup.say } : {}),
    probe,
  };
  return { request, out };
}

/**
 * The draft as a file: TypeScript in the repository's style. Every value was redacted as data and
 * rendered through one escaping function (src/doctor/draft.ts literal); nothing edits the text
 * after. What is written is read back from its syntax tree: it must hold the draft and nothing
 * else, formatted or (should Prettier ever change a value) as rendered.
 */
async function writeDraft(result: Discovery, test: URL, out: string, setup: DoctorSetup): Promise<void> {
  const command = setup.command ?? BIN_COMMAND;
  const exportName = `${result.id.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase())}Profile`;
  const rendered = renderDraft({
    header: [
      `Draft profile of ${result.name} (layer/profile.ts documents every field), written by`,
      `\`${command} --discover\` on ${new Date().toISOString().slice(0, 10)} from one connection and one`,
      `test URL (${result.probe.method} ${test.origin}${test.pathname}). What it observed is set, with how; every field it`,
      'could not observe holds a safe placeholder under a marker comment: UNOBSERVED, then what would reveal it.',
      `The draft loads as it is; \`${command} --profile <this file>\` warns while a marker is left.`,
      "Complete each marked field (from the API's documentation, or by observing it), then delete its marker.",
    ],
    layerImport: LAYER_PACKAGE,
    exportName,
    profile: result.profile,
  });
  const formatted = await formatDraft(rendered, setup.styleFrom ?? out, [path.dirname(out), setup.cwd]);
  const ts = typescriptFor([path.dirname(out), setup.cwd]);
  const text = [formatted, rendered].find((candidate) => writtenAs(candidate, result.profile, ts));
  if (text === undefined)
    throw new Error('the draft as rendered does not hold what was observed (a defect of --discover)');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, text);
}

/** What --discover prints: for a program (--json) or a person. */
function reportOf(result: Discovery, test: URL, out: string, setup: DoctorSetup, json: boolean): string {
  const { cwd } = setup;
  const fields = fieldsOf(result.profile);
  if (json)
    return JSON.stringify({
      draft: out,
      fields,
      credentials: result.credentials.slice(1).map((line) => line.trim()),
      requests: result.requests,
      notes: result.notes,
    });
  const open = fields.filter((f) => f.status === 'unobserved');
  const shownOut = path.relative(cwd, out).startsWith('..') ? out : path.relative(cwd, out);
  const next = `${setup.command ?? BIN_COMMAND} --profile ${shownOut} --probe ${test.pathname}${probeFlags(result.probe)}`;
  const width = Math.max(...fields.map((f) => f.path.length));
  return [
    `Discovering ${result.name} through ${result.probe.method} ${test.origin}${test.pathname}.`,
    '',
    ...result.credentials,
    '',
    'Sent:',
    ...result.requests.map((r) => `  ${printable(r)}`),
    '',
    ...fields.map(
      (f) =>
        `${f.status === 'observed' ? 'OBSERVED  ' : 'UNOBSERVED'}  ${f.path.padEnd(width)}  ${printable(f.value)}${f.how ? ` — ${printable(f.how)}` : ''}`,
    ),
    ...(result.notes.length > 0 ? ['', ...result.notes.map(printable)] : []),
    '',
    `Draft written to ${shownOut}: ${fields.length - open.length} fields observed, ${open.length} marked UNOBSERVED.`,
    `Complete the marked ones, then check the profile: ${next}`,
  ].join('\n');
}

export async function discoverMode(flags: Flags, setup: DoctorSetup): Promise<DoctorRun> {
  const asked = askedBy(flags, setup);
  if (typeof asked === 'string') return usage(asked);
  let result: Discovery;
  try {
    result = await discover(asked.request);
  } catch (error) {
    if (error instanceof DiscoverUsageError) return usage(error.message);
    throw error;
  }
  const test = new URL(asked.request.testUrl);
  await writeDraft(result, test, asked.out, setup);
  // Redacted as data (discover cleans every string a server sent before it is kept), never as text.
  const output = reportOf(result, test, asked.out, setup, flags.switches.has('--json'));
  return { code: 0, output, checks: [], draft: asked.out };
}
