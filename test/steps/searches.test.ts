// Searches through createAppTester: find_client (legacy endpoint, search-or-create)
// and find_project (paged, case-insensitive name match, bounded).
import { ACCESS_TOKEN, api, App, liveAuth, useTestEnvironment } from '../helpers';
import { CLIENT_SAMPLE, PROJECT_SAMPLE } from '../../practice/samples';
import { FIND_PROJECT_MAX_PAGES } from '../../searches/find_project';
import { appError, failureOf, unmatchedRequests, run } from './support';

useTestEnvironment();

const BEARER = `Bearer ${ACCESS_TOKEN}`;

describe('find_client', () => {
  it('searches by email on the legacy endpoint and unwraps {ok, data}', async () => {
    const scope = api()
      .get('/api/v1/clients/search')
      .query({ email: 'accounts@acme.example' })
      .matchHeader('authorization', BEARER)
      .reply(200, { ok: true, data: [CLIENT_SAMPLE] });
    const result = await run('searches.find_client.perform', {
      authData: liveAuth(),
      inputData: { email: ' accounts@acme.example ', name: 'ignored' },
    });
    expect(result).toEqual([CLIENT_SAMPLE]);
    expect(scope.isDone()).toBe(true);
  });

  it('searches by name prefix when no email is given', async () => {
    const scope = api()
      .get('/api/v1/clients/search')
      .query({ name: 'Acme' })
      .reply(200, { ok: true, data: [] });
    const result = await run('searches.find_client.perform', {
      authData: liveAuth(),
      inputData: { name: 'Acme' },
    });
    expect(result).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('is paired with create_client as Find or Create Client', () => {
    expect(App.searchOrCreates?.find_client).toMatchObject({
      search: 'find_client',
      create: 'create_client',
    });
  });
});

describe('find_project', () => {
  const project = (id: string, name: string) => ({ ...PROJECT_SAMPLE, id, name });

  it('pages until a page holds a case-insensitive name match', async () => {
    const first = api()
      .get('/api/v1/projects')
      .query({ client_id: 'cli_0001', limit: '100' })
      .matchHeader('authorization', BEARER)
      .reply(200, { data: [project('prj_1', 'Payroll 2026')], next_cursor: 'c2' });
    const second = api()
      .get('/api/v1/projects')
      .query({ client_id: 'cli_0001', limit: '100', cursor: 'c2' })
      .reply(200, {
        data: [project('prj_2', 'year-end accounts 2025'), project('prj_3', 'Other')],
        next_cursor: 'c3',
      });
    const result = await run('searches.find_project.perform', {
      authData: liveAuth(),
      inputData: { name: 'Year-End Accounts 2025', client_id: 'cli_0001' },
    });
    expect(result).toEqual([project('prj_2', 'year-end accounts 2025')]);
    expect(first.isDone()).toBe(true);
    expect(second.isDone()).toBe(true);
  });

  it('does not treat a prefix as a match', async () => {
    const scope = api()
      .get('/api/v1/projects')
      .query({ limit: '100' })
      .reply(200, { data: [project('prj_1', 'Year-End Accounts 2025 (draft)')], next_cursor: null });
    const result = await run('searches.find_project.perform', {
      authData: liveAuth(),
      inputData: { name: 'Year-End Accounts 2025' },
    });
    expect(result).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it(`stops after ${FIND_PROJECT_MAX_PAGES} pages with an error instead of a false "not found"`, async () => {
    const scope = api()
      .get('/api/v1/projects')
      .query(true)
      .times(FIND_PROJECT_MAX_PAGES)
      .reply(200, { data: [project('prj_x', 'Other')], next_cursor: 'more' });
    const unmatched = unmatchedRequests();
    try {
      const error = appError(
        await failureOf(
          run('searches.find_project.perform', {
            authData: liveAuth(),
            inputData: { name: 'Missing' },
          }),
        ),
      );
      expect(error.message).toContain('Choose a Client to narrow the search');
      expect(unmatched.urls).toEqual([]);
    } finally {
      unmatched.stop();
    }
    expect(scope.isDone()).toBe(true);
  });
});
