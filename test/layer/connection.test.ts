// Per-connection hosts (issue 26, 6) and scopes left to the client's registration (5): what a
// connection says when it is made (Zoho's data centre, Salesforce's My Domain) moves its
// OAuth endpoints, inside the hosts the profile allows, through core, with nock.
import nock from 'nock';
import zapier, { type Bundle, type ZObject } from 'zapier-platform-core';
import {
  createLayer,
  defineProfile,
  profileProblems,
  type CheckedProfile,
  type ProfileInput,
} from 'zapier-oauth-layer/internal';
import { PROFILES } from '../../profiles';
import { appFor } from 'zapier-oauth-layer/conformance';

type Perform = (z: ZObject, bundle: Bundle) => Promise<unknown>;
const REDIRECT = 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/';
const tokens = { access_token: 'at_1', refresh_token: 'rt_1', token_type: 'Bearer', expires_in: 3600 };

let refreshes = 0;

/** The app of one profile, its OAuth functions run through createAppTester. */
function tester(profile: CheckedProfile) {
  const { app } = appFor(profile, '/probe');
  const run = zapier.createAppTester(app) as unknown as (fn: Perform, bundle: object) => Promise<unknown>;
  const oauth = (app as { authentication: { oauth2Config: Record<string, Perform> } }).authentication
    .oauth2Config;
  return {
    app: app as { authentication: { fields: Array<Record<string, unknown>> } },
    authorize: (inputData: object) =>
      run(oauth.authorizeUrl!, {
        inputData: { redirect_uri: REDIRECT, state: 's', ...inputData },
      }) as Promise<string>,
    exchange: (inputData: object) =>
      run(oauth.getAccessToken!, {
        inputData: { code: 'c', redirect_uri: REDIRECT, ...inputData },
      }) as Promise<Record<string, unknown>>,
    // A refresh token of its own each time: the coordinator remembers a refresh token's outcome.
    refresh: (authData: object) =>
      run(oauth.refreshAccessToken!, {
        authData: { refresh_token: `rt_${++refreshes}`, ...authData },
      }) as Promise<Record<string, unknown>>,
  };
}

