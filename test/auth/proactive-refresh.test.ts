// CONTRACT §6: "expires_at known and within a small skew of now -> refresh before
// calling the API: no request is spent on a dead token". The clock is frozen so the
// skew boundary can be tested to the second.
import nock from 'nock';
import { EXPIRY_SKEW_SECONDS, refreshMarginSeconds } from 'zapier-oauth-layer/internal';
import {
  ACCESS_TOKEN,
  api,
  appTester,
  authentication,
  failureOf,
  headline,
  liveAuth,
  REFRESH_TOKEN,
  steps,
  unmatchedRequests,
  useTestEnvironment,
} from './support';

useTestEnvironment();

const NOW_MS = Date.parse('2026-03-01T12:00:00Z');
const NOW = NOW_MS / 1000;

let unmatched: ReturnType<typeof unmatchedRequests>;
beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW_MS);
  unmatched = unmatchedRequests();
});
afterEach(() => {
  unmatched.stop();
  jest.restoreAllMocks();
});

function listInterceptor() {
  return api()
    .get('/api/v1/clients')
    .query({ sort: '-created_at', limit: '100' })
    .matchHeader('authorization', `Bearer ${ACCESS_TOKEN}`)
    .reply(200, { data: [{ id: 'cli_1' }], next_cursor: null });
}

describe('a known-dead token is refreshed before any request', () => {
  it('refreshes before calling the API when expires_at is in the past', async () => {
    const scope = listInterceptor();
    const error = await failureOf(steps.newClient(liveAuth({ expires_at: NOW - 600 })));
    expect(error.name).toBe('RefreshAuthError');
    expect(headline(error)).toContain('expired at 2026-03-01T11:50:00.000Z');
    expect(scope.isDone()).toBe(false);
    expect(unmatched.urls).toEqual([]);
  });

  it('refreshes before calling the API when expires_at is exactly now', async () => {
    const scope = listInterceptor();
    const error = await failureOf(steps.newClient(liveAuth({ expires_at: NOW })));
    expect(error.name).toBe('RefreshAuthError');
    expect(scope.isDone()).toBe(false);
  });

  it('refreshes before calling the API when expires_at is inside the skew', async () => {
    const scope = listInterceptor();
    const error = await failureOf(steps.newClient(liveAuth({ expires_at: NOW + EXPIRY_SKEW_SECONDS - 1 })));
    expect(error.name).toBe('RefreshAuthError');
    expect(headline(error)).toContain(`expires in ${EXPIRY_SKEW_SECONDS - 1} s`);
    expect(scope.isDone()).toBe(false);
    expect(unmatched.urls).toEqual([]);
  });

  it('refreshes before a POST too, so a create is never sent on a dead token', async () => {
    const scope = api().post('/api/v1/clients').reply(201, { id: 'cli_9' });
    const error = await failureOf(steps.createClient(liveAuth({ expires_at: NOW - 1 })));
    expect(error.name).toBe('RefreshAuthError');
    expect(scope.isDone()).toBe(false);
    expect(unmatched.urls).toEqual([]);
  });

  it('refreshes before calling the legacy endpoint when expires_at has passed', async () => {
    const scope = api().get('/api/v1/clients/search').query(true).reply(200, { ok: true, data: [] });
    const error = await failureOf(steps.findClient(liveAuth({ expires_at: NOW - 1 })));
    expect(error.name).toBe('RefreshAuthError');
    expect(scope.isDone()).toBe(false);
  });

  it('reads expires_at given as a numeric string', async () => {
    const scope = listInterceptor();
    const error = await failureOf(steps.newClient(liveAuth({ expires_at: String(NOW - 5) })));
    expect(error.name).toBe('RefreshAuthError');
    expect(scope.isDone()).toBe(false);
    expect(unmatched.urls).toEqual([]);
  });

  it('refreshes before the connection test (GET /api/v1/me) as well', async () => {
    const scope = api().get('/api/v1/me').reply(200, { id: 'mem_1' });
    const error = await failureOf(
      appTester(authentication.test, { authData: liveAuth({ expires_at: NOW }) }),
    );
    expect(error.name).toBe('RefreshAuthError');
    expect(scope.isDone()).toBe(false);
  });
});

it('records an unmocked request, so "no request was made" can fail', async () => {
  const error = await failureOf(steps.newClient(liveAuth({ expires_at: NOW + 3600 })));
  expect(error.name).not.toBe('RefreshAuthError');
  expect(unmatched.urls).toEqual([expect.stringContaining('/api/v1/clients')]);
});

