// End to end: the built app (index.js, what build.zip holds) through core's Lambda handler with
// Zapier's refresh, retry and stale rules (the package's harness, zapier-oauth-layer/conformance), against the
// HubSpot stand-in on 127.0.0.1 (tools/standins/hubspot.ts). Nothing else is called.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { blankRefreshMessage, type TokenAnswer } from 'zapier-oauth-layer/internal';
import { newConnection, ZapierRunner, type Connection } from 'zapier-oauth-layer/conformance';
import { start } from '../../../tools/standins/hubspot';
import type { StandIn } from 'zapier-oauth-layer/standin';
import { hubspot as layer } from '../api';

const TRIGGER = 'triggers.new_contact.operation.perform';
const CREATE = 'creates.create_contact.operation.perform';
const REDIRECT_URI = 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/';
const READ = 'crm.objects.contacts.read';
const WRITE = 'crm.objects.contacts.write';

const runner = new ZapierRunner({ appPath: path.resolve(__dirname, '..', 'index.js') });
let hubspot: StandIn;

beforeEach(async () => {
  hubspot = await start();
  process.env.HUBSPOT_BASE_URL = hubspot.url;
  process.env.HUBSPOT_CLIENT_ID = hubspot.client.id;
  process.env.HUBSPOT_CLIENT_SECRET = hubspot.client.secret;
});
afterEach(() => hubspot.close());

/** A connection as Zapier holds it once the user consented to `scopes` (all by default). */
function connection(scopes?: readonly string[]): Connection {
  const pair = hubspot.connect(scopes);
  return newConnection({ ...pair, expires_at: Math.floor(Date.now() / 1000) + pair.expires_in });
}

const create = (conn: Connection, inputData: Record<string, string>) =>
  runner.runStep<Record<string, string>>(conn, CREATE, { inputData });
const newContacts = (conn: Connection) => runner.runStep<Record<string, string>[]>(conn, TRIGGER);

test('connects with an authorization code; the label names the user and the HubSpot account', async () => {
  const authorizeUrl = await runner.invoke<string>('authentication.oauth2Config.authorizeUrl', {
    inputData: { redirect_uri: REDIRECT_URI, state: 'state' },
  });
  expect(new URL(authorizeUrl).searchParams.get('scope')).toBe(`${READ} ${WRITE}`);
  const code = hubspot.authorizationCode(REDIRECT_URI);
  const { connection: connected, label } = await runner.connect({ code, redirect_uri: REDIRECT_URI });
  expect(label).toBe('owner@example.com (example-62515.hubspot.com)');
  expect(connected.authData).toMatchObject({ access_token: expect.any(String), expires_in: 1800 });
});

test('the connection test keeps the access token out of what it returns', async () => {
  const conn = connection();
  const me = await runner.invoke<Record<string, unknown>>('authentication.test', {
    authData: conn.authData,
    inputData: {},
  });
  expect(me).toEqual({ user: 'owner@example.com', hub_domain: 'example-62515.hubspot.com', hub_id: 62515 });
});

test('New Contact: the newest first, each with its id, flat', async () => {
  const outcome = await newContacts(connection());
  expect(outcome.error).toBeUndefined();
  expect(outcome.checks).toEqual([]);
  expect(outcome.results).toEqual([
    expect.objectContaining({ id: '52', email: 'alan@example.com', firstname: 'Alan' }),
    expect.objectContaining({ id: '51', email: 'ada@example.com', firstname: 'Ada' }),
  ]);
});

test('Create Contact creates it, and New Contact sees it first', async () => {
  const conn = connection();
  const made = await create(conn, { email: 'grace@example.com', firstname: 'Grace', lastname: ' Hopper ' });
  expect(made.error).toBeUndefined();
  expect(made.checks).toEqual([]);
  expect(made.results).toMatchObject({ email: 'grace@example.com', firstname: 'Grace', lastname: 'Hopper' });
  const seen = await newContacts(conn);
  expect(seen.results?.[0]).toMatchObject({ id: made.results?.id, email: 'grace@example.com' });
});

