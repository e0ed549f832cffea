// The coordinator's protocol on its own, against a store with real set-if-absent semantics
// (the harness suites run it through core's z.cache over RPC, test/reliability). Each test
// says which rule of lib/refresh-coordination.ts it holds.
import zapier, { type ZObject } from 'zapier-platform-core';
import { RefreshCoordinator } from '../../lib/refresh-coordination';
import type { TokenAuthData } from '../../lib/tokens';
import { parseCoreError } from '../../lib/core-errors';

const SECRET = 'cs_coordination_secret_value_0001';
const NOW = () => Math.floor(Date.now() / 1000);

type Fault = 'down' | 'slow' | 'garbage' | null;

/** A Redis-like store: ttl ignored (tests are short), nx answers null when the key is taken. */
class Store {
  readonly data = new Map<string, unknown>();
  fault: Fault = null;
  calls = 0;
  /** The next n calls fail, as an RPC call does when the store hiccups. */
  failNext = 0;
  /** Every set of an outcome fails (the holder cannot record what it got). */
  refuseOutcomes = false;
  /** The next n reads of an outcome answer "missing" although it is there. */
  hideOutcomes = 0;
  /** The next n set-if-absent calls fail. */
  failLocks = 0;
  /** Set-if-absent answers "not set" and stores nothing, yet nothing is there. */
  refuseLocks = false;

  async act<T>(answer: () => T, key = ''): Promise<T> {
    this.calls += 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('RPC request failed after 3 attempts: Got a 400 when calling RPC');
    }
    if (this.refuseOutcomes && key.startsWith('practice:refresh-outcome:'))
      throw new Error('RPC request failed');
    if (this.fault === 'down')
      throw new Error('RPC request failed after 3 attempts: Unable to reach the RPC server');
    if (this.fault === 'slow') await new Promise((resolve) => setTimeout(resolve, 200));
    return answer();
  }

  z(): ZObject {
    const cache = {
      get: (key: string) =>
        this.act(() => {
          if (this.hideOutcomes > 0 && key.startsWith('practice:refresh-outcome:') && this.data.has(key)) {
            this.hideOutcomes -= 1;
            return null;
          }
          return this.fault === 'garbage' ? 'v1.garbage.garbage.garbage' : (this.data.get(key) ?? null);
        }),
      set: (key: string, value: unknown, _ttl?: number, _scope?: string[], nx?: boolean) =>
        this.act(() => {
          if (nx && this.failLocks > 0) {
            this.failLocks -= 1;
            throw new Error('RPC request failed after 3 attempts: Unable to reach the RPC server');
          }
          if (nx && this.refuseLocks) return false;
          if (nx && this.data.has(key)) return null;
          this.data.set(key, value);
          return true;
        }, key),
      delete: (key: string) => this.act(() => this.data.delete(key)),
    };
    return { cache, errors: zapier.errors, console: { log: () => undefined } } as unknown as ZObject;
  }
}

function pair(n: number, extra: Partial<TokenAuthData> = {}): TokenAuthData {
  return {
    access_token: `pat_access_${n}_0123456789abcdef`,
    refresh_token: `prt_refresh_${n}_0123456789abcdef`,
    expires_at: NOW() + 3600,
    expires_in: 3600,
    scope: 'clients:read offline_access',
    ...extra,
  };
}

/** A token endpoint that rotates: each refresh token works once and yields the next pair. */
function rotatingEndpoint(delayMs = 20) {
  const presented: string[] = [];
  let next = 1;
  const request = async (refreshToken: string) => {
    presented.push(refreshToken);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    next += 1;
    return pair(next);
  };
  return { presented, request };
}

const held = (n: number) => ({ accessToken: pair(n).access_token, refreshToken: pair(n).refresh_token });

beforeEach(() => {
  process.env.PRACTICE_REFRESH_WAIT_MS = '3000';
  process.env.PRACTICE_CACHE_TIMEOUT_MS = '100';
});
afterEach(() => {
  delete process.env.PRACTICE_REFRESH_WAIT_MS;
  delete process.env.PRACTICE_CACHE_TIMEOUT_MS;
});

