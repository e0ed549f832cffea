// CONTRACT §6: "any request to a host other than BASE_URL's -> no Authorization header".
// Requests are made from ad-hoc performs so the real beforeRequest middleware runs.
import nock from 'nock';
import type { Bundle, ZObject } from 'zapier-platform-core';
import {
  ACCESS_TOKEN,
  api,
  appError,
  appTester,
  authentication,
  BASE_URL,
  CLIENT_ID,
  CLIENT_SECRET,
  failureOf,
  liveAuth,
  REFRESH_TOKEN,
  steps,
  useTestEnvironment,
} from './support';

useTestEnvironment();

const BEARER = `Bearer ${ACCESS_TOKEN}`;
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;

/** Replies 200 and records the headers the server received. */
function recordHeaders(interceptor: nock.Interceptor): { headers: Array<Record<string, string | string[]>> } {
  const seen: { headers: Array<Record<string, string | string[]>> } = { headers: [] };
  interceptor.reply(function () {
    seen.headers.push({ ...this.req.headers });
    return [200, { ok: true }];
  });
  return seen;
}

/** Runs one z.request from an ad-hoc perform with a live connection. */
function requestFrom(url: string, headers: Record<string, string> = {}) {
  return appTester(
    async (z: ZObject, _bundle: Bundle) =>
      (await z.request({ url, headers, skipThrowForStatus: true })).data as unknown,
    { authData: liveAuth() },
  );
}

describe('the bearer token goes to BASE_URL only', () => {
  it("sends the bearer to the API's own host", async () => {
    const scope = api().get('/api/v1/me');
    const seen = recordHeaders(scope);
    await requestFrom(`${BASE_URL}/api/v1/me`);
    expect(seen.headers).toHaveLength(1);
    expect(seen.headers[0]?.authorization).toBe(BEARER);
    expect(nock.isDone()).toBe(true);
  });

  it('sends the bearer when the URL spells out the default port', async () => {
    const seen = recordHeaders(api().get('/api/v1/me'));
    await requestFrom('https://api.practice.example:443/api/v1/me');
    expect(seen.headers[0]?.authorization).toBe(BEARER);
    expect(nock.isDone()).toBe(true);
  });

  it.each([
    ['another host', 'https://hooks.other.example', '/receive'],
    [
      'a look-alike host that starts with the API host',
      'https://api.practice.example.evil.test',
      '/api/v1/me',
    ],
    ['a sibling subdomain', 'https://files.practice.example', '/api/v1/me'],
    ['the same host on another port', 'https://api.practice.example:8443', '/api/v1/me'],
    ['the same host over plain http', 'http://api.practice.example', '/api/v1/me'],
  ])('sends no Authorization header to %s', async (_label, origin, path) => {
    const scope = nock(origin).get(path);
    const seen = recordHeaders(scope);
    await requestFrom(`${origin}${path}`);
    expect(seen.headers).toHaveLength(1);
    expect(seen.headers[0]).not.toHaveProperty('authorization');
    expect(nock.isDone()).toBe(true);
  });

  it('strips a bearer the step itself put on a request to another host', async () => {
    const seen = recordHeaders(nock('https://hooks.other.example').post('/receive'));
    await appTester(
      async (z: ZObject, bundle: Bundle) =>
        (
          await z.request({
            url: 'https://hooks.other.example/receive',
            method: 'POST',
            headers: { Authorization: `Bearer ${String(bundle.authData.access_token)}` },
            body: { hello: 'world' },
          })
        ).data as unknown,
      { authData: liveAuth() },
    );
    expect(seen.headers[0]).not.toHaveProperty('authorization');
    expect(nock.isDone()).toBe(true);
  });

  it("leaves another host's own (non-bearer) Authorization header alone", async () => {
    const seen = recordHeaders(nock('https://hooks.other.example').get('/receive'));
    await requestFrom('https://hooks.other.example/receive', { Authorization: 'Token other-service-key' });
    expect(seen.headers[0]?.authorization).toBe('Token other-service-key');
    expect(nock.isDone()).toBe(true);
  });

  it('sends no bearer to the revocation endpoint on the API host', async () => {
    const seen = recordHeaders(api().post('/oauth/revoke'));
    await appTester(
      async (z: ZObject) =>
        (await z.request({ url: `${BASE_URL}/oauth/revoke`, method: 'POST', body: { token: 'x' } }))
          .data as unknown,
      { authData: liveAuth() },
    );
    expect(seen.headers[0]).not.toHaveProperty('authorization');
    expect(nock.isDone()).toBe(true);
  });

  it('sends HTTP Basic client credentials, not the bearer, to the token endpoint', async () => {
    const scope = api()
      .post('/oauth/token', { grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN })
      .matchHeader('authorization', BASIC)
      .reply(200, { access_token: 'pat_next', token_type: 'Bearer', expires_in: 3600 });
    await appTester(authentication.oauth2Config.refreshAccessToken, { authData: liveAuth() });
    expect(scope.isDone()).toBe(true);
  });

  // No redirect is followed at all (test/auth/redirects.test.ts does it over real sockets).
  it.each([
    ['another host', 'https://downloads.other.example', '/file'],
    ['plain http on the same host', 'http://api.practice.example', '/file'],
  ])(
    'follows no redirect from the API to %s: nothing reaches it, the step fails',
    async (_l, origin, path) => {
      const first = api()
        .get('/api/v1/export')
        .matchHeader('authorization', BEARER)
        .reply(302, '', {
          Location: `${origin}${path}?token=${ACCESS_TOKEN}`,
        });
      const target = nock(origin).get(path).query(true).reply(200, { stolen: true });
      const error = await failureOf(requestFrom(`${BASE_URL}/api/v1/export`));
      expect(first.isDone()).toBe(true);
      expect(target.isDone()).toBe(false);
      expect(appError(error)).toMatchObject({ code: 'redirect_refused', status: 502 });
      expect(appError(error).message).toContain(
        `with a redirect (HTTP 302 to ${origin}) for GET /api/v1/export.`,
      );
      expect(error.message).not.toContain(ACCESS_TOKEN);
    },
  );
});