test('an expired access token is refreshed once and the step retried', async () => {
  const conn = connection();
  hubspot.expireAccessTokens('401 EXPIRED_AUTHENTICATION');
  const outcome = await newContacts(conn);
  expect(outcome).toMatchObject({ ok: true, refreshed: true, staled: false });
  expect(hubspot.tokenStats().refreshRequests).toBe(1);
  // The new token works: no second refresh.
  expect(await newContacts(conn)).toMatchObject({ ok: true, refreshed: false });
  expect(hubspot.tokenStats().refreshRequests).toBe(1);
});

test('a duplicate email: a conflict in HubSpot’s words, with the existing id', async () => {
  const conn = connection();
  const outcome = await create(conn, { email: 'Ada@example.com' });
  expect(outcome.error?.message).toBe(
    'HubSpot reported a conflict (HTTP 409 CONFLICT). HubSpot says: "Contact already exists. Existing ID: 51"',
  );
  expect(outcome.error?.status).toBe(409);
  expect([outcome.refreshed, conn.stale]).toEqual([false, false]);
});

test('an email HubSpot refuses: its validation message', async () => {
  const outcome = await create(connection(), { email: 'ada@example' });
  expect(outcome.error?.message).toMatch(
    /^HubSpot rejected the input \(HTTP 400 VALIDATION_ERROR\)\. HubSpot says: "Property values were not valid: .*Email address ada@example is invalid/,
  );
});

test('a missing scope is named, and not taken for expiry', async () => {
  const conn = connection(['oauth', READ]);
  const outcome = await create(conn, { email: 'grace@example.com' });
  expect(outcome.error?.message).toContain(`Your HubSpot connection is missing the "${WRITE}" permission`);
  expect([outcome.refreshed, conn.stale, hubspot.tokenStats().refreshRequests]).toEqual([false, false, 0]);
  // Reading still works with what was granted.
  expect((await newContacts(conn)).ok).toBe(true);
});

test('a dead grant (the app uninstalled) makes the connection stale after one refresh attempt', async () => {
  const conn = connection();
  hubspot.revokeAll();
  const outcome = await newContacts(conn);
  expect(outcome).toMatchObject({ ok: false, staled: true });
  expect(conn.stale).toBe(true);
  expect(outcome.error?.message).toContain('HubSpot no longer accepts');
  expect(hubspot.tokenStats().refreshRequests).toBe(1);
});

describe('the README has a row for every message about a refused connection', () => {
  const readme = readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8').replace(/\s+/g, ' ');
  /** What a message starts with, up to its first filled-in part or the end of its first sentence. */
  const opening = (message: string) => message.split(/ \(|"|\. /)[0]!;
  const missing = (message: string) => (readme.includes(opening(message)) ? [] : [opening(message)]);
  const api = (status: number, body: object) =>
    layer.messageFor(layer.classify({ status, body, content: JSON.stringify(body), header: () => null }), []);
  const token = (grant: 'refresh_token' | 'authorization_code', status: number, body: object) => {
    const outcome = layer.normaliseTokenResponse({ status, body } as TokenAnswer, {
      grant,
      nowSeconds: 0,
      secrets: [],
    });
    return outcome.ok ? '' : outcome.message;
  };
  const bad = (status: string) => ({ status, message: 'm' });

  it.each([
    api(401, { category: 'EXPIRED_AUTHENTICATION', message: 'm' }),
    blankRefreshMessage(layer.profile),
    api(403, { category: 'MISSING_SCOPES', errors: [{ context: { requiredGranularScopes: [WRITE] } }] }),
    api(403, { message: 'You do not have permissions to view object type' }),
    token('refresh_token', 400, bad('BAD_REFRESH_TOKEN')),
    token('authorization_code', 400, bad('BAD_AUTH_CODE')),
    token('refresh_token', 400, bad('BAD_CLIENT_SECRET')),
    token('refresh_token', 400, bad('BAD_REDIRECT_URI')),
    token('refresh_token', 429, { message: 'm' }),
  ])('%s', (message) => {
    expect(message).not.toBe('');
    expect(missing(message)).toEqual([]);
  });

  it('the message for a connection without a refresh token', async () => {
    const outcome = await runner.refresh(newConnection({ access_token: 'a' }));
    expect(missing(outcome.error?.message ?? 'no error')).toEqual([]);
  });
});
