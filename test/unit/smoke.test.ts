import { api, invoke, liveAuth, useTestEnvironment } from '../helpers';

useTestEnvironment();

describe('new_client', () => {
  it('returns the newest clients with the bearer token attached', async () => {
    const scope = api()
      .get('/api/v1/clients')
      .query({ sort: '-created_at', limit: '100' })
      .matchHeader('authorization', 'Bearer pat_live_access_token_abc123')
      .reply(200, { data: [{ id: 'cli_1', name: 'A' }], next_cursor: null });
    const result = await invoke('triggers.new_client.operation.perform', { authData: liveAuth() });
    expect(result).toEqual([{ id: 'cli_1', name: 'A' }]);
    expect(scope.isDone()).toBe(true);
  });
});
