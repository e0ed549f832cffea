// The shared skeleton, driven through a minimal test-only provider whose answers simply name the
// outcome, so that these tests check the skeleton's decisions and nothing provider-specific.
import {
  authorizationToken,
  randomToken,
  startStandIn,
  StandInUsageError,
  type ProviderSpec,
  type Rotation,
} from 'zapier-oauth-layer/standin';
import type { StandIn } from 'zapier-oauth-layer/standin';
import { basic, getProbe, postToken, str, type Answer } from './helpers';

const TOKEN_PATH = '/token';

function plainSpec(rotation: Rotation, extra: Partial<ProviderSpec> = {}): ProviderSpec {
  return {
    provider: 'plain',
    tokenPath: TOKEN_PATH,
    probePath: '/things',
    probeScope: 'read',
    allScopes: ['read', 'write'],
    client: { id: 'cid', secret: 'csecret' },
    clientAuth: ['basic', 'body'],
    accessTokenLifetimeSeconds: 600,
    rotation,
    graceSeconds: 60,
    scopeSeparator: ' ',
    expirySignals: ['401 expired', '401 invalid'],
    rateLimitSignals: ['429 a', '503 b'],
    newAccessToken: () => `at_${randomToken()}`,
    newRefreshToken: () => `rt_${randomToken()}`,
    newAuthorizationCode: () => `code_${randomToken()}`,
    readAccessToken: (headers) => authorizationToken(headers, ['Bearer']),
    answers: {
      token: (issued) => ({
        status: 200,
        json: {
          access_token: issued.accessToken,
          refresh_token: issued.refreshToken,
          expires_in: issued.expiresIn,
          scope: issued.scopes.join(' '),
          new_refresh_token: issued.refreshTokenIsNew,
        },
      }),
      tokenFailure: (failure, ctx) => ({ status: 400, json: { failure, retryAfter: ctx.retryAfterSeconds } }),
      probe: () => ({ status: 200, json: { things: [1, 2] } }),
      expired: (signal) => ({ status: 401, json: { expired: signal } }),
      invalidToken: (why) => ({ status: 401, json: { invalid: why } }),
      missingScope: () => ({ status: 403, json: { scope: 'missing' } }),
      rateLimited: (signal, retryAfter) => ({ status: 429, json: { limited: signal, retryAfter } }),
      forbidden: () => ({ status: 403, json: { forbidden: true } }),
    },
    ...extra,
  };
}

