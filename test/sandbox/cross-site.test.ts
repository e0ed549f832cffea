// Cross-site requests (CSRF) and DNS rebinding against the parts of the sandbox a browser can
// reach: the /_sandbox controls and the consent form. "Cross-site" requests are sent here the
// way a browser would send them for a page on another site: with its Origin and
// Sec-Fetch-Site headers. A foreign Host needs node:http, as fetch will not let one be set.
import http from 'node:http';
import net from 'node:net';
import type { Sandbox } from '../../tools/sandbox/server';
import {
  ALL_SCOPES,
  api,
  authorizeUrl,
  connect,
  hiddenFields,
  json,
  OWNER,
  PASSWORD,
  pkce,
  REDIRECT_URI,
  scopeCheckboxes,
  startTestSandbox,
  type TestClock,
} from './helpers';

const EVIL = 'https://evil.example';

let sandbox: Sandbox;
let clock: TestClock;
let token: string;

beforeEach(async () => {
  ({ sandbox, clock } = await startTestSandbox());
  token = (await connect(sandbox)).access_token;
});

afterEach(async () => {
  await sandbox.close();
});

const meStatus = async () => (await api(sandbox, token, 'GET', '/api/v1/me')).status;

function post(path: string, headers: Record<string, string>, body?: string): Promise<Response> {
  return fetch(new URL(path, sandbox.url), { method: 'POST', headers, body, redirect: 'manual' });
}

// Whatever the sandbox would have to change for each control; none of it may change.
function observableState() {
  return {
    quirks: sandbox.quirks,
    ttl: sandbox.accessTokenTtlSeconds,
    members: sandbox.members,
    grants: sandbox.grants(),
    logged: sandbox.requests.length,
  };
}

// Every state-changing control, with a body that would change something if obeyed.
const CONTROLS: Array<[string, unknown]> = [
  ['/expire-tokens', undefined],
  ['/revoke', { email: OWNER }],
  ['/role', { email: OWNER, role: 'removed' }],
  ['/password', { email: OWNER, password: 'attacker-chose-this' }],
  ['/rate-limit', { count: 5, status: 429 }],
  ['/quirks', { K1: false, K8: true }],
  ['/ttl', { seconds: 1 }],
  ['/reset', undefined],
  ['/redeliver', { event_id: 'evt_000001' }],
];

interface Answer {
  status: number;
  body: string;
}

function rawRequest(method: string, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: sandbox.port, method, path, headers },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

