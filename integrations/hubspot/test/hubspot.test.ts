// End to end: the built app (index.js, what build.zip holds) through core's Lambda handler with
// Zapier's refresh, retry and stale rules (the package's harness, zapier-oauth-layer/conformance), against the
// HubSpot stand-in on 127.0.0.1 (tools/standins/hubspot.ts). Nothing else is called.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { blankRefreshMessage, type TokenAnswer } from 'zapier-oauth-layer/internal';
import { newConnection, ZapierRunner, type Connection } from 'zapier-oauth-layer/conformance';
import { start, type HubSpotStandIn } from '../../../tools/standins/hubspot';
import { leaksIn } from '../../../test/encodings';
import { hubspot as layer } from '../api';

const TRIGGER = 'triggers.new_contact.operation.perform';
const CREATE = 'creates.create_contact.operation.perform';
const REDIRECT_URI = 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/';
const READ = 'crm.objects.contacts.read';
const WRITE = 'crm.objects.contacts.write';

const runner = new ZapierRunner({ appPath: path.resolve(__dirname, '..', 'index.js') });
let hubspot: HubSpotStandIn;

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

describe("HubSpot's 2026-03 OAuth API (v1 is sunset on 2027-02-16)", () => {
  test('connecting, refreshing and the connection test ask only 2026-03, never v1', async () => {
    const code = hubspot.authorizationCode(REDIRECT_URI);
    const { connection: conn } = await runner.connect({ code, redirect_uri: REDIRECT_URI });
    hubspot.expireAccessTokens('401 EXPIRED_AUTHENTICATION');
    expect(await newContacts(conn)).toMatchObject({ ok: true, refreshed: true });
    await runner.invoke('authentication.test', { authData: conn.authData, inputData: {} });
    // The exchange, the refresh, and introspection twice (connect's test, then this one).
    expect(hubspot.oauthRequests()).toEqual({ v1: 0, '2026-03': 4 });
  });

  test('a refusal is read by its RFC 6749 error alone', () => {
    // [v3-errors] error/error_description are the standard fields; status/message are kept "for
    // backward compatibility" and are not needed to know a dead grant.
    const outcome = layer.normaliseTokenResponse(
      {
        status: 400,
        body: { error: 'invalid_grant', error_description: 'refresh token is invalid' },
      } as TokenAnswer,
      { grant: 'refresh_token', nowSeconds: 0, secrets: [] },
    );
    expect(outcome).toMatchObject({ ok: false, problem: 'invalid_grant' });
  });

  // HubSpot says its v1 endpoints stay until the sunset and that the move changes nothing of "the
  // scope, app settings, or the OAuth install process"; its migration guide moves refresh logic to
  // 2026-03 with no reinstall. It does not say in so many words that a refresh token v1 issued is
  // accepted by 2026-03: the stand-in assumes one grant behind both doors, and this test says so.
  test('a connection made on v1 (its refresh token issued by /oauth/v1/token) keeps working on 2026-03', async () => {
    const code = hubspot.authorizationCode(REDIRECT_URI);
    const v1 = await fetch(new URL('/oauth/v1/token', hubspot.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_id: hubspot.client.id,
        client_secret: hubspot.client.secret,
      }),
    });
    const pair = (await v1.json()) as { access_token: string; refresh_token: string; expires_in: number };
    // authData as the v1 version of this integration stored it.
    const conn = newConnection({
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      expires_in: pair.expires_in,
      expires_at: Math.floor(Date.now() / 1000) + pair.expires_in,
    });
    expect(hubspot.oauthRequests()).toEqual({ v1: 1, '2026-03': 0 });
    hubspot.expireAccessTokens('401 EXPIRED_AUTHENTICATION');
    const outcome = await newContacts(conn);
    expect(outcome).toMatchObject({ ok: true, refreshed: true, staled: false });
    expect(conn.authData.refresh_token).toBe(pair.refresh_token);
    const me = await runner.invoke('authentication.test', { authData: conn.authData, inputData: {} });
    expect(me).toEqual({ user: 'owner@example.com', hub_domain: 'example-62515.hubspot.com', hub_id: 62515 });
    expect(hubspot.oauthRequests()).toEqual({ v1: 1, '2026-03': 2 });
  });

  test("no token or client secret reaches Zapier's log, in any encoding, through the connection test and a refresh", async () => {
    // Core's whole path: its HTTP log of every request (src/http-middlewares/after/log-response.js),
    // scrubbed by its logger (src/tools/create-logger.js) and handed over as Zapier's log server gets it.
    const lines: Array<{ where: string; text: string }> = [];
    const logged = new ZapierRunner({
      appPath: path.resolve(__dirname, '..', 'index.js'),
      log: (message, data) =>
        lines.push({ where: String(data.log_type), text: `${message}\n${JSON.stringify(data)}` }),
    });
    const conn = connection();
    const first = String(conn.authData.access_token);
    await logged.invoke('authentication.test', { authData: conn.authData, inputData: {} });
    hubspot.expireAccessTokens('401 EXPIRED_AUTHENTICATION');
    expect(await logged.runStep(conn, TRIGGER)).toMatchObject({ ok: true, refreshed: true });
    await logged.invoke('authentication.test', { authData: conn.authData, inputData: {} });
    // The log holds the introspection and the refresh (the scan below has something to read).
    const http = lines.filter((l) => l.where === 'http').map((l) => l.text);
    const introspections = http.filter((t) => t.includes('/oauth/2026-03/token/introspect'));
    expect(introspections).toHaveLength(2);
    // Neither the form (client secret, token) nor the answer (which repeats the token) is recorded.
    for (const t of introspections)
      expect(JSON.parse(t.slice(t.indexOf('\n') + 1))).toMatchObject({
        request_data: '<streaming data>',
        response_content: '<probably streaming data>',
      });
    expect(
      http.some((t) => t.includes('/oauth/2026-03/token"') || t.includes('/oauth/2026-03/token\n')),
    ).toBe(true);
    const secrets = {
      'first access token': first,
      'refreshed access token': String(conn.authData.access_token),
      'refresh token': String(conn.authData.refresh_token),
      'client secret': hubspot.client.secret,
    };
    expect(secrets['first access token']).not.toBe(secrets['refreshed access token']);
    expect(leaksIn(lines, secrets)).toEqual([]);
  });
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
  // [v3-errors] RFC 6749's pair beside HubSpot's status and message, as the stand-in answers them.
  const bad = (status: string, error: string) => ({ error, error_description: 'm', status, message: 'm' });

  it.each([
    api(401, { category: 'EXPIRED_AUTHENTICATION', message: 'm' }),
    blankRefreshMessage(layer.profile),
    api(403, { category: 'MISSING_SCOPES', errors: [{ context: { requiredGranularScopes: [WRITE] } }] }),
    api(403, { message: 'You do not have permissions to view object type' }),
    token('refresh_token', 400, bad('BAD_REFRESH_TOKEN', 'invalid_grant')),
    token('authorization_code', 400, bad('BAD_AUTH_CODE', 'invalid_grant')),
    token('refresh_token', 400, bad('BAD_CLIENT_SECRET', 'invalid_client')),
    token('refresh_token', 400, bad('BAD_GRANT_TYPE', 'unsupported_grant_type')),
    token('refresh_token', 429, { message: 'm' }),
  ])('%s', (message) => {
    expect(message).not.toBe('');
    expect(missing(message)).toEqual([]);
  });

  it("the message of a connection test whose introspection is refused (the owner's client secret is wrong)", async () => {
    const conn = connection();
    process.env.HUBSPOT_CLIENT_SECRET = 'not-the-secret';
    const refused = await runner
      .invoke('authentication.test', { authData: conn.authData, inputData: {} })
      .then(() => new Error('no error'))
      .catch((error: Error) => error);
    expect(refused.message).toContain('(HTTP 400 invalid_client)');
    expect(refused.message).toContain('HUBSPOT_CLIENT_SECRET');
    expect(missing(refused.message)).toEqual([]);
  });

  it('the message for a connection without a refresh token', async () => {
    const outcome = await runner.refresh(newConnection({ access_token: 'a' }));
    expect(missing(outcome.error?.message ?? 'no error')).toEqual([]);
  });
});
