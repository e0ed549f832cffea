// CONTRACT §6, every encoding: a hostile Practice quotes every secret of the run in every form
// it can travel in (test/encodings.ts: as is, URL-encoded, form-encoded as Basic and as
// URLSearchParams write it, JSON-escaped with and without "\/", base64 and base64url with and
// without padding, inside a larger base64 blob, and the client credentials as "id:secret" and
// as HTTP Basic sends them), and answers the token endpoint in a form core's
// log scrubber cannot read. Through the app's own definition as core runs it, with core's HTTP
// log on (LOG_TO_STDOUT, DETAILED_LOG_TO_STDOUT), no thrown error and no log line carries any
// of them. One exception is pinned below: core's own HTTP log of a resource-API answer
// relies on core's scrubber (docs/security.md, "What redaction cannot catch").
import nock from 'nock';
import { signDelivery } from '../../practice/webhooks';
import { clientCredentialSecrets, CORE_SCRUBBER_ENCODINGS, ENCODINGS, leaksIn, plantAll } from '../encodings';
import { at, testers } from '../helpers';
import { ACCESS_TOKEN, api, appTester, liveAuth, REFRESH_TOKEN, setEnv, useTestEnvironment } from './support';

useTestEnvironment();

// Client credentials with every character that URL-, form- and JSON-encoding change, `!'()~`
// (which URLSearchParams escapes and encodeURIComponent does not) and `/` (which some JSON
// writers escape as `\/`) included: every form of test/encodings.ts differs from the others.
const CLIENT_ID = 'practice client:id';
const CLIENT_SECRET = `cs super/secret+value="42"&more\\end (!'~)`;
const WEBHOOK_SECRET = 'whsec_5e1f0c2b9a8d7e6f5a4b3c2d1e0f9a8b';
const CODE = 'code_in_flight_0123456789';
const VERIFIER = 'zapier-verifier-0123456789-0123456789-0123456789';
const FRESH_ACCESS = 'pat_fresh_from_the_token_endpoint_0123456789';
const FRESH_REFRESH = 'prt_fresh_from_the_token_endpoint_0123456789';

const SECRETS: Record<string, string> = {
  'access token': ACCESS_TOKEN,
  'refresh token': REFRESH_TOKEN,
  ...clientCredentialSecrets(CLIENT_ID, CLIENT_SECRET),
  'webhook secret': WEBHOOK_SECRET,
  'authorization code': CODE,
  'PKCE verifier': VERIFIER,
  'fresh access token': FRESH_ACCESS,
  'fresh refresh token': FRESH_REFRESH,
};
type Known = keyof typeof SECRETS;
const CLIENT: Known[] = [
  'client secret',
  'client credentials id:secret',
  'client credentials as Basic sends them',
];
/** What a run knows, and so can recognise: its connection, the client, and what the step was given. */
const CONNECTION: Known[] = ['access token', 'refresh token', ...CLIENT];
const CONNECTING: Known[] = [...CLIENT, 'authorization code', 'PKCE verifier'];
const SUBSCRIBED: Known[] = [...CONNECTION, 'webhook secret'];
const only = (keys: readonly Known[]) => Object.fromEntries(keys.map((k) => [k, SECRETS[k] ?? '']));
/** Every form of every secret a run knows, quoted by a hostile server. */
const planted = (keys: readonly Known[]) => plantAll(only(keys));

const SUBSCRIPTION = { id: 'wh_88', secret: WEBHOOK_SECRET, target_url: 'https://hooks.zapier.com/h/88' };
const ZAPIER_REDIRECT = 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/';

interface Scenario {
  name: string;
  /** The secrets the run has; the answer quotes each of them in every form. */
  knows: readonly Known[];
  /** Resource-API answers are logged by core itself (see the exception above). */
  api?: boolean;
  /** Resolves instead of failing. */
  succeeds?: boolean;
  run: () => Promise<unknown>;
}

const refresh = () =>
  appTester(at('authentication.oauth2Config.refreshAccessToken'), { authData: liveAuth() });
