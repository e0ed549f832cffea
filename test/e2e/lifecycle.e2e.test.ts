// The whole connection lifecycle against the sandbox over real HTTP on
// 127.0.0.1: the built app runs through core's Lambda handler, with the
// refresh-and-retry Zapier's servers perform (zapier-oauth-layer/conformance, its src/conformance/zapier-runner.ts).
import path from 'node:path';
import { consent } from '../../tools/harness/consent';
import { type Connection, ZapierRunner } from 'zapier-oauth-layer/conformance';
import { DEMO_MEMBERS, startSandbox, type RequestLogEntry, type Sandbox } from '../../tools/sandbox/server';

const REDIRECT_URI = 'http://localhost:9000';
const OWNER = DEMO_MEMBERS.find((m) => m.role === 'owner')!;
const STAFF = DEMO_MEMBERS.find((m) => m.role === 'staff')!;

let sandbox: Sandbox;
let runner: ZapierRunner;
let clockOffsetMs = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ host: '127.0.0.1', port: 0, clock: () => Date.now() + clockOffsetMs });
  process.env.BASE_URL = sandbox.url;
  process.env.CLIENT_ID = sandbox.clientId;
  process.env.CLIENT_SECRET = sandbox.clientSecret;
  runner = new ZapierRunner({ appPath: path.resolve(__dirname, '..', '..', 'index.js') });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  clockOffsetMs = 0;
  sandbox.setQuirks({ K1: true, K1HeaderOnly: false, K2: true, K3: true, K6: true, K7: true });
  sandbox.resetRateLimits();
});

/** Connects a demo member through the consent page, as a user in the Zap editor would. */
async function connect(email = OWNER.email, approve?: (offered: string[]) => string[]) {
  const state = `state-${Math.random().toString(36).slice(2)}`;
  const url = await runner.invoke<string>('authentication.oauth2Config.authorizeUrl', {
    inputData: { redirect_uri: REDIRECT_URI, state },
  });
  const answer = await consent(url, { email, password: sandbox.demoPassword, approve });
  expect(answer.state).toBe(state);
  expect(answer.code).toBeTruthy();
  const connected = await runner.connect({ code: answer.code, redirect_uri: REDIRECT_URI });
  sandbox.resetRequestLog();
  return connected;
}

/** What the sandbox saw since the last reset, as "METHOD path status" lines. */
function seen(): string[] {
  return sandbox.requests.map((r: RequestLogEntry) => `${r.method} ${r.path} ${r.status}`);
}

const POLL = 'triggers.new_client.operation.performList';
const FIND = 'searches.find_client.operation.perform';

describe('connecting an account', () => {
  it('authorizes with PKCE through the consent page, exchanges the code, tests and labels the connection', async () => {
    const { connection, label } = await connect();
    expect(label).toMatch(new RegExp(`^${OWNER.email.replace('.', '\\.')} \\(.+\\)$`));
    expect(connection.authData.access_token).toMatch(/^pat_/);
    expect(connection.authData.refresh_token).toMatch(/^prt_/);
    expect(Number(connection.authData.expires_at)).toBeGreaterThan(Date.now() / 1000 + 3500);
  });
});

describe('a healthy connection', () => {
  let connection: Connection;
  beforeAll(async () => {
    ({ connection } = await connect());
  });

  it('polls new clients and creates one with one request each', async () => {
    const poll = await runner.runStep<{ id: string }[]>(connection, POLL);
    expect(poll.ok).toBe(true);
    expect(poll.results!.length).toBeGreaterThan(0);
    const created = await runner.runStep<{ id: string; name: string }>(
      connection,
      'creates.create_client.operation.perform',
      {
        inputData: { name: 'Lifecycle Test Ltd', type: 'business', email: 'life@cycle.example' },
      },
    );
    expect(created.ok).toBe(true);
    expect(created.results!.name).toBe('Lifecycle Test Ltd');
    expect(seen()).toEqual(['GET /api/v1/clients 200', 'POST /api/v1/clients 201']);
    const again = await runner.runStep<{ id: string }[]>(connection, POLL);
    expect(again.results![0]!.id).toBe(created.results!.id);
  });
});