describe('one token request per refresh token', () => {
  it.each([2, 8, 50])(
    '%i concurrent runs holding one refresh token make one request and all get its pair',
    async (runs) => {
      const store = new Store();
      const endpoint = rotatingEndpoint();
      const results = await Promise.all(
        Array.from({ length: runs }, () =>
          new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request),
        ),
      );
      expect(endpoint.presented).toEqual([pair(1).refresh_token]);
      expect(new Set(results.map((r) => r.refresh_token))).toEqual(new Set([pair(2).refresh_token]));
    },
  );

  it('hands a late run holding an already rotated token the newest pair, following the chain', async () => {
    const store = new Store();
    const endpoint = rotatingEndpoint(0);
    const first = await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request);
    // Pair 2 expires and the next run refreshes it: the chain is 1 -> 2 -> 3.
    const second = await new RefreshCoordinator(store.z(), SECRET).refresh(
      { accessToken: first.access_token, refreshToken: first.refresh_token },
      endpoint.request,
    );
    expect(second.refresh_token).toBe(pair(3).refresh_token);
    const late = await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request);
    expect(late).toEqual(second);
    // Neither rotated token ever went to Practice twice.
    expect(endpoint.presented).toEqual([pair(1).refresh_token, pair(2).refresh_token]);
  });

  it('refreshes with the newest refresh token when the newest pair is the one that was just rejected', async () => {
    const store = new Store();
    const endpoint = rotatingEndpoint(0);
    const newest = await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request);
    // A run holding the old refresh token but the newest access token (which Practice rejected, K1).
    const again = await new RefreshCoordinator(store.z(), SECRET).refresh(
      { accessToken: newest.access_token, refreshToken: pair(1).refresh_token },
      endpoint.request,
    );
    expect(endpoint.presented).toEqual([pair(1).refresh_token, newest.refresh_token]);
    expect(again.refresh_token).toBe(pair(3).refresh_token);
  });

  it('does not hand out a recorded pair whose access token has expired', async () => {
    const store = new Store();
    let calls = 0;
    const request = async (refreshToken: string) => {
      calls += 1;
      // A server that does not rotate: the same refresh token comes back every time.
      return pair(calls, { refresh_token: refreshToken, expires_at: calls === 1 ? NOW() - 5 : NOW() + 3600 });
    };
    await new RefreshCoordinator(store.z(), SECRET).refresh(held(0), request);
    const later = await new RefreshCoordinator(store.z(), SECRET).refresh(held(0), request);
    expect(calls).toBe(2);
    expect(later.expires_at).toBeGreaterThan(NOW());
  });

  it('shares a dead grant: the waiters fail like the holder, without asking Practice again', async () => {
    const store = new Store();
    const z = store.z();
    let calls = 0;
    const request = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 30));
      throw new z.errors.ExpiredAuthError(
        "Practice no longer accepts this connection's refresh token (invalid_grant).",
      );
    };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () => new RefreshCoordinator(store.z(), SECRET).refresh(held(1), request)),
    );
    expect(calls).toBe(1);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      if (outcome.status === 'rejected') expect(parseCoreError(outcome.reason).name).toBe('ExpiredAuthError');
    }
  });

  it('fails a waiter that runs out of time with ThrottledError, which Zapier retries and never stales on', async () => {
    process.env.PRACTICE_REFRESH_WAIT_MS = '300';
    const store = new Store();
    const slow = () => new Promise<TokenAuthData>((resolve) => setTimeout(() => resolve(pair(2)), 1500));
    const holder = new RefreshCoordinator(store.z(), SECRET).refresh(held(1), slow);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiter = await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), slow).then(
      () => null,
      (error: unknown) => parseCoreError(error),
    );
    expect(waiter?.name).toBe('ThrottledError');
    expect(waiter?.message).toMatch(/connection is fine/);
    await holder;
  });
});

describe('transient store faults', () => {
  it('absorbs a failed store call: 8 concurrent runs still make one token request', async () => {
    const store = new Store();
    store.failNext = 3;
    const endpoint = rotatingEndpoint();
    await Promise.all(
      Array.from({ length: 8 }, () =>
        new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request),
      ),
    );
    expect(endpoint.presented).toEqual([pair(1).refresh_token]);
  });

  it('keeps the lock when the holder cannot record its rotation, so no waiter presents the rotated token', async () => {
    process.env.PRACTICE_REFRESH_WAIT_MS = '600';
    const store = new Store();
    store.refuseOutcomes = true;
    const endpoint = rotatingEndpoint(50);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, () =>
        new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request),
      ),
    );
    expect(endpoint.presented).toEqual([pair(1).refresh_token]);
    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
    expect(fulfilled).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(parseCoreError(outcome.reason).name).toBe('ThrottledError');
    }
  });
});

