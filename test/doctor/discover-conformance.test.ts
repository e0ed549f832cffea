// A draft from `--discover --refresh`, completed only where it says UNOBSERVED (from the
// hand-written profile, as a person would from the API's documentation), is a profile the layer
// can run: it passes profileProblems, and through core's Lambda handler with Zapier's refresh,
// retry and stale rules (tools/harness/zapier-runner.ts) it refreshes once on an expiry, goes
// stale on a dead grant and is throttled by a rate limit, against each provider's stand-in.
import type { CheckedProfile } from '../../layer';
import { startRpcServer, type RpcServer } from '../../tools/harness/rpc-server';
import { newConnection, ZapierRunner, type Connection } from '../../tools/harness/zapier-runner';
import type { SuiteStandIn } from '../../tools/standins/types';
import { appFor, CASES, PROBE, pointAt } from '../conformance/support';
import { completeDraft, discoverStandIn, type Discovered } from './discover-support';

const NOW = () => Math.floor(Date.now() / 1000);

describe.each(CASES)('the completed draft of the $name stand-in', ({ profile: hand, start }) => {
  let standIn: SuiteStandIn;
  let found: Discovered;
  let completed: CheckedProfile;
  let restore: () => void;
  let rpc: RpcServer;
  let runner: ZapierRunner;

  beforeAll(async () => {
    standIn = await start();
    found = await discoverStandIn(hand, standIn, ['--refresh']);
    const { problems, profile } = completeDraft(found.loaded.profile, hand, found.loaded.unobserved);
    expect(problems).toEqual([]);
    completed = profile();
    restore = pointAt(completed, standIn);
    const { app } = appFor(completed, standIn.probePath);
    rpc = await startRpcServer();
    runner = new ZapierRunner({ app, rpc });
  });

  afterAll(async () => {
    restore();
    await rpc.close();
    await standIn.close();
  });

  async function connection(): Promise<Connection> {
    const pair = await standIn.connect();
    return newConnection({
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      expires_at: NOW() + pair.expires_in,
      expires_in: pair.expires_in,
      scope: pair.scope,
    });
  }

  it('keeps what it observed: only the marked fields came from the hand-written profile', () => {
    const marked = new Set(found.loaded.unobserved.map((u) => u.path));
    expect(marked.has('signals.envelope')).toBe(false);
    expect(marked.has('token.errorCode')).toBe(false);
    expect(completed.signals.body.code).toBe(found.loaded.profile.signals.body.code);
    expect(completed.token.errorsAs200).toBe(found.loaded.profile.token.errorsAs200);
    expect(completed.client.authMethod).toBe(found.loaded.profile.client.authMethod);
  });

  it('an expiry, by the first signal: one refresh, one retry, not stale', async () => {
    const conn = await connection();
    const before = standIn.tokenStats();
    standIn.expireAccessTokens(standIn.expirySignals[0]);
    const outcome = await runner.runStep(conn, PROBE);
    expect(outcome.error?.message).toBeUndefined();
    expect(outcome.refreshed).toBe(true);
    expect(standIn.tokenStats().refreshRequests - before.refreshRequests).toBe(1);
    expect(conn.stale).toBe(false);
  });

  it('a rate limit, by the first signal: throttled, nothing refreshed', async () => {
    const conn = await connection();
    standIn.rateLimit(1, 7, standIn.rateLimitSignals[0]);
    const outcome = await runner.runStep(conn, PROBE);
    expect(outcome.error?.name).toBe('ThrottledError');
    expect(outcome.refreshed).toBe(false);
    expect(conn.stale).toBe(false);
  });

  it('a dead grant goes stale, and the user is told to reconnect', async () => {
    const conn = await connection();
    standIn.revokeAll();
    standIn.expireAccessTokens();
    const outcome = await runner.runStep(conn, PROBE);
    expect(outcome.ok).toBe(false);
    expect(outcome.staled).toBe(true);
    expect(conn.staleReason ?? '').toContain(`Reconnect your ${completed.name} account`);
  });
});
