// No request of the integration follows a redirect. node-fetch, under z.request, keeps the
// Authorization header on a redirect to the same host on another port or to a subdomain of
// it, re-sends a 307's body, and a 303 from the token endpoint turns the POST into a GET that
// still carries the client credentials. Over real sockets on 127.0.0.1: "Practice" on one port
// answers with a redirect, a recording server on another port is its target, reached as
// localhost (the same host, another port) or as sub.localhost (a subdomain; the lookup of
// that one name is answered here with 127.0.0.1, nothing leaves the machine).
import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { App, at } from '../helpers';
import {
  ACCESS_TOKEN,
  appError,
  appTester,
  CLIENT_ID,
  CLIENT_SECRET,
  failureOf,
  liveAuth,
  REFRESH_TOKEN,
  steps,
  useTestEnvironment,
} from './support';

useTestEnvironment();

interface Seen {
  method: string;
  path: string;
  authorization: string | null;
  body: string;
}

interface Recorder {
  server: http.Server;
  port: number;
  seen: Seen[];
}

async function recorder(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<Recorder> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization ?? null,
        body,
      });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

async function stop({ server }: Recorder): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

// The target answers as Practice would, with data and tokens of its own choosing.
const INJECTED = { id: 'cli_injected', name: 'Injected by the redirect target', email: null };
const TARGET_TOKENS = {
  access_token: 'pat_chosen_by_the_redirect_target_0123456789',
  refresh_token: 'prt_chosen_by_the_redirect_target_0123456789',
  token_type: 'Bearer',
  expires_in: 3600,
};

let practice: Recorder;
let target: Recorder;
/** What "Practice" answers next: a redirect to this URL with this status. */
let redirect: { status: number; location: string };
let lookup: jest.SpyInstance;
let savedBaseUrl: string | undefined;

beforeAll(async () => {
  practice = await recorder((_req, res) => {
    res.writeHead(redirect.status, { Location: redirect.location, 'Content-Type': 'text/plain' });
    res.end(`moved to ${redirect.location}`);
  });
  target = await recorder((req, res) => {
    if ((req.url ?? '').startsWith('/token')) return json(res, 200, TARGET_TOKENS);
    if (req.method === 'POST') return json(res, 201, INJECTED);
    return json(res, 200, { data: [INJECTED], next_cursor: null });
  });
  const realLookup = dns.lookup;
  lookup = jest.spyOn(dns, 'lookup').mockImplementation(((
    hostname: string,
    options: unknown,
    callback?: (...args: unknown[]) => void,
  ) => {
    if (hostname !== 'sub.localhost') {
      return (realLookup as (...args: unknown[]) => void)(hostname, options, callback);
    }
    const done = typeof options === 'function' ? (options as typeof callback) : callback;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    process.nextTick(() =>
      all ? done?.(null, [{ address: '127.0.0.1', family: 4 }]) : done?.(null, '127.0.0.1', 4),
    );
  }) as unknown as typeof dns.lookup);
  // Only these two servers may be reached; nock still refuses everything else.
  nock.enableNetConnect((host) => /^(localhost|sub\.localhost|127\.0\.0\.1)(:\d+)?$/.test(host));
  savedBaseUrl = process.env.BASE_URL;
  process.env.BASE_URL = `http://localhost:${practice.port}`;
});

afterAll(async () => {
  process.env.BASE_URL = savedBaseUrl;
  lookup.mockRestore();
  await Promise.all([stop(practice), stop(target)]);
});

beforeEach(() => {
  practice.seen.length = 0;
  target.seen.length = 0;
});

const TARGETS = {
  // The same host on another port: node-fetch compares host names only.
  'another port': () => `http://localhost:${target.port}`,
  // A subdomain of the API's host: node-fetch keeps Authorization for subdomains.
  'a subdomain': () => `http://sub.localhost:${target.port}`,
} as const;
type Where = keyof typeof TARGETS;
const WHERE = Object.keys(TARGETS) as Where[];

/** The target's origin with a path and query that must never appear in a message. */
function redirectTo(where: Where, status: number, path: string): string {
  const origin = TARGETS[where]();
  redirect = { status, location: `${origin}${path}?leak=${ACCESS_TOKEN}` };
  return origin;
}

/** The error a run failed with, or (when it succeeded) an error saying what it returned. */
function outcomeOf(run: Promise<unknown>) {
  return failureOf(run).catch((error: Error) => error);
}

function expectRefused(error: Awaited<ReturnType<typeof failureOf>>, status: number, origin: string) {
  const body = appError(error);
  // 502, never a 4xx: a refresh that meets a redirect must not make Zapier mark the connection stale.
  expect(body).toMatchObject({ code: 'redirect_refused', status: 502 });
  expect(body.message).toContain(`with a redirect (HTTP ${status} to ${origin}) for `);
  expect(body.message).toContain('never follows redirects');
  for (const secret of [ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET, '/steal', 'leak=']) {
    expect(error.message).not.toContain(secret);
  }
}

