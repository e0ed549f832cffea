// CONTRACT §6 on plain endpoints (errors carry their HTTP status): one test per row,
// for a read (new_client: GET /api/v1/clients) and a write (create_client: POST /api/v1/clients).
import type nock from 'nock';
import {
  ACCESS_TOKEN,
  api,
  appError,
  CLIENT_INPUT,
  failureOf,
  headline,
  liveAuth,
  steps,
  throttled,
  useTestEnvironment,
  WWW_EXPIRED,
  WWW_SCOPE,
} from './support';

useTestEnvironment();

interface PlainStep {
  name: string;
  /** The one interceptor the step's request must hit: method, path, query/body and bearer. */
  expect: () => nock.Interceptor;
  run: () => Promise<unknown>;
}

const plainSteps: PlainStep[] = [
  {
    name: 'new_client (GET /api/v1/clients)',
    expect: () =>
      api()
        .get('/api/v1/clients')
        .query({ sort: '-created_at', limit: '100' })
        .matchHeader('authorization', `Bearer ${ACCESS_TOKEN}`),
    run: () => steps.newClient(liveAuth()),
  },
  {
    name: 'create_client (POST /api/v1/clients)',
    expect: () =>
      api()
        .post('/api/v1/clients', CLIENT_INPUT)
        .matchHeader('authorization', `Bearer ${ACCESS_TOKEN}`)
        .matchHeader('content-type', /application\/json/),
    run: () => steps.createClient(liveAuth()),
  },
];

