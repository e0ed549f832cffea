// Where --discover sends the client credentials and the connection's tokens: only to the test
// URL's origin and to the token endpoint the user named (--token-url), or that the test URL's own
// metadata names on its origin or on its https issuer's. A metadata document that names another
// host gets nothing, and the doctor asks for --token-url. Before anything secret leaves, it says
// which host receives which kind of credential.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { doctor } from '../../tools/doctor/cli';

const ACCESS = 'acc_connection_token_0123456789';
const REFRESH = 'ref_connection_token_0123456789';

interface Server {
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** A server on 127.0.0.1 whose every request is written to `log` ("<name> <method> <path> <auth>"). */
async function serve(
  name: string,
  log: string[],
  answer: (req: http.IncomingMessage, url: URL, origin: string) => { status: number; body: unknown },
): Promise<Server> {
  let origin = '';
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      log.push(
        `${name} ${req.method ?? ''} ${url.pathname} ${req.headers.authorization ? 'with credentials' : 'no credentials'}`,
      );
      const { status, body } = answer(req, url, origin);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const tokenAnswer = (url: URL) =>
  url.pathname === '/oauth/token' ? { status: 400, body: { error: 'invalid_grant' } } : null;

/** The API: metadata naming `tokenEndpoint` (built from its own origin), and a resource. */
function api(tokenEndpoint: (origin: string) => string, issuer: (origin: string) => string) {
  return (req: http.IncomingMessage, url: URL, origin: string) => {
    if (url.pathname === '/.well-known/oauth-authorization-server')
      return { status: 200, body: { issuer: issuer(origin), token_endpoint: tokenEndpoint(origin) } };
    const token = tokenAnswer(url);
    if (token) return token;
    return req.headers.authorization === `Bearer ${ACCESS}`
      ? { status: 200, body: { items: [] } }
      : { status: 401, body: { error: 'invalid_token' } };
  };
}

const env: NodeJS.ProcessEnv = {
  CLIENT_ID: 'the-client',
  CLIENT_SECRET: 'the-client-secret-value',
  authData_access_token: ACCESS,
  authData_refresh_token: REFRESH,
};

describe('--discover and a token endpoint on another host', () => {
  let log: string[];
  let elsewhere: Server;
  beforeEach(async () => {
    log = [];
    elsewhere = await serve('elsewhere', log, (_req, url) => tokenAnswer(url) ?? { status: 404, body: {} });
  });
  afterEach(async () => {
    await elsewhere.close();
  });

  it.each([
    {
      where: 'on another port of 127.0.0.1, whose issuer it is (over http)',
      host: '127.0.0.1',
      issuer: 'token',
    },
    { where: 'on localhost, the issuer being the test URL', host: 'localhost', issuer: 'api' },
  ] as const)(
    'sends nothing to a metadata token_endpoint $where, and asks for --token-url',
    async ({ host, issuer }) => {
      const other = `http://${host}:${elsewhere.port}`;
      const probed = await serve(
        'api',
        log,
        api(
          () => `${other}/oauth/token`,
          (origin) => (issuer === 'api' ? origin : other),
        ),
      );
      try {
        const dir = mkdtempSync(path.join(tmpdir(), 'discover-cred-'));
        const run = await doctor(
          ['--discover', `${probed.origin}/v1/items`, '--out', path.join(dir, 'x.ts'), '--refresh'],
          env,
          dir,
        );
        expect(run.code).toBe(0);
        expect(log.filter((l) => l.startsWith('elsewhere'))).toEqual([]);
        expect(run.output).toMatch(/token_endpoint .*another host.*--token-url/s);
        expect(run.output).toMatch(/UNOBSERVED +endpoints\.token /);
      } finally {
        await probed.close();
      }
    },
  );

  it('says which host gets which credential before the first secret leaves', async () => {
    const probed = await serve(
      'api',
      log,
      api(
        (o) => `${o}/oauth/token`,
        (o) => o,
      ),
    );
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'discover-cred-'));
      const run = await doctor(
        [
          '--discover',
          `${probed.origin}/v1/items`,
          '--token-url',
          `${elsewhere.origin}/oauth/token`,
          '--out',
          path.join(dir, 'x.ts'),
        ],
        env,
        dir,
        { say: (line: string) => log.push(`said ${line}`) },
      );
      expect(run.code).toBe(0);
      const firstSecret = log.findIndex((l) => /with credentials$/.test(l));
      const said = log.slice(0, firstSecret).filter((l) => l.startsWith('said '));
      expect(firstSecret).toBeGreaterThan(0);
      const api = probed.origin.replace('http://', '');
      const token = elsewhere.origin.replace('http://', '');
      expect(said.join('\n')).toMatch(new RegExp(`${api} .*the connection's access token`));
      expect(said.join('\n')).toMatch(new RegExp(`${token} .*the client id and secret`));
      expect(said.join('\n')).not.toMatch(new RegExp(`${token} .*access token`));
      // And the report says it too.
      expect(run.output).toMatch(new RegExp(`${token} .*the client id and secret`));
    } finally {
      await probed.close();
    }
  });
});
