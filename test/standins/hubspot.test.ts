import { spec, start, V1_SUNSET_MS } from '../../tools/standins/hubspot';
import { startStandIn, type StandIn } from 'zapier-oauth-layer/standin';
import { call, field, getProbe, postToken, str } from './helpers';

let s: StandIn;
beforeEach(async () => {
  s = await start();
});
afterEach(() => s.close());

const TOKEN = spec.tokenPath;
const creds = () => ({ client_id: s.client.id, client_secret: s.client.secret });
const refresh = (token: string, extra: Record<string, string> = {}) =>
  postToken(s, TOKEN, { form: { grant_type: 'refresh_token', refresh_token: token, ...creds(), ...extra } });

describe('HubSpot stand-in', () => {
  test('code exchange answers token_type, refresh_token, access_token, expires_in 1800, hub_id and scopes', async () => {
    const code = s.authorizationCode('https://app.example/cb');
    const a = await postToken(s, TOKEN, {
      form: { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/cb', ...creds() },
    });
    expect(a.status).toBe(200);
    expect(Object.keys(a.body as object).sort()).toEqual([
      'access_token',
      'expires_in',
      'hub_id',
      'refresh_token',
      'scopes',
      'token_type',
    ]);
    expect(a.body).toMatchObject({ token_type: 'bearer', expires_in: 1800 });
    expect(str(a.body, 'refresh_token')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  test('no rotation: the refresh token comes back unchanged', async () => {
    const c = s.connect();
    const r = await refresh(c.refresh_token);
    expect(str(r.body, 'refresh_token')).toBe(c.refresh_token);
    expect(str(r.body, 'access_token')).not.toBe(c.access_token);
    expect(s.rotation).toBe('none');
  });

  test('a dead refresh token is 400 BAD_REFRESH_TOKEN', async () => {
    const c = s.connect();
    s.revokeAll();
    const r = await refresh(c.refresh_token);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status: 'BAD_REFRESH_TOKEN', error: 'invalid_grant' });
  });

  test('bad clients, throttling and outage at the token endpoint', async () => {
    const c = s.connect();
    const unknown = await refresh(c.refresh_token, { client_id: 'nobody' });
    expect([unknown.status, field(unknown.body, 'status'), field(unknown.body, 'message')]).toEqual([
      400,
      'BAD_CLIENT_ID',
      'missing or unknown client id',
    ]);
    expect(field((await refresh(c.refresh_token, { client_secret: 'nope' })).body, 'status')).toBe(
      'BAD_CLIENT_SECRET',
    );
    s.failTokenEndpoint(1, 'rate_limited');
    s.failTokenEndpoint(1, 'outage');
    const limited = await refresh(c.refresh_token);
    expect([limited.status, field(limited.body, 'errorType')]).toEqual([429, 'RATE_LIMIT']);
    expect((await refresh(c.refresh_token)).status).toBe(502);
  });

  test('the contacts list answers results', async () => {
    const c = s.connect();
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ results: [{ id: '51', archived: false }, { id: '52' }] });
  });

  test('expired: 401 EXPIRED_AUTHENTICATION saying how long ago; invalid: 401 INVALID_AUTHENTICATION', async () => {
    const c = s.connect();
    s.expireAccessTokens('401 EXPIRED_AUTHENTICATION');
    const e = await getProbe(s, `Bearer ${c.access_token}`);
    expect(e.status).toBe(401);
    expect(e.body).toMatchObject({
      status: 'error',
      category: 'EXPIRED_AUTHENTICATION',
      correlationId: expect.any(String),
      message: expect.stringMatching(
        /^The OAuth token used to make this call expired \d+ second\(s\) ago\.$/,
      ),
    });
    const d = s.connect();
    s.expireAccessTokens('401 INVALID_AUTHENTICATION');
    const i = await getProbe(s, `Bearer ${d.access_token}`);
    expect([i.status, field(i.body, 'category')]).toEqual([401, 'INVALID_AUTHENTICATION']);
    expect(field((await getProbe(s)).body, 'category')).toBe('INVALID_AUTHENTICATION');
  });

  test('a token past its 30 minutes says how many minutes ago it expired', async () => {
    let now = Date.UTC(2026, 0, 1);
    const timed = await startStandIn(spec, { clock: () => now });
    try {
      const c = timed.connect();
      now += (1800 + 5 * 60) * 1000;
      const e = await getProbe(timed, `Bearer ${c.access_token}`);
      expect(field(e.body, 'message')).toBe(
        'The OAuth token used to make this call expired 5 minute(s) ago.',
      );
    } finally {
      await timed.close();
    }
  });

  test('missing scope: 403 MISSING_SCOPES naming the required scope', async () => {
    const c = s.connect(['oauth']);
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect(p.status).toBe(403);
    expect(p.body).toMatchObject({
      status: 'error',
      category: 'MISSING_SCOPES',
      errors: [{ context: { requiredGranularScopes: ['crm.objects.contacts.read'] } }],
    });
  });

  test('rate limits: 429 errorType RATE_LIMIT with the policy name and HubSpot headers', async () => {
    const c = s.connect();
    s.rateLimit(1, 10, '429 RATE_LIMIT TEN_SECONDLY_ROLLING');
    s.rateLimit(1, 10, '429 RATE_LIMIT DAILY');
    const burst = await getProbe(s, `Bearer ${c.access_token}`);
    expect([burst.status, field(burst.body, 'errorType'), field(burst.body, 'policyName')]).toEqual([
      429,
      'RATE_LIMIT',
      'TEN_SECONDLY_ROLLING',
    ]);
    expect(burst.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(burst.headers.get('retry-after')).toBeNull();
    const daily = await getProbe(s, `Bearer ${c.access_token}`);
    expect([daily.status, field(daily.body, 'policyName'), field(daily.body, 'message')]).toEqual([
      429,
      'DAILY',
      'You have reached your daily limit.',
    ]);
  });

  test('forbid: 403 naming the missing permission, without the MISSING_SCOPES category', async () => {
    const c = s.connect();
    s.forbid(true);
    const p = await getProbe(s, `Bearer ${c.access_token}`);
    expect(p.status).toBe(403);
    expect(field(p.body, 'category')).toBeUndefined();
    expect(str(p.body, 'message')).toMatch(/^You do not have permissions to view object type/);
  });

  describe('contacts: create, search and token metadata (for integrations/hubspot)', () => {
    const CONTACTS = '/crm/v3/objects/contacts';
    const bearer = (token: string) => `Bearer ${token}`;
    const create = (token: string, properties: Record<string, string>) =>
      call(s, 'POST', CONTACTS, { authorization: bearer(token), json: { properties } });
    const newestFirst = (token: string, extra: Record<string, unknown> = {}) =>
      call(s, 'POST', `${CONTACTS}/search`, {
        authorization: bearer(token),
        json: { sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }], ...extra },
      });

    test('a create answers 201 with the new object; search and the list then hold it', async () => {
      const c = s.connect();
      const made = await create(c.access_token, { email: 'grace@example.com', firstname: 'Grace' });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({
        id: expect.stringMatching(/^\d+$/),
        properties: { email: 'grace@example.com', firstname: 'Grace' },
        createdAt: expect.any(String),
        archived: false,
      });
      const id = str(made.body, 'id');
      const found = await newestFirst(c.access_token);
      expect(found.status).toBe(200);
      expect(found.body).toMatchObject({ total: 3, results: [{ id }, { id: '52' }, { id: '51' }] });
      // The search answers the default properties unless asked for others.
      expect(
        Object.keys((found.body as { results: { properties: object }[] }).results[0]!.properties).sort(),
      ).toEqual(['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate']);
      const listed = await getProbe(s, bearer(c.access_token));
      expect(listed.body).toMatchObject({ results: [{ id: '51' }, { id: '52' }, { id }] });
    });

    test('search pages with limit and after', async () => {
      const c = s.connect();
      const first = await newestFirst(c.access_token, { limit: 1 });
      expect(first.body).toMatchObject({
        total: 2,
        results: [{ id: '52' }],
        paging: { next: { after: '1' } },
      });
      const second = await newestFirst(c.access_token, { limit: 1, after: '1' });
      expect(second.body).toMatchObject({ results: [{ id: '51' }] });
      expect(field(second.body, 'paging')).toBeUndefined();
    });

    test('a duplicate email, in any case, is 409 CONFLICT naming the existing id', async () => {
      const c = s.connect();
      const dup = await create(c.access_token, { email: 'Ada@Example.com' });
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({
        status: 'error',
        category: 'CONFLICT',
        message: 'Contact already exists. Existing ID: 51',
        correlationId: expect.any(String),
      });
    });

    test('a bad email or no email and no name is 400 VALIDATION_ERROR', async () => {
      const c = s.connect();
      const bad = await create(c.access_token, { email: 'ada@example' });
      expect([bad.status, field(bad.body, 'category')]).toEqual([400, 'VALIDATION_ERROR']);
      expect(str(bad.body, 'message')).toContain('"error":"INVALID_EMAIL","name":"email"');
      const empty = await create(c.access_token, {});
      expect([empty.status, field(empty.body, 'category')]).toEqual([400, 'VALIDATION_ERROR']);
    });

    test('writing needs crm.objects.contacts.write and a live token, like the probe', async () => {
      const readOnly = s.connect(['oauth', 'crm.objects.contacts.read']);
      const refused = await create(readOnly.access_token, { email: 'x@example.com' });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({
        category: 'MISSING_SCOPES',
        errors: [{ context: { requiredGranularScopes: ['crm.objects.contacts.write'] } }],
      });
      expect((await newestFirst(readOnly.access_token)).status).toBe(200);
      const c = s.connect();
      s.expireAccessTokens();
      const expired = await create(c.access_token, { email: 'x@example.com' });
      expect([expired.status, field(expired.body, 'category')]).toEqual([401, 'EXPIRED_AUTHENTICATION']);
    });

    test('token metadata: user, hub and scopes without an Authorization header; 404 once it ended', async () => {
      const c = s.connect();
      const meta = await call(s, 'GET', `/oauth/v1/access-tokens/${c.access_token}`);
      expect(meta.status).toBe(200);
      expect(meta.body).toMatchObject({
        token: c.access_token,
        user: expect.stringContaining('@'),
        hub_domain: expect.any(String),
        hub_id: expect.any(Number),
        scopes: s.allScopes,
        token_type: 'access',
        expires_in: expect.any(Number),
      });
      expect((await call(s, 'GET', '/oauth/v1/access-tokens/not-a-token')).status).toBe(404);
      s.expireAccessTokens();
      expect((await call(s, 'GET', `/oauth/v1/access-tokens/${c.access_token}`)).status).toBe(404);
    });

    test('every stand-in started has a CRM of its own', async () => {
      const c = s.connect();
      await create(c.access_token, { email: 'only-here@example.com' });
      const other = await start();
      try {
        const o = other.connect();
        const listed = await getProbe(other, `Bearer ${o.access_token}`);
        expect((listed.body as { results: unknown[] }).results).toHaveLength(2);
      } finally {
        await other.close();
      }
    });
  });
});