describe('/_sandbox controls refuse other web pages', () => {
  it.each(CONTROLS)(
    'refuse a cross-site POST %s with a JSON body and change nothing',
    async (route, body) => {
      const before = observableState();
      const response = await post(
        `/_sandbox${route}`,
        {
          origin: EVIL,
          'sec-fetch-site': 'cross-site',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body === undefined ? undefined : JSON.stringify(body),
      );
      expect(response.status).toBe(403);
      expect(await json(response)).toEqual({
        code: 'cross_site_request',
        error: expect.stringContaining('another web page'),
      });
      expect(observableState()).toEqual(before);
      expect(await meStatus()).toBe(200);
    },
  );

  it.each(CONTROLS)('refuse an HTML form posted to %s from another site', async (route) => {
    const before = observableState();
    const response = await post(
      `/_sandbox${route}`,
      {
        origin: EVIL,
        'sec-fetch-site': 'cross-site',
        'content-type': 'application/x-www-form-urlencoded',
      },
      'email=owner%40ledger.example',
    );
    expect(response.status).toBe(403);
    expect(observableState()).toEqual(before);
  });

  // Each cross-site signal on its own is enough.
  it.each([
    ['an Origin from another site', { origin: EVIL }],
    ['the opaque Origin "null"', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site without Origin', { 'sec-fetch-site': 'cross-site' }],
    [
      'another port on 127.0.0.1 (same-site)',
      { origin: 'http://127.0.0.1:9000', 'sec-fetch-site': 'same-site' },
    ],
    ['Sec-Fetch-Site: same-site without Origin', { 'sec-fetch-site': 'same-site' }],
  ])('refuse expire-tokens with %s', async (_what, headers) => {
    const response = await post('/_sandbox/expire-tokens', headers);
    expect(response.status).toBe(403);
    expect(await meStatus()).toBe(200);
  });

  it('refuse a form body even when the browser sent no Origin, and name the fix', async () => {
    const form = await post(
      '/_sandbox/expire-tokens',
      { 'content-type': 'application/x-www-form-urlencoded' },
      '',
    );
    expect(form.status).toBe(415);
    expect(await json(form)).toEqual({
      code: 'unsupported_content_type',
      error: expect.stringContaining('Content-Type: application/json'),
    });
    const plain = await post('/_sandbox/revoke', { 'content-type': 'text/plain' }, '{"email":"x"}');
    expect(plain.status).toBe(415);
    expect(await meStatus()).toBe(200);
  });

  it('accept a curl-like POST without Origin or body, and a same-origin page POSTing JSON', async () => {
    const curl = await post('/_sandbox/expire-tokens', {});
    expect(await json(curl)).toEqual({ expired: 1 });
    const page = await post(
      '/_sandbox/revoke',
      { origin: sandbox.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
      JSON.stringify({ email: OWNER }),
    );
    expect(await json(page)).toEqual({ revoked: 1 });
  });

  it('still let another site read nothing: GET answers carry no CORS grant', async () => {
    const response = await fetch(new URL('/_sandbox/grants', sandbox.url), { headers: { origin: EVIL } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('Host header (DNS rebinding)', () => {
  it.each([
    ['a name the sandbox does not answer to', (port: number) => `evil.example:${port}`],
    ['a rebinding name that resolves to 127.0.0.1', (port: number) => `127.0.0.1.nip.io:${port}`],
    ['another port', () => '127.0.0.1:1'],
  ])('refuses %s, for reads and for controls', async (_what, host) => {
    const read = await rawRequest('GET', '/_sandbox/grants', { host: host(sandbox.port) });
    expect(read.status).toBe(403);
    expect(JSON.parse(read.body)).toMatchObject({ code: 'foreign_host' });
    const write = await rawRequest('POST', '/_sandbox/expire-tokens', { host: host(sandbox.port) });
    expect(write.status).toBe(403);
    expect(await meStatus()).toBe(200);
  });

  // Node's server insists on Host only for HTTP/1.1; an HTTP/1.0 request may leave it out.
  it('refuses an HTTP/1.0 request without a Host header', async () => {
    const head = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(sandbox.port, '127.0.0.1', () => {
        socket.end('POST /_sandbox/expire-tokens HTTP/1.0\r\nContent-Length: 0\r\n\r\n');
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(head).toMatch(/^HTTP\/1\.1 403 /);
    expect(head).toContain('missing Host header');
    expect(await meStatus()).toBe(200);
  });

  it.each(['localhost', '127.0.0.1', '[::1]', 'LOCALHOST'])(
    'accepts the loopback name %s on its own port',
    async (name) => {
      const answer = await rawRequest('GET', '/_sandbox/quirks', { host: `${name}:${sandbox.port}` });
      expect(answer.status).toBe(200);
    },
  );

  it('refuses the consent page and form under a foreign Host', async () => {
    const url = new URL(consentUrl(pkce().challenge));
    const page = await rawRequest('GET', `${url.pathname}${url.search}`, {
      host: `evil.example:${sandbox.port}`,
    });
    expect(page.status).toBe(403);
    expect(page.body).not.toContain('csrf_token');
    const form = await rawRequest('POST', '/oauth/authorize', { host: `evil.example:${sandbox.port}` });
    expect(form.status).toBe(403);
  });
});

function consentUrl(challenge: string): string {
  return authorizeUrl(sandbox, {
    response_type: 'code',
    client_id: sandbox.clientId,
    redirect_uri: REDIRECT_URI,
    state: 'st-x',
    scope: ALL_SCOPES,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
}

// The consent page filled in as the owner would: every hidden field, every ticked scope.
async function consentForm(challenge = pkce().challenge): Promise<URLSearchParams> {
  const page = await fetch(consentUrl(challenge));
  expect(page.status).toBe(200);
  const html = await page.text();
  const form = new URLSearchParams(hiddenFields(html));
  form.set('email', OWNER);
  form.set('password', PASSWORD);
  for (const box of scopeCheckboxes(html)) if (box.checked) form.append('scope', box.value);
  form.set('decision', 'approve');
  return form;
}

function submit(form: URLSearchParams, headers: Record<string, string> = {}): Promise<Response> {
  return post(
    '/oauth/authorize',
    { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    form.toString(),
  );
}

function codeFrom(response: Response): string | null {
  const location = response.headers.get('location');
  return location ? new URL(location).searchParams.get('code') : null;
}

describe('consent form', () => {
  it('carries a random per-page token in a hidden field', async () => {
    const a = (await consentForm()).get('csrf_token');
    const b = (await consentForm()).get('csrf_token');
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(b).not.toBe(a);
  });

  it.each([
    ['Origin and Sec-Fetch-Site of another site', { origin: EVIL, 'sec-fetch-site': 'cross-site' }],
    ['an Origin of another site only', { origin: EVIL }],
    ['Sec-Fetch-Site: same-site (another local port)', { 'sec-fetch-site': 'same-site' }],
  ])('refuses a POST with %s, even with a valid token, and issues no code', async (_what, headers) => {
    const form = await consentForm();
    const forged = await submit(form, headers);
    expect(forged.status).toBe(403);
    expect(forged.headers.get('location')).toBeNull();
    expect(await forged.text()).toContain('another web page');
    // The refused POST did not spend the token: the owner's own submission still works.
    const own = await submit(form, { origin: sandbox.url, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(302);
    expect(codeFrom(own)).toEqual(expect.any(String));
  });

  it('refuses a cross-site Deny as well (no access_denied redirect)', async () => {
    const form = await consentForm();
    form.set('decision', 'deny');
    const forged = await submit(form, { origin: EVIL, 'sec-fetch-site': 'cross-site' });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('location')).toBeNull();
  });

  it('refuses a POST without the token', async () => {
    const form = await consentForm();
    form.delete('csrf_token');
    const response = await submit(form);
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('without its security token');
  });

  it('refuses a token the sandbox never issued', async () => {
    const form = await consentForm();
    form.set('csrf_token', 'A'.repeat(32));
    const response = await submit(form);
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
  });

  it('accepts a token once: the same form sent again is refused', async () => {
    const form = await consentForm();
    const first = await submit(form);
    expect(first.status).toBe(302);
    const again = await submit(form);
    expect(again.status).toBe(403);
    expect(again.headers.get('location')).toBeNull();
    expect(await again.text()).toContain('already sent once');
  });

  it("refuses one page's token with another authorization request's fields", async () => {
    const mine = await consentForm();
    const other = await consentForm();
    other.set('csrf_token', mine.get('csrf_token') ?? '');
    const response = await submit(other);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('changed after the sandbox rendered it');
    // Spent by the attempt.
    expect((await submit(mine)).status).toBe(403);
  });

  it('refuses a token older than ten minutes', async () => {
    const form = await consentForm();
    clock.advance(10 * 60_000 + 1);
    const response = await submit(form);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('expired');
  });

  it('renders a fresh token after a wrong password; the new one works, the old one is spent', async () => {
    const form = await consentForm();
    form.set('password', 'wrong');
    const retry = await submit(form);
    expect(retry.status).toBe(200);
    const again = new URLSearchParams(hiddenFields(await retry.text()));
    expect(again.get('csrf_token')).not.toBe(form.get('csrf_token'));
    again.set('email', OWNER);
    again.set('password', PASSWORD);
    again.append('scope', 'clients:read');
    again.set('decision', 'approve');
    expect((await submit(form)).status).toBe(403);
    const approved = await submit(again);
    expect(approved.status).toBe(302);
    expect(codeFrom(approved)).toEqual(expect.any(String));
  });

  it('accepts a plain client without Origin (the harness, curl) and a same-origin browser POST', async () => {
    const plain = await submit(await consentForm());
    expect(codeFrom(plain)).toEqual(expect.any(String));
    const browser = await submit(await consentForm(), {
      origin: sandbox.url,
      'sec-fetch-site': 'same-origin',
    });
    expect(codeFrom(browser)).toEqual(expect.any(String));
  });
});