describe.each(plainSteps)('$name', ({ expect: intercept, run }) => {
  describe('401 (any)', () => {
    it('raises RefreshAuthError on a bare 401', async () => {
      const scope = intercept().reply(401, '');
      const error = await failureOf(run());
      expect(error.name).toBe('RefreshAuthError');
      expect(scope.isDone()).toBe(true);
    });

    it('raises RefreshAuthError on 401 invalid_token with a body and challenge', async () => {
      const scope = intercept().reply(
        401,
        { error: { code: 'invalid_token', message: 'The access token was revoked' } },
        { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      );
      const error = await failureOf(run());
      expect(error.name).toBe('RefreshAuthError');
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('403 token_expired (K1)', () => {
    it('refreshes when the gateway answers 403 token_expired with a body, naming the cause', async () => {
      const scope = intercept().reply(
        403,
        { error: { code: 'token_expired', message: 'The access token expired' } },
        { 'WWW-Authenticate': WWW_EXPIRED },
      );
      const error = await failureOf(run());
      expect(error.name).toBe('RefreshAuthError');
      expect(headline(error)).toContain('HTTP 403 token_expired');
      expect(headline(error)).toMatch(/access token expired or was rejected/);
      expect(scope.isDone()).toBe(true);
    });

    it('refreshes when the gateway answers 403 with an empty body and only the invalid_token challenge', async () => {
      const scope = intercept().reply(403, '', { 'WWW-Authenticate': WWW_EXPIRED });
      const error = await failureOf(run());
      expect(error.name).toBe('RefreshAuthError');
      expect(headline(error)).toContain('HTTP 403 with WWW-Authenticate error="invalid_token" and no body');
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('insufficient_scope (K4)', () => {
    it('does not refresh on 403 insufficient_scope and names the missing scope and how to approve it', async () => {
      const scope = intercept().reply(
        403,
        {
          error: {
            code: 'insufficient_scope',
            message: 'This token lacks tasks:write',
            details: { required_scope: 'tasks:write', granted_scope: 'clients:read tasks:read' },
          },
        },
        { 'WWW-Authenticate': WWW_SCOPE },
      );
      const error = await failureOf(run());
      const body = appError(error);
      expect(body.code).toBe('insufficient_scope');
      expect(body.status).toBe(403);
      expect(body.message).toContain('missing the "tasks:write" permission (Create and complete tasks)');
      expect(body.message).toContain(
        'Reconnect your Practice account in Zapier and approve "Create and complete tasks"',
      );
      expect(scope.isDone()).toBe(true);
    });

    it('does not refresh on 403 insufficient_scope carried only in the WWW-Authenticate header', async () => {
      const scope = intercept().reply(403, '', { 'WWW-Authenticate': WWW_SCOPE });
      const error = await failureOf(run());
      const body = appError(error);
      expect(body.code).toBe('insufficient_scope');
      expect(body.status).toBe(403);
      expect(body.message).toContain('"tasks:write" permission');
      expect(body.message).toMatch(/Reconnect your Practice account .* approve "Create and complete tasks"/);
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('forbidden (K5)', () => {
    it("does not refresh on 403 forbidden and carries the API's message", async () => {
      const scope = intercept().reply(403, {
        error: { code: 'forbidden', message: 'Staff members cannot archive clients' },
      });
      const error = await failureOf(run());
      const body = appError(error);
      expect(body.code).toBe('forbidden');
      expect(body.status).toBe(403);
      expect(body.message).toContain('Practice says: "Staff members cannot archive clients"');
      expect(body.message).toMatch(/member role/);
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('throttling (K3)', () => {
    it('throws ThrottledError with the Retry-After delay on 429', async () => {
      const scope = intercept().reply(
        429,
        { error: { code: 'rate_limited', message: 'Slow down' } },
        { 'Retry-After': '30' },
      );
      const error = await failureOf(run());
      const body = throttled(error);
      expect(body.delay).toBe(30);
      // Our message, not core's "The server returned 429": the app sees the 429 itself.
      expect(body.message).toBe(
        "Practice's rate limit was reached (HTTP 429 rate_limited). Zapier will retry after 30 seconds.",
      );
      expect(scope.isDone()).toBe(true);
    });

    it('takes the delay from a Retry-After sent as an HTTP-date on 429', async () => {
      const retryAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 45_000).toUTCString();
      const scope = intercept().reply(
        429,
        { error: { code: 'rate_limited', message: 'Slow down' } },
        { 'Retry-After': retryAt },
      );
      const body = throttled(await failureOf(run()));
      expect(body.delay).toBeGreaterThanOrEqual(43);
      expect(body.delay).toBeLessThanOrEqual(46);
      expect(body.message).toMatch(/Practice's rate limit was reached \(HTTP 429 rate_limited\)/);
      expect(scope.isDone()).toBe(true);
    });

    it('throttles a bare 429 without a body or Retry-After, with our message', async () => {
      const scope = intercept().reply(429, '');
      const body = throttled(await failureOf(run()));
      expect(body.message).toBe("Practice's rate limit was reached (HTTP 429). Zapier will retry shortly.");
      expect(scope.isDone()).toBe(true);
    });

    it('throws ThrottledError with the Retry-After delay on 403 rate_limited', async () => {
      const scope = intercept().reply(
        403,
        { error: { code: 'rate_limited', message: 'Too many requests' } },
        { 'Retry-After': '12' },
      );
      const error = await failureOf(run());
      const body = throttled(error);
      expect(body.delay).toBe(12);
      expect(body.message).toContain('after 12 seconds');
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('other API errors', () => {
    it('turns 422 validation_failed into field-level text naming each field', async () => {
      const scope = intercept().reply(422, {
        error: {
          code: 'validation_failed',
          message: 'Validation failed',
          details: {
            fields: { email: 'is not a valid email address', name: ['is required', 'is too short'] },
          },
        },
      });
      const body = appError(await failureOf(run()));
      expect(body.code).toBe('validation_failed');
      expect(body.status).toBe(422);
      expect(body.message).toContain('email: is not a valid email address');
      expect(body.message).toContain('name: is required; is too short');
      expect(scope.isDone()).toBe(true);
    });

    it('turns 404 not_found into a not-found error', async () => {
      const scope = intercept().reply(404, { error: { code: 'not_found', message: 'No such client' } });
      const body = appError(await failureOf(run()));
      expect(body).toMatchObject({ code: 'not_found', status: 404 });
      expect(body.message).toContain('Practice says: "No such client"');
      expect(scope.isDone()).toBe(true);
    });

    it('turns 409 conflict into an error naming the existing record', async () => {
      const scope = intercept().reply(409, {
        error: {
          code: 'conflict',
          message: 'external_id already used',
          details: { existing_id: 'cli_0042' },
        },
      });
      const body = appError(await failureOf(run()));
      expect(body).toMatchObject({ code: 'conflict', status: 409 });
      expect(body.message).toContain('id cli_0042');
      expect(scope.isDone()).toBe(true);
    });

    it('turns 500 internal into a server error', async () => {
      const scope = intercept().reply(500, { error: { code: 'internal', message: 'Boom' } });
      const body = appError(await failureOf(run()));
      expect(body).toMatchObject({ code: 'internal', status: 500 });
      expect(body.message).toMatch(/internal error \(HTTP 500 internal\)/);
      expect(scope.isDone()).toBe(true);
    });

    it('turns 503 with Retry-After into ThrottledError with that delay', async () => {
      const scope = intercept().reply(
        503,
        { error: { code: 'unavailable', message: 'Maintenance' } },
        { 'Retry-After': '120' },
      );
      const body = throttled(await failureOf(run()));
      expect(body.delay).toBe(120);
      expect(body.message).toContain('temporarily unavailable (HTTP 503 unavailable)');
      expect(scope.isDone()).toBe(true);
    });

    it('turns 503 without Retry-After into an unavailable error', async () => {
      const scope = intercept().reply(503, '<html><body>Service Unavailable</body></html>', {
        'Content-Type': 'text/html',
      });
      const body = appError(await failureOf(run()));
      expect(body).toMatchObject({ code: 'unavailable', status: 503 });
      expect(scope.isDone()).toBe(true);
    });

    it('refuses an HTML page sent with HTTP 200 instead of returning it as data', async () => {
      const scope = intercept().reply(200, '<!doctype html><html><body>Login</body></html>', {
        'Content-Type': 'text/html',
      });
      const body = appError(await failureOf(run()));
      expect(body).toMatchObject({ code: 'bad_response', status: 200 });
      expect(body.message).toContain('HTTP 200 with a body that is not JSON');
      expect(scope.isDone()).toBe(true);
    });
  });
});
