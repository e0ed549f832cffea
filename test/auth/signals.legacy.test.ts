// CONTRACT §6 on a legacy endpoint (K2): find_client calls GET /api/v1/clients/search,
// which answers every API error as HTTP 200 {ok:false, error:{code, message, details}}.
// Gateway-level signals (401, K1's 403, 429, 5xx) reach it with their real status.
import {
  ACCESS_TOKEN,
  api,
  appError,
  failureOf,
  headline,
  liveAuth,
  SEARCH_EMAIL,
  steps,
  throttled,
  useTestEnvironment,
  WWW_EXPIRED,
  WWW_SCOPE,
} from './support';

useTestEnvironment();

function search() {
  return api()
    .get('/api/v1/clients/search')
    .query({ email: SEARCH_EMAIL })
    .matchHeader('authorization', `Bearer ${ACCESS_TOKEN}`);
}

function legacyError(code: string, message: string, details: Record<string, unknown> = {}) {
  return { ok: false, error: { code, message, details } };
}

const run = () => steps.findClient(liveAuth());

describe('find_client on the legacy search endpoint', () => {
  it('returns the clients of an ok:true answer', async () => {
    const client = { id: 'cli_1', name: 'Acme Bookkeeping Ltd', email: SEARCH_EMAIL };
    const scope = search().reply(200, { ok: true, data: [client] });
    await expect(run()).resolves.toEqual([client]);
    expect(scope.isDone()).toBe(true);
  });

  describe('401 (any)', () => {
    it('raises RefreshAuthError on a 401 from the gateway', async () => {
      const scope = search().reply(401, '', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
      expect((await failureOf(run())).name).toBe('RefreshAuthError');
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('403 token_expired (K1)', () => {
    it('refreshes when the gateway answers 403 token_expired with a body, naming the cause', async () => {
      const scope = search().reply(
        403,
        { error: { code: 'token_expired', message: 'The access token expired' } },
        { 'WWW-Authenticate': WWW_EXPIRED },
      );
      const error = await failureOf(run());
      expect(error.name).toBe('RefreshAuthError');
      expect(headline(error)).toContain('HTTP 403 token_expired');
      expect(scope.isDone()).toBe(true);
    });

    it('refreshes when the gateway answers 403 with an empty body and only the invalid_token challenge', async () => {
      const scope = search().reply(403, '', { 'WWW-Authenticate': WWW_EXPIRED });
      const error = await failureOf(run());
      expect(error.name).toBe('RefreshAuthError');
      expect(headline(error)).toContain('WWW-Authenticate error="invalid_token" and no body');
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('200 ok:false token_expired / invalid_token (K2)', () => {
    it('refreshes on 200 ok:false token_expired, naming the cause', async () => {
      const scope = search().reply(200, legacyError('token_expired', 'The access token expired'));
      const error = await failureOf(run());
      expect(error.name).toBe('RefreshAuthError');
      expect(headline(error)).toContain('HTTP 200 ok:false token_expired');
      expect(scope.isDone()).toBe(true);
    });

    it('refreshes on 200 ok:false invalid_token, naming the cause', async () => {
      const scope = search().reply(200, legacyError('invalid_token', 'Unknown token'));
      const error = await failureOf(run());
      expect(error.name).toBe('RefreshAuthError');
      expect(headline(error)).toContain('HTTP 200 ok:false invalid_token');
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('insufficient_scope (K4)', () => {
    it('does not refresh on 200 ok:false insufficient_scope and names the scope to approve', async () => {
      const scope = search().reply(
        200,
        legacyError('insufficient_scope', 'Missing scope', {
          required_scope: 'clients:read',
          granted_scope: 'tasks:read',
        }),
      );
      const body = appError(await failureOf(run()));
      expect(body).toMatchObject({ code: 'insufficient_scope', status: 200 });
      expect(body.message).toContain('missing the "clients:read" permission (View clients)');
      expect(body.message).toContain('Reconnect your Practice account in Zapier and approve "View clients"');
      expect(scope.isDone()).toBe(true);
    });

    it('does not refresh on a gateway 403 carrying only the insufficient_scope challenge', async () => {
      const scope = search().reply(403, '', { 'WWW-Authenticate': WWW_SCOPE });
      const body = appError(await failureOf(run()));
      expect(body.status).toBe(403);
      expect(body.message).toContain('"tasks:write" permission (Create and complete tasks)');
      expect(body.message).toContain('approve "Create and complete tasks"');
      expect(scope.isDone()).toBe(true);
    });

    it('names an unknown scope verbatim when Practice has no label for it', async () => {
      const scope = search().reply(
        200,
        legacyError('insufficient_scope', 'Missing scope', { required_scope: 'reports:read' }),
      );
      const body = appError(await failureOf(run()));
      expect(body.message).toContain('missing the "reports:read" permission');
      expect(body.message).toContain('approve "reports:read"');
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('forbidden (K5)', () => {
    it("does not refresh on 200 ok:false forbidden and carries the API's message", async () => {
      const scope = search().reply(
        200,
        legacyError('forbidden', 'Staff members cannot search archived clients'),
      );
      const body = appError(await failureOf(run()));
      expect(body).toMatchObject({ code: 'forbidden', status: 200 });
      expect(body.message).toContain('Practice says: "Staff members cannot search archived clients"');
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('throttling (K3)', () => {
    it('throws ThrottledError with the Retry-After delay on 200 ok:false rate_limited', async () => {
      const scope = search().reply(200, legacyError('rate_limited', 'Too many requests'), {
        'Retry-After': '9',
      });
      const body = throttled(await failureOf(run()));
      expect(body.delay).toBe(9);
      expect(body.message).toContain('HTTP 200 ok:false rate_limited');
      expect(scope.isDone()).toBe(true);
    });

    it('takes the delay from details.retry_after when a legacy answer has no Retry-After header', async () => {
      const scope = search().reply(
        200,
        legacyError('rate_limited', 'Too many requests', { retry_after: 21 }),
      );
      expect(throttled(await failureOf(run())).delay).toBe(21);
      expect(scope.isDone()).toBe(true);
    });

    it('throws ThrottledError with the Retry-After delay on a gateway 429', async () => {
      const scope = search().reply(429, '', { 'Retry-After': '45' });
      expect(throttled(await failureOf(run())).delay).toBe(45);
      expect(scope.isDone()).toBe(true);
    });

    it('throws ThrottledError with the Retry-After delay on a gateway 403 rate_limited', async () => {
      const scope = search().reply(403, { error: { code: 'rate_limited' } }, { 'Retry-After': '6' });
      expect(throttled(await failureOf(run())).delay).toBe(6);
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('any other 200 ok:false', () => {
    it('turns 200 ok:false validation_failed into field-level text naming each field', async () => {
      const scope = search().reply(
        200,
        legacyError('validation_failed', 'Validation failed', {
          fields: { email: 'is not a valid email address', name: 'must be at least 2 characters' },
        }),
      );
      const body = appError(await failureOf(run()));
      expect(body).toMatchObject({ code: 'validation_failed', status: 200 });
      expect(body.message).toContain('email: is not a valid email address');
      expect(body.message).toContain('name: must be at least 2 characters');
      expect(body.message).toContain('Fix these fields');
      expect(scope.isDone()).toBe(true);
    });

    it('turns 200 ok:false not_found into a not-found error, not an empty result', async () => {
      const scope = search().reply(200, legacyError('not_found', 'Firm not found'));
      const body = appError(await failureOf(run()));
      expect(body).toMatchObject({ code: 'not_found', status: 200 });
      expect(body.message).toContain('Practice says: "Firm not found"');
      expect(scope.isDone()).toBe(true);
    });

    it('turns 200 ok:false conflict into an error naming details.existing_id', async () => {
      const scope = search().reply(
        200,
        legacyError('conflict', 'Already exists', { existing_id: 'cli_0099' }),
      );
      const body = appError(await failureOf(run()));
      expect(body).toMatchObject({ code: 'conflict', status: 200 });
      expect(body.message).toContain('id cli_0099');
      expect(scope.isDone()).toBe(true);
    });

    it('turns an unknown 200 ok:false code into an error carrying the code and message', async () => {
      const scope = search().reply(200, legacyError('quota_exceeded', 'Monthly quota used up'));
      const body = appError(await failureOf(run()));
      expect(body).toMatchObject({ code: 'quota_exceeded', status: 200 });
      expect(body.message).toContain('HTTP 200 ok:false quota_exceeded');
      expect(body.message).toContain('Practice says: "Monthly quota used up"');
      expect(scope.isDone()).toBe(true);
    });

    it('turns 200 ok:false without an error object into an error', async () => {
      const scope = search().reply(200, { ok: false });
      const body = appError(await failureOf(run()));
      expect(body).toMatchObject({ code: 'error', status: 200 });
      expect(body.message).toContain('ok:false without an error code');
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('server trouble', () => {
    it('turns 500 into a server error', async () => {
      const scope = search().reply(500, { error: { code: 'internal', message: 'Boom' } });
      expect(appError(await failureOf(run()))).toMatchObject({ code: 'internal', status: 500 });
      expect(scope.isDone()).toBe(true);
    });

    it('turns 503 with Retry-After into ThrottledError with that delay', async () => {
      const scope = search().reply(503, '', { 'Retry-After': '60' });
      expect(throttled(await failureOf(run())).delay).toBe(60);
      expect(scope.isDone()).toBe(true);
    });

    it('refuses an HTML page sent with HTTP 200', async () => {
      const scope = search().reply(200, '<html><body>Gateway login</body></html>', {
        'Content-Type': 'text/html',
      });
      expect(appError(await failureOf(run()))).toMatchObject({ code: 'bad_response', status: 200 });
      expect(scope.isDone()).toBe(true);
    });
  });
});