/** What the redirect target received: nothing at all (so no Authorization header and no body). */
function leakedToTarget(): Array<{ authorization: string | null; body: string }> {
  return target.seen.map(({ authorization, body }) => ({ authorization, body }));
}

describe('API requests follow no redirect', () => {
  it.each(WHERE.flatMap((where) => [302, 307].map((status) => [status, where] as const)))(
    'a %i on GET /api/v1/clients to %s: the target gets nothing, the poll fails clearly',
    async (status, where) => {
      const origin = redirectTo(where, status, '/steal/clients');
      const error = await outcomeOf(steps.newClient(liveAuth()));
      expect(leakedToTarget()).toEqual([]);
      expect(practice.seen).toMatchObject([{ method: 'GET', authorization: `Bearer ${ACCESS_TOKEN}` }]);
      expectRefused(error, status, origin);
    },
  );

  it.each(WHERE)(
    'a 307 on POST /api/v1/clients to %s: neither bearer nor body is sent again',
    async (where) => {
      const origin = redirectTo(where, 307, '/steal/create');
      const error = await outcomeOf(steps.createClient(liveAuth()));
      expect(leakedToTarget()).toEqual([]);
      expect(practice.seen).toMatchObject([{ method: 'POST', path: '/api/v1/clients' }]);
      expect(practice.seen[0]?.body).toContain('Acme Bookkeeping Ltd');
      expectRefused(error, 307, origin);
    },
  );
});

describe('token requests follow no redirect', () => {
  // The app's own definition (index.ts), as core runs it.
  const refreshAccessToken = at('authentication.oauth2Config.refreshAccessToken');
  const getAccessToken = at('authentication.oauth2Config.getAccessToken');
  const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;

  it.each(WHERE)(
    'a 303 at /oauth/token during refresh to %s: no client credentials there, none of its tokens stored',
    async (where) => {
      const origin = redirectTo(where, 303, '/token');
      const error = await outcomeOf(appTester(refreshAccessToken, { authData: liveAuth() }));
      expect(leakedToTarget()).toEqual([]);
      expect(practice.seen).toMatchObject([{ method: 'POST', path: '/oauth/token', authorization: basic }]);
      expectRefused(error, 303, origin);
      expect(error.message).not.toContain(TARGET_TOKENS.access_token);
    },
  );

  it.each(WHERE)(
    'a 303 at /oauth/token during getAccessToken to %s: no client credentials there, no connection made',
    async (where) => {
      const origin = redirectTo(where, 303, '/token');
      const error = await outcomeOf(
        appTester(getAccessToken, {
          inputData: {
            code: 'code_redirect_test_1',
            redirect_uri: 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/',
            code_verifier: 'zapier-verifier-0123456789-0123456789-0123456789',
          },
        }),
      );
      expect(leakedToTarget()).toEqual([]);
      expect(practice.seen).toMatchObject([{ method: 'POST', path: '/oauth/token', authorization: basic }]);
      expectRefused(error, 303, origin);
    },
  );
});

describe('answers from elsewhere', () => {
  // Every request goes out with redirect: 'manual', so a followed redirect cannot happen
  // through the app; the last check stands behind that, and is run here on its own.
  const afters = App.afterResponse as unknown as Array<
    (response: unknown, z: unknown, bundle: unknown) => unknown
  >;

  function answer(finalUrl: string, redirected: boolean) {
    const headers = new Map([['content-type', 'application/json']]);
    return {
      status: 200,
      url: finalUrl,
      redirected,
      headers,
      getHeader: (name: string) => headers.get(name.toLowerCase()),
      content: JSON.stringify({ data: [INJECTED], next_cursor: null }),
      data: { data: [INJECTED], next_cursor: null },
      request: { url: `${process.env.BASE_URL}/api/v1/clients?limit=100`, method: 'GET' },
      skipThrowForStatus: false,
      throwForStatus: () => undefined,
    };
  }

  /** Runs the app's afterResponse middleware in order inside a run; 'taken' when the answer came through. */
  function throughAfters(response: unknown): Promise<unknown> {
    return appTester(
      async (z, bundle) => {
        let current = response;
        for (const after of afters) current = await after(current, z, bundle);
        return { taken: current === response };
      },
      { authData: liveAuth() },
    );
  }

  it.each([
    ['from another origin, redirected', `http://sub.localhost:1/api/v1/clients`, true],
    ['from another origin, not marked as redirected', `http://localhost:1/api/v1/clients`, false],
    ['from BASE_URL, but through a redirect', '', true],
  ])('refuses an answer to a Practice request %s', async (_label, finalUrl, redirected) => {
    const url = finalUrl || `${process.env.BASE_URL}/api/v1/clients`;
    const error = await failureOf(throughAfters(answer(url, redirected)));
    expect(appError(error)).toMatchObject({ code: 'redirect_refused', status: 502 });
  });

  it("takes an answer from BASE_URL's origin", async () => {
    const response = answer(`${process.env.BASE_URL}/api/v1/clients?limit=100`, false);
    expect(await throughAfters(response)).toEqual({ taken: true });
  });
});
