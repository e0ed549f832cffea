// The conformance suite: the same lifecycle for every profile, through core's own Lambda
// handler with Zapier's refresh, retry and stale rules around it (tools/harness/zapier-runner.ts)
// and through createAppTester, against a stand-in of each provider written from the provider's
// documentation apart from its profile (tools/standins). A profile that misreads its provider
// fails here: an expiry it does not recognise is not refreshed, a scope error it takes for
// expiry is refreshed, a dead grant it takes for an outage never goes stale.
//
// Adding a profile: one line in CASES (support.ts), with the stand-in of its provider. The
// doctor's tests run the same suite on drafts that --discover wrote (test/doctor).
import { createHash, randomBytes } from 'node:crypto';
import zapier, { type Bundle, type ZObject } from 'zapier-platform-core';
import { FAILURE_TTL_SECONDS, parseJson, reuseForgiven, timing, valueAt } from 'zapier-oauth-layer/internal';
import { startRpcServer, type RpcServer } from '../../tools/harness/rpc-server';
import { newConnection, ZapierRunner, type Connection } from '../../tools/harness/zapier-runner';
import type { SuiteStandIn } from '../../tools/standins/types';
import type { CheckedProfile } from 'zapier-oauth-layer/internal';
import { appFor, familyProbe, PROBE, pointAt, type Signals } from './support';
import type { EndpointFamily } from '../../tools/standins/types';

const NOW = () => Math.floor(Date.now() / 1000);
const REDIRECT_URI = 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/';
/** authData as createAppTester types it: every value a string. */
const strings = (data: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(data).map(([key, value]) => [key, String(value)]));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface SuiteCase {
  /** The stand-in of the provider. */
  start: () => Promise<SuiteStandIn>;
  /** The profile under test; may be made from the running stand-in (a --discover draft). */
  profile: (standIn: SuiteStandIn) => CheckedProfile | Promise<CheckedProfile>;
  /** The stand-in's signals, known before it starts: one test each (CASES takes them from its spec). */
  signals: Signals;
}