describe('the request goes out when the expiry is not known to be near', () => {
  it.each([
    ['exactly the skew away', NOW + EXPIRY_SKEW_SECONDS],
    ['an hour away', NOW + 3600],
    ['an hour away, as a numeric string', String(NOW + 3600)],
    ['0 (unknown)', 0],
    ['absent', undefined],
    ['null', null],
    ['garbage text', 'soon'],
    ['a negative number', -5],
    ['a fractional string', `${NOW - 100}.5`],
    ['NaN', Number.NaN],
  ])('calls the API when expires_at is %s', async (_label, expiresAt) => {
    const scope = listInterceptor();
    const authData = liveAuth({ expires_at: expiresAt });
    if (expiresAt === undefined) delete (authData as Record<string, unknown>).expires_at;
    await expect(steps.newClient(authData)).resolves.toEqual([{ id: 'cli_1' }]);
    expect(scope.isDone()).toBe(true);
  });

  it('never refreshes early for the token endpoint: refreshAccessToken with a dead expires_at still posts', async () => {
    const scope = api()
      .post('/oauth/token', { grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN })
      .reply(200, {
        access_token: 'pat_new_access',
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: 'prt_new_refresh',
        scope: 'clients:read',
      });
    const authData = await appTester(authentication.oauth2Config.refreshAccessToken, {
      authData: liveAuth({ expires_at: NOW - 3600 }),
    });
    expect(authData).toStrictEqual({
      access_token: 'pat_new_access',
      refresh_token: 'prt_new_refresh',
      expires_at: NOW + 3600,
      expires_in: 3600,
      scope: 'clients:read',
    });
    expect(scope.isDone()).toBe(true);
  });

  it('never refreshes early for a request to another host', async () => {
    const scope = nock('https://hooks.other.example').get('/hook').reply(200, { ok: 1 });
    const result = await appTester(
      async (z) => (await z.request({ url: 'https://hooks.other.example/hook' })).data as unknown,
      { authData: liveAuth({ expires_at: NOW - 3600 }) },
    );
    expect(result).toEqual({ ok: 1 });
    expect(scope.isDone()).toBe(true);
  });
});

// CONTRACT §6: "expires_in shorter than the refresh-ahead margin: the token is used; the margin
// shrinks with the token's lifetime; never a refresh loop".
describe('short-lived tokens', () => {
  it.each([1, 2, 5, 8, 10, 30])(
    'uses a token issued for %i s at once instead of refreshing it forever',
    async (lifetime) => {
      const scope = listInterceptor();
      await steps.newClient(liveAuth({ expires_at: NOW + lifetime, expires_in: lifetime }));
      expect(scope.isDone()).toBe(true);
      expect(unmatched.urls).toEqual([]);
    },
  );

  it('takes expires_in as Zapier may store it, a numeric string', async () => {
    const scope = listInterceptor();
    await steps.newClient(liveAuth({ expires_at: String(NOW + 5), expires_in: '5' }));
    expect(scope.isDone()).toBe(true);
  });

  it('still refreshes a short-lived token in the last second of its life', async () => {
    const scope = listInterceptor();
    const error = await failureOf(steps.newClient(liveAuth({ expires_at: NOW, expires_in: 5 })));
    expect(error.name).toBe('RefreshAuthError');
    expect(scope.isDone()).toBe(false);
  });

  it('keeps the full margin for an hour-long token and for connections made before expires_in was stored', () => {
    const bundle = (authData: Record<string, unknown>) =>
      ({ authData }) as unknown as Parameters<typeof refreshMarginSeconds>[0];
    expect(refreshMarginSeconds(bundle({ expires_in: 3600 }))).toBe(EXPIRY_SKEW_SECONDS);
    expect(refreshMarginSeconds(bundle({}))).toBe(EXPIRY_SKEW_SECONDS);
    expect(refreshMarginSeconds(bundle({ expires_in: 'garbage' }))).toBe(EXPIRY_SKEW_SECONDS);
    expect(refreshMarginSeconds(bundle({ expires_in: 8 }))).toBe(2);
    expect(refreshMarginSeconds(bundle({ expires_in: 1 }))).toBe(1);
  });

  it('stores the lifetime beside expires_at, so the next step knows the margin', async () => {
    api().post('/oauth/token').reply(200, {
      access_token: 'pat_short_lived_token_0001',
      token_type: 'Bearer',
      expires_in: '5',
      refresh_token: 'prt_short_lived_refresh_0001',
    });
    const authData = await appTester(authentication.oauth2Config.refreshAccessToken, {
      authData: liveAuth(),
    });
    expect(authData).toMatchObject({ expires_at: NOW + 5, expires_in: 5 });
  });
});
