// Shared by the --discover tests: discover a stand-in through the doctor's own CLI function, read
// the draft back the way --profile reads it, and complete it where (and only where) it says
// UNOBSERVED, from the hand-written profile.
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  defineProfile,
  parseJson,
  profileProblems,
  valueAt,
  type CheckedProfile,
  type Profile,
  type ResponseLike,
} from 'zapier-oauth-layer/internal';
import { doctor } from '../../tools/doctor/cli';
import type { DraftField } from 'zapier-oauth-layer/doctor';
import { loadProfile, type LoadedProfile, type Unobserved } from 'zapier-oauth-layer/doctor';
import type { StandInConnection, SuiteStandIn } from 'zapier-oauth-layer/standin';
import { clientCredentialSecrets, plantAll } from '../encodings';

export interface Discovered {
  code: number;
  /** What the doctor printed (--json): the draft, its fields, the requests, the notes. */
  output: string;
  report: { draft: string; fields: DraftField[]; requests: string[]; notes: string[] };
  draftText: string;
  /** The draft as --profile loads it, with its UNOBSERVED markers. */
  loaded: LoadedProfile;
  /** The connection discovered with, and the folder (its .env holds what --refresh wrote). */
  connection: StandInConnection;
  dir: string;
}

/** The path of a profile's token endpoint (absolute ones move onto the stand-in's origin). */
export function tokenPathOf(profile: CheckedProfile): string {
  return new URL(profile.endpoints.token, 'https://stand-in.invalid').pathname;
}

/** `npm run doctor -- --discover <probe> …` on a fresh connection to `standIn`. */
export async function discoverStandIn(
  hand: CheckedProfile,
  standIn: SuiteStandIn,
  flags: string[] = [],
): Promise<Discovered> {
  const connection = await standIn.connect();
  const dir = mkdtempSync(path.join(tmpdir(), 'discover-'));
  const env: NodeJS.ProcessEnv = {
    CLIENT_ID: standIn.client.id,
    CLIENT_SECRET: standIn.client.secret,
    authData_access_token: connection.access_token,
    authData_refresh_token: connection.refresh_token,
    authData_scope: connection.scope,
  };
  const scheme = hand.endpoints.authorizationScheme;
  const argv = [
    '--discover',
    new URL(standIn.probePath, standIn.url).toString(),
    '--token-url',
    tokenPathOf(hand),
    '--id',
    hand.id,
    '--name',
    hand.name,
    '--out',
    path.join(dir, `${hand.id}.draft.ts`),
    ...(scheme ? ['--auth-scheme', scheme] : []),
    '--json',
    ...flags,
  ];
  const run = await doctor(argv, env, dir);
  if (run.code !== 0 || !run.draft) throw new Error(`--discover failed (${run.code}): ${run.output}`);
  const report = JSON.parse(run.output) as Discovered['report'];
  return {
    code: run.code,
    output: run.output,
    report,
    draftText: readFileSync(run.draft, 'utf8'),
    loaded: await loadProfile(run.draft, dir),
    connection,
    dir,
  };
}

/** Tables whose observed entries stay: the hand-written profile's are added to them. */
const TABLES = new Set(['signals.codes', 'token.codes']);

function setAt(target: Record<string, unknown>, at: string, value: unknown): void {
  const parts = at.split('.');
  const last = parts.pop() ?? '';
  let node = target;
  for (const part of parts) node = node[part] as Record<string, unknown>;
  if (value === undefined) Reflect.deleteProperty(node, last);
  else node[last] = structuredClone(value);
}

/**
 * The draft completed from `hand` at each field it marks UNOBSERVED, and nowhere else: what the
 * test does in place of a person reading the API's documentation. Code tables keep what was
 * observed and gain the hand-written entries.
 */
