// What an adopter's own error handling keeps, through core's whole middleware chain
// (createAppTester, nock): answers that concern the connection are the layer's whatever the app
// asked; every other answer reaches the app's afterResponse and its step as it would without
// the layer (core's throwForStatus and skipThrowForStatus included), unless the app asks for
// the layer's words with harden(app, { messages: 'all' }).
import nock from 'nock';
import zapier, { type Bundle, type HttpResponse, type ZObject } from 'zapier-platform-core';
import { createLayer, type HardenOptions } from 'zapier-oauth-layer';
import { practiceProfile } from '../../practice/profile';
import { appError, failureOf, headline, throttled } from '../errors';
import { ACCESS_TOKEN, api, BASE_URL, liveAuth, useTestEnvironment } from '../helpers';

useTestEnvironment();

const layer = createLayer(practiceProfile);

/** An app of the layer whose search finds a client by id: a 404 means none, as Zendesk Sell's "Find by ID". */
function appWith(options: { flags?: Record<string, unknown>; perRequest?: boolean; harden?: HardenOptions }) {
  const seen: number[] = [];
  const perform = async (z: ZObject, bundle: Bundle) => {
    const response = await layer.request<{ id: string } | { ok: boolean }>(z, {
      path: `/api/v1/clients/${encodeURIComponent(String(bundle.inputData.id))}`,
      ...(options.perRequest ? { skipThrowForStatus: true } : {}),
      bundle,
    });
    if (response.status === 404) return [];
    return [response.data];
  };
  const app = layer.harden(
    {
      version: '1.0.0',
      platformVersion: zapier.version,
      ...(options.flags ? { flags: options.flags } : {}),
      authentication: layer.authentication({ test: async () => ({}), connectionLabel: 'semantics' }),
      // The app's own afterResponse: it records every status it is handed.
      afterResponse: [
        (response: HttpResponse) => {
          seen.push(response.status);
          return response;
        },
      ],
      searches: {
        find_client: {
          key: 'find_client',
          noun: 'Client',
          display: { label: 'Find Client', description: 'Finds a client by its id.' },
          operation: { inputFields: [{ key: 'id', required: true }], perform, sample: { id: '1' } },
        },
      },
    },
    options.harden,
  );
  const tester = zapier.createAppTester(app) as unknown as (fn: unknown, bundle: unknown) => Promise<unknown>;
  // The hardened perform (harden wraps every function): core finds its method path in the app.
  const hardened = app.searches.find_client.operation.perform;
  const run = () => tester(hardened, { authData: liveAuth(), inputData: { id: 'cli_404' } });
  return { run, seen };
}

const notFound = () =>
  api()
    .get('/api/v1/clients/cli_404')
    .reply(404, { error: { code: 'not_found', message: 'No client cli_404.' } });

describe('a search whose API answers 404', () => {
  it('with the app flag skipThrowForStatus: the app gets the 404 and returns []', async () => {
    notFound();
    const { run, seen } = appWith({ flags: { skipThrowForStatus: true } });
    await expect(run()).resolves.toEqual([]);
    expect(seen).toEqual([404]);
  });

  it('with skipThrowForStatus on the request: the app gets the 404 and returns []', async () => {
    notFound();
    const { run, seen } = appWith({ perRequest: true });
    await expect(run()).resolves.toEqual([]);
    expect(seen).toEqual([404]);
  });

  it("without it: the app's afterResponse sees the 404 and the step throws core's ResponseError", async () => {
    notFound();
    const { run, seen } = appWith({});
    const error = (await run().then(
      () => null,
      (e: unknown) => e,
    )) as Error & { doNotContextify?: boolean };
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ResponseError');
    expect(JSON.parse(error.message)).toMatchObject({ status: 404 });
    // Core's message, but still without core's bundle dump.
    expect(error.message).not.toContain('What happened');
    expect(error.message).not.toContain(ACCESS_TOKEN);
    expect(seen).toEqual([404]);
  });

  it("with messages 'all': the layer's words, after the app's afterResponse saw the answer", async () => {
    notFound();
    const { run, seen } = appWith({ harden: { messages: 'all' } });
    const error = appError(await failureOf(run()));
    expect(error).toMatchObject({ code: 'not_found', status: 404 });
    expect(error.message).toMatch(/^Practice could not find what this step refers to \(HTTP 404 not_found\)/);
    expect(seen).toEqual([404]);
  });

  it("with messages 'all' and skipThrowForStatus: the app asked for the status and gets it", async () => {
    notFound();
    const { run } = appWith({ perRequest: true, harden: { messages: 'all' } });
    await expect(run()).resolves.toEqual([]);
  });
});

