// A GraphQL API answers only POST with a query: --probe-method and --probe-body let --discover and
// --profile probe it, with the same body every time; methods that change data are refused.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { doctor } from '../../tools/doctor/cli';
import { jsonServer } from './discover-support';

const ACCESS = 'gql_access_token_0123456789';
const QUERY = '{"query":"{ viewer { id } }"}';

/** A GraphQL endpoint: a POST with a query, the bearer token checked; every request to it noted in `seen`. */
function graphql(seen: string[]) {
  return jsonServer((req, url, raw, json) => {
    if (url.pathname === '/oauth/token') return json(400, { error: 'invalid_grant' });
    seen.push(`${req.method ?? ''} ${url.pathname} ${req.headers['content-type'] ?? ''} ${raw}`);
    if (req.method !== 'POST') return json(405, { errors: [{ message: 'POST a query' }] });
    if (req.headers.authorization !== `Bearer ${ACCESS}`)
      return json(401, { errors: [{ message: 'Bad credentials', extensions: { code: 'UNAUTHENTICATED' } }] });
    return json(200, { data: { viewer: { id: '1' } } });
  });
}

describe('--probe-method and --probe-body', () => {
  it('probe a GraphQL endpoint with POST and the query, in --discover and then --profile', async () => {
    const seen: string[] = [];
    const api = await graphql(seen);
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'probe-method-'));
      const env: NodeJS.ProcessEnv = {
        CLIENT_ID: 'gql',
        CLIENT_SECRET: 'gql-secret-value',
        GQL_BASE_URL: api.origin,
        GQL_CLIENT_ID: 'gql',
        GQL_CLIENT_SECRET: 'gql-secret-value',
        authData_access_token: ACCESS,
        authData_refresh_token: 'gql_refresh_token_0123456789',
      };
      const probe = ['--probe-method', 'POST', '--probe-body', QUERY];
      const out = path.join(dir, 'gql.draft.ts');
      const found = await doctor(
        [
          '--discover',
          `${api.origin}/graphql`,
          '--token-url',
          '/oauth/token',
          '--id',
          'gql',
          '--out',
          out,
          ...probe,
        ],
        env,
        dir,
      );
      expect(found.code).toBe(0);
      expect(found.output).toMatch(/POST \/graphql with the connection's access token: HTTP 200/);
      expect(found.output).toMatch(/OBSERVED +signals\.body\.message +"errors\.0\.message"/);
      expect(found.output).toContain(`--probe /graphql --probe-method POST --probe-body '${QUERY}'`);

      const checked = await doctor(['--profile', out, '--probe', '/graphql', ...probe, '--json'], env, dir);
      const checks = (
        JSON.parse(checked.output) as { checks: Array<{ id: string; status: string; finding: string }> }
      ).checks;
      const byId = (id: string) => checks.find((c) => c.id === id);
      expect([byId('test_call')?.status, byId('test_call')?.finding]).toEqual([
        'pass',
        expect.stringMatching(/^POST \/graphql answered HTTP 200/),
      ]);
      expect(byId('expiry_signal')?.status).toBe('pass');
      // Every request to the endpoint was the POST with the query, as JSON (the metadata aside).
      const probes = seen.filter((s) => !s.includes('/.well-known/'));
      expect(probes.length).toBeGreaterThanOrEqual(4);
      expect(new Set(probes)).toEqual(new Set([`POST /graphql application/json ${QUERY}`]));
    } finally {
      await api.close();
    }
  });

  it('refuses a method that changes data, a body without POST, and a body that is not JSON', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'probe-method-'));
    const discover = ['--discover', 'http://127.0.0.1:9/graphql', '--out', path.join(dir, 'x.ts')];
    for (const [flags, why] of [
      [['--probe-method', 'DELETE'], /--probe-method is GET or POST/],
      [['--probe-body', QUERY], /--probe-body needs --probe-method POST/],
      [['--probe-method', 'POST', '--probe-body', '{query'], /--probe-body must be JSON/],
    ] as const) {
      const run = await doctor([...discover, ...flags], {}, dir);
      expect([run.code, run.output]).toEqual([2, expect.stringMatching(why)]);
    }
    const practice = await doctor(['--probe-method', 'POST'], {}, dir);
    expect([practice.code, practice.output]).toEqual([
      2,
      expect.stringMatching(/--probe-method needs --profile or --discover/),
    ]);
  });
});