export function completeDraft(
  draft: CheckedProfile,
  hand: CheckedProfile,
  unobserved: readonly Unobserved[],
) {
  const plain = structuredClone({ ...draft }) as Record<string, unknown>;
  Reflect.deleteProperty(plain, 'checked');
  for (const { path: at } of unobserved) {
    if (at === '') throw new Error('a marker above no field');
    const wanted = valueAt(hand, at);
    if (TABLES.has(at)) setAt(plain, at, { ...(wanted as object), ...(valueAt(draft, at) as object) });
    else setAt(plain, at, wanted);
  }
  // What --discover can neither observe nor mark: the values a connection is made with
  // (profile.connection), which only the documentation names (hand-written endpoints copied at
  // their markers may name them), and the endpoint families beyond the one it probed, which
  // docs/adopting.md has a person write from another --discover or the documentation.
  if (hand.connection) plain.connection = structuredClone(hand.connection);
  if (hand.signals.families)
    (plain.signals as Record<string, unknown>).families = structuredClone(hand.signals.families);
  return { problems: profileProblems(plain), profile: () => defineProfile(plain as unknown as Profile) };
}

type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

/** A JSON server on 127.0.0.1: `answer` gets each request's URL, raw body and a replier. */
export async function jsonServer(
  answer: (req: http.IncomingMessage, url: URL, raw: string, json: Reply) => void,
) {
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const json: Reply = (status, body, headers = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      answer(req, new URL(req.url ?? '/', 'http://127.0.0.1'), raw, json);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** How a URL answers `headers`, as the classifier reads answers. */
export async function answerOf(url: string | URL, headers: Record<string, string>): Promise<ResponseLike> {
  const response = await fetch(url, { headers });
  const content = await response.text();
  return {
    status: response.status,
    header: (n) => response.headers.get(n),
    body: parseJson(content),
    content,
  };
}

/**
 * An API that quotes every secret it was sent, in every form (test/encodings.ts), wherever it
 * can: in error codes (where --discover reads codes), descriptions, and a refresh answer.
 */
export async function startHostileApi() {
  const ACCESS = 'pat_discover_connection_access_0123456789abcdef';
  const REFRESH = 'prt_discover_connection_refresh_0123456789abcdef';
  const NEW_ACCESS = 'pat_discover_new_access_0123456789abcdef';
  const NEW_REFRESH = 'prt_discover_new_refresh_0123456789abcdef';
  const CLIENT_ID = 'discover client:id';
  const CLIENT_SECRET = 'dc super/secret+value="7"&more\\end';
  const secrets = {
    'access token': ACCESS,
    'refresh token': REFRESH,
    'new access token': NEW_ACCESS,
    'new refresh token': NEW_REFRESH,
    ...clientCredentialSecrets(CLIENT_ID, CLIENT_SECRET),
  };
  const planted = plantAll(secrets);
  const { origin, close } = await jsonServer((req, url, raw, json) => {
    if (url.pathname === '/oauth/token') {
      if (new URLSearchParams(raw).get('refresh_token') === REFRESH)
        return json(200, {
          access_token: NEW_ACCESS,
          refresh_token: NEW_REFRESH,
          token_type: 'bearer',
          expires_in: 3600,
          instance_url: `https://evil.example/${ACCESS}`,
          note: planted,
        });
      // A code where a code belongs, but it is the connection's refresh token.
      return json(400, { error: REFRESH, error_description: planted });
    }
    if (url.pathname === '/api/items') {
      if (req.headers.authorization === `Bearer ${ACCESS}`)
        return json(200, { ok: true, echo: planted }, { 'x-ratelimit-remaining': '5' });
      return json(200, { ok: false, error: ACCESS, message: planted });
    }
    return json(404, { error: 'not_found', message: planted });
  });
  return {
    testUrl: `${origin}/api/items`,
    secrets,
    env: { CLIENT_ID, CLIENT_SECRET, authData_access_token: ACCESS, authData_refresh_token: REFRESH },
    close,
  };
}

/**
 * Strings that turn into code wherever a draft would let a server's text out of its string
 * literal or comment: quotes of each kind, a template, a comment's end, each line terminator of
 * JavaScript (U+2028 and U+2029 among them), a backslash. Each sets `globalThis[flag]` if it runs.
 */
export function codePayloads(flag: string): string[] {
  const set = (how: string) => `(globalThis.${flag}="${how}")`;
  return [
    `x'+${set('single')}+'`,
    `x"+${set('double')}+"`,
    `x\`+${set('backtick')}+\``,
    `\${${set('template')}}`,
    `*/${set('block')};/*`,
    `\u2028${set('u2028')};//`,
    `\u2029${set('u2029')};//`,
    `\n${set('newline')};//`,
    `\r${set('return')};//`,
    `\\'+${set('backslash')}+'`,
    `</script>${set('script')}`,
  ];
}

/**
 * A flag set by code that ran, in this test's realm or in Node's own: the doctor runs a profile
 * file as Node's CommonJS (src/doctor/profile-module.ts), whose globalThis is not jest's.
 */
export function setInAnyRealm(flag: string): unknown {
  const nodes = (Buffer.constructor as FunctionConstructor)('return globalThis')() as Record<string, unknown>;
  return (globalThis as Record<string, unknown>)[flag] ?? nodes[flag];
}

/**
 * An API that puts code where --discover reads text: its metadata, codes, messages, header names
 * and values, JSON keys, and its token answers (token_type, scope, extra fields). Its tokens are
 * chosen as the issue describes: a redaction of the rendered draft with them (an access token
 * ending in a backslash, a refresh token matching the end of a quoted string) strips the escaping
 * from the scope string, which then holds `require("fs").mkdirSync(marker)`.
 */
export async function startCodeInjectingApi(flag: string, marker: string) {
  const payloads = codePayloads(flag);
  const escaping = `pwnA1234"+require('fs').mkdirSync('${marker}')+"tail`;
  const ACCESS = 'pwnA1234\\';
  const REFRESH = '\\"tail"';
  const NEW_ACCESS = 'pwnB1234\\';
  const NEW_REFRESH = '\\"tail2"';
  const keyed = Object.fromEntries(payloads.map((p, i) => [p, `v${i}`]));
  const { origin, close } = await jsonServer((req, url, raw, json) => {
    const headerPayloads = {
      'x-ratelimit-remaining': '5',
      'x-ratelimit-reset': `'+${payloads[0]}`,
      "x-ratelimit-'": 'x',
      'x-ratelimit-`$|': 'y',
      'x-oauth-scopes': payloads[1] ?? '',
      'x-accepted-oauth-scopes': payloads[2] ?? '',
    };
    if (url.pathname === '/.well-known/oauth-authorization-server')
      return json(200, {
        issuer: `http://${req.headers.host ?? ''}`,
        token_endpoint: `http://${req.headers.host ?? ''}/oauth/token`,
        authorization_endpoint: `http://${req.headers.host ?? ''}/oauth/${encodeURIComponent(escaping)}'x`,
        revocation_endpoint: `http://${req.headers.host ?? ''}/revoke/'+${payloads[0]}+'`,
        code_challenge_methods_supported: payloads,
      });
    if (url.pathname === '/oauth/token') {
      const presented = new URLSearchParams(raw).get('refresh_token');
      if (presented === REFRESH)
        return json(200, {
          access_token: NEW_ACCESS,
          refresh_token: NEW_REFRESH,
          token_type: payloads.join('|'),
          expires_in: 3600,
          scope: escaping,
          ...Object.fromEntries(payloads.map((p) => [`api_${p}`, 'https://api.example.invalid'])),
          instance_url: payloads[3],
          ...keyed,
        });
      return json(400, {
        error: 'invalid_grant',
        error_description: `${escaping} ${payloads.join(' ')}`,
        ...keyed,
      });
    }
    if (url.pathname === '/api/items') {
      const auth = req.headers.authorization;
      if (auth === `Bearer ${ACCESS}` || auth === `Bearer ${NEW_ACCESS}`)
        return json(200, { ok: true, items: [keyed], ...keyed }, headerPayloads);
      return json(
        401,
        { ok: false, error: { code: 'invalid_token', message: payloads.join(' ') }, ...keyed },
        { ...headerPayloads, 'www-authenticate': `Bearer error="${payloads[0] ?? ''}"` },
      );
    }
    return json(404, { error: 'not_found', message: escaping });
  });
  return {
    testUrl: `${origin}/api/items`,
    payloads,
    escaping,
    tokens: { ACCESS, REFRESH, NEW_ACCESS, NEW_REFRESH },
    /** Without --refresh the scope comes from the connection (.env), as invoke stored the server's. */
    env: (withScope: boolean): NodeJS.ProcessEnv => ({
      CLIENT_ID: 'code client',
      CLIENT_SECRET: 'code-client-secret-value',
      authData_access_token: ACCESS,
      authData_refresh_token: REFRESH,
      ...(withScope ? { authData_scope: escaping } : {}),
    }),
    close,
  };
}
