// The doctor against a hostile API that quotes the connection's tokens and the client
// credentials in every form they can travel in (test/encodings.ts) wherever it can: token
// endpoint errors, the /me answer, the expiry probes. Whatever the doctor prints, as text or
// --json, with or without --refresh, carries none of them (layer/redact.ts, as for the
// integration's own errors). And like the integration it follows no redirect.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientCredentialSecrets, ENCODINGS, leaksIn, plantAll } from '../encodings';
import { doctor } from '../../tools/doctor/cli';
import { NO_ENV, projectWithEnv, runJson } from './support';

// Every character URL-, form- and JSON-encoding change.
const CLIENT_ID = 'doctor client:id';
const CLIENT_SECRET = 'ds super/secret+value="7"&more\\end';
const ACCESS_TOKEN = 'pat_doctor_connection_access_0123456789abcdef';
const REFRESH_TOKEN = 'prt_doctor_connection_refresh_0123456789abcdef';

const SECRETS: Record<string, string> = {
  'access token': ACCESS_TOKEN,
  'refresh token': REFRESH_TOKEN,
  ...clientCredentialSecrets(CLIENT_ID, CLIENT_SECRET),
};
const PLANTED = plantAll(SECRETS);

let redirectTo: string | null = null;
const seenByTarget: string[] = [];

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const hostile = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (redirectTo) {
      res.writeHead(302, { Location: `${redirectTo}${path}?leak=${ACCESS_TOKEN}` });
      return res.end();
    }
    if (path === '/oauth/token') {
      // Every refresh, the probe's and the connection's own, is refused quoting everything.
      return json(res, 400, { error: 'invalid_grant', error_description: PLANTED });
    }
    if (path === '/api/v1/me' && req.headers.authorization === `Bearer ${ACCESS_TOKEN}`) {
      return json(res, 500, { error: { code: 'internal', message: PLANTED } });
    }
    return json(
      res,
      401,
      { error: { code: 'invalid_token', message: PLANTED } },
      { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${PLANTED.slice(0, 200)}"` },
    );
  });
});

const target = http.createServer((req, res) => {
  seenByTarget.push(`${req.method} ${req.url} ${req.headers.authorization ?? 'no Authorization'}`);
  req.resume();
  json(res, 200, { id: 'm1', email: 'target@evil.example', firm: { id: 'f', name: 'Target' } });
});

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let dir: string;
let targetUrl: string;
beforeAll(async () => {
  const baseUrl = await listen(hostile);
  targetUrl = await listen(target);
  ({ dir } = projectWithEnv(
    { BASE_URL: baseUrl, CLIENT_ID, CLIENT_SECRET },
    {
      access_token: ACCESS_TOKEN,
      refresh_token: REFRESH_TOKEN,
      expires_at: Math.floor(Date.now() / 1000) + 3600,
      expires_in: 3600,
      scope: 'clients:read offline_access',
    },
  ));
});

afterAll(async () => {
  for (const server of [hostile, target]) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

beforeEach(() => {
  redirectTo = null;
  seenByTarget.length = 0;
});

describe('the doctor prints no secret in any encoding', () => {
  it.each([
    ['--json', ['--json']],
    ['--json --refresh', ['--json', '--refresh']],
    ['text', []],
    ['text --refresh', ['--refresh']],
  ])('%s', async (_label, argv) => {
    const { output } = await doctor(argv, NO_ENV, dir);
    // The hostile answers did reach the findings, redacted.
    expect(output).toContain('[redacted]');
    expect(output).toMatch(/internal/);
    if (argv.includes('--refresh')) expect(output).toMatch(/The refresh was refused/);
    expect(leaksIn([{ where: argv.join(' ') || 'text', text: output }], SECRETS)).toEqual([]);
  });

  it('would find a planted form (the scanner can fail)', () => {
    expect(leaksIn([{ where: 'planted', text: PLANTED }], SECRETS)).toHaveLength(
      Object.keys(SECRETS).length * ENCODINGS.length,
    );
  });
});

describe('the doctor follows no redirect', () => {
  it('reports a redirect, naming only its origin, and sends nothing to the target', async () => {
    redirectTo = targetUrl;
    const report = await runJson(['--refresh'], NO_ENV, dir);
    expect(seenByTarget).toEqual([]);
    expect(report.byId('client_credentials').finding).toContain(
      `POST /oauth/token was answered with a redirect (HTTP 302) to ${targetUrl}`,
    );
    expect(report.byId('test_call').finding).toContain(
      `GET /api/v1/me was answered with a redirect (HTTP 302) to ${targetUrl}`,
    );
    expect(report.output).not.toContain('leak=');
    expect(report.code).toBe(1);
  });
});