/** Every scenario of the suite, for one profile against its provider's stand-in (call inside a describe). */
export function conformanceSuite({ start, profile: profileFor, signals }: SuiteCase): void {
  let profile: CheckedProfile;
  let standIn: SuiteStandIn;
  let restore: () => void;
  let runner: ZapierRunner;
  let app: ReturnType<typeof appFor>['app'];
  let layer: ReturnType<typeof appFor>['layer'];
  let rpc: RpcServer;
  /** How far Zapier's store (z.cache) is ahead of real time: moved on to stand for "later". */
  let later = 0;

  beforeAll(async () => {
    standIn = await start();
    profile = await profileFor(standIn);
    restore = pointAt(profile, standIn);
    ({ app, layer } = appFor(profile, standIn.probePath, standIn.families.slice(1)));
    rpc = await startRpcServer({ clock: () => Date.now() + later });
    runner = new ZapierRunner({ app, rpc });
  });

  afterAll(async () => {
    restore();
    await rpc.close();
    await standIn.close();
  });

  /** A connection as Zapier would hold it after the user consented to `scopes` (all by default). */
  async function connection(scopes?: readonly string[]): Promise<Connection> {
    const pair = await standIn.connect(scopes);
    return newConnection({
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      expires_at: NOW() + pair.expires_in,
      expires_in: pair.expires_in,
      scope: pair.scope,
    });
  }

  const stats = () => standIn.tokenStats();

  /** The request carrying the connection's access token, as the profile sends it. */
  const withToken = (token: unknown): Record<string, string> =>
    profile.endpoints.tokenHeader
      ? { [profile.endpoints.tokenHeader]: String(token) }
      : { authorization: `${profile.endpoints.authorizationScheme ?? 'Bearer'} ${String(token)}` };

  /**
   * A family's probe (the first family's by default) asked directly with the connection's
   * token: the provider's own answer, and what the profile reads in it.
   */
  async function askProbe(conn: Connection, family?: EndpointFamily) {
    const { method, path, body } = family?.probe ?? {
      method: 'GET',
      path: standIn.probePath,
      body: undefined,
    };
    const url = new URL(path, standIn.url).toString();
    const raw = await fetch(url, {
      method,
      headers: {
        ...withToken(conn.authData.access_token),
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const content = await raw.text();
    const signal = layer.classify({
      status: raw.status,
      header: (name) => raw.headers.get(name),
      body: parseJson(content),
      content,
      request: { method, url },
    });
    return { raw, signal };
  }

  /**
   * What each endpoint family must read its own way: each of its expiry signals (one refresh, one
   * retry), each of its rate limits, a missing scope and a role or plan refusal, through the
   * trigger that sends its probe (GraphQL's POST included).
   */
  function familyScenarios(family: EndpointFamily, step: string): void {
    const scope = family.probeScope;
    describe('an expired access token, by each of its signals: one refresh, one retry', () => {
      it.each(family.expirySignals.map((signal) => [signal]))('%s', async (signal) => {
        const conn = await connection();
        const before = stats();
        standIn.expireAccessTokens(signal);
        const outcome = await runner.runStep(conn, step);
        expect({ signal, error: outcome.error?.message }).toEqual({ signal, error: undefined });
        expect(outcome.refreshed).toBe(true);
        expect(stats().refreshRequests - before.refreshRequests).toBe(1);
        expect(conn.stale).toBe(false);
      });
    });

    it('a missing scope is never taken for expiry where the provider can tell them apart', async () => {
      const conn = await connection(standIn.allScopes.filter((granted) => granted !== scope));
      const { raw, signal } = await askProbe(conn, family);
      const before = stats();
      const outcome = await runner.runStep(conn, step);
      expect(outcome.ok).toBe(false);
      expect(conn.stale).toBe(false);
      if (raw.status === 401) {
        // Core turns every 401 into RefreshAuthError before the layer reads it: the provider
        // gives its scope error the status of an expired token, so Zapier refreshes once and the
        // step fails. Where the answer names the scope apart from an expiry, the profile must
        // still read it as a scope error (the doctor does); where it cannot be told apart, not.
        expect(outcome.refreshed).toBe(true);
        if (family.scopeErrorIsExpiry) expect(['scope', 'refresh']).toContain(signal.kind);
        else expect(signal.kind).toBe('scope');
        return;
      }
      expect(signal.kind).toBe('scope');
      expect(outcome.refreshed).toBe(false);
      expect(stats().refreshRequests - before.refreshRequests).toBe(0);
      expect(outcome.error?.name).not.toMatch(/RefreshAuthError|ExpiredAuthError/);
      expect(outcome.error?.message).toContain(scope);
    });

    it('a role or permission refusal: no refresh, not stale, the user told who can grant it', async () => {
      const conn = await connection();
      const before = stats();
      standIn.forbid(true);
      try {
        expect((await askProbe(conn, family)).signal.kind).toBe('forbidden');
        const outcome = await runner.runStep(conn, step);
        expect(outcome.ok).toBe(false);
        expect(outcome.refreshed).toBe(false);
        expect(conn.stale).toBe(false);
        expect(stats().refreshRequests - before.refreshRequests).toBe(0);
        expect(outcome.error?.name).not.toMatch(/RefreshAuthError|ExpiredAuthError|ThrottledError/);
        expect(outcome.error?.message).toContain(profile.name);
      } finally {
        standIn.forbid(false);
      }
    });

    describe('a rate limit, by each of its signals: throttled with the provider’s delay, nothing refreshed', () => {
      it.each(family.rateLimitSignals.map((signal) => [signal]))('%s', async (signal) => {
        const conn = await connection();
        expect((await askProbe(conn, family)).raw.ok).toBe(true);
        // Two limited answers: one read here, to see whether the provider announces a delay, one for the run.
        standIn.rateLimit(2, 7, signal);
        const { raw: limited } = await askProbe(conn, family);
        const announced =
          limited.headers.has('retry-after') ||
          [...limited.headers.keys()].some((name) => /reset/i.test(name));
        // The wait asked for, unless the provider announces a fixed one of its own in seconds
        // (Tallybook's 503 SLOW_DOWN always asks for 20).
        const wait = /^\d+$/.test(limited.headers.get('retry-after') ?? '')
          ? Number(limited.headers.get('retry-after'))
          : 7;
        const outcome = await runner.runStep(conn, step);
        expect({ signal, name: outcome.error?.name }).toEqual({ signal, name: 'ThrottledError' });
        expect(outcome.refreshed).toBe(false);
        expect(conn.stale).toBe(false);
        // A delay the provider announced is the one Zapier waits; one it did not announce stays Zapier's.
        if (announced) expect(outcome.error?.delay).not.toBeNull();
        if (outcome.error?.delay !== null) {
          expect(outcome.error?.delay).toBeGreaterThanOrEqual(wait - 2);
          expect(outcome.error?.delay).toBeLessThanOrEqual(wait + 2);
        }
      });
    });
  }

  for (const family of signals.families.slice(1)) {
    describe(`the endpoint family ${family.name} (${family.probe.method} ${family.probe.path})`, () => {
      familyScenarios(family, familyProbe(family.name));
    });
  }

  it('tells a refusal that means the plan apart from one that means the role (each family’s advice)', async () => {
    const conn = await connection();
    // What the user is told by each family's refusal, without the source and the provider's words.
    const told = { role: new Set<string>(), plan: new Set<string>() };
    standIn.forbid(true);
    try {
      for (const family of signals.families) {
        const { signal } = await askProbe(conn, family);
        expect({ family: family.name, kind: signal.kind }).toEqual({
          family: family.name,
          kind: 'forbidden',
        });
        const message = layer.messageFor(signal, []);
        told[family.forbidden].add(message.replace(/\([^)]*\)/g, '').replace(/ says: "(?:[^"\\]|\\.)*"/, ''));
      }
    } finally {
      standIn.forbid(false);
    }
    expect([...told.role].filter((text) => told.plan.has(text))).toEqual([]);
  });

  it('plays every signal its stand-in has, at least one expiry and one rate limit', () => {
    expect(signals.expirySignals.length).toBeGreaterThan(0);
    expect(signals.rateLimitSignals.length).toBeGreaterThan(0);
    // The tests below were made from `signals` before the stand-in started: the same list.
    expect({ expiry: standIn.expirySignals, rateLimit: standIn.rateLimitSignals }).toEqual({
      expiry: signals.expirySignals,
      rateLimit: signals.rateLimitSignals,
    });
    expect(standIn.families).toEqual(signals.families);
  });

  it('declares the rotation its provider has', () => {
    expect(profile.token.rotation.kind).toBe(standIn.rotation);
  });

  it('reads a refused refresh token the way the token endpoint answers it (errors as HTTP 200 or not)', async () => {
    // The client authenticates as the profile says: the stand-in refuses it otherwise.
    const inBody = profile.client.authMethod === 'body';
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: 'conformance-not-a-token',
      ...(inBody ? { client_id: standIn.client.id, client_secret: standIn.client.secret } : {}),
    });
    const basic = Buffer.from(`${standIn.client.id}:${standIn.client.secret}`).toString('base64');
    const response = await fetch(layer.endpoints.endpoint(profile.endpoints.token), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...(inBody ? {} : { authorization: `Basic ${basic}` }),
      },
      body: form,
    });
    const body = (await response.json()) as unknown;
    if (response.status === 200) expect(profile.token.errorsAs200).toBe(true);
    const outcome = layer.normaliseTokenResponse(
      { status: response.status, body },
      { grant: 'refresh_token', nowSeconds: NOW(), secrets: [] },
    );
    expect(outcome.ok ? 'ok' : outcome.problem).toBe('invalid_grant');
    expect(valueAt(body, profile.token.errorCode)).toBeDefined();
  });

  it('connects with an authorization code, tests the connection and stores a usable pair', async () => {
    const built = await runner.invoke<string>('authentication.oauth2Config.authorizeUrl', {
      inputData: { redirect_uri: REDIRECT_URI, state: 'conformance' },
    });
    expect(built).toContain(`client_id=${encodeURIComponent(standIn.client.id)}`);
    // With enablePkce, Zapier's servers add the challenge to the URL and hand the verifier to
    // getAccessToken (zapier/zapier-platform#655): as they do here.
    const url = new URL(built);
    const verifier = randomBytes(32).toString('base64url');
    if (profile.authorization.pkce !== 'none') {
      url.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
      url.searchParams.set('code_challenge_method', 'S256');
    }
    const redirectUri = url.searchParams.get('redirect_uri') ?? REDIRECT_URI;
    const code = standIn.consent
      ? await standIn.consent(url.toString())
      : standIn.authorizationCode(redirectUri, standIn.allScopes);
    const { connection: connected } = await runner.connect({
      code,
      redirect_uri: redirectUri,
      ...(profile.authorization.pkce !== 'none' ? { code_verifier: verifier } : {}),
    });
    expect(typeof connected.authData.access_token).toBe('string');
    expect(typeof connected.authData.refresh_token).toBe('string');
    // The lifetime the stand-in gave the token, read in the profile's unit: a unit read wrong
    // (milliseconds as seconds) is 1000 times too long, an epoch read as a lifetime absurd.
    const lifetime = standIn.accessTokenLifetimeSeconds;
    expect(Number(connected.authData.expires_in)).toBeGreaterThanOrEqual(lifetime - 2);
    expect(Number(connected.authData.expires_in)).toBeLessThanOrEqual(lifetime);
    expect(Number(connected.authData.expires_at)).toBeGreaterThanOrEqual(NOW() + lifetime - 2);
    expect(Number(connected.authData.expires_at)).toBeLessThanOrEqual(NOW() + lifetime);
    const outcome = await runner.runStep(connected, PROBE);
    expect(outcome.error).toBeUndefined();
    expect(outcome.refreshed).toBe(false);
  });

  familyScenarios(signals.families[0]!, PROBE);

  it('keeps every rotated refresh token: three expiries, three refreshes, no reuse', async () => {
    const conn = await connection();
    const before = stats();
    for (let round = 0; round < 3; round += 1) {
      standIn.expireAccessTokens();
      const outcome = await runner.runStep(conn, PROBE);
      expect(outcome.error).toBeUndefined();
      expect(outcome.refreshed).toBe(true);
    }
    const after = stats();
    expect(after.refreshRequests - before.refreshRequests).toBe(3);
    expect(after.reusedRefreshTokens - before.reusedRefreshTokens).toBe(0);
    expect(after.revokedByReuse - before.revokedByReuse).toBe(0);
  });

  it('a dead grant goes stale: the user must reconnect, and is told so', async () => {
    const conn = await connection();
    standIn.revokeAll();
    standIn.expireAccessTokens();
    const outcome = await runner.runStep(conn, PROBE);
    expect(outcome.ok).toBe(false);
    expect(outcome.staled).toBe(true);
    expect(conn.staleReason ?? '').toContain(`Reconnect your ${profile.name} account`);
  });

  describe.each([
    ['the owner’s client credentials refused', 'bad_client'],
    ['the token endpoint down', 'outage'],
    ['the token endpoint throttling', 'rate_limited'],
  ] as const)('%s: not stale, and the same connection works once it is over', (_what, kind) => {
    it('keeps the connection', async () => {
      const conn = await connection();
      standIn.expireAccessTokens();
      standIn.failTokenEndpoint(1, kind);
      const failed = await runner.runStep(conn, PROBE);
      expect(failed.ok).toBe(false);
      expect(failed.staled).toBe(false);
      expect(conn.stale).toBe(false);
      if (kind === 'rate_limited') expect(failed.error?.name).toBe('ThrottledError');
      const again = await retryUntilOk(conn);
      expect(again.error).toBeUndefined();
    });
  });

  /** Zapier retries a failed step later: past the coordinator's memory of the failure, on the store's clock. */
  async function retryUntilOk(conn: Connection) {
    later += (FAILURE_TTL_SECONDS + 1) * 1000;
    return runner.runStep(conn, PROBE);
  }

  it('a burst of runs on one expired connection makes one token request, and every run succeeds', async () => {
    const conn = await connection();
    standIn.expireAccessTokens();
    const before = stats();
    const hold = standIn.holdTokenRequests();
    const lockAttempts = rpc.counts.zcache_set;
    const runs = Array.from({ length: 5 }, () => runner.runStep(conn, PROBE));
    for (let i = 0; i < 100 && hold.waiting() < 1; i += 1) await sleep(50);
    // Let the other runs find the lock and start waiting for its outcome: while the holder's token
    // request is held, every z.cache set is a run trying to take the lock (set if absent), so five
    // of them mean the four others found it taken. (A fixed pause of 800 ms did this by waiting.)
    for (let i = 0; i < 200 && rpc.counts.zcache_set - lockAttempts < 5; i += 1) await sleep(10);
    expect(rpc.counts.zcache_set - lockAttempts).toBeGreaterThanOrEqual(5);
    hold.release();
    const outcomes = await Promise.all(runs);
    expect(outcomes.map((o) => o.error?.message)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    const after = stats();
    expect(after.refreshRequests - before.refreshRequests).toBe(1);
    expect(after.reusedRefreshTokens - before.reusedRefreshTokens).toBe(0);
    expect(after.revokedByReuse - before.revokedByReuse).toBe(0);
    expect(conn.stale).toBe(false);
  });

  it('a burst at a later expiry that meets a failure at the token endpoint makes one token request, and no run goes stale', async () => {
    const conn = await connection();
    // The first expiry, refreshed: under rotation none its record stays behind, renewed by each success.
    standIn.expireAccessTokens();
    expect((await runner.runStep(conn, PROBE)).error).toBeUndefined();
    // A later expiry, where the token endpoint is down for the one request the burst should make.
    later += 2 * 3600 * 1000;
    standIn.expireAccessTokens();
    standIn.failTokenEndpoint(1, 'outage');
    const before = stats();
    const hold = standIn.holdTokenRequests();
    const runs = Array.from({ length: 5 }, () => runner.runStep(conn, PROBE));
    for (let i = 0; i < 100 && hold.waiting() < 1; i += 1) await sleep(50);
    await sleep(800);
    hold.release();
    const outcomes = await Promise.all(runs);
    expect(stats().tokenRequests - before.tokenRequests).toBe(1);
    expect(outcomes.map((o) => ({ ok: o.ok, staled: o.staled }))).toEqual(
      Array(5).fill({ ok: false, staled: false }),
    );
    expect(conn.stale).toBe(false);
    expect((await retryUntilOk(conn)).error).toBeUndefined();
  });

  it('z.cache unreachable during a burst: a token whose reuse is punished is not presented, one whose reuse is forgiven is, and the connection works once the store answers', async () => {
    process.env.OAUTH_REFRESH_BUDGET_MS = '3000';
    try {
      const conn = await connection();
      standIn.expireAccessTokens();
      const before = stats();
      await rpc.refuseConnections(true);
      const outcomes = await Promise.all(Array.from({ length: 3 }, () => runner.runStep(conn, PROBE)));
      await rpc.refuseConnections(false);
      // Grace forgives a pair issued moments ago, as this one was, if its window outlasts PROTECT
      // (every run that may present the token again); none and always forgive any.
      const issuedAt = Number(conn.authData.expires_at) - Number(conn.authData.expires_in);
      const forgiven = reuseForgiven(
        profile.token.rotation,
        { issuedAtSeconds: issuedAt },
        Date.now() + timing().protectMs,
      );
      if (forgiven) {
        expect(outcomes.map((o) => o.error?.message)).toEqual([undefined, undefined, undefined]);
      } else {
        expect(stats().tokenRequests - before.tokenRequests).toBe(0);
        expect(new Set(outcomes.map((o) => o.error?.name))).toEqual(new Set(['ThrottledError']));
      }
      expect(stats().revokedByReuse - before.revokedByReuse).toBe(0);
      expect(outcomes.some((o) => o.staled)).toBe(false);
      expect((await runner.runStep(conn, PROBE)).error).toBeUndefined();
    } finally {
      delete process.env.OAUTH_REFRESH_BUDGET_MS;
    }
  });

  describe('through createAppTester', () => {
    it('an expiry reaches Zapier as RefreshAuthError, and refreshAccessToken answers a new pair', async () => {
      const appTester = zapier.createAppTester(app);
      const definition = app as {
        triggers: { probe: { operation: { perform: (z: ZObject, bundle: Bundle) => Promise<unknown> } } };
        authentication: {
          oauth2Config: { refreshAccessToken: (z: ZObject, bundle: Bundle) => Promise<unknown> };
        };
      };
      const perform = definition.triggers.probe.operation.perform;
      const refreshAccessToken = definition.authentication.oauth2Config.refreshAccessToken;
      const conn = await connection();
      standIn.expireAccessTokens();
      await expect(
        appTester(perform, { authData: strings(conn.authData), inputData: {} }),
      ).rejects.toMatchObject({
        name: 'RefreshAuthError',
      });
      const fresh = (await appTester(refreshAccessToken, {
        authData: strings(conn.authData),
        inputData: {},
      })) as Record<string, unknown>;
      expect(typeof fresh.access_token).toBe('string');
      expect(fresh.access_token).not.toBe(conn.authData.access_token);
      await expect(
        appTester(perform, { authData: strings({ ...conn.authData, ...fresh }), inputData: {} }),
      ).resolves.toEqual([{ id: 'probe' }]);
    });
  });
}