class Clock {
  ms = Date.UTC(2026, 0, 1);
  now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

const client = { client_id: 'cid', client_secret: 'csecret' };
const refresh = (s: StandIn, token: string): Promise<Answer> =>
  postToken(s, TOKEN_PATH, { form: { grant_type: 'refresh_token', refresh_token: token, ...client } });
const failureOf = (a: Answer): unknown => (a.body as { failure?: unknown } | undefined)?.failure;

let standIn: StandIn | undefined;
let clock: Clock;

async function start(rotation: Rotation, extra: Partial<ProviderSpec> = {}): Promise<StandIn> {
  clock = new Clock();
  standIn = await startStandIn(plainSpec(rotation, extra), { clock: clock.now });
  return standIn;
}

afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

describe('stand-in skeleton', () => {
  test('listens on 127.0.0.1 and a connected grant reads the probe', async () => {
    const s = await start('none');
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const c = s.connect();
    expect(c.expires_in).toBe(600);
    expect(c.scope).toBe('read write');
    const probe = await getProbe(s, `Bearer ${c.access_token}`);
    expect(probe.status).toBe(200);
    expect(probe.body).toEqual({ things: [1, 2] });
  });

  test('authorization codes are single use and bound to their redirect_uri', async () => {
    const s = await start('none');
    const code = s.authorizationCode('https://app.example/cb', ['read']);
    const wrong = await postToken(s, TOKEN_PATH, {
      form: { grant_type: 'authorization_code', code, redirect_uri: 'https://evil.example/cb', ...client },
    });
    expect(failureOf(wrong)).toBe('redirect_uri_mismatch');
    // The failed attempt spent the code.
    const again = await postToken(s, TOKEN_PATH, {
      form: { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/cb', ...client },
    });
    expect(failureOf(again)).toBe('invalid_code');

    const good = s.authorizationCode('https://app.example/cb', ['read']);
    const ok = await postToken(s, TOKEN_PATH, {
      form: {
        grant_type: 'authorization_code',
        code: good,
        redirect_uri: 'https://app.example/cb',
        ...client,
      },
    });
    expect(ok.status).toBe(200);
    expect(str(ok.body, 'scope')).toBe('read');
    const reuse = await postToken(s, TOKEN_PATH, {
      form: {
        grant_type: 'authorization_code',
        code: good,
        redirect_uri: 'https://app.example/cb',
        ...client,
      },
    });
    expect(failureOf(reuse)).toBe('invalid_code');
  });

  test('redirect_uri may be left out only where the provider says so', async () => {
    const strict = await start('none');
    const code = strict.authorizationCode('https://app.example/cb');
    expect(
      failureOf(
        await postToken(strict, TOKEN_PATH, { form: { grant_type: 'authorization_code', code, ...client } }),
      ),
    ).toBe('redirect_uri_mismatch');
    await strict.close();
    const lenient = await start('none', { redirectUriOptional: true });
    const code2 = lenient.authorizationCode('https://app.example/cb');
    // No grant_type either: a bare code is an authorization_code exchange.
    expect((await postToken(lenient, TOKEN_PATH, { form: { code: code2, ...client } })).status).toBe(200);
  });

  test('client authentication: Basic or body as the provider accepts, and nothing else', async () => {
    const s = await start('none', { clientAuth: ['basic'] });
    const c = s.connect();
    const viaBasic = await postToken(s, TOKEN_PATH, {
      form: { grant_type: 'refresh_token', refresh_token: c.refresh_token },
      headers: { authorization: basic('cid', 'csecret') },
    });
    expect(viaBasic.status).toBe(200);
    // Body credentials are not taken by a Basic-only provider.
    expect(failureOf(await refresh(s, c.refresh_token))).toBe('unknown_client');
    const wrongSecret = await postToken(s, TOKEN_PATH, {
      form: { grant_type: 'refresh_token', refresh_token: c.refresh_token },
      headers: { authorization: basic('cid', 'nope') },
    });
    expect(failureOf(wrongSecret)).toBe('wrong_secret');
    const wrongId = await postToken(s, TOKEN_PATH, {
      form: { grant_type: 'refresh_token', refresh_token: c.refresh_token },
      headers: { authorization: basic('other', 'csecret') },
    });
    expect(failureOf(wrongId)).toBe('unknown_client');
  });

  test("rotation 'none' answers the same refresh token every time", async () => {
    const s = await start('none');
    const c = s.connect();
    for (let i = 0; i < 3; i++) {
      const r = await refresh(s, c.refresh_token);
      expect(str(r.body, 'refresh_token')).toBe(c.refresh_token);
      expect((r.body as { new_refresh_token: boolean }).new_refresh_token).toBe(false);
    }
    expect(s.tokenStats()).toEqual({
      tokenRequests: 3,
      refreshRequests: 3,
      reusedRefreshTokens: 0,
      revokedByReuse: 0,
    });
  });

  test("rotation 'always' issues a new refresh token and the old one keeps working", async () => {
    const s = await start('always');
    const c = s.connect();
    const first = str((await refresh(s, c.refresh_token)).body, 'refresh_token');
    expect(first).not.toBe(c.refresh_token);
    clock.advance(86400);
    const again = await refresh(s, c.refresh_token);
    expect(again.status).toBe(200);
    expect(s.tokenStats().reusedRefreshTokens).toBe(1);
    expect((await refresh(s, first)).status).toBe(200);
  });

  test("rotation 'grace' keeps the old refresh token for graceSeconds, then refuses it", async () => {
    const s = await start('grace');
    const c = s.connect();
    const next = str((await refresh(s, c.refresh_token)).body, 'refresh_token');
    clock.advance(59);
    expect((await refresh(s, c.refresh_token)).status).toBe(200);
    clock.advance(2);
    expect(failureOf(await refresh(s, c.refresh_token))).toBe('dead_grant');
    // The grant lives on. `next` was rotated away by the retry at +59 s, so it is itself inside
    // its own grace window now.
    expect((await refresh(s, next)).status).toBe(200);
    expect(s.tokenStats()).toMatchObject({ reusedRefreshTokens: 3, revokedByReuse: 0 });
  });

  test("rotation 'strict': presenting a used refresh token revokes the whole grant", async () => {
    const s = await start('strict');
    const c = s.connect();
    const r = (await refresh(s, c.refresh_token)).body;
    const newest = str(r, 'refresh_token');
    const access = str(r, 'access_token');
    expect(failureOf(await refresh(s, c.refresh_token))).toBe('dead_grant');
    expect(failureOf(await refresh(s, newest))).toBe('dead_grant');
    expect((await getProbe(s, `Bearer ${access}`)).body).toEqual({ invalid: 'revoked' });
    expect(s.tokenStats()).toEqual({
      tokenRequests: 3,
      refreshRequests: 3,
      reusedRefreshTokens: 1,
      revokedByReuse: 1,
    });
  });

  test("rotation 'single-use': a used refresh token is refused, the grant and its newest token live on", async () => {
    const s = await start('single-use');
    const c = s.connect();
    const newest = str((await refresh(s, c.refresh_token)).body, 'refresh_token');
    expect(failureOf(await refresh(s, c.refresh_token))).toBe('dead_grant');
    expect((await refresh(s, newest)).status).toBe(200);
    expect(s.tokenStats()).toMatchObject({ reusedRefreshTokens: 1, revokedByReuse: 0 });
  });

  test('refreshEndsPreviousAccessToken ends the access token the refresh replaced', async () => {
    const s = await start('single-use', { refreshEndsPreviousAccessToken: true });
    const c = s.connect();
    const r = await refresh(s, c.refresh_token);
    expect((await getProbe(s, `Bearer ${c.access_token}`)).body).toEqual({ expired: '401 expired' });
    expect((await getProbe(s, `Bearer ${str(r.body, 'access_token')}`)).status).toBe(200);
  });

  test('access tokens expire by time and by expireAccessTokens(signal); new ones are unaffected', async () => {
    const s = await start('none', {}); // lifetime from the spec: 600 s
    const c = s.connect();
    clock.advance(600);
    expect((await getProbe(s, `Bearer ${c.access_token}`)).body).toEqual({ expired: '401 expired' });

    const d = s.connect();
    s.expireAccessTokens('401 invalid');
    expect((await getProbe(s, `Bearer ${d.access_token}`)).body).toEqual({ expired: '401 invalid' });
    const fresh = str((await refresh(s, d.refresh_token)).body, 'access_token');
    expect((await getProbe(s, `Bearer ${fresh}`)).status).toBe(200);
    expect(() => s.expireAccessTokens('418 teapot')).toThrow(StandInUsageError);
  });

  test('accessTokenLifetimeSeconds overrides the documented lifetime', async () => {
    clock = new Clock();
    standIn = await startStandIn(plainSpec('none'), { clock: clock.now, accessTokenLifetimeSeconds: 5 });
    const c = standIn.connect();
    expect(c.expires_in).toBe(5);
    clock.advance(5);
    expect((await getProbe(standIn, `Bearer ${c.access_token}`)).status).toBe(401);
  });

  test('missing, unknown and revoked tokens; scopes; forbid', async () => {
    const s = await start('none');
    expect((await getProbe(s)).body).toEqual({ invalid: 'missing' });
    expect((await getProbe(s, 'Bearer at_nothing')).body).toEqual({ invalid: 'unknown' });
    const narrow = s.connect(['write']);
    expect((await getProbe(s, `Bearer ${narrow.access_token}`)).body).toEqual({ scope: 'missing' });
    const c = s.connect();
    s.forbid(true);
    expect((await getProbe(s, `Bearer ${c.access_token}`)).body).toEqual({ forbidden: true });
    s.forbid(false);
    expect((await getProbe(s, `Bearer ${c.access_token}`)).status).toBe(200);
    s.revokeAll();
    expect((await getProbe(s, `Bearer ${c.access_token}`)).body).toEqual({ invalid: 'revoked' });
    expect(failureOf(await refresh(s, c.refresh_token))).toBe('dead_grant');
    expect(() => s.connect(['admin'])).toThrow(StandInUsageError);
  });

  test('rateLimit answers the next count probes with the chosen signal, then stops', async () => {
    const s = await start('none');
    const c = s.connect();
    s.rateLimit(2, 7, '503 b');
    const auth = `Bearer ${c.access_token}`;
    expect((await getProbe(s, auth)).body).toEqual({ limited: '503 b', retryAfter: 7 });
    expect((await getProbe(s, auth)).body).toEqual({ limited: '503 b', retryAfter: 7 });
    expect((await getProbe(s, auth)).status).toBe(200);
    s.rateLimit(1, 3);
    expect((await getProbe(s, auth)).body).toEqual({ limited: '429 a', retryAfter: 3 });
    expect(() => s.rateLimit(1, 1, 'nope')).toThrow(StandInUsageError);
  });

  test('failTokenEndpoint fails the next requests in order, counting them', async () => {
    const s = await start('none');
    const c = s.connect();
    s.failTokenEndpoint(1, 'outage');
    s.failTokenEndpoint(1, 'rate_limited');
    s.failTokenEndpoint(1, 'bad_client');
    expect(failureOf(await refresh(s, c.refresh_token))).toBe('outage');
    expect(failureOf(await refresh(s, c.refresh_token))).toBe('rate_limited');
    expect(failureOf(await refresh(s, c.refresh_token))).toBe('wrong_secret');
    expect((await refresh(s, c.refresh_token)).status).toBe(200);
    expect(s.tokenStats()).toMatchObject({ tokenRequests: 4, refreshRequests: 4 });
  });

  test('holdTokenRequests holds a burst until release', async () => {
    const s = await start('strict');
    const c = s.connect();
    const held = s.holdTokenRequests();
    const burst = [refresh(s, c.refresh_token), refresh(s, c.refresh_token), refresh(s, c.refresh_token)];
    for (let i = 0; i < 100 && held.waiting() < 3; i++) await new Promise((r) => setTimeout(r, 5));
    expect(held.waiting()).toBe(3);
    expect(s.tokenStats().tokenRequests).toBe(3);
    held.release();
    const answers = await Promise.all(burst);
    // Strict rotation: one wins; the next presents a used token and revokes the grant, the third
    // presents it too and finds the grant already revoked.
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(s.tokenStats()).toMatchObject({ reusedRefreshTokens: 2, revokedByReuse: 1 });
    // Requests after release are not held.
    expect(failureOf(await refresh(s, c.refresh_token))).toBe('dead_grant');
  });

  test('unknown paths answer 404 and say so', async () => {
    const s = await start('none');
    const r = await fetch(`${s.url}/elsewhere`);
    expect(r.status).toBe(404);
  });
});
