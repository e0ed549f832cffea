// CONTRACT §6 for the new steps: one plain and one legacy step of each kind
// (trigger, create, search), every row that a resource request can produce.
import type nock from 'nock';
import { ACCESS_TOKEN, api, liveAuth, useTestEnvironment } from '../helpers';
import { appError, failureOf, headline, run, throttled, unmatchedRequests } from './support';

useTestEnvironment();

const BEARER = `Bearer ${ACCESS_TOKEN}`;
const WWW_EXPIRED = 'Bearer error="invalid_token", error_description="The access token expired"';
const WWW_SCOPE = 'Bearer error="insufficient_scope", scope="tasks:write"';

interface Step {
  name: string;
  legacy: boolean;
  expect: () => nock.Interceptor;
  run: (authData?: Record<string, unknown>) => Promise<unknown>;
}

const steps: Step[] = [
  {
    name: 'trigger new_project (plain GET /projects)',
    legacy: false,
    expect: () => api().get('/api/v1/projects').query({ limit: '100' }).matchHeader('authorization', BEARER),
    run: (authData = liveAuth()) => run('triggers.new_project.perform', { authData }),
  },
  {
    name: 'trigger task_completed sample (legacy GET /tasks)',
    legacy: true,
    expect: () =>
      api()
        .get('/api/v1/tasks')
        .query({ status: 'completed', sort: '-completed_at', limit: '100' })
        .matchHeader('authorization', BEARER),
    run: (authData = liveAuth()) => run('triggers.task_completed.performList', { authData }),
  },
  {
    name: 'create create_project (plain POST /projects)',
    legacy: false,
    expect: () =>
      api().post('/api/v1/projects', { client_id: 'cli_1', name: 'P' }).matchHeader('authorization', BEARER),
    run: (authData = liveAuth()) =>
      run('creates.create_project.perform', {
        authData,
        inputData: { client_id: 'cli_1', name: 'P' },
      }),
  },
  {
    name: 'create create_task (legacy POST /tasks)',
    legacy: true,
    expect: () =>
      api().post('/api/v1/tasks', { project_id: 'prj_1', title: 'T' }).matchHeader('authorization', BEARER),
    run: (authData = liveAuth()) =>
      run('creates.create_task.perform', {
        authData,
        inputData: { project_id: 'prj_1', title: 'T' },
      }),
  },
  {
    name: 'search find_project (plain GET /projects)',
    legacy: false,
    expect: () => api().get('/api/v1/projects').query({ limit: '100' }).matchHeader('authorization', BEARER),
    run: (authData = liveAuth()) =>
      run('searches.find_project.perform', { authData, inputData: { name: 'P' } }),
  },
  {
    name: 'search find_client (legacy GET /clients/search)',
    legacy: true,
    expect: () =>
      api()
        .get('/api/v1/clients/search')
        .query({ email: 'a@b.example' })
        .matchHeader('authorization', BEARER),
    run: (authData = liveAuth()) =>
      run('searches.find_client.perform', {
        authData,
        inputData: { email: 'a@b.example' },
      }),
  },
];

const plain = steps.filter((s) => !s.legacy);
const legacy = steps.filter((s) => s.legacy);

