// HubSpot's move from its v1 OAuth API to 2026-03 (docs/provider-moves.md), as Zapier lives it:
// two versions of one integration, the one before the move (its profile as it was, byte for byte:
// test/layer/compat/profiles/hubspot.ts) and the one after (profiles/hubspot.ts), running the same
// connections through core's Lambda handler against one stand-in that serves both OAuth versions
// until v1's sunset (tools/standins/hubspot.ts). `zapier-platform migrate` moves a connection from
// one version to the other with its authData unchanged: here, the same Connection run by the other
// runner.
import { FAILURE_TTL_SECONDS } from 'zapier-oauth-layer/internal';
import { PROFILES } from '../../profiles';
import {
  newConnection,
  startRpcServer,
  ZapierRunner,
  type Connection,
  type RpcServer,
} from 'zapier-oauth-layer/conformance';
import { start, V1_SUNSET_MS, type HubSpotStandIn } from '../../tools/standins/hubspot';
import { hubspotProfile as v1Profile } from './compat/profiles/hubspot';
import { appFor, pointAt, PROBE } from '../conformance/support';

const v2026Profile = PROFILES.hubspot!;
let standIn: HubSpotStandIn;
let rpc: RpcServer;
let restore: () => void;
let before: ZapierRunner;
let after: ZapierRunner;
/** The stand-in's clock, moved past the sunset by the test that needs it. */
let nowMs: number;
/** How far Zapier's store is ahead of real time: a migration takes minutes, past the layer's memory of a failure. */
let later: number;

beforeEach(async () => {
  nowMs = Date.now();
  later = 0;
  standIn = await start({ clock: () => nowMs });
  rpc = await startRpcServer({ clock: () => Date.now() + later });
  restore = pointAt(v2026Profile, standIn);
  before = new ZapierRunner({ app: appFor(v1Profile, standIn.probePath).app, rpc });
  after = new ZapierRunner({ app: appFor(v2026Profile, standIn.probePath).app, rpc });
});

afterEach(async () => {
  restore();
  await rpc.close();
  await standIn.close();
});

function connection(): Connection {
  const pair = standIn.connect();
  return newConnection({
    access_token: pair.access_token,
    refresh_token: pair.refresh_token,
    expires_in: pair.expires_in,
    expires_at: Math.floor(Date.now() / 1000) + pair.expires_in,
    scope: pair.scope,
  });
}

test('the two profiles use the two OAuth versions (what the rest relies on)', () => {
  expect([v1Profile.endpoints.token, v2026Profile.endpoints.token]).toEqual([
    '/oauth/v1/token',
    '/oauth/2026-03/token',
  ]);
});

test('a connection made and refreshed on v1 moves to 2026-03 and back (migrate, then roll back) without reconnecting', async () => {
  const conn = connection();
  const refreshToken = conn.authData.refresh_token;
  for (const [runner, asked] of [
    [before, { v1: 1, '2026-03': 0 }],
    [after, { v1: 1, '2026-03': 1 }],
    [before, { v1: 2, '2026-03': 1 }],
  ] as const) {
    standIn.expireAccessTokens('401 EXPIRED_AUTHENTICATION');
    expect(await runner.runStep(conn, PROBE)).toMatchObject({ ok: true, refreshed: true, staled: false });
    expect(standIn.oauthRequests()).toEqual(asked);
  }
  // HubSpot does not rotate: the refresh token the user's consent gave is still the one held.
  expect(conn.authData.refresh_token).toBe(refreshToken);
});

test('a dead grant is a dead grant to both versions: stale, read from status before the move and from error after it', async () => {
  const [one, two] = [connection(), connection()];
  standIn.revokeAll();
  const outcomes = [await before.runStep(one, PROBE), await after.runStep(two, PROBE)];
  for (const outcome of outcomes) {
    expect(outcome).toMatchObject({ ok: false, staled: true });
    expect(outcome.error?.message).toContain('HubSpot no longer accepts this connection');
  }
});

test('past the sunset, the version left on v1 fails without making the connection stale, and migrating it brings the connection back', async () => {
  const conn = connection();
  nowMs = V1_SUNSET_MS + 60 * 60 * 1000;
  // Every access token the stand-in issued before is long expired by its clock.
  const stuck = await before.runStep(conn, PROBE);
  expect(stuck).toMatchObject({ ok: false, staled: false });
  expect(stuck.error?.message).toContain("HubSpot's token endpoint");
  expect(conn.stale).toBe(false);
  // `zapier-platform migrate` to the 2026-03 version, a few minutes later.
  later += (FAILURE_TTL_SECONDS + 1) * 1000;
  expect(await after.runStep(conn, PROBE)).toMatchObject({ ok: true, refreshed: true, staled: false });
  expect(standIn.oauthRequests()).toEqual({ v1: 0, '2026-03': 1 });
});