describe('HubSpot stand-in, the date-versioned OAuth API (2026-03)', () => {
  const TOKEN_2026 = '/oauth/2026-03/token';
  const refresh2026 = (token: string, extra: Record<string, string> = {}) =>
    postToken(s, TOKEN_2026, {
      form: { grant_type: 'refresh_token', refresh_token: token, ...creds(), ...extra },
    });
  const introspect = (form: Record<string, string>) =>
    postToken(s, '/oauth/2026-03/token/introspect', { form });

  test('answers a code exchange and a refresh as v1 does, with hub_id and scopes; the grants are shared', async () => {
    const code = s.authorizationCode('https://app.example/cb', ['oauth', 'crm.objects.contacts.read']);
    const a = await postToken(s, TOKEN_2026, {
      form: { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/cb', ...creds() },
    });
    expect(a.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 1800,
      hub_id: 62515,
      scopes: ['oauth', 'crm.objects.contacts.read'],
    });
    // A refresh token from v1 works on 2026-03 and back: one grant, two doors.
    const c = s.connect();
    const r = await refresh2026(c.refresh_token);
    expect(str(r.body, 'refresh_token')).toBe(c.refresh_token);
    expect((await getProbe(s, `Bearer ${str(r.body, 'access_token')}`)).status).toBe(200);
    expect((await refresh(c.refresh_token)).status).toBe(200);
  });

  test('every refusal carries RFC 6749 error and error_description beside status and message', async () => {
    const c = s.connect();
    expect((await refresh2026('no-such-token')).body).toEqual({
      error: 'invalid_grant',
      error_description: 'refresh token is invalid, expired or revoked',
      status: 'BAD_REFRESH_TOKEN',
      message: 'refresh token is invalid, expired or revoked',
    });
    const secret = await refresh2026(c.refresh_token, { client_secret: 'nope' });
    expect([secret.status, field(secret.body, 'error'), field(secret.body, 'status')]).toEqual([
      400,
      'invalid_client',
      'BAD_CLIENT_SECRET',
    ]);
    const grant = await postToken(s, TOKEN_2026, { form: { grant_type: 'password', ...creds() } });
    expect([field(grant.body, 'error'), field(grant.body, 'status')]).toEqual([
      'unsupported_grant_type',
      'BAD_GRANT_TYPE',
    ]);
    // [v3-errors] "reflected in both the v1 and v3 OAuth API endpoints": v1 refuses the same way.
    expect((await refresh('no-such-token')).body).toEqual((await refresh2026('no-such-token')).body);
    const v1Secret = await refresh(c.refresh_token, { client_secret: 'nope' });
    expect([field(v1Secret.body, 'error'), field(v1Secret.body, 'status')]).toEqual([
      'invalid_client',
      'BAD_CLIENT_SECRET',
    ]);
  });

  test('v1 is served until its sunset (2027-02-16), then only 2026-03; a refresh token v1 issued keeps working there', async () => {
    let now = V1_SUNSET_MS - 60_000;
    const clocked = await start({ clock: () => now });
    try {
      const form = (token: string) => ({
        form: {
          grant_type: 'refresh_token',
          refresh_token: token,
          client_id: clocked.client.id,
          client_secret: clocked.client.secret,
        },
      });
      const c = clocked.connect();
      const before = await postToken(clocked, TOKEN, form(c.refresh_token));
      expect(before.status).toBe(200);
      expect(
        (await call(clocked, 'GET', `/oauth/v1/access-tokens/${str(before.body, 'access_token')}`)).status,
      ).toBe(200);
      now = V1_SUNSET_MS;
      const after = await postToken(clocked, TOKEN, form(c.refresh_token));
      expect([after.status, field(after.body, 'error')]).toEqual([404, 'no such endpoint in this stand-in']);
      expect((await call(clocked, 'GET', `/oauth/v1/access-tokens/${c.access_token}`)).status).toBe(404);
      const moved = await postToken(clocked, TOKEN_2026, form(c.refresh_token));
      expect([moved.status, str(moved.body, 'refresh_token')]).toEqual([200, c.refresh_token]);
      expect(clocked.oauthRequests()).toEqual({ v1: 2, '2026-03': 1 });
    } finally {
      await clocked.close();
    }
  });

  test('reads the form body only: client credentials in the query string are no credentials', async () => {
    const c = s.connect();
    const viaQuery = await postToken(s, TOKEN_2026, {
      form: { grant_type: 'refresh_token', refresh_token: c.refresh_token },
      query: creds(),
    });
    expect([viaQuery.status, field(viaQuery.body, 'error'), field(viaQuery.body, 'status')]).toEqual([
      400,
      'invalid_client',
      'BAD_CLIENT_ID',
    ]);
    // v1 took them there, and still does.
    const v1 = await postToken(s, TOKEN, {
      form: { grant_type: 'refresh_token', refresh_token: c.refresh_token },
      query: creds(),
    });
    expect(v1.status).toBe(200);
  });

  test('introspection: a live access token with its hub and user; one that no longer works is inactive', async () => {
    const c = s.connect(['oauth', 'crm.objects.contacts.read']);
    const live = await introspect({ ...creds(), token: c.access_token, token_type_hint: 'access_token' });
    expect(live.body).toMatchObject({
      token_use: 'access_token',
      active: true,
      token: c.access_token,
      hub_id: 62515,
      client_id: s.client.id,
      scopes: ['oauth', 'crm.objects.contacts.read'],
      token_type: 'bearer',
      user: 'owner@example.com',
      hub_domain: 'example-62515.hubspot.com',
    });
    expect(field(live.body, 'expires_in')).toBeGreaterThan(1790);
    s.expireAccessTokens();
    expect((await introspect({ ...creds(), token: c.access_token })).body).toEqual({ active: false });
    expect(field((await introspect({ token: c.access_token })).body, 'status')).toBe('BAD_CLIENT_ID');
  });
});
