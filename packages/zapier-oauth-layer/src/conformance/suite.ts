// The conformance suite: the same lifecycle for every profile, through core's own Lambda
// handler with Zapier's refresh, retry and stale rules around it (zapier-runner.ts) and through
// createAppTester, against a stand-in of the provider written from the provider's documentation
// apart from its profile (zapier-oauth-layer/standin). A profile that misreads its provider fails
// here: an expiry it does not recognise is not refreshed, a scope error it takes for expiry is
// refreshed, a dead grant it takes for an outage never goes stale.
//
// It is a kit: `conformance({ profile, standIn, describe, it, beforeAll, afterAll, expect? })`
// declares the tests with the framework the caller passes in (jest, vitest, node:test). Every
// check is one equality of a named value (`check`): through the caller's `expect(…).toEqual`
// when one is given (jest's and vitest's report their own diff, and count the assertion for
// expect.hasAssertions), otherwise node:assert's AssertionError, which every runner reports.
// zapier-platform-core is the caller's own (a peer dependency).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import zapier, { type Bundle, type ZObject } from 'zapier-platform-core';
import {
  accessTokenHeader,
  FAILURE_TTL_SECONDS,
  parseJson,
  reuseForgiven,
  timing,
  valueAt,
  type CheckedProfile,
} from '../internal';
import {
  describeFamilies,
  startStandIn,
  type EndpointFamily,
  type ProviderSpec,
  type SuiteStandIn,
} from '../standin';
import { appFor, familyProbe, PROBE, pointAt } from './profile-app';
import { startRpcServer, type RpcServer } from './rpc-server';
import { newConnection, ZapierRunner, type Connection } from './zapier-runner';

const NOW = () => Math.floor(Date.now() / 1000);
const REDIRECT_URI = 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/';
/** authData as createAppTester types it: every value a string. */
const strings = (data: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(data).map(([key, value]) => [key, String(value)]));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The names of a stand-in's expiry and rate-limit answers and its endpoint families, known before
 * it starts (its spec): the suite makes one test of each, family by family, and checks the
 * running stand-in plays the same.
 */
export type Signals = Pick<SuiteStandIn, 'expirySignals' | 'rateLimitSignals' | 'families'>;

/** What a spec says of its signals and families. */
export const signalsOf = (spec: ProviderSpec): Signals => ({
  expirySignals: spec.expirySignals,
  rateLimitSignals: spec.rateLimitSignals,
  families: describeFamilies(spec),
});

type Body = () => Promise<void> | void;

/**
 * The test framework's functions, passed in: jest's and vitest's globals (or their imports)
 * as they are; node:test's `describe`, `it`, and `before`/`after` as beforeAll/afterAll.
 */
export interface TestFramework {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => Promise<void>, timeoutMs?: number): unknown;
  beforeAll(body: Body): unknown;
  afterAll(body: Body): unknown;
}

/** What the kit asks of a passed `expect`: jest's and vitest's both have it. */
export type ExpectLike = (actual: unknown) => { toEqual(expected: unknown): unknown };

/** A stand-in that is not a spec: how to start it, and the signals it plays (known before it starts). */
export interface CustomStandIn {
  start: () => Promise<SuiteStandIn>;
  signals: Signals;
}

export interface ConformanceOptions extends TestFramework {
  /** The profile under test, or how to make it from the running stand-in (a --discover draft). */
  profile: CheckedProfile | ((standIn: SuiteStandIn) => CheckedProfile | Promise<CheckedProfile>);
  /**
   * The provider's stand-in: its spec (zapier-oauth-layer/standin's ProviderSpec, started for the
   * suite and closed after it), or one of your own with its signals.
   */
  standIn: ProviderSpec | CustomStandIn;
  /**
   * Your integration's app, built with the layer: the suite adds its probe triggers to a copy of
   * it, so your authentication and middleware are what answer. Without it, an app of nothing but
   * the layer and the profile.
   */
  app?: object;
  /** Checks through this expect (jest, vitest); without it, node:assert's AssertionError. */
  expect?: ExpectLike;
  /** Each test's time limit, passed to `it` (jest and vitest read it); 30 000 ms by default. */
  timeoutMs?: number;
  /** The describe block's title; "conformance of <profile name or provider>" by default. */
  name?: string;
}

const isSpec = (standIn: ProviderSpec | CustomStandIn): standIn is ProviderSpec => 'answers' in standIn;