const exchange = () =>
  appTester(at('authentication.oauth2Config.getAccessToken'), {
    inputData: { code: CODE, redirect_uri: ZAPIER_REDIRECT, code_verifier: VERIFIER },
  });
const hook = (method: 'performSubscribe' | 'performUnsubscribe') =>
  appTester(at(`triggers.new_client.operation.${method}`), {
    authData: liveAuth(),
    targetUrl: SUBSCRIPTION.target_url,
    subscribeData: SUBSCRIPTION,
  } as Parameters<typeof appTester>[1]);

function signedDelivery(event: string) {
  const timestamp = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    id: 'evt_9',
    event,
    created_at: '2026-01-07T10:05:00Z',
    data: { id: 'cli_1' },
  });
  return {
    authData: liveAuth(),
    subscribeData: SUBSCRIPTION,
    rawRequest: {
      method: 'POST',
      querystring: '',
      headers: {
        'Http-Practice-Signature': `t=${timestamp},v1=${signDelivery(WEBHOOK_SECRET, timestamp, body)}`,
      },
      content: body,
    },
  };
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const tokenError = (error: string, keys: readonly Known[]) => ({ error, error_description: planted(keys) });

const scenarios: Scenario[] = [
  // Token endpoint: core never reads these answers, the integration does, and never logs them.
  {
    name: 'refresh 400 invalid_grant quoting everything',
    knows: CONNECTION,
    run: () => (tokenAt(400, tokenError('invalid_grant', CONNECTION)), refresh()),
  },
  {
    name: 'refresh 200 error quoting everything (K6)',
    knows: CONNECTION,
    run: () => (tokenAt(200, tokenError('invalid_request', CONNECTION)), refresh()),
  },
  {
    name: 'refresh 400 unknown error code quoting everything',
    knows: CONNECTION,
    run: () => (tokenAt(400, tokenError(planted(CONNECTION), CONNECTION)), refresh()),
  },
  {
    name: 'refresh 500 plain text quoting everything',
    knows: CONNECTION,
    run: () => (tokenAt(500, planted(CONNECTION), { 'Content-Type': 'text/plain' }), refresh()),
  },
  {
    name: 'refresh 401 quoting everything',
    knows: CONNECTION,
    run: () => (tokenAt(401, tokenError('invalid_client', CONNECTION)), refresh()),
  },
  {
    name: 'refresh answered form-encoded with fresh tokens',
    knows: CONNECTION,
    run: () => (tokenAt(200, formTokens(), FORM), refresh()),
  },
  {
    name: 'refresh answered with fresh tokens and a note quoting everything',
    knows: CONNECTION,
    succeeds: true,
    run: () => (tokenAt(200, { ...jsonTokens(), note: planted(CONNECTION) }), refresh()),
  },
  {
    name: 'exchange 400 invalid_grant quoting everything',
    knows: CONNECTING,
    run: () => (tokenAt(400, tokenError('invalid_grant', CONNECTING)), exchange()),
  },
  {
    name: 'exchange 200 unknown error code quoting everything (K6)',
    knows: CONNECTING,
    run: () => (tokenAt(200, tokenError(planted(CONNECTING), CONNECTING)), exchange()),
  },
  {
    name: 'exchange answered form-encoded with fresh tokens',
    knows: CONNECTING,
    run: () => (tokenAt(200, formTokens(), FORM), exchange()),
  },
  {
    name: 'exchange answered with fresh tokens and a note quoting everything',
    knows: CONNECTING,
    succeeds: true,
    run: () => (tokenAt(200, { ...jsonTokens(), note: planted(CONNECTING) }), exchange()),
  },
  // Webhook subscriptions: core never reads these answers either.
  {
    name: 'unsubscribe 500 quoting the webhook secret in free text',
    knows: SUBSCRIBED,
    run: () => {
      api()
        .delete('/api/v1/webhooks/wh_88')
        .reply(500, { error: { code: 'internal', message: planted(SUBSCRIBED) } });
      return hook('performUnsubscribe');
    },
  },
  {
    name: 'unsubscribe 404 quoting everything',
    knows: SUBSCRIBED,
    succeeds: true,
    run: () => {
      api()
        .delete('/api/v1/webhooks/wh_88')
        .reply(404, { error: { code: 'not_found', message: planted(SUBSCRIBED) } });
      return hook('performUnsubscribe');
    },
  },
  {
    name: 'subscribe 422 quoting everything',
    knows: SUBSCRIBED,
    run: () => {
      const text = planted(SUBSCRIBED);
      api()
        .post('/api/v1/webhooks')
        .reply(422, {
          error: { code: 'validation_failed', message: text, details: { fields: { target_url: text } } },
        });
      return hook('performSubscribe');
    },
  },
  {
    name: 'a signed delivery whose event name quotes everything',
    knows: SUBSCRIBED,
    succeeds: true,
    run: () =>
      appTester(
        at('triggers.new_client.operation.perform'),
        signedDelivery(planted(SUBSCRIBED)) as Parameters<typeof appTester>[1],
      ),
  },
  // The resource API: errors are the integration's; the HTTP log is core's.
  {
    name: 'poll 500 quoting everything',
    knows: CONNECTION,
    api: true,
    run: () => {
      api()
        .get('/api/v1/clients')
        .query(true)
        .reply(500, { error: { code: 'internal', message: planted(CONNECTION) } });
      return appTester(at('triggers.new_client.operation.performList'), { authData: liveAuth() });
    },
  },
  {
    name: 'create 422 quoting everything in field errors',
    knows: CONNECTION,
    api: true,
    run: () => {
      const text = planted(CONNECTION);
      api()
        .post('/api/v1/clients')
        .reply(422, {
          error: { code: 'validation_failed', message: text, details: { fields: { email: text } } },
        });
      return appTester(at('creates.create_client.operation.perform'), {
        authData: liveAuth(),
        inputData: { name: 'Acme' },
      });
    },
  },
];