describe('answers that concern the connection are the layer’s in every mode', () => {
  const modes: Array<[string, Parameters<typeof appWith>[0]]> = [
    ['by default', {}],
    ['with the app flag skipThrowForStatus', { flags: { skipThrowForStatus: true } }],
    ['with skipThrowForStatus on the request', { perRequest: true }],
    ["with messages 'all'", { harden: { messages: 'all' } }],
    ["with messages 'all' and skipThrowForStatus", { perRequest: true, harden: { messages: 'all' } }],
  ];

  it.each(modes)('a 401 becomes RefreshAuthError %s', async (_, options) => {
    api()
      .get('/api/v1/clients/cli_404')
      .reply(401, { error: { code: 'invalid_token', message: 'no' } });
    const { run, seen } = appWith(options);
    await expect(run()).rejects.toMatchObject({ name: 'RefreshAuthError' });
    expect(seen).toEqual([]);
  });

  it.each(modes)('an expired token told by a 403 becomes RefreshAuthError %s', async (_, options) => {
    api()
      .get('/api/v1/clients/cli_404')
      .reply(403, { error: { code: 'token_expired', message: 'The access token expired.' } });
    const { run, seen } = appWith(options);
    const error = await failureOf(run());
    expect(error.name).toBe('RefreshAuthError');
    expect(headline(error)).toContain('The Practice access token expired or was rejected');
    expect(seen).toEqual([]);
  });

  it.each(modes)('a rate limit told by a 403 becomes ThrottledError %s', async (_, options) => {
    api()
      .get('/api/v1/clients/cli_404')
      .reply(403, { error: { code: 'rate_limited', message: 'Slow down.', details: { retry_after: 7 } } });
    const { run } = appWith(options);
    expect(throttled(await failureOf(run()))).toMatchObject({ delay: 7 });
  });

  it.each(modes)('a missing scope is named %s', async (_, options) => {
    api()
      .get('/api/v1/clients/cli_404')
      .reply(403, {
        error: { code: 'insufficient_scope', message: 'no', details: { required_scope: 'clients:read' } },
      });
    const { run } = appWith(options);
    expect(appError(await failureOf(run())).message).toContain(
      'Your Practice connection is missing the "clients:read" permission',
    );
  });

  it.each(modes)("a refusal of the member's role is the layer's %s", async (_, options) => {
    api()
      .get('/api/v1/clients/cli_404')
      .reply(403, { error: { code: 'forbidden', message: 'Staff may not.' } });
    const { run } = appWith(options);
    expect(appError(await failureOf(run())).message).toContain(
      'Practice does not let your member role do this',
    );
  });
});

describe('a 200 error envelope of a kind that is not the connection’s', () => {
  const envelope = { ok: false, error: { code: 'not_found', message: 'No client cli_404.' } };

  it("reaches the app's afterResponse and its step untouched by default", async () => {
    api().get('/api/v1/clients/cli_404').reply(200, envelope);
    const { run, seen } = appWith({});
    await expect(run()).resolves.toEqual([envelope]);
    expect(seen).toEqual([200]);
  });

  it("is thrown in the layer's words with messages 'all'", async () => {
    api().get('/api/v1/clients/cli_404').reply(200, envelope);
    const { run } = appWith({ harden: { messages: 'all' } });
    expect(appError(await failureOf(run())).message).toMatch(
      /^Practice could not find what this step refers to \(HTTP 200 ok:false not_found\)/,
    );
  });

  it('a 200 envelope that concerns the connection is the layer’s by default', async () => {
    api()
      .get('/api/v1/clients/cli_404')
      .reply(200, { ok: false, error: { code: 'token_expired', message: 'expired' } });
    const { run } = appWith({});
    await expect(run()).rejects.toMatchObject({ name: 'RefreshAuthError' });
  });
});

