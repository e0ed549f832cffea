// layer.request, the one call an adopter's step makes: through core's z.request and the hardened
// app's middleware (createAppTester, nock), with nothing of harden's step wrapper around it, so
// that what it throws is its own.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import zapier, { type Bundle, type ZObject } from 'zapier-platform-core';
import { createLayer, type LayerRequest } from 'zapier-oauth-layer';
import { practiceProfile } from '../../practice/profile';
import { appError, failureOf, headline } from '../errors';
import { closedPort } from '../harness/tiny-app';
import {
  ACCESS_TOKEN,
  api,
  BASE_URL,
  CLIENT_SECRET,
  liveAuth,
  REFRESH_TOKEN,
  useTestEnvironment,
} from '../helpers';

useTestEnvironment();

const layer = createLayer(practiceProfile);
const app = layer.harden({
  version: '1.0.0',
  platformVersion: zapier.version,
  authentication: layer.authentication({ test: async () => ({}), connectionLabel: 'request' }),
});
const tester = zapier.createAppTester(app) as unknown as (
  fn: (z: ZObject, bundle: Bundle) => unknown,
  bundle: unknown,
) => Promise<unknown>;

/** Runs one layer.request inside core (a function of no step: core's _testRequest), with a live connection. */
function call(request: LayerRequest | ((bundle: Bundle) => LayerRequest), authData = liveAuth()) {
  return tester(
    async (z, bundle) => {
      const response = await layer.request(z, typeof request === 'function' ? request(bundle) : request);
      return { status: response.status, data: response.data };
    },
    { authData, inputData: {} },
  );
}

afterEach(() => {
  delete process.env.OAUTH_REQUEST_TIMEOUT_MS;
  process.env.BASE_URL = BASE_URL;
});

