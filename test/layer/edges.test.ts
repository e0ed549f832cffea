// The layer at the edges a review found: URLs as node-fetch normalises them, hosts named by
// the token answer, spellings of the token endpoint, rate-limit and scope headers on answers
// they do not describe, challenges inside quoted strings, numbers that look like tokens.
import zapier, { type Bundle, type HttpResponse, type ZObject } from 'zapier-platform-core';
import {
  createLayer,
  parseBearerChallenge,
  parseCoreError,
  profileProblems,
  redact,
  type Profile,
} from 'zapier-oauth-layer/internal';
import { PROFILES } from '../../profiles';

const z = { errors: zapier.errors } as unknown as ZObject;
const bundle = (authData: Record<string, unknown> = {}) => ({ authData, inputData: {} }) as unknown as Bundle;
const github = createLayer(PROFILES.github!);
const zoho = createLayer(PROFILES.zoho!);
const slack = createLayer(PROFILES.slack!);
const xero = createLayer(PROFILES.xero!);

function answer(url: string, finalUrl: string, status = 200): HttpResponse {
  return {
    status,
    url: finalUrl,
    request: { url, method: 'GET' },
    getHeader: () => undefined,
  } as unknown as HttpResponse;
}

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) Reflect.deleteProperty(process.env, key);
  Object.assign(process.env, saved);
});