describe('the other answers by default', () => {
  it.each([
    [409, 'conflict'],
    [422, 'validation_failed'],
    [400, 'invalid_request'],
    [500, 'internal'],
    [503, 'unavailable'],
  ])('an HTTP %i (%s) is core’s ResponseError, after the app saw it', async (status, code) => {
    api()
      .get('/api/v1/clients/cli_404')
      .reply(status, { error: { code, message: 'm' } });
    const { run, seen } = appWith({});
    await expect(run()).rejects.toMatchObject({ name: 'ResponseError' });
    expect(seen).toEqual([status]);
  });
});

it("harden refuses a messages option it does not know (a JavaScript app's typo)", () => {
  expect(() => layer.harden({}, { messages: 'every' as 'all' })).toThrow(
    /harden's messages is 'connection' or 'all', not "every"/,
  );
  expect(nock.isDone()).toBe(true);
});

// A step that downloads a file from the API with `raw: true` (what z.stashFile takes) gets a raw
// answer: its body a stream, buffer(), text() and json(), the bytes as sent. The layer reads raw
// answers of the API before the app (readQuietBody); it handed back text decoded as UTF-8
// instead, with no body, buffer() or text(), and z.stashFile stored that text: a PDF or an
// image corrupted.
describe('a raw answer (a file download)', () => {
  const BYTES = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x0a]);

  function download(read: (response: unknown) => Promise<unknown>) {
    api().get('/api/v1/files/f1').reply(200, BYTES, { 'content-type': 'application/pdf' });
    const app = layer.harden({
      version: '1.0.0',
      platformVersion: zapier.version,
      authentication: layer.authentication({ test: async () => ({}), connectionLabel: 'raw' }),
      triggers: {
        file: {
          key: 'file',
          noun: 'File',
          display: { label: 'New File', description: 'Downloads a file.' },
          operation: {
            perform: async (z: ZObject) => [
              {
                id: 'f1',
                read: await read(await z.request({ url: `${BASE_URL}/api/v1/files/f1`, raw: true })),
              },
            ],
          },
        },
      },
    });
    const tester = zapier.createAppTester(app) as unknown as (
      fn: unknown,
      bundle: unknown,
    ) => Promise<unknown>;
    return tester(app.triggers.file.operation.perform, { authData: liveAuth(), inputData: {} });
  }

  it('gives the bytes as sent through buffer()', async () => {
    const [row] = (await download(async (r) => {
      const buffer = await (r as { buffer: () => Promise<Buffer> }).buffer();
      return buffer.toString('hex');
    })) as Array<{ read: string }>;
    expect(row?.read).toBe(BYTES.toString('hex'));
  });

  it('gives the bytes as sent through its body stream, which z.stashFile pipes', async () => {
    const [row] = (await download(async (r) => {
      const chunks: Buffer[] = [];
      for await (const chunk of (r as { body: AsyncIterable<Buffer> }).body) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks).toString('hex');
    })) as Array<{ read: string }>;
    expect(row?.read).toBe(BYTES.toString('hex'));
  });

  it('reads a JSON answer through text() and json()', async () => {
    nock.cleanAll();
    api().get('/api/v1/files/f2').reply(200, { name: 'report.pdf' });
    const app = layer.harden({
      version: '1.0.0',
      platformVersion: zapier.version,
      authentication: layer.authentication({ test: async () => ({}), connectionLabel: 'raw' }),
      triggers: {
        meta: {
          key: 'meta',
          noun: 'File',
          display: { label: 'File Meta', description: 'Reads a file’s metadata raw.' },
          operation: {
            perform: async (z: ZObject) => {
              const response = (await z.request({
                url: `${BASE_URL}/api/v1/files/f2`,
                raw: true,
              })) as unknown as {
                text: () => Promise<string>;
                json: () => Promise<unknown>;
              };
              return [{ id: 'f2', text: await response.text(), json: await response.json() }];
            },
          },
        },
      },
    });
    const tester = zapier.createAppTester(app) as unknown as (
      fn: unknown,
      bundle: unknown,
    ) => Promise<unknown>;
    await expect(
      tester(app.triggers.meta.operation.perform, { authData: liveAuth(), inputData: {} }),
    ).resolves.toEqual([{ id: 'f2', text: '{"name":"report.pdf"}', json: { name: 'report.pdf' } }]);
  });
});