describe.each(plain)('$name', ({ expect: intercept, run: runStep }) => {
  it('refreshes on a 401', async () => {
    const scope = intercept().reply(401, '');
    expect((await failureOf(runStep())).name).toBe('RefreshAuthError');
    expect(scope.isDone()).toBe(true);
  });

  it('refreshes when the gateway answers 403 token_expired, naming the cause', async () => {
    const scope = intercept().reply(
      403,
      { error: { code: 'token_expired', message: 'The access token expired' } },
      { 'WWW-Authenticate': WWW_EXPIRED },
    );
    const error = await failureOf(runStep());
    expect(error.name).toBe('RefreshAuthError');
    expect(headline(error)).toContain('token_expired');
    expect(scope.isDone()).toBe(true);
  });

  it('refreshes on a header-only 403 token_expired (K1)', async () => {
    const scope = intercept().reply(403, '', { 'WWW-Authenticate': WWW_EXPIRED });
    expect((await failureOf(runStep())).name).toBe('RefreshAuthError');
    expect(scope.isDone()).toBe(true);
  });

  it('names the missing scope on 403 insufficient_scope and does not refresh', async () => {
    const scope = intercept().reply(
      403,
      {
        error: {
          code: 'insufficient_scope',
          message: 'Missing scope',
          details: { required_scope: 'tasks:write', granted_scope: 'clients:read' },
        },
      },
      { 'WWW-Authenticate': WWW_SCOPE },
    );
    const error = appError(await failureOf(runStep()));
    expect(error.message).toContain('tasks:write');
    expect(error.message).toMatch(/Reconnect your Practice account/);
    expect(scope.isDone()).toBe(true);
  });

  it("carries the API's message on 403 forbidden", async () => {
    const scope = intercept().reply(403, {
      error: { code: 'forbidden', message: 'Staff members cannot do this' },
    });
    const error = appError(await failureOf(runStep()));
    expect(error.message).toContain('Staff members cannot do this');
    expect(scope.isDone()).toBe(true);
  });

  it('throttles with Retry-After on 429', async () => {
    const scope = intercept().reply(
      429,
      { error: { code: 'rate_limited', message: 'Slow down' } },
      { 'Retry-After': '17' },
    );
    expect(throttled(await failureOf(runStep())).delay).toBe(17);
    expect(scope.isDone()).toBe(true);
  });

  it('throttles with Retry-After on 403 rate_limited (K3)', async () => {
    const scope = intercept().reply(
      403,
      { error: { code: 'rate_limited', message: 'Burst' } },
      { 'Retry-After': '5' },
    );
    expect(throttled(await failureOf(runStep())).delay).toBe(5);
    expect(scope.isDone()).toBe(true);
  });
});

describe.each(legacy)('$name', ({ expect: intercept, run: runStep }) => {
  const okFalse = (code: string, extra: Record<string, unknown> = {}) => ({
    ok: false,
    error: { code, message: `legacy ${code}`, ...extra },
  });

  it.each([['token_expired'], ['invalid_token']])('refreshes on 200 ok:false %s (K2)', async (code) => {
    const scope = intercept().reply(200, okFalse(code));
    expect((await failureOf(runStep())).name).toBe('RefreshAuthError');
    expect(scope.isDone()).toBe(true);
  });

  it('names the missing scope on 200 ok:false insufficient_scope and does not refresh', async () => {
    const scope = intercept().reply(
      200,
      okFalse('insufficient_scope', {
        details: { required_scope: 'tasks:write', granted_scope: 'tasks:read' },
      }),
    );
    const error = appError(await failureOf(runStep()));
    expect(error.message).toContain('tasks:write');
    expect(error.message).toMatch(/Reconnect your Practice account/);
    expect(scope.isDone()).toBe(true);
  });

  it("carries the API's message on 200 ok:false forbidden", async () => {
    const scope = intercept().reply(200, okFalse('forbidden'));
    expect(appError(await failureOf(runStep())).message).toContain('legacy forbidden');
    expect(scope.isDone()).toBe(true);
  });

  it('throttles on 200 ok:false rate_limited with Retry-After', async () => {
    const scope = intercept().reply(200, okFalse('rate_limited'), { 'Retry-After': '9' });
    expect(throttled(await failureOf(runStep())).delay).toBe(9);
    expect(scope.isDone()).toBe(true);
  });

  it('gives field-level text for 200 ok:false validation_failed, never data', async () => {
    const scope = intercept().reply(
      200,
      okFalse('validation_failed', { details: { fields: { title: 'is too long' } } }),
    );
    expect(appError(await failureOf(runStep())).message).toContain('title: is too long');
    expect(scope.isDone()).toBe(true);
  });
});

describe.each(steps)('$name with a known-dead token', (step) => {
  it('asks for a refresh before spending a request', async () => {
    const unmatched = unmatchedRequests();
    try {
      const error = await failureOf(
        step.run(liveAuth({ expires_at: String(Math.floor(Date.now() / 1000) - 5) })),
      );
      expect(error.name).toBe('RefreshAuthError');
      expect(unmatched.urls).toEqual([]);
    } finally {
      unmatched.stop();
    }
  });
});
