// What the request log and the token stats say about POST /oauth/token: the grant type,
// what each refresh did to its refresh token (rotation, grace replay, reuse), and
// fingerprints of the tokens presented and issued, never the tokens.
import {
  tokenFingerprint,
  type RequestLogEntry,
  type Sandbox,
  type TokenStats,
} from '../../tools/sandbox/server';
import { connect, json, refresh, startTestSandbox, type TestClock, type TokenBody } from './helpers';

let sandbox: Sandbox;
let clock: TestClock;

// Default quirks: K6 on, so refused refreshes answer HTTP 200 with an error body, as the
// integration meets them; the log must tell them apart all the same.
beforeEach(async () => {
  ({ sandbox, clock } = await startTestSandbox());
});

afterEach(async () => {
  await sandbox.close();
});

const tokenEntries = (): RequestLogEntry[] => sandbox.findRequests({ method: 'POST', path: '/oauth/token' });

async function control<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(`/_sandbox${route}`, sandbox.url), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return json<T>(response);
}

function noTokensIn(entries: readonly RequestLogEntry[], pairs: TokenBody[]): void {
  const text = JSON.stringify(entries);
  for (const pair of pairs) {
    expect(text).not.toContain(pair.access_token);
    if (pair.refresh_token) expect(text).not.toContain(pair.refresh_token);
  }
}

const ZERO: TokenStats = {
  tokenRequests: 0,
  codeExchanges: 0,
  refreshRequests: 0,
  rotations: 0,
  graceReplays: 0,
  reuses: 0,
  tokenErrors: 0,
  grantsRevoked: 0,
};