/** Every scenario of the suite, for one profile against its provider's stand-in, in one describe block. */
export function conformance(options: ConformanceOptions): void {
  const { standIn: given, profile: profileGiven } = options;
  const start = isSpec(given) ? () => startStandIn(given) : given.start;
  const signals = isSpec(given) ? signalsOf(given) : given.signals;
  const title =
    options.name ??
    `conformance of ${typeof profileGiven === 'function' ? (isSpec(given) ? given.provider : 'the profile') : profileGiven.name}`;
  options.describe(title, () =>
    suite({
      ...options,
      start,
      signals,
      profileFor: typeof profileGiven === 'function' ? profileGiven : () => profileGiven,
    }),
  );
}

interface Suite extends TestFramework {
  start: () => Promise<SuiteStandIn>;
  profileFor: (standIn: SuiteStandIn) => CheckedProfile | Promise<CheckedProfile>;
  signals: Signals;
  app?: object;
  expect?: ExpectLike;
  timeoutMs?: number;
}

/** One named value equal to what it must be: through `expect` when given, else node:assert. */
function checker(expect: ExpectLike | undefined) {
  return (what: string, actual: unknown, expected: unknown): void => {
    if (expect) {
      expect({ [what]: actual }).toEqual({ [what]: expected });
      return;
    }
    assert.deepStrictEqual(actual, expected, `${what}: expected ${show(expected)}, got ${show(actual)}`);
  };
}