function tokenAt(status: number, body: unknown, headers: Record<string, string> = {}) {
  api()
    .post('/oauth/token')
    .reply(status, body as nock.Body, headers);
}
function jsonTokens() {
  return { access_token: FRESH_ACCESS, refresh_token: FRESH_REFRESH, token_type: 'Bearer', expires_in: 3600 };
}
function formTokens() {
  return new URLSearchParams({ ...jsonTokens(), expires_in: '3600' }).toString();
}

describe('no secret in any encoding is thrown or logged', () => {
  const texts: Array<{ where: string; text: string }> = [];
  const outcomes: Record<string, 'resolved' | 'rejected'> = {};
  /** Scenarios whose hostile answer was never asked for. */
  const unused: string[] = [];

  beforeAll(async () => {
    const saved = {
      LOG_TO_STDOUT: process.env.LOG_TO_STDOUT,
      DETAILED: process.env.DETAILED_LOG_TO_STDOUT,
      CLIENT_ID: process.env.CLIENT_ID,
      CLIENT_SECRET: process.env.CLIENT_SECRET,
    };
    process.env.LOG_TO_STDOUT = '1';
    process.env.DETAILED_LOG_TO_STDOUT = '1';
    process.env.CLIENT_ID = CLIENT_ID;
    process.env.CLIENT_SECRET = CLIENT_SECRET;
    let scenario = '';
    const record =
      (stream: string) =>
      (...args: unknown[]) => {
        const text = args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ');
        // Core's detailed HTTP log starts with the request line; everything else is a log line.
        const kind = /^(GET|POST|PUT|PATCH|DELETE) https?:\/\//.test(text) ? 'HTTP log' : stream;
        texts.push({ where: `${scenario}: ${kind}`, text });
      };
    const spies = [
      jest.spyOn(console, 'log').mockImplementation(record('console.log')),
      jest.spyOn(console, 'info').mockImplementation(record('console.info')),
      jest.spyOn(console, 'warn').mockImplementation(record('console.warn')),
      jest.spyOn(console, 'error').mockImplementation(record('console.error')),
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        texts.push({ where: `${scenario}: stdout`, text: String(chunk) });
        return true;
      }),
    ];
    try {
      for (const s of scenarios) {
        scenario = s.name;
        try {
          const result = await s.run();
          outcomes[s.name] = 'resolved';
          texts.push({ where: `${s.name}: result`, text: safeJson(result) });
        } catch (error) {
          outcomes[s.name] = 'rejected';
          const e = error as Error;
          texts.push(
            { where: `${s.name}: error message`, text: String(e.message) },
            { where: `${s.name}: error stack`, text: String(e.stack) },
            { where: `${s.name}: error JSON`, text: safeJson(error) },
          );
        } finally {
          if (!nock.isDone()) unused.push(s.name);
          nock.cleanAll();
          // Refresh outcomes are shared through z.cache for a while: each scenario asks afresh.
          for (const tester of testers) tester.zcacheTestObj = {};
        }
      }
    } finally {
      for (const spy of spies) spy.mockRestore();
      for (const [key, value] of Object.entries({
        LOG_TO_STDOUT: saved.LOG_TO_STDOUT,
        DETAILED_LOG_TO_STDOUT: saved.DETAILED,
        CLIENT_ID: saved.CLIENT_ID,
        CLIENT_SECRET: saved.CLIENT_SECRET,
      }))
        setEnv(key, value);
    }
  });

  it('runs every scenario to its end', () => {
    expect(outcomes).toEqual(
      Object.fromEntries(scenarios.map((s) => [s.name, s.succeeds ? 'resolved' : 'rejected'])),
    );
  });

  it("captured core's HTTP log and the app's own log lines", () => {
    expect(unused).toEqual([]);
    expect(texts.some((t) => t.where.endsWith('HTTP log') && t.text.includes('/oauth/token'))).toBe(true);
    expect(texts.some((t) => t.where.endsWith('HTTP log') && t.text.includes('/api/v1/webhooks'))).toBe(true);
    expect(texts.some((t) => t.text.includes('Ignored a Practice "[redacted]'))).toBe(true);
  });

  it('would find a planted form (the scanner can fail)', () => {
    const text = planted(SUBSCRIBED);
    expect(leaksIn([{ where: 'planted', text }], only(SUBSCRIBED))).toHaveLength(
      SUBSCRIBED.length * ENCODINGS.length,
    );
  });

  it('finds no form of a secret of the run in any error or log line, nor a fresh token outside the result', () => {
    const leaks = scenarios.flatMap((s) => {
      const mine = texts.filter((t) => t.where.startsWith(`${s.name}: `));
      const known = leaksIn(
        mine,
        only(s.knows),
        // Except core's HTTP log of a resource-API answer, where only what core's scrubber knows
        // is removed: the values of authData and of secret-named environment variables, in the
        // encodings it knows (docs/security.md, "What redaction cannot catch").
        (where, encoding, what) =>
          !(s.api && where.endsWith(': HTTP log')) ||
          (CORE_SCRUBBER_ENCODINGS.has(encoding) &&
            ['access token', 'refresh token', 'client secret'].includes(what)),
      );
      // The run could not know tokens the endpoint has just chosen, but no error or log holds them.
      const fresh = leaksIn(
        mine.filter((t) => !t.where.endsWith(': result')),
        only(['fresh access token', 'fresh refresh token']),
      );
      return [...known, ...fresh];
    });
    expect(leaks).toEqual([]);
  });

  it('says what a form-encoded token answer was, and stores nothing from it', () => {
    const error = texts.find(
      (t) => t.where === 'refresh answered form-encoded with fresh tokens: error message',
    );
    expect(error?.text).toContain('answered with something that is not a token response');
    expect(error?.text).toContain('application/x-www-form-urlencoded, not JSON');
    expect(error?.text).toContain('"status":502');
  });
});

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