describe('where it goes and what it sends', () => {
  it('builds the URL from a path under the base, the query without undefined or null values', async () => {
    let seen: { path: string; authorization: string | undefined } | undefined;
    api()
      .get('/api/v1/clients')
      .query(true)
      .reply(function (uri) {
        seen = { path: uri, authorization: this.req.headers.authorization };
        return [200, { data: [] }];
      });
    await expect(
      call({ path: '/api/v1/clients', params: { limit: 5, name: 'Ada', sort: undefined, cursor: null } }),
    ).resolves.toEqual({ status: 200, data: { data: [] } });
    expect(seen).toEqual({
      path: '/api/v1/clients?limit=5&name=Ada',
      authorization: `Bearer ${ACCESS_TOKEN}`,
    });
  });

  it('sends a json body as JSON', async () => {
    api()
      .post('/api/v1/clients', { name: 'Ada' })
      .matchHeader('content-type', /application\/json/)
      .reply(201, { id: 'cli_1' });
    await expect(call({ method: 'POST', path: '/api/v1/clients', json: { name: 'Ada' } })).resolves.toEqual({
      status: 201,
      data: { id: 'cli_1' },
    });
  });

  // Core drops a falsy body and sends a string body as it is: a JSON value that is not an object
  // or array must be encoded here, or null, 0 and false leave as no body and "Ada" as Ada.
  it.each([
    ['a string', 'Ada', '"Ada"'],
    ['null', null, 'null'],
    ['zero', 0, '0'],
    ['false', false, 'false'],
    ['an object', { name: 'Ada' }, '{"name":"Ada"}'],
  ])('sends %s given as json as that JSON value', async (_what, json, sent) => {
    let seen: { body: string; type: string | undefined } | undefined;
    nock(BASE_URL)
      .post('/api/v1/values')
      .reply(function (_uri, body) {
        // nock parses a JSON body (and fails the request on one that is not JSON): written back,
        // it is what was sent; an empty body comes as "" and is written back as '""'.
        seen = { body: JSON.stringify(body), type: this.req.headers['content-type'] };
        return [200, { ok: true }];
      });
    await call({ method: 'POST', path: '/api/v1/values', json });
    expect(seen).toEqual({ body: sent, type: expect.stringMatching(/^application\/json/) });
  });

  it('hands back an answer of any status with skipThrowForStatus', async () => {
    api()
      .get('/api/v1/clients/cli_9')
      .reply(404, { error: { code: 'not_found', message: 'none' } });
    await expect(call({ path: '/api/v1/clients/cli_9', skipThrowForStatus: true })).resolves.toMatchObject({
      status: 404,
    });
  });

  it.each([['api/v1/clients'], ['//elsewhere.example/x'], ['https://elsewhere.example/x']])(
    'refuses %s, which is not a path under the base, before any request',
    async (path) => {
      const error = await failureOf(call({ path }));
      expect(error.name).toBe('TypeError');
      expect(error.message).toMatch(/a path under the API's base starting with one "\/"/);
    },
  );

  it('refuses a json body and another body together', async () => {
    const error = await failureOf(call({ method: 'POST', path: '/api/v1/clients', json: {}, body: 'x' }));
    expect(headline(error)).toMatch(
      /^layer.request takes a JSON body \(json\) or another body \(body\), not both/,
    );
  });

  it.each([
    ['outside the API prefix', '/public/status'],
    ['the token endpoint', '/oauth/token'],
    ['out of the prefix by ..', '/api/../oauth/token'],
  ])(
    'refuses a path %s: it would leave without the token, and a 401 would cost a refresh',
    async (_, path) => {
      const error = await failureOf(call({ path }));
      expect(error.name).toBe('TypeError');
      expect(error.message).toMatch(
        /layer.request calls Practice's API \(endpoints.api: \/api\/\); GET .* is not under it/,
      );
    },
  );

  it('names the misconfigured variable when the base is not a URL', async () => {
    process.env.BASE_URL = 'not a url';
    const error = appError(await failureOf(call({ path: '/api/v1/me' })));
    expect(error.status).toBe(500);
    expect(error.message).toContain('BASE_URL');
  });
});

/** A server on 127.0.0.1 that resets every connection as soon as a request arrives. */
async function resettingServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req) => req.socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('failures below HTTP', () => {
  // Real sockets on 127.0.0.1 for resets and refusals (nock's replyWithError does not reach
  // node-fetch as a FetchError under core); nothing else may connect.
  let server: Awaited<ReturnType<typeof resettingServer>>;
  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1');
    server = await resettingServer();
  });
  afterAll(async () => {
    await server.close();
    nock.disableNetConnect();
  });

  it('a timeout: the seconds waited and what was called, with "try again" for a read', async () => {
    process.env.OAUTH_REQUEST_TIMEOUT_MS = '100';
    api().get('/api/v1/me').delay(1000).reply(200, {});
    const error = appError(await failureOf(call({ path: '/api/v1/me' })));
    expect(error).toEqual({
      code: 'timeout',
      status: NaN,
      message:
        'Could not reach Practice: Practice did not answer within 0.1 seconds (GET /api/v1/me). ' +
        'Try again in a few minutes; if it keeps happening, Practice may be down.',
    });
  });

  it('a reset connection on a write: Practice may have received it anyway', async () => {
    process.env.BASE_URL = server.url;
    const error = appError(
      await failureOf(call({ method: 'POST', path: '/api/v1/clients', json: { name: 'A' } })),
    );
    expect(error.code).toBe('network_error');
    expect(error.message).toBe(
      'Could not reach Practice: the connection was reset before Practice answered (POST /api/v1/clients). ' +
        'Practice may have received the request anyway: check Practice before running this step again.',
    );
  });

  it('a POST that writes nothing (a search) says "try again" when it says writes: false', async () => {
    process.env.BASE_URL = `http://127.0.0.1:${await closedPort()}`;
    const error = appError(await failureOf(call({ method: 'POST', path: '/api/v1/search', writes: false })));
    expect(error.message).toBe(
      'Could not reach Practice: the connection was refused (POST /api/v1/search). ' +
        'Try again in a few minutes; if it keeps happening, Practice may be down.',
    );
  });

  it('passes any other error through untouched', async () => {
    api()
      .get('/api/v1/me')
      .reply(500, { error: { code: 'internal', message: 'boom' } });
    // harden's default: a server error is core's ResponseError, not the helper's business.
    const error = await failureOf(call({ path: '/api/v1/me' }));
    expect(error.name).toBe('ResponseError');
  });

  describe('secrets never in its message', () => {
    beforeEach(() => {
      process.env.BASE_URL = server.url;
    });

    it('neither the query nor a token in the path', async () => {
      const error = await failureOf(
        call((bundle) => ({
          path: `/api/v1/tokens/${String(bundle.authData.access_token)}?refresh=${String(bundle.authData.refresh_token)}`,
          params: { secret: CLIENT_SECRET },
          bundle,
        })),
      );
      expect(appError(error).message).toContain('(GET /api/v1/tokens/');
      for (const secret of [ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET]) {
        expect(error.message).not.toContain(secret);
        expect(error.stack ?? '').not.toContain(secret);
      }
    });

    it('an access token of no known shape in the path, when the bundle is passed', async () => {
      const opaque = 'Opaque7AccessTokenWithNoPrefix';
      const error = await failureOf(
        call((bundle) => ({ path: `/api/v1/tokens/${String(bundle.authData.access_token)}`, bundle }), {
          ...liveAuth(),
          access_token: opaque,
        }),
      );
      expect(appError(error).message).toContain('(GET /api/v1/tokens/');
      expect(error.message).not.toContain(opaque);
    });

    it('a token-shaped path segment is redacted by the profile’s prefixes even without the bundle', async () => {
      const error = await failureOf(call({ path: `/api/v1/tokens/${ACCESS_TOKEN}` }));
      expect(appError(error).message).toContain('(GET /api/v1/tokens/');
      expect(error.message).not.toContain(ACCESS_TOKEN);
    });

    it('`what` names the call instead of its path', async () => {
      const error = appError(
        await failureOf(
          call({ path: '/api/v1/tokens/opaque-secret-value', what: 'GET /api/v1/tokens/{token}' }),
        ),
      );
      expect(error.message).toContain('(GET /api/v1/tokens/{token})');
      expect(error.message).not.toContain('opaque-secret-value');
    });
  });
});