describe('an answer from the origin it was asked of is never "from elsewhere"', () => {
  it('takes the URL node-fetch normalised (quotes, spaces, case) for the one asked, on an API off the base', () => {
    const asked = 'https://API.github.com/search/issues?q=label:"good first issue"';
    const final = 'https://api.github.com/search/issues?q=label:%22good%20first%20issue%22';
    const refuse = github.middleware.named.refuseRedirects;
    const response = answer(asked, final);
    expect(refuse(response, z, bundle())).toBe(response);
  });

  it('still refuses an answer whose final URL is on another origin', () => {
    const refuse = github.middleware.named.refuseRedirects;
    expect(() =>
      refuse(answer('https://api.github.com/user', 'https://evil.example/user'), z, bundle()),
    ).toThrow(
      /came from another origin \(https:\/\/evil\.example, not GITHUB_BASE_URL's https:\/\/api\.github\.com\)/,
    );
  });
});

describe('an API on the host the token answer names (apiFrom)', () => {
  const authData = { access_token: 'zoho-access-123456', api_domain: 'https://www.zohoapis.eu' };

  it("sends the token to the connection's data centre, not to another", () => {
    expect(zoho.endpoints.isApiRequest('https://www.zohoapis.eu/crm/v8/Leads', authData)).toBe(true);
    expect(zoho.endpoints.isApiRequest('https://www.zohoapis.com/crm/v8/Leads', authData)).toBe(false);
    expect(zoho.endpoints.isApiRequest('https://accounts.zoho.com/crm/v8/Leads', authData)).toBe(false);
    expect(zoho.endpoints.apiUrl('/v8/Leads', authData)).toBe('https://www.zohoapis.eu/crm/v8/Leads');
    const request = zoho.middleware.named.addBearerToken(
      { url: 'https://www.zohoapis.eu/crm/v8/Leads', headers: {} },
      z,
      bundle(authData),
    ) as { headers: Record<string, string> };
    expect(request.headers.Authorization).toBe('Zoho-oauthtoken zoho-access-123456');
  });

  it('falls back to the profile’s API without the field, and refuses a named host that is not https', () => {
    expect(zoho.endpoints.isApiRequest('https://www.zohoapis.com/crm/v8/Leads', {})).toBe(true);
    const plain = { api_domain: 'http://www.zohoapis.eu' };
    expect(zoho.endpoints.isApiRequest('http://www.zohoapis.eu/crm/v8/Leads', plain)).toBe(false);
  });

  it('is refused by the profile check when the field is not kept', () => {
    const profile = JSON.parse(JSON.stringify(PROFILES.zoho)) as Profile;
    profile.token.keep = [];
    expect(profileProblems(profile)).toContain(
      'endpoints.apiFrom.field: names "api_domain", which token.keep does not keep',
    );
  });
});

describe('apiFrom names only the hosts the profile allows (endpoints.apiFrom.hosts)', () => {
  const salesforce = createLayer(PROFILES.salesforce!);
  const asked = (named: string) => `${named.replace(/\/+$/, '')}/services/data/v62.0/query`;
  const withToken = (named: unknown) => ({ access_token: 'sf-access-0123456789', instance_url: named });

  it.each([
    'https://collector.attacker.example',
    'http://127.0.0.1:6379',
    'http://localhost:9200',
    'https://127.0.0.1',
    'https://my.salesforce.com.attacker.example',
    'https://acme.my.salesforce.com.',
    'https://acme.my.salesforce.com:8443',
    'https://user:pass@acme.my.salesforce.com',
    'http://acme.my.salesforce.com',
  ])('%s in a token answer gets no access token, and the request is refused', (named) => {
    const authData = withToken(named);
    expect(salesforce.endpoints.isApiRequest(asked(named), authData)).toBe(false);
    const send = () =>
      salesforce.middleware.named.addBearerToken({ url: asked(named), headers: {} }, z, bundle(authData));
    expect(send).toThrow(/endpoints\.apiFrom\.hosts/);
    expect(send).not.toThrow(/sf-access-0123456789/);
  });

  it('refuses what is not a URL at all, even for a request to the profile’s own origin', () => {
    const send = () =>
      salesforce.middleware.named.addBearerToken(
        { url: 'https://login.salesforce.com/services/data/v62.0/query', headers: {} },
        z,
        bundle(withToken('javascript:alert(1)')),
      );
    expect(send).toThrow(/endpoints\.apiFrom\.hosts/);
    const error = (() => {
      try {
        return send();
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(parseCoreError(error)).toMatchObject({ code: 'untrusted_api_host', status: 500 });
    expect(parseCoreError(error).message).toMatch(
      /^Salesforce named "javascript:alert\(1\)" as this connection's API address \(instance_url\), not a host endpoints\.apiFrom\.hosts allows/,
    );
  });

  it.each([
    'https://acme.my.salesforce.com',
    'https://acme--uat.sandbox.my.salesforce.com',
    'https://acme.develop.my.salesforce.com',
    'https://na139.salesforce.com',
    'https://acme.lightning.force.com',
  ])('%s is a Salesforce host: the token goes there', (named) => {
    const authData = withToken(named);
    expect(salesforce.endpoints.isApiRequest(asked(named), authData)).toBe(true);
    expect(salesforce.endpoints.apiUrl('v62.0/query', authData)).toBe(asked(named));
  });

  it("allows loopback only as the base variable's own origin, when that is loopback", () => {
    process.env.SALESFORCE_BASE_URL = 'http://127.0.0.1:4010';
    expect(
      salesforce.endpoints.isApiRequest(asked('http://127.0.0.1:4010'), withToken('http://127.0.0.1:4010')),
    ).toBe(true);
    for (const other of ['http://127.0.0.1:6379', 'http://localhost:4010', 'https://127.0.0.1:4010']) {
      expect(salesforce.endpoints.isApiRequest(asked(other), withToken(other))).toBe(false);
    }
  });

  it('lets Zoho name its regional API hosts and nothing else', () => {
    for (const region of ['com', 'eu', 'in', 'com.au', 'jp', 'com.cn', 'ca', 'sa'])
      expect(
        zoho.endpoints.isApiRequest(`https://www.zohoapis.${region}/crm/v8/Leads`, {
          api_domain: `https://www.zohoapis.${region}`,
        }),
      ).toBe(true);
    for (const named of [
      'https://zohoapis.eu.attacker.example',
      'https://www.zohoapis.eu.',
      'https://api.zohoapis.eu',
    ])
      expect(zoho.endpoints.isApiRequest(`${named}/crm/v8/Leads`, { api_domain: named })).toBe(false);
  });

  it('is refused by the profile check without hosts, with a pattern that is not a host, or in the old form', () => {
    const problemsWith = (apiFrom: unknown) => {
      const profile = JSON.parse(JSON.stringify(PROFILES.salesforce)) as Record<
        string,
        Record<string, unknown>
      >;
      profile.endpoints!.apiFrom = apiFrom;
      return profileProblems(profile);
    };
    expect(problemsWith({ field: 'instance_url' })).toContainEqual(
      expect.stringMatching(/^endpoints\.apiFrom\.hosts: must be a list/),
    );
    expect(problemsWith({ field: 'instance_url', hosts: [] })).toContainEqual(
      expect.stringMatching(/^endpoints\.apiFrom\.hosts: must list at least one host/),
    );
    expect(problemsWith('instance_url')).toContainEqual(
      expect.stringMatching(/^endpoints\.apiFrom: must be an object, not "instance_url"/),
    );
    for (const pattern of [
      '*',
      '*.com',
      'https://acme.my.salesforce.com',
      '127.0.0.1',
      'localhost',
      'a.b.com:443',
      '*.*.force.com',
    ])
      expect(problemsWith({ field: 'instance_url', hosts: [pattern] })).toContainEqual(
        expect.stringMatching(/^endpoints\.apiFrom\.hosts\[0\]: must be a host name/),
      );
  });
});

describe('the base variable set to production moves nothing', () => {
  it("keeps Xero's token endpoint on identity.xero.com", () => {
    process.env.XERO_BASE_URL = 'https://api.xero.com';
    expect(xero.endpoints.endpoint(PROFILES.xero!.endpoints.token)).toBe(
      'https://identity.xero.com/connect/token',
    );
    expect(xero.endpoints.isApiRequest('https://api.xero.com/api.xro/2.0/Contacts')).toBe(true);
  });
});

describe('no spelling of the token endpoint passes for the API', () => {
  it.each([
    'https://slack.com/api/oauth.v2.access',
    'https://slack.com/api/oauth.v2.access/',
    'https://slack.com/api//oauth.v2.access',
    'https://slack.com/api/oauth.v2%2Eaccess',
    'https://slack.com/api/%6fauth.v2.access',
  ])('%s', (url) => {
    expect(slack.endpoints.isApiRequest(url)).toBe(false);
    expect(slack.endpoints.isOwnRequest(url)).toBe(true);
  });

  it('while the API prefix itself still is the API, and a look-alike is not', () => {
    expect(slack.endpoints.isApiRequest('https://slack.com/api/conversations.list')).toBe(true);
    expect(slack.endpoints.isApiRequest('https://slack.com/apix/conversations.list')).toBe(false);
  });
});

describe('headers only mean what they mean on the answers they describe', () => {
  const classify = (status: number, headers: Record<string, string>) =>
    github.classify({ status, header: (name) => headers[name.toLowerCase()], body: {}, content: '{}' });

  it('a 404 or 422 that spent the last unit of the quota is what it is, not a rate limit', () => {
    const headers = {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1800),
    };
    expect(classify(404, headers).kind).toBe('not_found');
    expect(classify(422, headers).kind).toBe('validation');
    expect(classify(403, headers).kind).toBe('throttled');
  });

  it('a rate limit without a readable reset waits as long as Zapier decides, not 0 s', () => {
    expect(classify(403, { 'x-ratelimit-remaining': '0' }).retryAfter).toBeNull();
    expect(
      classify(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0x10' }).retryAfter,
    ).toBeNull();
    expect(classify(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '' }).retryAfter).toBeNull();
  });

  it('scope headers make a scope error only of a refusal whose token reports its scopes', () => {
    const scopes = { 'x-accepted-oauth-scopes': 'repo', 'x-oauth-scopes': '' };
    expect(classify(404, scopes).kind).toBe('scope');
    expect(classify(422, scopes).kind).toBe('validation');
    expect(classify(500, scopes).kind).toBe('server');
    expect(classify(403, { 'x-accepted-oauth-scopes': 'repo' }).kind).toBe('forbidden');
  });
});

describe('what the access token may never do', () => {
  it('leaves a token request’s own Basic header alone and strips any access token elsewhere', () => {
    const strip = (headers: Record<string, unknown>) =>
      (
        slack.middleware.named.addBearerToken(
          { url: 'https://example.org/x', headers: headers as Record<string, string> },
          z,
          bundle({ access_token: 'xoxe.xoxb-1-abcdef' }),
        ) as { headers: Record<string, unknown> }
      ).headers;
    expect(strip({ Authorization: 'Basic dXNlcjpwYXNz' })).toEqual({ Authorization: 'Basic dXNlcjpwYXNz' });
    expect(strip({ Authorization: 'Bearer\txoxe.xoxb-1-abcdef' })).toEqual({});
    expect(strip({ Authorization: 42 })).toEqual({});
  });

  it('cannot be sent with the Basic scheme: a profile saying so is refused', () => {
    const profile = JSON.parse(JSON.stringify(PROFILES.slack)) as Profile;
    profile.endpoints.authorizationScheme = 'Basic';
    expect(
      profileProblems(profile).some((p) =>
        p.startsWith('endpoints.authorizationScheme: must be an HTTP auth scheme such as "Bearer" (Basic is'),
      ),
    ).toBe(true);
  });
});

describe('reading text', () => {
  it('finds no Bearer challenge inside another challenge’s quoted string', () => {
    expect(parseBearerChallenge('Basic realm="x, Bearer error=invalid_token"')).toEqual({});
    expect(parseBearerChallenge('Basic realm="x, Bearer y", Bearer error="invalid_token"')).toEqual({
      error: 'invalid_token',
    });
  });

  it('leaves numbers alone after a numeric token prefix, and still takes tokens', () => {
    const prefixes = PROFILES.zoho!.tokenPrefixes ?? [];
    const honest = 'took 1000.123456 ms; version 1000.20240101; 21000.1234567890123456';
    expect(redact(honest, [], prefixes)).toBe(honest);
    expect(redact('token 1000.a1b2c3d4e5f6a7b8.c9d0e1f2', [], prefixes)).toBe('token [redacted]');
  });
});

describe('a validation error that names one field beside its message (signals.body.field)', () => {
  it('tells the user which field and what is wrong with it', () => {
    const tallybook = createLayer(PROFILES.tallybook!);
    const body = {
      status: 'fail',
      error: { kind: 'INVALID_FIELD', field: 'amount', detail: 'must be positive' },
    };
    const signal = tallybook.classify({
      status: 422,
      header: () => undefined,
      body,
      content: JSON.stringify(body),
    });
    expect(signal.kind).toBe('validation');
    expect(signal.fields).toEqual({ amount: 'must be positive' });
    expect(tallybook.messageFor(signal, [])).toBe(
      'Tallybook rejected the input. amount: must be positive. Fix these fields in the Zap step and try again.',
    );
  });
});
