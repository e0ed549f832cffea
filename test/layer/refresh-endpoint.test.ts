// A refresh endpoint of its own (endpoints.refresh) and a profile with no scopes, as the server
// behind Zapier's own oauth2 template has them: codes are exchanged at /oauth/access-token,
// tokens refreshed at /oauth/refresh-token, and the template asks for no scope. Through core's
// whole path (createAppTester, nock).
import nock from 'nock';
import zapier, { type Bundle } from 'zapier-platform-core';
import { createLayer, defineProfile, ProfileError, type ProfileInput } from 'zapier-oauth-layer';

const BASE = 'https://auth.template.example';
const input: ProfileInput = {
  id: 'template',
  name: 'Template',
  troubleshooting: 'https://auth.template.example/help',
  endpoints: {
    base: BASE,
    baseEnv: 'TEMPLATE_BASE_URL',
    authorize: '/oauth/authorize',
    token: '/oauth/access-token',
    refresh: '/oauth/refresh-token',
    api: '/me',
  },
  client: { idEnv: 'CLIENT_ID', secretEnv: 'CLIENT_SECRET', authMethod: 'body' },
  authorization: { scopes: [], pkce: 'none' },
  token: { rotation: { kind: 'none' } },
};

const saved = { ...process.env };
beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  process.env.CLIENT_ID = 'template-client';
  process.env.CLIENT_SECRET = 'template-secret-0123456789';
  delete process.env.TEMPLATE_BASE_URL;
});
afterEach(() => {
  nock.cleanAll();
  process.env = { ...saved };
});
afterAll(() => {
  // As test/helpers.ts's useTestEnvironment: the next file in this worker meets a real network stack.
  nock.enableNetConnect();
  nock.restore();
});

function appOf(profile: ProfileInput) {
  const layer = createLayer(defineProfile(profile));
  const app = layer.harden({
    version: '1.0.0',
    platformVersion: zapier.version,
    authentication: layer.authentication({ test: async () => ({}), connectionLabel: 'template' }),
  });
  const tester = zapier.createAppTester(app) as unknown as (
    fn: unknown,
    bundle: Partial<Bundle>,
  ) => Promise<unknown>;
  const oauth = app.authentication.oauth2Config as unknown as Record<string, unknown>;
  return { tester, oauth };
}

describe('endpoints.refresh', () => {
  it('sends a refresh there, and a code exchange to the token endpoint', async () => {
    const { tester, oauth } = appOf(input);
    const refreshed = nock(BASE)
      .post('/oauth/refresh-token', (body: Record<string, string>) => body.grant_type === 'refresh_token')
      .reply(200, { access_token: 'at-2', refresh_token: 'rt-1', token_type: 'Bearer', expires_in: 3600 });
    const exchanged = nock(BASE)
      .post('/oauth/access-token', (body: Record<string, string>) => body.grant_type === 'authorization_code')
      .reply(200, { access_token: 'at-1', refresh_token: 'rt-1', token_type: 'Bearer', expires_in: 3600 });

    await expect(
      tester(oauth.refreshAccessToken, { authData: { access_token: 'at-0', refresh_token: 'rt-1' } }),
    ).resolves.toMatchObject({ access_token: 'at-2' });
    await expect(
      tester(oauth.getAccessToken, {
        inputData: {
          code: 'c-1',
          redirect_uri: 'https://zapier.com/dashboard/auth/oauth/return/App1CLIAPI/',
        },
      }),
    ).resolves.toMatchObject({ access_token: 'at-1' });
    expect([refreshed.isDone(), exchanged.isDone()]).toEqual([true, true]);
  });

  it('is where a refresh goes only: left out, refreshes go to the token endpoint', async () => {
    const withoutRefresh: ProfileInput['endpoints'] = { ...input.endpoints };
    delete withoutRefresh.refresh;
    const { tester, oauth } = appOf({ ...input, endpoints: withoutRefresh });
    const refreshed = nock(BASE)
      .post('/oauth/access-token', (body: Record<string, string>) => body.grant_type === 'refresh_token')
      .reply(200, { access_token: 'at-2', refresh_token: 'rt-1', token_type: 'Bearer', expires_in: 3600 });
    await tester(oauth.refreshAccessToken, { authData: { access_token: 'at-0', refresh_token: 'rt-1' } });
    expect(refreshed.isDone()).toBe(true);
  });

  it('never carries the access token, as an OAuth endpoint', () => {
    const layer = createLayer(defineProfile(input));
    expect(layer.endpoints.destination(`${BASE}/oauth/refresh-token`, {})).toBe('oauth');
  });

  it('is checked at load like every endpoint', () => {
    expect(() =>
      defineProfile({ ...input, endpoints: { ...input.endpoints, refresh: 'http://elsewhere.example/r' } }),
    ).toThrow(ProfileError);
  });
});

describe('a profile with no scopes', () => {
  it('leaves scope out of the authorize URL rather than ask for "scope="', async () => {
    const { tester, oauth } = appOf(input);
    const url = String(
      await tester(oauth.authorizeUrl, {
        inputData: {
          state: 's-1',
          redirect_uri: 'https://zapier.com/dashboard/auth/oauth/return/App1CLIAPI/',
        },
      }),
    );
    expect(new URL(url).searchParams.has('scope')).toBe(false);
    expect(new URL(url).searchParams.get('client_id')).toBe('template-client');
  });
});
