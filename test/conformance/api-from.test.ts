// A token answer that names a host the profile does not allow (endpoints.apiFrom.hosts), end to
// end: through core's Lambda handler with Zapier's refresh and stale rules around it
// (zapier-oauth-layer/conformance, its src/conformance/zapier-runner.ts), against the Salesforce stand-in, whose instance_url is
// turned into another server on 127.0.0.1 that records every request it gets. The app calls
// the API as a Salesforce integration does: on the connection's own instance_url
// (layer.endpoints.apiUrl). Whatever the answer names, that server never hears from the app,
// the connection never goes stale for it, and the message is written for the integration owner.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zapier, { type Bundle, type ZObject } from 'zapier-platform-core';
import { createLayer } from 'zapier-oauth-layer/internal';
import { PROFILES } from '../../profiles';
import { startRpcServer, type RpcServer } from 'zapier-oauth-layer/conformance';
import { describeError, newConnection, ZapierRunner, type Connection } from 'zapier-oauth-layer/conformance';
import { spec } from '../../tools/standins/salesforce';
import { startStandIn, type ProviderSpec } from 'zapier-oauth-layer/standin';
import type { StandIn } from 'zapier-oauth-layer/standin';
import { pointAt } from './support';

const profile = PROFILES.salesforce!;
const PROBE = 'triggers.probe.operation.perform';
const REDIRECT_URI = 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/';
const NOW = () => Math.floor(Date.now() / 1000);

/** An app of the layer and the Salesforce profile whose one trigger queries the connection's own instance. */
function salesforceApp() {
  const layer = createLayer(profile);
  const query = async (z: ZObject, bundle: Bundle) => {
    const response = await z.request({ url: layer.endpoints.apiUrl('v62.0/query', bundle.authData) });
    return response.data as unknown;
  };
  return layer.harden({
    version: '1.0.0',
    platformVersion: zapier.version,
    authentication: layer.authentication({ test: query, connectionLabel: 'api-from' }),
    triggers: {
      probe: {
        key: 'probe',
        noun: 'Account',
        display: { label: 'Query', description: 'Queries the connection’s own instance once.' },
        operation: {
          perform: async (z: ZObject, bundle: Bundle) => {
            await query(z, bundle);
            return [{ id: 'probe' }];
          },
          sample: { id: 'probe' },
        },
      },
    },
  });
}

describe('an instance_url outside endpoints.apiFrom.hosts, through core', () => {
  /** Every request the collector got: where, and with what Authorization. */
  const collected: Array<{ url: string; authorization: string | undefined }> = [];
  let collector: http.Server;
  let collectorUrl: string;
  /** What the stand-in's token answers name as instance_url from now on; null: itself, as Salesforce does. */
  let named: string | null = null;
  /** The last tokens the stand-in's token endpoint issued. */
  const issued = { access: '', refresh: '' };
  let standIn: StandIn;
  let restore: () => void;
  let rpc: RpcServer;
  let runner: ZapierRunner;

  beforeAll(async () => {
    collector = http.createServer((req, res) => {
      collected.push({ url: req.url ?? '', authorization: req.headers.authorization });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"totalSize":0,"done":true,"records":[]}');
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const hostile: ProviderSpec = {
      ...spec,
      answers: {
        ...spec.answers,
        token: (answer) => {
          issued.access = answer.accessToken;
          issued.refresh = answer.refreshToken;
          const reply = spec.answers.token(answer);
          return named === null
            ? reply
            : { ...reply, json: { ...(reply.json as Record<string, unknown>), instance_url: named } };
        },
      },
    };
    standIn = await startStandIn(hostile);
    restore = pointAt(profile, standIn);
    rpc = await startRpcServer();
    runner = new ZapierRunner({ app: salesforceApp(), rpc });
  });

  afterAll(async () => {
    restore();
    await rpc.close();
    await standIn.close();
    await new Promise((resolve) => collector.close(resolve));
  });

  beforeEach(() => {
    named = null;
    collected.length = 0;
  });

  /** A connection as Zapier holds it after a normal consent: its instance_url is the stand-in's own. */
  function connection(instanceUrl: string = standIn.url): Connection {
    const pair = standIn.connect();
    return newConnection({
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      expires_at: NOW() + pair.expires_in,
      expires_in: pair.expires_in,
      scope: pair.scope,
      instance_url: instanceUrl,
    });
  }

  /** The message is the integration owner's to act on, names the profile field, and carries no token. */
  function expectOwnersMessage(message: string | undefined, tokens: readonly string[]) {
    expect(message).toContain(`"${collectorUrl}"`);
    expect(message).toContain('endpoints.apiFrom.hosts');
    expect(message).toContain('This is for the integration owner to fix, not the Zap user');
    for (const token of tokens) expect(message).not.toContain(token);
  }

  it('connecting: the code exchange is refused, nothing is stored, and the collector hears nothing', async () => {
    named = collectorUrl;
    const code = standIn.authorizationCode(REDIRECT_URI);
    const message = await runner.connect({ code, redirect_uri: REDIRECT_URI }).then(
      () => 'connected',
      (error: unknown) => describeError(error).message,
    );
    expect(collected).toEqual([]);
    expectOwnersMessage(message, [issued.access, issued.refresh]);
  });

  it('a refresh that names it: the rotated tokens are kept, nothing is sent, not stale; the next renewal that names the instance heals it', async () => {
    const conn = connection();
    const before = standIn.tokenStats();
    named = collectorUrl;
    standIn.expireAccessTokens();
    const refused = await runner.runStep(conn, PROBE);
    expect(collected).toEqual([]);
    expect(refused.refreshed).toBe(true);
    expect(refused.ok).toBe(false);
    expect(refused.staled).toBe(false);
    expect(conn.stale).toBe(false);
    expect(refused.error?.name).not.toMatch(/RefreshAuthError|ExpiredAuthError/);
    expectOwnersMessage(refused.error?.message, [issued.access, issued.refresh]);
    // Salesforce rotates: the refresh token the refused answer carried is the one kept.
    expect(conn.authData.refresh_token).toBe(issued.refresh);

    // Later, the access token due: the next renewal names the instance again, and the step runs there.
    named = null;
    conn.authData.expires_at = NOW() - 1;
    const healed = await runner.runStep(conn, PROBE);
    expect(healed.error).toBeUndefined();
    expect(healed.refreshed).toBe(true);
    expect(conn.authData.instance_url).toBe(standIn.url);
    const after = standIn.tokenStats();
    expect(after.reusedRefreshTokens - before.reusedRefreshTokens).toBe(0);
    expect(after.revokedByReuse - before.revokedByReuse).toBe(0);
    expect(collected).toEqual([]);
  });

  it('authData stored before the allow-list: read back, refused, nothing sent, no refresh, not stale', async () => {
    const conn = connection(collectorUrl);
    const before = standIn.tokenStats();
    const outcome = await runner.runStep(conn, PROBE);
    expect(collected).toEqual([]);
    expect(outcome.ok).toBe(false);
    expect(outcome.refreshed).toBe(false);
    expect(conn.stale).toBe(false);
    expectOwnersMessage(outcome.error?.message, [String(conn.authData.access_token)]);
    expect(standIn.tokenStats().tokenRequests - before.tokenRequests).toBe(0);
  });
});
