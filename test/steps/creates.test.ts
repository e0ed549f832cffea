// Creates through createAppTester: the exact request each one sends, what it
// returns, input checks that send nothing, and 422/409 reaching the user.
import { ACCESS_TOKEN, api, liveAuth, useTestEnvironment } from '../helpers';
import { CLIENT_SAMPLE, COMPLETED_TASK_SAMPLE, PROJECT_SAMPLE, TASK_SAMPLE } from '../../practice/samples';
import { appError, failsOffline, failureOf, run } from './support';

useTestEnvironment();

const BEARER = `Bearer ${ACCESS_TOKEN}`;

describe('create_client', () => {
  it('posts the trimmed fields and returns the created client', async () => {
    const scope = api()
      .post('/api/v1/clients', {
        name: 'Acme Bookkeeping Ltd',
        type: 'business',
        email: 'accounts@acme.example',
        tags: ['vip'],
        external_id: 'crm-1001',
      })
      .matchHeader('authorization', BEARER)
      .matchHeader('content-type', /application\/json/)
      .reply(201, CLIENT_SAMPLE);
    const result = await run('creates.create_client.perform', {
      authData: liveAuth(),
      inputData: {
        name: ' Acme Bookkeeping Ltd ',
        type: 'business',
        email: 'accounts@acme.example',
        phone: '  ',
        tags: ['vip', ' '],
        external_id: 'crm-1001',
      },
    });
    expect(result).toEqual(CLIENT_SAMPLE);
    expect(scope.isDone()).toBe(true);
  });

  it('names the existing client when the External ID is taken (409)', async () => {
    const scope = api()
      .post('/api/v1/clients')
      .reply(409, {
        error: {
          code: 'conflict',
          message: 'external_id already used',
          details: { existing_id: 'cli_0007' },
        },
      });
    const error = appError(
      await failureOf(
        run('creates.create_client.perform', {
          authData: liveAuth(),
          inputData: { name: 'Acme', external_id: 'crm-1001' },
        }),
      ),
    );
    expect(error.status).toBe(409);
    expect(error.message).toContain('cli_0007');
    expect(scope.isDone()).toBe(true);
  });

  it('reports each rejected field by name (422)', async () => {
    const scope = api()
      .post('/api/v1/clients')
      .reply(422, {
        error: {
          code: 'validation_failed',
          message: 'Invalid input',
          details: { fields: { email: 'is not a valid email address' } },
        },
      });
    const error = appError(
      await failureOf(
        run('creates.create_client.perform', {
          authData: liveAuth(),
          inputData: { name: 'Acme', email: 'nope' },
        }),
      ),
    );
    expect(error.message).toContain('email: is not a valid email address');
    expect(scope.isDone()).toBe(true);
  });

  it('refuses an unknown Type without calling Practice', async () => {
    const error = await failsOffline(() =>
      run('creates.create_client.perform', {
        authData: liveAuth(),
        inputData: { name: 'Acme', type: 'company' },
      }),
    );
    expect(error.message).toContain('Type must be');
  });
});

describe('update_client', () => {
  it('patches only the fields given, at the encoded client path', async () => {
    const updated = { ...CLIENT_SAMPLE, phone: '+44 20 0000 0000', status: 'archived' };
    const scope = api()
      .patch('/api/v1/clients/cli_0001', { phone: '+44 20 0000 0000', status: 'archived' })
      .matchHeader('authorization', BEARER)
      .matchHeader('content-type', /application\/json/)
      .reply(200, updated);
    const result = await run('creates.update_client.perform', {
      authData: liveAuth(),
      inputData: { client_id: 'cli_0001', name: '', phone: '+44 20 0000 0000', status: 'archived' },
    });
    expect(result).toEqual(updated);
    expect(scope.isDone()).toBe(true);
  });

  it('refuses a mapped id that would leave its path segment, without calling Practice', async () => {
    const error = await failsOffline(() =>
      run('creates.update_client.perform', {
        authData: liveAuth(),
        inputData: { client_id: '../members?x=1', name: 'X' },
      }),
    );
    expect(error.message).toMatch(/^"Client" \(client_id\) is not a Practice ID/);
  });

  it('sends nothing when there is nothing to change', async () => {
    const error = await failsOffline(() =>
      run('creates.update_client.perform', {
        authData: liveAuth(),
        inputData: { client_id: 'cli_0001' },
      }),
    );
    expect(error.message).toMatch(/Nothing to update/);
  });

  it('reports each rejected field by name (422)', async () => {
    const scope = api()
      .patch('/api/v1/clients/cli_0001')
      .reply(422, {
        error: { code: 'validation_failed', message: 'x', details: { fields: { status: 'is not allowed' } } },
      });
    const error = appError(
      await failureOf(
        run('creates.update_client.perform', {
          authData: liveAuth(),
          inputData: { client_id: 'cli_0001', status: 'active' },
        }),
      ),
    );
    expect(error.message).toContain('status: is not allowed');
    expect(scope.isDone()).toBe(true);
  });
});