describe('expiry', () => {
  it.each([
    ['K1 with a body', false, POLL, 'GET /api/v1/clients'],
    ['K1 header-only', true, POLL, 'GET /api/v1/clients'],
    ['K2 on a legacy endpoint', false, FIND, 'GET /api/v1/clients/search'],
  ])('refreshes and succeeds when expiry is signalled by %s', async (_name, headerOnly, method, call) => {
    const { connection } = await connect();
    sandbox.setQuirks({ K1HeaderOnly: headerOnly });
    expect(sandbox.expireAccessTokens()).toBeGreaterThan(0);
    const oldToken = connection.authData.access_token;
    const outcome = await runner.runStep(connection, method, { inputData: { name: 'A' } });
    expect(outcome).toMatchObject({ ok: true, refreshed: true });
    expect(connection.authData.access_token).not.toBe(oldToken);
    const expiredStatus = method === FIND ? 200 : 403;
    expect(seen()).toEqual([`${call} ${expiredStatus}`, 'POST /oauth/token 200', `${call} 200`]);
    expect(sandbox.requests[0]!.errorCode).toBe('token_expired');
  });

  it('refreshes before calling the API when expires_at says the token is dead, wasting no request', async () => {
    const { connection } = await connect();
    sandbox.expireAccessTokens();
    connection.authData.expires_at = Math.floor(Date.now() / 1000) - 5;
    const outcome = await runner.runStep(connection, POLL);
    expect(outcome).toMatchObject({ ok: true, refreshed: true });
    expect(seen()).toEqual(['POST /oauth/token 200', 'GET /api/v1/clients 200']);
  });

  it('keeps every rotated refresh token across several refreshes', async () => {
    const { connection } = await connect();
    const refreshTokens = new Set([connection.authData.refresh_token]);
    for (let i = 0; i < 4; i += 1) {
      sandbox.expireAccessTokens();
      const outcome = await runner.runStep(connection, POLL);
      expect(outcome).toMatchObject({ ok: true, refreshed: true });
      refreshTokens.add(connection.authData.refresh_token);
    }
    expect(refreshTokens.size).toBe(5);
    expect(connection.refreshes).toBe(4);
    expect(sandbox.grants().filter((g) => g.revoked)).toEqual([]);
    expect(seen().filter((line) => line.startsWith('POST /oauth/token'))).toEqual(
      Array(4).fill('POST /oauth/token 200'),
    );
  });
});

describe('dead connections', () => {
  // K6 on (the default, like production's legacy nodes): invalid_grant arrives as HTTP 200.
  // The thief goes to Practice directly: runs of the integration itself never present a rotated
  // refresh token (z.cache hands them the newest pair, test/reliability/concurrency.test.ts).
  it.each([
    [true, 200],
    [false, 400],
  ])(
    'marks the connection stale with a clear message when a stolen old refresh token is replayed after the grace period (K6 %s)',
    async (k6, refusal) => {
      sandbox.setQuirks({ K6: k6 });
      const { connection } = await connect();
      const stolen = { ...connection.authData };
      sandbox.expireAccessTokens();
      expect((await runner.runStep(connection, POLL)).ok).toBe(true);
      clockOffsetMs = 61_000;
      const replay = await fetch(`${sandbox.url}/oauth/token`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: `Basic ${Buffer.from(`${sandbox.clientId}:${sandbox.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: String(stolen.refresh_token),
        }),
      });
      expect(replay.status).toBe(refusal);
      // Reuse detection revoked the whole grant: the live connection dies, with a message saying so.
      const after = await runner.runStep(connection, POLL);
      expect(after.ok).toBe(false);
      expect(after.staled).toBe(true);
      expect(after.error?.name).toBe('ExpiredAuthError');
      expect(after.error?.message).toMatch(/Reconnect your Practice account/);
      expect(connection.stale).toBe(true);
      expect(seen().slice(-3)).toEqual([
        `POST /oauth/token ${refusal}`,
        'GET /api/v1/clients 401',
        `POST /oauth/token ${refusal}`,
      ]);
      const grantId = sandbox.requests.find((r) => r.grantId)?.grantId;
      expect(sandbox.grants().find((g) => g.id === grantId)?.revoked).toBe(true);
    },
  );

  it.each([
    [true, 200],
    [false, 400],
  ])('marks the connection stale when the grant is revoked in Practice (K6 %s)', async (k6, refusal) => {
    sandbox.setQuirks({ K6: k6 });
    const { connection } = await connect();
    expect(sandbox.revokeGrant(OWNER.email)).toBeGreaterThan(0);
    const outcome = await runner.runStep(connection, POLL);
    expect(outcome.ok).toBe(false);
    expect(outcome.staled).toBe(true);
    expect(connection.staleReason).toMatch(/invalid_grant/);
    expect(seen()).toEqual(['GET /api/v1/clients 401', `POST /oauth/token ${refusal}`]);
  });
});