function show(value: unknown): string {
  if (value instanceof Set) return `Set ${show([...value])}`;
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function suite(options: Suite): void {
  const { start, profileFor, signals } = options;
  const check = checker(options.expect);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const it = (name: string, body: Body) =>
    options.it(
      name,
      async () => {
        await body();
      },
      timeoutMs,
    );
  const describe = (name: string, body: () => void) => options.describe(name, body);
  /** `value` in [low, high]. */
  const within = (what: string, value: number, low: number, high: number) =>
    check(`${what} (${value}) in [${low}, ${high}]`, value >= low && value <= high, true);
  let profile: CheckedProfile;
  let standIn: SuiteStandIn;
  let restore: () => void = () => undefined;
  let runner: ZapierRunner;
  let app: ReturnType<typeof appFor>['app'];
  let layer: ReturnType<typeof appFor>['layer'];
  let rpc: RpcServer | undefined;
  /** How far Zapier's store (z.cache) is ahead of real time: moved on to stand for "later". */
  let later = 0;

  options.beforeAll(async () => {
    standIn = await start();
    profile = await profileFor(standIn);
    restore = pointAt(profile, standIn);
    ({ app, layer } = appFor(profile, standIn.probePath, standIn.families.slice(1), options.app));
    rpc = await startRpcServer({ clock: () => Date.now() + later });
    runner = new ZapierRunner({ app, rpc });
  });

  options.afterAll(async () => {
    restore();
    await rpc?.close();
    await standIn?.close();
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
        ...accessTokenHeader(profile, String(conn.authData.access_token)),
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
      for (const signal of family.expirySignals) {
        it(signal, async () => {
          const conn = await connection();
          const before = stats();
          standIn.expireAccessTokens(signal);
          const outcome = await runner.runStep(conn, step);
          check(`the step's error after "${signal}"`, outcome.error?.message, undefined);
          check(`refreshed after "${signal}"`, outcome.refreshed, true);
          check('refresh requests', stats().refreshRequests - before.refreshRequests, 1);
          check('the connection stale', conn.stale, false);
        });
      }
    });

    it('a missing scope is never taken for expiry where the provider can tell them apart', async () => {
      const conn = await connection(standIn.allScopes.filter((granted) => granted !== scope));
      const { raw, signal } = await askProbe(conn, family);
      const before = stats();
      const outcome = await runner.runStep(conn, step);
      check('the step succeeded', outcome.ok, false);
      check('the connection stale', conn.stale, false);
      if (raw.status === 401) {
        // Core turns every 401 into RefreshAuthError before the layer reads it: the provider
        // gives its scope error the status of an expired token, so Zapier refreshes once and the
        // step fails. Where the answer names the scope apart from an expiry, the profile must
        // still read it as a scope error (the doctor does); where it cannot be told apart, not.
        check('refreshed', outcome.refreshed, true);
        if (family.scopeErrorIsExpiry) {
          check(
            `the kind of "${signal.kind}" is scope or refresh`,
            ['scope', 'refresh'].includes(signal.kind),
            true,
          );
        } else check('what the profile reads in the missing-scope answer', signal.kind, 'scope');
        return;
      }
      check('what the profile reads in the missing-scope answer', signal.kind, 'scope');
      check('refreshed', outcome.refreshed, false);
      check('refresh requests', stats().refreshRequests - before.refreshRequests, 0);
      check(
        `the error (${outcome.error?.name}) is neither RefreshAuthError nor ExpiredAuthError`,
        /RefreshAuthError|ExpiredAuthError/.test(outcome.error?.name ?? ''),
        false,
      );
      check(`the error's message names the scope ${scope}`, outcome.error?.message.includes(scope), true);
    });

    it('a role or permission refusal: no refresh, not stale, the user told who can grant it', async () => {
      const conn = await connection();
      const before = stats();
      standIn.forbid(true);
      try {
        check(
          'what the profile reads in the refusal',
          (await askProbe(conn, family)).signal.kind,
          'forbidden',
        );
        const outcome = await runner.runStep(conn, step);
        check('the step succeeded', outcome.ok, false);
        check('refreshed', outcome.refreshed, false);
        check('the connection stale', conn.stale, false);
        check('refresh requests', stats().refreshRequests - before.refreshRequests, 0);
        check(
          `the error (${outcome.error?.name}) is none of RefreshAuthError, ExpiredAuthError, ThrottledError`,
          /RefreshAuthError|ExpiredAuthError|ThrottledError/.test(outcome.error?.name ?? ''),
          false,
        );
        check(
          `the error's message names ${profile.name}`,
          outcome.error?.message.includes(profile.name),
          true,
        );
      } finally {
        standIn.forbid(false);
      }
    });

    describe('a rate limit, by each of its signals: throttled with the provider’s delay, nothing refreshed', () => {
      for (const signal of family.rateLimitSignals) {
        it(signal, async () => {
          const conn = await connection();
          check('the probe answered before the limit', (await askProbe(conn, family)).raw.ok, true);
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
          check(`the step's error after "${signal}"`, outcome.error?.name, 'ThrottledError');
          check('refreshed', outcome.refreshed, false);
          check('the connection stale', conn.stale, false);
          const delay = outcome.error?.delay ?? null;
          // A delay the provider announced is the one Zapier waits; one it did not announce stays Zapier's.
          if (announced) check('a delay the provider announced reaches Zapier', delay !== null, true);
          if (delay !== null) within('the delay Zapier waits, seconds', delay, wait - 2, wait + 2);
        });
      }
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
        check(`what the profile reads in the ${family.name} family's refusal`, signal.kind, 'forbidden');
        const message = layer.messageFor(signal, []);
        told[family.forbidden].add(message.replace(/\([^)]*\)/g, '').replace(/ says: "(?:[^"\\]|\\.)*"/, ''));
      }
    } finally {
      standIn.forbid(false);
    }
    check(
      'advice given both for a role and for a plan',
      [...told.role].filter((text) => told.plan.has(text)),
      [],
    );
  });

  it('plays every signal its stand-in has, at least one expiry and one rate limit', () => {
    check('at least one expiry signal', signals.expirySignals.length > 0, true);
    check('at least one rate-limit signal', signals.rateLimitSignals.length > 0, true);
    // The tests below were made from `signals` before the stand-in started: the same list.
    check(
      'the running stand-in’s signals',
      { expiry: standIn.expirySignals, rateLimit: standIn.rateLimitSignals },
      { expiry: signals.expirySignals, rateLimit: signals.rateLimitSignals },
    );
    check('the running stand-in’s families', standIn.families, signals.families);
  });

  it('declares the rotation its provider has', () => {
    check('the profile’s token.rotation.kind', profile.token.rotation.kind, standIn.rotation);
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
    const response = await fetch(
      layer.endpoints.endpoint(profile.endpoints.refresh ?? profile.endpoints.token),
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          ...(inBody ? {} : { authorization: `Basic ${basic}` }),
        },
        body: form,
      },
    );
    const body = (await response.json()) as unknown;
    if (response.status === 200) {
      check('token.errorsAs200 (the token endpoint refused with HTTP 200)', profile.token.errorsAs200, true);
    }
    const outcome = layer.normaliseTokenResponse(
      { status: response.status, body },
      { grant: 'refresh_token', nowSeconds: NOW(), secrets: [] },
    );
    check('what the profile reads in the refusal', outcome.ok ? 'ok' : outcome.problem, 'invalid_grant');
    check(
      `token.errorCode (${profile.token.errorCode}) is in the refusal`,
      valueAt(body, profile.token.errorCode) !== undefined,
      true,
    );
  });

  it('connects with an authorization code, tests the connection and stores a usable pair', async () => {
    const built = await runner.invoke<string>('authentication.oauth2Config.authorizeUrl', {
      inputData: { redirect_uri: REDIRECT_URI, state: 'conformance' },
    });
    check(
      'the authorize URL carries the client id',
      built.includes(`client_id=${encodeURIComponent(standIn.client.id)}`),
      true,
    );
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
    check('the type of authData.access_token', typeof connected.authData.access_token, 'string');
    check('the type of authData.refresh_token', typeof connected.authData.refresh_token, 'string');
    // The lifetime the stand-in gave the token, read in the profile's unit: a unit read wrong
    // (milliseconds as seconds) is 1000 times too long, an epoch read as a lifetime absurd.
    const lifetime = standIn.accessTokenLifetimeSeconds;
    within('authData.expires_in', Number(connected.authData.expires_in), lifetime - 2, lifetime);
    const now = NOW();
    within('authData.expires_at', Number(connected.authData.expires_at), now + lifetime - 2, now + lifetime);
    const outcome = await runner.runStep(connected, PROBE);
    check('the probe’s error', outcome.error, undefined);
    check('refreshed', outcome.refreshed, false);
  });

  if (signals.families[0]) familyScenarios(signals.families[0], PROBE);

  it('keeps every rotated refresh token: three expiries, three refreshes, no reuse', async () => {
    const conn = await connection();
    const before = stats();
    for (let round = 0; round < 3; round += 1) {
      standIn.expireAccessTokens();
      const outcome = await runner.runStep(conn, PROBE);
      check(`round ${round + 1}: the probe’s error`, outcome.error, undefined);
      check(`round ${round + 1}: refreshed`, outcome.refreshed, true);
    }
    const after = stats();
    check('refresh requests', after.refreshRequests - before.refreshRequests, 3);
    check('reused refresh tokens', after.reusedRefreshTokens - before.reusedRefreshTokens, 0);
    check('grants revoked for reuse', after.revokedByReuse - before.revokedByReuse, 0);
  });

  it('a dead grant goes stale: the user must reconnect, and is told so', async () => {
    const conn = await connection();
    standIn.revokeAll();
    standIn.expireAccessTokens();
    const outcome = await runner.runStep(conn, PROBE);
    check('the step succeeded', outcome.ok, false);
    check('the connection went stale', outcome.staled, true);
    check(
      `the stale reason ("${conn.staleReason ?? ''}") says "Reconnect your ${profile.name} account"`,
      (conn.staleReason ?? '').includes(`Reconnect your ${profile.name} account`),
      true,
    );
  });

  for (const [what, kind] of [
    ['the owner’s client credentials refused', 'bad_client'],
    ['the token endpoint down', 'outage'],
    ['the token endpoint throttling', 'rate_limited'],
  ] as const) {
    describe(`${what}: not stale, and the same connection works once it is over`, () => {
      it('keeps the connection', async () => {
        const conn = await connection();
        standIn.expireAccessTokens();
        standIn.failTokenEndpoint(1, kind);
        const failed = await runner.runStep(conn, PROBE);
        check('the step succeeded', failed.ok, false);
        check('the connection went stale', failed.staled, false);
        check('the connection stale', conn.stale, false);
        if (kind === 'rate_limited') check('the step’s error', failed.error?.name, 'ThrottledError');
        const again = await retryUntilOk(conn);
        check('the error of the step retried later', again.error, undefined);
      });
    });
  }

  /** Zapier retries a failed step later: past the coordinator's memory of the failure, on the store's clock. */
  async function retryUntilOk(conn: Connection) {
    later += (FAILURE_TTL_SECONDS + 1) * 1000;
    return runner.runStep(conn, PROBE);
  }

  /** The RPC stand-in, once beforeAll has started it. */
  const store = (): RpcServer => {
    if (!rpc) throw new Error('the conformance suite’s RPC stand-in did not start');
    return rpc;
  };

  it('a burst of runs on one expired connection makes one token request, and every run succeeds', async () => {
    const conn = await connection();
    standIn.expireAccessTokens();
    const before = stats();
    const hold = standIn.holdTokenRequests();
    const lockAttempts = store().counts.zcache_set;
    const runs = Array.from({ length: 5 }, () => runner.runStep(conn, PROBE));
    for (let i = 0; i < 100 && hold.waiting() < 1; i += 1) await sleep(50);
    // Let the other runs find the lock and start waiting for its outcome: while the holder's token
    // request is held, every z.cache set is a run trying to take the lock (set if absent), so five
    // of them mean the four others found it taken. (A fixed pause of 800 ms did this by waiting.)
    for (let i = 0; i < 200 && store().counts.zcache_set - lockAttempts < 5; i += 1) await sleep(10);
    check('five runs tried the lock', store().counts.zcache_set - lockAttempts >= 5, true);
    hold.release();
    const outcomes = await Promise.all(runs);
    check(
      'the runs’ errors',
      outcomes.map((o) => o.error?.message),
      [undefined, undefined, undefined, undefined, undefined],
    );
    const after = stats();
    check('refresh requests', after.refreshRequests - before.refreshRequests, 1);
    check('reused refresh tokens', after.reusedRefreshTokens - before.reusedRefreshTokens, 0);
    check('grants revoked for reuse', after.revokedByReuse - before.revokedByReuse, 0);
    check('the connection stale', conn.stale, false);
  });

  it('a burst at a later expiry that meets a failure at the token endpoint makes one token request, and no run goes stale', async () => {
    const conn = await connection();
    // The first expiry, refreshed: under rotation none its record stays behind, renewed by each success.
    standIn.expireAccessTokens();
    check('the first refresh’s error', (await runner.runStep(conn, PROBE)).error, undefined);
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
    check('token requests', stats().tokenRequests - before.tokenRequests, 1);
    check(
      'the runs (ok, staled)',
      outcomes.map((o) => ({ ok: o.ok, staled: o.staled })),
      Array.from({ length: 5 }, () => ({ ok: false, staled: false })),
    );
    check('the connection stale', conn.stale, false);
    check('the error of the step retried later', (await retryUntilOk(conn)).error, undefined);
  });

  it('z.cache unreachable during a burst: a token whose reuse is punished is not presented, one whose reuse is forgiven is, and the connection works once the store answers', async () => {
    process.env.OAUTH_REFRESH_BUDGET_MS = '3000';
    try {
      const conn = await connection();
      standIn.expireAccessTokens();
      const before = stats();
      await store().refuseConnections(true);
      const outcomes = await Promise.all(Array.from({ length: 3 }, () => runner.runStep(conn, PROBE)));
      await store().refuseConnections(false);
      // Grace forgives a pair issued moments ago, as this one was, if its window outlasts PROTECT
      // (every run that may present the token again); none and always forgive any.
      const issuedAt = Number(conn.authData.expires_at) - Number(conn.authData.expires_in);
      const forgiven = reuseForgiven(
        profile.token.rotation,
        { issuedAtSeconds: issuedAt },
        Date.now() + timing().protectMs,
      );
      if (forgiven) {
        check(
          'the runs’ errors',
          outcomes.map((o) => o.error?.message),
          [undefined, undefined, undefined],
        );
      } else {
        check('token requests', stats().tokenRequests - before.tokenRequests, 0);
        check('the runs’ errors', new Set(outcomes.map((o) => o.error?.name)), new Set(['ThrottledError']));
      }
      check('grants revoked for reuse', stats().revokedByReuse - before.revokedByReuse, 0);
      check(
        'a run went stale',
        outcomes.some((o) => o.staled),
        false,
      );
      check(
        'the error of a run once the store answers',
        (await runner.runStep(conn, PROBE)).error,
        undefined,
      );
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
      const thrown = await appTester(perform, { authData: strings(conn.authData), inputData: {} }).then(
        () => undefined,
        (error: unknown) => error,
      );
      check(
        'what the probe throws on an expired token',
        (thrown as { name?: unknown } | undefined)?.name,
        'RefreshAuthError',
      );
      const fresh = (await appTester(refreshAccessToken, {
        authData: strings(conn.authData),
        inputData: {},
      })) as Record<string, unknown>;
      check('the type of the new access_token', typeof fresh.access_token, 'string');
      check(
        'the new access_token differs from the old',
        fresh.access_token !== conn.authData.access_token,
        true,
      );
      check(
        'what the probe answers with the new pair',
        await appTester(perform, { authData: strings({ ...conn.authData, ...fresh }), inputData: {} }),
        [{ id: 'probe' }],
      );
    });
  });
}