describe('request log of POST /oauth/token', () => {
  it('marks a code exchange with its grant type and the fingerprints of the pair issued', async () => {
    const pair = await connect(sandbox);
    expect(tokenEntries()).toEqual([
      expect.objectContaining({
        status: 200,
        grantType: 'authorization_code',
        rotation: null,
        presentedRefreshFingerprint: null,
        issuedRefreshFingerprint: tokenFingerprint(pair.refresh_token ?? ''),
        issuedAccessFingerprint: tokenFingerprint(pair.access_token),
        grantId: sandbox.grants()[0]?.id,
      }),
    ]);
    // Other requests carry none of it.
    const others = sandbox.findRequests((e) => e.path !== '/oauth/token');
    expect(others.map((e) => `${e.method} ${e.path}`)).toEqual([
      'GET /oauth/authorize',
      'POST /oauth/authorize',
    ]);
    for (const entry of others) {
      expect(entry).toMatchObject({
        grantType: null,
        rotation: null,
        presentedRefreshFingerprint: null,
        issuedRefreshFingerprint: null,
        issuedAccessFingerprint: null,
      });
    }
  });

  it('with the grace period: the same refresh token twice is a rotation, then a grace replay', async () => {
    const first = await connect(sandbox);
    const second = await json<TokenBody>(await refresh(sandbox, first.refresh_token ?? ''));
    clock.advance(5_000);
    const replay = await json<TokenBody>(await refresh(sandbox, first.refresh_token ?? ''));
    expect(replay.refresh_token).toBe(second.refresh_token);

    const presented = tokenFingerprint(first.refresh_token ?? '');
    const issued = tokenFingerprint(second.refresh_token ?? '');
    const [, rotation, graceReplay] = tokenEntries();
    expect(rotation).toMatchObject({
      grantType: 'refresh_token',
      rotation: 'rotated',
      presentedRefreshFingerprint: presented,
      issuedRefreshFingerprint: issued,
      issuedAccessFingerprint: tokenFingerprint(second.access_token),
      errorCode: null,
    });
    expect(graceReplay).toMatchObject({
      grantType: 'refresh_token',
      rotation: 'grace_replay',
      presentedRefreshFingerprint: presented,
      issuedRefreshFingerprint: issued,
      errorCode: null,
    });
    expect(sandbox.grants()[0]).toMatchObject({ revoked: false });
    expect(sandbox.tokenStats()).toEqual({
      ...ZERO,
      tokenRequests: 3,
      codeExchanges: 1,
      refreshRequests: 2,
      rotations: 1,
      graceReplays: 1,
    });
    noTokensIn(sandbox.requests, [first, second]);
  });

  it('with K8 switched on over HTTP: the same refresh token twice is a rotation, then a reuse that revokes the grant', async () => {
    expect(await control('POST', '/quirks', { K8: true })).toMatchObject({ K8: true });
    const first = await connect(sandbox);
    const second = await json<TokenBody>(await refresh(sandbox, first.refresh_token ?? ''));
    clock.advance(1_000);
    const reuse = await refresh(sandbox, first.refresh_token ?? '');
    expect(await json(reuse)).toMatchObject({ error: 'invalid_grant' });
    // The grant is gone, so its newest token is refused too, for that reason.
    await refresh(sandbox, second.refresh_token ?? '');

    const grantId = sandbox.grants()[0]?.id;
    expect(tokenEntries().slice(1)).toEqual([
      expect.objectContaining({ rotation: 'rotated', grantId, errorCode: null }),
      expect.objectContaining({
        grantType: 'refresh_token',
        rotation: 'reuse_revoked',
        presentedRefreshFingerprint: tokenFingerprint(first.refresh_token ?? ''),
        issuedRefreshFingerprint: null,
        issuedAccessFingerprint: null,
        errorCode: 'invalid_grant',
        grantId,
      }),
      expect.objectContaining({
        rotation: 'grant_revoked',
        presentedRefreshFingerprint: tokenFingerprint(second.refresh_token ?? ''),
        errorCode: 'invalid_grant',
      }),
    ]);
    expect(sandbox.grants()[0]).toMatchObject({
      revoked: true,
      revokedReason: 'refresh token reused after rotation',
    });
    const expected = {
      ...ZERO,
      tokenRequests: 4,
      codeExchanges: 1,
      refreshRequests: 3,
      rotations: 1,
      reuses: 1,
      tokenErrors: 2,
      grantsRevoked: 1,
    };
    expect(sandbox.tokenStats()).toEqual(expected);
    // The same figures over HTTP, on their own and in the sandbox description.
    expect(await control('GET', '/token-stats')).toEqual(expected);
    expect(await control('GET', '/')).toMatchObject({
      quirks: expect.objectContaining({ K8: true }),
      token_stats: expected,
    });
    // And the log over HTTP filters on the new fields.
    const { data } = await control<{ data: RequestLogEntry[] }>('GET', '/requests?rotation=reuse_revoked');
    expect(data).toEqual([expect.objectContaining({ rotation: 'reuse_revoked', grantId })]);
    noTokensIn(sandbox.requests, [first, second]);
  });

  it('without K8, a reuse after the grace period is logged as reuse_revoked', async () => {
    const first = await connect(sandbox);
    await refresh(sandbox, first.refresh_token ?? '');
    clock.advance(61_000);
    await refresh(sandbox, first.refresh_token ?? '');
    expect(tokenEntries().map((e) => e.rotation)).toEqual([null, 'rotated', 'reuse_revoked']);
    expect(sandbox.tokenStats()).toMatchObject({ reuses: 1, graceReplays: 0, grantsRevoked: 1 });
  });

  it('logs an unknown and an expired refresh token, and nothing rotated for a refused client', async () => {
    const first = await connect(sandbox);
    await refresh(sandbox, 'prt_not-a-token-this-sandbox-issued');
    clock.advance(91 * 24 * 60 * 60 * 1000);
    await refresh(sandbox, first.refresh_token ?? '');
    await fetch(new URL('/oauth/token', sandbox.url), {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' }),
    });
    expect(tokenEntries().map((e) => [e.rotation, e.errorCode])).toEqual([
      [null, null],
      ['unknown_token', 'invalid_grant'],
      ['expired', 'invalid_grant'],
      [null, 'invalid_client'],
    ]);
    expect(sandbox.grants()[0]).toMatchObject({ revoked: false });
  });

  it('counts from the last reset, like the log', async () => {
    const first = await connect(sandbox);
    sandbox.revokeGrant(sandbox.grants()[0]?.id ?? '');
    expect(sandbox.tokenStats()).toMatchObject({ tokenRequests: 1, grantsRevoked: 1 });
    await control('POST', '/reset');
    expect(sandbox.tokenStats()).toEqual(ZERO);
    await refresh(sandbox, first.refresh_token ?? '');
    expect(sandbox.tokenStats()).toEqual({ ...ZERO, tokenRequests: 1, refreshRequests: 1, tokenErrors: 1 });
  });
});