const saved = { ...process.env };
beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  for (const name of ['ZOHO', 'SALESFORCE', 'SHOP']) {
    Reflect.deleteProperty(process.env, `${name}_BASE_URL`);
    process.env[`${name}_CLIENT_ID`] = 'client-id';
    process.env[`${name}_CLIENT_SECRET`] = 'client-secret';
  }
});
afterEach(() => {
  nock.cleanAll();
  for (const key of Object.keys(process.env)) if (!(key in saved)) Reflect.deleteProperty(process.env, key);
  Object.assign(process.env, saved);
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

async function failure(promise: Promise<unknown>): Promise<{ message: string; code?: string }> {
  try {
    await promise;
  } catch (error) {
    const message = (error as Error).message;
    try {
      return JSON.parse(message) as { message: string; code: string };
    } catch {
      return { message };
    }
  }
  throw new Error('it did not fail');
}

describe("Zoho: the connection's data centre", () => {
  const zoho = tester(PROFILES.zoho!);

  it('asks for it on the connection form, with the data centres Zoho documents', () => {
    expect(zoho.app.authentication.fields[0]).toEqual({
      key: 'dc',
      label: 'Data centre',
      helpText: expect.stringContaining('crm.zoho.eu is zoho.eu') as string,
      type: 'string',
      required: false,
      default: 'zoho.com',
      choices: expect.objectContaining({
        'zoho.eu': 'Europe (zoho.eu)',
        'zohocloud.ca': 'Canada (zohocloud.ca)',
      }),
    });
  });

  it('sends the user to its Accounts server, and asks it for the tokens', async () => {
    expect(await zoho.authorize({ dc: 'zoho.eu' })).toMatch(
      /^https:\/\/accounts\.zoho\.eu\/oauth\/v2\/auth\?/,
    );
    const scope = nock('https://accounts.zoho.eu')
      .post('/oauth/v2/token')
      .reply(200, { ...tokens, api_domain: 'https://www.zohoapis.eu' });
    const authData = await zoho.exchange({ dc: 'zoho.eu' });
    expect(scope.isDone()).toBe(true);
    // Kept with the connection, so that a refresh finds it in authData.
    expect(authData).toMatchObject({ dc: 'zoho.eu', api_domain: 'https://www.zohoapis.eu' });
  });

  it('refreshes at the Accounts server authData names', async () => {
    const scope = nock('https://accounts.zohocloud.ca').post('/oauth/v2/token').reply(200, tokens);
    expect(await zoho.refresh({ dc: 'zohocloud.ca' })).toMatchObject({
      access_token: 'at_1',
      dc: 'zohocloud.ca',
    });
    expect(scope.isDone()).toBe(true);
  });

  it('takes the US one for a connection made before the field (its default)', async () => {
    expect(await zoho.authorize({})).toMatch(/^https:\/\/accounts\.zoho\.com\/oauth\/v2\/auth\?/);
    const scope = nock('https://accounts.zoho.com').post('/oauth/v2/token').reply(200, tokens);
    await zoho.refresh({});
    expect(scope.isDone()).toBe(true);
  });

  it.each(['evil.example', 'zoho.eu/x', 'zoho.eu.evil.example', 'zoho.eu:8443', 'zoho.eu@evil.example'])(
    'refuses %p, naming the field and the values it takes, and sends nothing',
    async (dc) => {
      const refused = await failure(zoho.exchange({ dc }));
      expect(refused.code).toBe('untrusted_connection_host');
      expect(refused.message).toMatch(
        /^This Zoho CRM connection names a place this integration does not connect to: Data centre ".*" \(connection field "dc": one of zoho\.com, zoho\.eu,/,
      );
      expect(refused.message).toContain('Nothing was sent.');
    },
  );

  it('moves onto a stand-in on the base variable, whatever the connection says', () => {
    process.env.ZOHO_BASE_URL = 'http://127.0.0.1:4010';
    const layer = createLayer(PROFILES.zoho!);
    expect(layer.endpoints.endpoint(PROFILES.zoho!.endpoints.token, { dc: 'zoho.eu' })).toBe(
      'http://127.0.0.1:4010/oauth/v2/token',
    );
  });
});

describe("Salesforce: the org's login host", () => {
  const salesforce = tester(PROFILES.salesforce!);

  it.each([
    ['acme.my.salesforce.com', 'https://acme.my.salesforce.com'],
    ['  https://Acme--UAT.sandbox.my.salesforce.com/ ', 'https://acme--uat.sandbox.my.salesforce.com'],
    ['test.salesforce.com', 'https://test.salesforce.com'],
    ['', 'https://login.salesforce.com'],
  ])('%p signs in on %s', async (login_host, origin) => {
    expect(await salesforce.authorize({ login_host })).toMatch(
      new RegExp(`^${origin}/services/oauth2/authorize\\?`),
    );
  });

  it.each([
    'evil.example',
    'salesforce.com.evil.example',
    'my.salesforce.com',
    'acme.my.salesforce.com.evil.example',
  ])('refuses %p: not a host connection.hosts allows, nothing sent', async (login_host) => {
    const refused = await failure(salesforce.exchange({ login_host }));
    expect(refused.code).toBe('untrusted_connection_host');
    expect(refused.message).toMatch(
      /^This Salesforce connection points at a host the integration does not send to: .* \(connection fields: login_host\), not one connection\.hosts allows in profile "salesforce"\. Nothing was sent there\. Reconnect your Salesforce account/,
    );
  });

  it('asks the My Domain for the tokens and keeps it with the connection', async () => {
    const scope = nock('https://acme.my.salesforce.com')
      .post('/services/oauth2/token')
      .reply(200, {
        ...tokens,
        instance_url: 'https://acme.my.salesforce.com',
        issued_at: String(Date.now()),
      });
    expect(await salesforce.exchange({ login_host: 'acme.my.salesforce.com' })).toMatchObject({
      login_host: 'acme.my.salesforce.com',
      instance_url: 'https://acme.my.salesforce.com',
    });
    expect(scope.isDone()).toBe(true);
  });
});

describe('an API whose host is the connection (a shop)', () => {
  const shop: ProfileInput = {
    id: 'shop',
    name: 'Shop',
    troubleshooting: 'docs/troubleshooting.md',
    endpoints: {
      base: 'https://accounts.shop.example',
      baseEnv: 'SHOP_BASE_URL',
      authorize: 'https://{{shop}}.shop.example/admin/oauth/authorize',
      token: 'https://{{shop}}.shop.example/admin/oauth/access_token',
      api: 'https://{{shop}}.shop.example/admin/api/',
    },
    connection: {
      fields: [
        { key: 'shop', label: 'Shop name', help: 'The name before .shop.example in your admin address.' },
      ],
      hosts: ['*.shop.example'],
    },
    client: { idEnv: 'SHOP_CLIENT_ID', secretEnv: 'SHOP_CLIENT_SECRET' },
    authorization: { scopes: ['read_orders'], pkce: 'none' },
    token: { rotation: { kind: 'none' } },
  };
  const layer = createLayer(defineProfile(shop));

  it('sends the token to that shop only', () => {
    const mine = { shop: 'acme', access_token: 'at' };
    expect(layer.endpoints.destination('https://acme.shop.example/admin/api/orders.json', mine)).toBe('api');
    expect(layer.endpoints.destination('https://other.shop.example/admin/api/orders.json', mine)).toBe(
      'elsewhere',
    );
    expect(layer.endpoints.apiUrl('orders.json', mine)).toBe(
      'https://acme.shop.example/admin/api/orders.json',
    );
  });

  it('requires the field: a connection without it is refused, naming it', () => {
    expect(tester(defineProfile(shop)).app.authentication.fields[0]).toMatchObject({
      key: 'shop',
      required: true,
    });
    expect(layer.endpoints.destination('https://acme.shop.example/admin/api/orders.json', {})).toBe(
      'refused',
    );
    expect(layer.endpoints.refusedApiOrigin({})).toMatch(
      /^This Shop connection lacks a value that says where Shop is: Shop name \(connection field "shop"\)\. Reconnect/,
    );
  });
});

describe("Shopify: the shop's own host, and the token in a header of its own", () => {
  const shopify = createLayer(PROFILES.shopify!);
  const z = { errors: zapier.errors } as unknown as ZObject;
  const bundle = { authData: { shop: 'acme', access_token: 'shpat_0123456789abcdef0123456789abcdef' } };
  const add = shopify.middleware.named.addBearerToken as unknown as (
    request: { url: string; method?: string; headers?: Record<string, string> },
    z: ZObject,
    bundle: object,
  ) => { headers: Record<string, string> };

  it('sends the access token alone in X-Shopify-Access-Token to its shop, never as Authorization', () => {
    const { headers } = add({ url: 'https://acme.myshopify.com/admin/api/2026-07/products.json' }, z, bundle);
    expect(headers['X-Shopify-Access-Token']).toBe('shpat_0123456789abcdef0123456789abcdef');
    expect(headers.Authorization).toBeUndefined();
  });

  it('takes that header off a request to anywhere else', () => {
    const { headers } = add(
      {
        url: 'https://other.myshopify.com/admin/api/2026-07/products.json',
        headers: { 'x-shopify-access-token': 'shpat_0123456789abcdef0123456789abcdef', Accept: 'text/plain' },
      },
      z,
      bundle,
    );
    expect(headers).toEqual({ Accept: 'text/plain' });
  });

  it('reads its GraphQL family on the versioned path, and REST beside it', () => {
    const at = (path: string, status: number, body: unknown) =>
      shopify.classify({
        status,
        header: () => undefined,
        body,
        content: JSON.stringify(body),
        request: { method: 'POST', url: `https://acme.myshopify.com${path}` },
      });
    const denied = {
      data: { products: null },
      errors: [{ message: 'Access denied', extensions: { code: 'ACCESS_DENIED' } }],
    };
    expect(at('/admin/api/2026-07/graphql.json', 200, denied)).toMatchObject({
      kind: 'scope',
      family: 'graphql',
    });
    expect(
      at('/admin/api/2026-07/products.json', 403, {
        errors: '[API] This action requires merchant approval for read_products scope.',
      }),
    ).toMatchObject({ kind: 'scope', apiMessage: expect.stringContaining('read_products') as string });
    expect(at('/admin/api/2026-07/products.json', 402, { errors: 'frozen' }).kind).toBe('forbidden');
  });
});

describe('connection fields are checked at load', () => {
  /** Zoho's profile as plain data, to break one field at a time. */
  interface Loose {
    endpoints: Record<string, unknown>;
    connection: { fields: Array<Record<string, unknown>>; hosts: string[] };
  }
  const problems = (change: (p: Loose) => void) => {
    const copy = JSON.parse(JSON.stringify(PROFILES.zoho)) as Loose;
    change(copy);
    return profileProblems(copy);
  };

  it.each<[string, (p: Loose) => void, RegExp]>([
    [
      'an endpoint naming a field never declared',
      (p) => (p.endpoints.token = 'https://accounts.{{region}}/oauth/v2/token'),
      /^endpoints\.token: names \{\{region\}\}, which connection\.fields does not declare/,
    ],
    [
      'a field no endpoint names',
      (p) => p.connection.fields.push({ key: 'unused', label: 'U', help: 'Unused.' }),
      /^connection\.fields\[1\]: "unused" is named by no endpoint/,
    ],
    [
      'a documented value on a host not allowed',
      (p) => (p.connection.hosts = ['accounts.zoho.com']),
      /^endpoints\.authorize: with dc "zoho\.eu" names accounts\.zoho\.eu, a host connection\.hosts does not allow/,
    ],
    [
      'a field in the path',
      (p) => (p.endpoints.token = 'https://accounts.zoho.com/{{dc}}/token'),
      /^endpoints\.token: must be https:\/\/ or a path starting with "\/".*\(\{\{field\}\} only in the host\)/,
    ],
    [
      'a default that is not a choice',
      (p) => (p.connection.fields[0]!.default = 'zoho.de'),
      /^connection\.fields\[0\]\.default: "zoho\.de" is not one of its choices/,
    ],
    [
      'a key the token answer has',
      (p) => {
        p.connection.fields[0]!.key = 'scope';
        p.endpoints.token = 'https://accounts.{{scope}}/oauth/v2/token';
      },
      /^connection\.fields\[0\]\.key: "scope" is a field of the token answer/,
    ],
    [
      'hosts that are not host names',
      (p) => (p.connection.hosts = ['https://x']),
      /^connection\.hosts\[0\]: must be a host name/,
    ],
  ])('refuses %s', (_what, change, expected) => {
    const found = problems(change);
    expect(found.some((p) => expected.test(p))).toBe(true);
  });
});

describe('scopes left to the registration (omitScope)', () => {
  it("leaves scope out of the authorize URL, so that the client's registered scopes apply", async () => {
    const base = PROFILES.hubspot!;
    const omitting = defineProfile({ ...base, authorization: { ...base.authorization, omitScope: true } });
    process.env.HUBSPOT_CLIENT_ID = 'client-id';
    process.env.HUBSPOT_CLIENT_SECRET = 'client-secret';
    const without = new URL(await tester(omitting).authorize({}));
    const withScope = new URL(await tester(base).authorize({}));
    expect(without.searchParams.has('scope')).toBe(false);
    expect(withScope.searchParams.get('scope')).toBe('crm.objects.contacts.read crm.objects.contacts.write');
    expect(without.searchParams.get('client_id')).toBe('client-id');
  });
});