describe('BASE_URL with a path prefix', () => {
  const GATEWAY = 'https://gw.practice.example';
  let previous: string | undefined;
  beforeEach(() => {
    previous = process.env.BASE_URL;
    process.env.BASE_URL = `${GATEWAY}/practice/`;
  });
  afterEach(() => {
    if (previous === undefined) delete process.env.BASE_URL;
    else process.env.BASE_URL = previous;
  });

  it('calls the API under the prefix with the bearer', async () => {
    const scope = nock(GATEWAY)
      .get('/practice/api/v1/clients')
      .query({ sort: '-created_at', limit: '100' })
      .matchHeader('authorization', BEARER)
      .reply(200, { data: [{ id: 'cli_1' }], next_cursor: null });
    const result = await steps.newClient(liveAuth());
    expect(result).toEqual([{ id: 'cli_1' }]);
    expect(scope.isDone()).toBe(true);
  });

  it.each([
    ['outside the prefix', '/other/api/v1/clients'],
    ['on a path that merely starts with the prefix text', '/practice-evil/api/v1/clients'],
    ['that climbs out of the prefix with ..', '/practice/../other'],
  ])('sends no bearer to the same host %s', async (_label, path) => {
    const seen = recordHeaders(nock(GATEWAY).get(path.replace('/practice/..', '')));
    await requestFrom(`${GATEWAY}${path}`);
    expect(seen.headers).toHaveLength(1);
    expect(seen.headers[0]).not.toHaveProperty('authorization');
    expect(nock.isDone()).toBe(true);
  });

  it('sends Basic, not the bearer, to the token endpoint under the prefix', async () => {
    const scope = nock(GATEWAY)
      .post('/practice/oauth/token', { grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN })
      .matchHeader('authorization', BASIC)
      .reply(200, { access_token: 'pat_next', token_type: 'Bearer', expires_in: 60 });
    const authData = await appTester(authentication.oauth2Config.refreshAccessToken, {
      authData: liveAuth(),
    });
    expect(authData).toMatchObject({ access_token: 'pat_next', refresh_token: REFRESH_TOKEN });
    expect(scope.isDone()).toBe(true);
  });

  it('puts the prefix into the authorize URL', async () => {
    const url = await appTester(authentication.oauth2Config.authorizeUrl, {
      inputData: {
        state: 's1',
        redirect_uri: 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/',
      },
    });
    expect(String(url).startsWith(`${GATEWAY}/practice/oauth/authorize?`)).toBe(true);
  });
});