describe('signals a refresh cannot fix', () => {
  it('names the unticked scope and never refreshes', async () => {
    const { connection } = await connect(OWNER.email, (offered) =>
      offered.filter((s) => s !== 'clients:write'),
    );
    const outcome = await runner.runStep(connection, 'creates.create_client.operation.perform', {
      inputData: { name: 'Nope Ltd' },
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.refreshed).toBe(false);
    expect(outcome.error!.message).toMatch(/clients:write/);
    expect(outcome.error!.message).toMatch(/Reconnect your Practice account/);
    expect(seen()).toEqual(['POST /api/v1/clients 403']);
  });

  it('surfaces the forbidden error after a role change, without refreshing', async () => {
    const { connection } = await connect(STAFF.email);
    const poll = await runner.runStep<{ id: string }[]>(connection, POLL);
    const clientId = poll.results![0]!.id;
    sandbox.resetRequestLog();
    const outcome = await runner.runStep(connection, 'creates.update_client.operation.perform', {
      inputData: { client_id: clientId, status: 'archived' },
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.refreshed).toBe(false);
    expect(outcome.error!.message).toMatch(/Staff members cannot archive clients/);
    expect(seen()).toEqual([`PATCH /api/v1/clients/${clientId} 403`]);
  });

  it.each([
    [429 as const, 'HTTP 429'],
    [403 as const, 'HTTP 403 rate_limited'],
  ])('throttles with the Retry-After delay on a %s rate limit', async (status, source) => {
    const { connection } = await connect();
    sandbox.triggerRateLimit(undefined, { retryAfter: 7, count: 1, status });
    const outcome = await runner.runStep(connection, POLL);
    expect(outcome.ok).toBe(false);
    expect(outcome.refreshed).toBe(false);
    expect(outcome.error!.name).toBe('ThrottledError');
    expect(outcome.error!.delay).toBe(7);
    if (status === 403) expect(outcome.error!.message).toContain(source);
    expect(seen()).toEqual([`GET /api/v1/clients ${status}`]);
  });
});

describe('dynamic dropdowns', () => {
  it('pages the clients dropdown to its end through z.cursor, each client once', async () => {
    sandbox.setQuirks({ K7: false }); // seeding below would hit the per-token rate limit
    const { connection } = await connect();
    // Just enough clients for a second page of 100.
    const auth = { Authorization: `Bearer ${connection.authData.access_token}` };
    const first = (await (
      await fetch(`${sandbox.url}/api/v1/clients?limit=100`, { headers: auth })
    ).json()) as {
      data: unknown[];
    };
    const missing = Math.max(0, 105 - first.data.length);
    const statuses = await Promise.all(
      Array.from({ length: missing }, async (_, i) => {
        const res = await fetch(`${sandbox.url}/api/v1/clients`, {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: `Dropdown Client ${i}` }),
        });
        return res.status;
      }),
    );
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
    sandbox.resetRequestLog();
    // One dropdown session: its pages share a storeKey, the cursor lives in the RPC stand-in.
    const storeKey = `dropdown-${connection.id}`;
    const ids: string[] = [];
    let pages = 0;
    for (; pages < 10; pages += 1) {
      const outcome = await runner.runStep<{ id: string }[]>(
        connection,
        'triggers.clients.operation.perform',
        { meta: { page: pages } },
        { storeKey },
      );
      expect(outcome.error).toBeUndefined();
      expect(outcome.checks).toEqual([]);
      if (!outcome.results?.length) break;
      ids.push(...outcome.results.map((c) => c.id));
    }
    expect(ids.length).toBe(first.data.length + missing);
    expect(new Set(ids).size).toBe(ids.length);
    // Pages of 100: two pages with data, then an empty one asked of nobody (the cursor is '').
    expect(pages).toBe(2);
    expect(seen()).toEqual(['GET /api/v1/clients 200', 'GET /api/v1/clients 200']);
    expect((await runner.rpc()).cursors()[storeKey]).toBe('');
  });
});

// Zapier marks a connection stale on a 4xx from refreshAccessToken except 408/409/423/425/429
// (the harness applies that rule): a failure that is not the user's must never trigger it.
describe("failures that are not the user's keep the connection", () => {
  afterEach(() => {
    process.env.CLIENT_SECRET = sandbox.clientSecret;
  });

  it('a wrong CLIENT_SECRET fails the refresh for the integration owner and leaves every connection usable', async () => {
    const { connection } = await connect();
    sandbox.expireAccessTokens();
    process.env.CLIENT_SECRET = 'a-secret-the-owner-mistyped';

    const outcome = await runner.runStep(connection, POLL);

    expect(outcome.ok).toBe(false);
    expect(outcome.staled).toBe(false);
    expect(connection.stale).toBe(false);
    expect(outcome.error).toMatchObject({ name: 'AppError', code: 'invalid_client', status: 500 });
    expect(outcome.error?.message).toMatch(/integration owner.*Reconnecting will not help/);
    expect(seen()).toEqual(['GET /api/v1/clients 403', 'POST /oauth/token 200']);

    // Once the owner fixes the secret, the same connection works without reconnecting.
    process.env.CLIENT_SECRET = sandbox.clientSecret;
    const fixed = await runner.runStep(connection, POLL);
    expect(formatOutcome(fixed)).toBe('ok, refreshed');
  });
});

describe('short-lived access tokens', () => {
  afterEach(() => {
    sandbox.setAccessTokenTtl(3600);
  });

  it.each([1, 5, 10])(
    'connects and runs a step on a token that lives %i s, without a refresh loop',
    async (ttl) => {
      sandbox.setAccessTokenTtl(ttl);
      const { connection } = await connect();
      expect(Number(connection.authData.expires_in)).toBe(ttl);

      const outcome = await runner.runStep(connection, POLL);

      expect(formatOutcome(outcome)).toBe('ok');
      expect(seen()).toEqual(['GET /api/v1/clients 200']);
    },
  );
});

function formatOutcome(outcome: {
  ok: boolean;
  refreshed: boolean;
  error?: { name: string; message: string };
}) {
  if (!outcome.ok) return `${outcome.error?.name}: ${outcome.error?.message}`;
  return outcome.refreshed ? 'ok, refreshed' : 'ok';
}