describe('create_project', () => {
  it('posts client, name and the calendar date of a Zapier date-time', async () => {
    const scope = api()
      .post('/api/v1/projects', {
        client_id: 'cli_0001',
        name: 'Year-End Accounts 2025',
        due_date: '2026-03-31',
      })
      .matchHeader('authorization', BEARER)
      .reply(201, PROJECT_SAMPLE);
    const result = await run('creates.create_project.perform', {
      authData: liveAuth(),
      inputData: {
        client_id: 'cli_0001',
        name: 'Year-End Accounts 2025',
        due_date: '2026-03-31T23:30:00-05:00',
      },
    });
    expect(result).toEqual(PROJECT_SAMPLE);
    expect(scope.isDone()).toBe(true);
  });

  it('sends no due_date when none is given', async () => {
    const scope = api()
      .post('/api/v1/projects', (body: Record<string, unknown>) => !('due_date' in body))
      .reply(201, PROJECT_SAMPLE);
    await run('creates.create_project.perform', {
      authData: liveAuth(),
      inputData: { client_id: 'cli_0001', name: 'P' },
    });
    expect(scope.isDone()).toBe(true);
  });

  it.each([['2026-02-30'], ['31/03/2026'], ['next tuesday'], ['2026-13-01'], ['2026-03-31T25:00:00Z']])(
    'refuses the due date %j without calling Practice',
    async (dueDate) => {
      const error = await failsOffline(() =>
        run('creates.create_project.perform', {
          authData: liveAuth(),
          inputData: { client_id: 'cli_0001', name: 'P', due_date: dueDate },
        }),
      );
      expect(error.message).toContain('Due Date must be a date such as 2026-03-31');
      expect(error.status).toBe(400);
    },
  );

  it('reports each rejected field by name (422)', async () => {
    const scope = api()
      .post('/api/v1/projects')
      .reply(422, {
        error: {
          code: 'validation_failed',
          message: 'x',
          details: { fields: { client_id: 'does not exist' } },
        },
      });
    const error = appError(
      await failureOf(
        run('creates.create_project.perform', {
          authData: liveAuth(),
          inputData: { client_id: 'cli_x', name: 'P' },
        }),
      ),
    );
    expect(error.message).toContain('client_id: does not exist');
    expect(scope.isDone()).toBe(true);
  });
});

describe('create_task (legacy endpoint)', () => {
  it('posts the task and unwraps {ok, data}', async () => {
    const scope = api()
      .post('/api/v1/tasks', {
        project_id: 'prj_0001',
        title: 'Collect bank statements',
        description: 'All of 2025',
        assignee_id: 'mem_0002',
        due_date: '2026-02-15',
      })
      .matchHeader('authorization', BEARER)
      .matchHeader('content-type', /application\/json/)
      .reply(200, { ok: true, data: TASK_SAMPLE });
    const result = await run('creates.create_task.perform', {
      authData: liveAuth(),
      inputData: {
        project_id: 'prj_0001',
        title: 'Collect bank statements',
        description: 'All of 2025',
        assignee_id: 'mem_0002',
        due_date: '2026-02-15',
      },
    });
    expect(result).toEqual(TASK_SAMPLE);
    expect(scope.isDone()).toBe(true);
  });

  it('refuses an impossible due date without calling Practice', async () => {
    const error = await failsOffline(() =>
      run('creates.create_task.perform', {
        authData: liveAuth(),
        inputData: { project_id: 'prj_0001', title: 'T', due_date: '2026-02-29' },
      }),
    );
    expect(error.message).toContain('Due Date must be a date');
  });

  it('reports field errors sent as 200 ok:false validation_failed by name', async () => {
    const scope = api()
      .post('/api/v1/tasks')
      .reply(200, {
        ok: false,
        error: {
          code: 'validation_failed',
          message: 'x',
          details: { fields: { assignee_id: 'is not a member' } },
        },
      });
    const error = appError(
      await failureOf(
        run('creates.create_task.perform', {
          authData: liveAuth(),
          inputData: { project_id: 'prj_0001', title: 'T', assignee_id: 'mem_x' },
        }),
      ),
    );
    expect(error.message).toContain('assignee_id: is not a member');
    expect(scope.isDone()).toBe(true);
  });
});

describe('complete_task (legacy endpoint)', () => {
  it('posts to the task complete path and returns the completed task', async () => {
    const scope = api()
      .post('/api/v1/tasks/tsk_0001/complete')
      .matchHeader('authorization', BEARER)
      .reply(200, { ok: true, data: COMPLETED_TASK_SAMPLE });
    const result = await run('creates.complete_task.perform', {
      authData: liveAuth(),
      inputData: { task_id: 'tsk_0001' },
    });
    expect(result).toEqual(COMPLETED_TASK_SAMPLE);
    expect(scope.isDone()).toBe(true);
  });

  it('says the task was not found when Practice answers 200 ok:false not_found', async () => {
    const scope = api()
      .post('/api/v1/tasks/tsk_404/complete')
      .reply(200, { ok: false, error: { code: 'not_found', message: 'No such task' } });
    const error = appError(
      await failureOf(
        run('creates.complete_task.perform', {
          authData: liveAuth(),
          inputData: { task_id: 'tsk_404' },
        }),
      ),
    );
    expect(error.message).toContain('could not find');
    expect(error.message).toContain('No such task');
    expect(scope.isDone()).toBe(true);
  });
});