describe('rotated tokens never go back to Practice (review findings)', () => {
  it('starts over from the newest token when the holder finds its token rotated since it looked', async () => {
    const store = new Store();
    const endpoint = rotatingEndpoint(0);
    // Pair 2 was recorded for refresh token 1 long ago: its access token has expired since.
    await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request);
    jest.spyOn(Date, 'now').mockReturnValue((NOW() + 7200) * 1000);
    try {
      store.hideOutcomes = 1; // the first look misses the record
      await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request);
    } finally {
      jest.restoreAllMocks();
    }
    expect(endpoint.presented).toEqual([pair(1).refresh_token, pair(2).refresh_token]);
  });

  it("records a rotation made without the store's lock, so a later run never presents the old token", async () => {
    const store = new Store();
    store.failLocks = 12;
    const endpoint = rotatingEndpoint(0);
    await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request);
    store.failLocks = 0;
    const later = await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request);
    expect(endpoint.presented).toEqual([pair(1).refresh_token]);
    expect(later.refresh_token).toBe(pair(2).refresh_token);
  });

  it('refreshes on its own when the store refuses every lock yet shows nobody holding it', async () => {
    process.env.PRACTICE_REFRESH_WAIT_MS = '2000';
    const store = new Store();
    store.refuseLocks = true;
    const endpoint = rotatingEndpoint(0);
    const result = await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request);
    expect(endpoint.presented).toEqual([pair(1).refresh_token]);
    expect(result.refresh_token).toBe(pair(2).refresh_token);
  });

  it('gives the token request no more time than the lock has left', async () => {
    const store = new Store();
    const timeouts: number[] = [];
    await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), async (_token, timeoutMs) => {
      timeouts.push(timeoutMs);
      return pair(2);
    });
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0]).toBeLessThanOrEqual(25_000);
    expect(timeouts[0]).toBeGreaterThan(0);
  });
});

describe('the store is never trusted and never required', () => {
  it('keeps nothing readable in the cache: hashed keys, sealed values', async () => {
    const store = new Store();
    const endpoint = rotatingEndpoint(0);
    await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request);
    const dump = JSON.stringify([...store.data.entries()]);
    expect(store.data.size).toBeGreaterThan(0);
    for (const text of [
      pair(1).refresh_token,
      pair(2).refresh_token,
      pair(2).access_token,
      'access',
      'refresh_',
    ]) {
      expect(dump).not.toContain(text);
    }
    for (const key of store.data.keys())
      expect(key).toMatch(/^practice:refresh-(outcome|lock):[A-Za-z0-9_-]{43}$/);
  });

  it('ignores a tampered entry and refreshes instead of trusting it', async () => {
    const store = new Store();
    const endpoint = rotatingEndpoint(0);
    await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request);
    for (const [key, value] of store.data) {
      const parts = String(value).split('.');
      const body = parts[2] ?? '';
      parts[2] = `${body.startsWith('A') ? 'B' : 'A'}${body.slice(1)}`;
      store.data.set(key, parts.join('.'));
    }
    const result = await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request);
    expect(endpoint.presented).toEqual([pair(1).refresh_token, pair(1).refresh_token]);
    expect(result.refresh_token).toBe(pair(3).refresh_token);
  });

  it('ignores entries sealed under another client secret', async () => {
    const store = new Store();
    const endpoint = rotatingEndpoint(0);
    await new RefreshCoordinator(store.z(), 'another_secret_entirely_000').refresh(held(1), endpoint.request);
    await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request);
    expect(endpoint.presented).toHaveLength(2);
  });

  it.each<Fault>(['down', 'slow', 'garbage'])(
    'refreshes on its own, exactly once per run, when the store is %s',
    async (fault) => {
      const store = new Store();
      store.fault = fault;
      const endpoint = rotatingEndpoint(0);
      const result = await new RefreshCoordinator(store.z(), SECRET).refresh(held(1), endpoint.request);
      expect(endpoint.presented).toEqual([pair(1).refresh_token]);
      expect(result.refresh_token).toBe(pair(2).refresh_token);
    },
  );
});
