import { startStandIn } from 'zapier-oauth-layer/standin';
import { spec } from '../../tools/standins/shopify';
import type { StandIn } from 'zapier-oauth-layer/standin';
import { field, postToken, str, type Answer } from './helpers';

let now: number;
let s: StandIn;
beforeEach(async () => {
  now = Date.UTC(2026, 11, 1, 9, 0, 0);
  s = await startStandIn(spec, { clock: () => now });
});
afterEach(() => s.close());

const TOKEN = spec.tokenPath;
const REST = '/admin/api/2026-07/products.json';
const GRAPHQL = '/admin/api/2026-07/graphql.json';
const creds = () => ({ client_id: s.client.id, client_secret: s.client.secret });
const refresh = (token: string) =>
  postToken(s, TOKEN, { form: { grant_type: 'refresh_token', refresh_token: token, ...creds() } });
async function ask(
  path: string,
  token?: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers['x-shopify-access-token'] = token;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${s.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, body: JSON.parse(text) as unknown };
}
const rest = (token?: string) => ask(REST, token);
const graphql = (token?: string) =>
  ask(GRAPHQL, token, { method: 'POST', body: { query: '{ products(first: 1) { nodes { id } } }' } });
const INVALID = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };

describe('Shopify stand-in', () => {
  test('two families: the REST Admin API first, the GraphQL Admin API probed with a POST', () => {
    expect(s.families.map((f) => [f.name, f.probe.method, f.probe.path, f.probeScope, f.forbidden])).toEqual([
      ['rest', 'GET', REST, 'read_products', 'plan'],
      ['graphql', 'POST', GRAPHQL, 'read_products', 'plan'],
    ]);
  });

  test('a code exchange answers an expiring offline token: one hour, a refresh token of 90 days, scopes by commas', async () => {
    const code = s.authorizationCode('https://app.example/cb', ['read_products', 'read_orders']);
    const a = await postToken(s, TOKEN, {
      form: { code, redirect_uri: 'https://app.example/cb', ...creds() },
    });
    expect(a.body).toMatchObject({
      expires_in: 3600,
      refresh_token_expires_in: 7776000,
      scope: 'read_products,read_orders',
    });
    expect(str(a.body, 'access_token')).toMatch(/^shpat_[0-9a-f]{32}$/);
    expect(str(a.body, 'refresh_token')).toMatch(/^shprt_/);
  });

  test('the token travels in X-Shopify-Access-Token; a Bearer header is no token at all', async () => {
    const c = s.connect();
    expect((await rest(c.access_token)).status).toBe(200);
    const bearer = await fetch(`${s.url}${REST}`, { headers: { authorization: `Bearer ${c.access_token}` } });
    expect(bearer.status).toBe(401);
    expect((await graphql(c.access_token)).body).toMatchObject({
      data: { products: { nodes: [{ id: 'gid://shopify/Product/108828309' }] } },
    });
  });

  test('an expired or unknown token is 401 Invalid API key or access token on both families', async () => {
    const c = s.connect();
    now += 3600 * 1000;
    for (const answer of [
      await rest(c.access_token),
      await graphql(c.access_token),
      await graphql('shpat_nothing'),
    ]) {
      expect([answer.status, answer.body, answer.headers.get('www-authenticate')]).toEqual([
        401,
        INVALID,
        'Basic Realm="Shopify API Authentication"',
      ]);
    }
  });

  test('the previous refresh token works again until its replacement is used, then it is retired', async () => {
    const c = s.connect();
    const first = str((await refresh(c.refresh_token)).body, 'refresh_token');
    // The answer was lost: the app retries the token it had stored.
    const again = await refresh(c.refresh_token);
    expect(again.status).toBe(200);
    expect((await refresh(str(again.body, 'refresh_token'))).status).toBe(200);
    const retired = await refresh(c.refresh_token);
    expect([retired.status, field(retired.body, 'error')]).toEqual([400, 'invalid_grant']);
    expect(first).not.toBe(c.refresh_token);
    expect(s.rotation).toBe('grace');
  });

  test('a missing scope: REST 403 naming it, GraphQL 200 ACCESS_DENIED with requiredAccess', async () => {
    const c = s.connect(['read_orders']);
    expect((await rest(c.access_token)).body).toEqual({
      errors: '[API] This action requires merchant approval for read_products scope.',
    });
    const g = await graphql(c.access_token);
    expect(g.status).toBe(200);
    expect(field(field(g.body, 'errors'), '0')).toMatchObject({
      message: 'Access denied for products field. Required access: `read_products` access scope.',
      extensions: { code: 'ACCESS_DENIED', requiredAccess: '`read_products` access scope.' },
    });
  });

  test('throttling: REST 429 Retry-After "7.0"; GraphQL 200 THROTTLED whose cost says the wait', async () => {
    const c = s.connect();
    s.rateLimit(1, 7, '429 Retry-After 2.0');
    s.rateLimit(1, 7, 'graphql 200 THROTTLED extensions.cost');
    const r = await rest(c.access_token);
    expect([r.status, r.headers.get('retry-after'), r.headers.get('x-shopify-shop-api-call-limit')]).toEqual([
      429,
      '7.0',
      '40/40',
    ]);
    const g = await graphql(c.access_token);
    expect(g.status).toBe(200);
    expect(field(field(g.body, 'errors'), '0')).toMatchObject({ extensions: { code: 'THROTTLED' } });
    const cost = field(field(g.body, 'extensions'), 'cost') as {
      requestedQueryCost: number;
      throttleStatus: { currentlyAvailable: number; restoreRate: number };
    };
    expect(
      (cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable) / cost.throttleStatus.restoreRate,
    ).toBe(7);
  });

  test('a frozen shop is 402 on both families', async () => {
    const c = s.connect();
    s.forbid(true);
    for (const answer of [await rest(c.access_token), await graphql(c.access_token)]) {
      expect(answer.status).toBe(402);
      expect(String(field(answer.body, 'errors'))).toMatch(/currently frozen/);
    }
  });

  test('token endpoint refusals: RFC 6749 error and error_description', async () => {
    const c = s.connect();
    expect((await refresh('shprt_nothing')).body).toEqual({
      error: 'invalid_grant',
      error_description: 'The refresh token is invalid, expired or revoked.',
    });
    const wrong = await postToken(s, TOKEN, {
      form: { grant_type: 'refresh_token', refresh_token: c.refresh_token, ...creds(), client_secret: 'no' },
    });
    expect(field(wrong.body, 'error')).toBe('invalid_client');
  });
});
