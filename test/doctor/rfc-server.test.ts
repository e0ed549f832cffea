// Against a small server that signals expiry the RFC way (401 invalid_token, numeric
// expires_in, no refresh-token rotation), the doctor reports every signal as standard.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { NO_ENV, projectWithEnv, runJson } from './support';

const CLIENT_ID = 'rfc-client';
const CLIENT_SECRET = 'rfc-secret-value-123';
const REFRESH_TOKEN = 'prt_rfc_refresh_token_1';
const live = new Map<string, number>(); // access token -> expiry, ms
const seen: string[] = [];

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function issue(ttlSeconds: number): string {
  const token = `pat_rfc_${randomBytes(8).toString('hex')}`;
  live.set(token, Date.now() + ttlSeconds * 1000);
  return token;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  seen.push(`${req.method} ${url.pathname}`);
  let raw = '';
  req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
  req.on('end', () => {
    if (url.pathname === '/oauth/token') {
      const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
      if (req.headers.authorization !== basic) {
        return json(res, 401, { error: 'invalid_client' }, { 'WWW-Authenticate': 'Basic realm="rfc"' });
      }
      const form = new URLSearchParams(raw);
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== REFRESH_TOKEN) {
        return json(res, 400, { error: 'invalid_grant', error_description: 'unknown refresh token' });
      }
      // No refresh_token in the answer: the client keeps the one it has (RFC 6749 §6).
      return json(res, 200, { access_token: issue(3600), token_type: 'Bearer', expires_in: 3600 });
    }
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const expiry = live.get(bearer);
    if (expiry === undefined || expiry <= Date.now()) {
      const description = expiry === undefined ? 'unknown token' : 'The access token expired';
      return json(
        res,
        401,
        { error: { code: 'invalid_token', message: description } },
        { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description}"` },
      );
    }
    if (url.pathname === '/api/v1/me') {
      return json(res, 200, {
        id: 'm1',
        email: 'ada@rfc.example',
        name: 'Ada',
        role: 'owner',
        firm: { id: 'f1', name: 'RFC & Co' },
      });
    }
    return json(res, 200, { data: [], next_cursor: null });
  });
});

let baseUrl: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const config = () => ({ BASE_URL: baseUrl, CLIENT_ID, CLIENT_SECRET });
const ALL =
  'clients:read clients:write projects:read projects:write tasks:read tasks:write webhooks offline_access';

describe('the doctor against an API that follows the RFCs', () => {
  it('reports token endpoint errors, expiry on plain and legacy endpoints, and refresh as standard', async () => {
    const access = issue(3600);
    const { dir, file } = projectWithEnv(config(), {
      access_token: access,
      refresh_token: REFRESH_TOKEN,
      expires_at: Math.floor(Date.now() / 1000) + 3600,
      expires_in: 3600,
      scope: ALL,
    });
    const report = await runJson(['--refresh'], NO_ENV, dir);

    expect(report.code).toBe(0);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report.byId('token_endpoint_errors').finding).toMatch(/HTTP 400 .*\(standard\)/);
    expect(report.byId('expiry_signal').finding).toMatch(
      /HTTP 401 invalid_token \(standard, RFC 6750\); handled/,
    );
    expect(report.byId('legacy_signal').finding).toMatch(
      /HTTP 401 invalid_token \(standard, RFC 6750\); handled/,
    );
    expect(report.byId('refresh').finding).toMatch(/expires_in is a number 3600 \(standard\)/);
    expect(report.byId('refresh').finding).toMatch(/did not rotate/);
    expect(report.byId('test_call').finding).toContain('"ada@rfc.example (RFC & Co)"');
    expect(report.byId('rate_limit').finding).toMatch(/no X-RateLimit-\* headers/);
    // No known behaviour is named, only the hint that an expired token was not seen.
    const hint =
      "A truly expired token may be answered differently (K1: 403 token_expired); this connection's token is not expired, so that was not observed.";
    expect(report.byId('expiry_signal').finding).toContain(hint);
    expect(report.output.replace(hint, '')).not.toMatch(/\bK\d\b/);
    // Without rotation the same refresh token stays in .env.
    expect(readFileSync(file, 'utf8')).toContain(`authData_refresh_token='${REFRESH_TOKEN}'`);
    expect(report.output).not.toContain(REFRESH_TOKEN);
    expect(report.output).not.toContain(CLIENT_SECRET);
  });

  it('reports an expired connection token answered with 401 as standard and handled by core', async () => {
    const access = issue(3600);
    live.set(access, Date.now() - 1000);
    const { dir } = projectWithEnv(config(), {
      access_token: access,
      refresh_token: REFRESH_TOKEN,
      expires_at: Math.floor(Date.now() / 1000) - 1,
      expires_in: 3600,
      scope: ALL,
    });
    seen.length = 0;
    const report = await runJson([], NO_ENV, dir);
    expect(report.byId('connection').status).toBe('warn');
    expect(report.byId('connection').finding).toMatch(/expired .* ago/);
    expect(report.byId('test_call').finding).toMatch(
      /HTTP 401 invalid_token \(standard, RFC 6750\); handled: core/,
    );
    expect(report.code).toBe(0);
    expect(seen.filter((s) => !s.startsWith('GET '))).toEqual(['POST /oauth/token']);
  });
});
