// practice/webhooks.ts on its own: header lookup, signature parsing and checking, and
// the duplicate claim's use of nx (core's local test cache ignores nx, so the
// race-closing branch is exercised here with a cache that honours it).
import type { ZObject } from 'zapier-platform-core';
import {
  claimEvent,
  deliveryKey,
  incomingHeader,
  parseDelivery,
  parseSignatureHeader,
  signDelivery,
  verifyDelivery,
} from '../../practice/webhooks';

const SECRET = 'whsec_unit';
const BODY =
  '{"id":"evt_1","event":"client.created","created_at":"2026-01-07T10:05:00Z","data":{"id":"cli_1"}}';
const NOW = 1_767_780_000;

function header(secret = SECRET, t = NOW, body = BODY) {
  return `t=${t},v1=${signDelivery(secret, t, body)}`;
}

describe('incomingHeader', () => {
  it.each([
    ['Http-Practice-Signature'],
    ['HTTP-PRACTICE-SIGNATURE'],
    ['http-practice-signature'],
    ['Practice-Signature'],
    ['practice-signature'],
  ])('finds the signature under %s', (name) => {
    expect(incomingHeader({ [name]: 'v' }, 'Practice-Signature')).toBe('v');
  });

  it('ignores look-alike headers', () => {
    expect(
      incomingHeader({ 'X-Practice-Signature': 'v', 'Http-Practice-Signature-2': 'w' }, 'Practice-Signature'),
    ).toBe(undefined);
  });
});

describe('parseSignatureHeader', () => {
  it('reads t and every v1', () => {
    const a = 'a'.repeat(64);
    const b = 'B'.repeat(64);
    expect(parseSignatureHeader(`t=12, v1=${a},v1=${b}`)).toEqual({
      timestamp: 12,
      signatures: [a, 'b'.repeat(64)],
    });
  });

  it.each([
    ['v1=' + 'a'.repeat(64)],
    ['t=12'],
    ['t=abc,v1=' + 'a'.repeat(64)],
    ['t=12,v1=xyz'],
    ['garbage'],
    [''],
  ])('rejects %j', (value) => {
    expect(parseSignatureHeader(value)).toBeNull();
  });
});

describe('verifyDelivery', () => {
  const base = { secret: SECRET, rawBody: BODY, nowSeconds: NOW };

  it('accepts the signature Practice computes over "<t>.<raw body>"', () => {
    expect(verifyDelivery({ ...base, header: header() })).toEqual({ ok: true });
  });

  it('rejects a signature over a re-serialised body (the raw bytes are what is signed)', () => {
    const reformatted = JSON.stringify(JSON.parse(BODY), null, 2);
    expect(verifyDelivery({ ...base, header: header(SECRET, NOW, reformatted) })).toEqual({
      ok: false,
      reason: 'wrong_signature',
    });
  });

  it.each([
    ['no header', { header: undefined }, 'missing_signature'],
    ['an empty header', { header: '' }, 'missing_signature'],
    ['a malformed header', { header: 't=1,v1=zz' }, 'malformed_signature'],
    ['another secret', { header: header('other') }, 'wrong_signature'],
    ['t older than 300 s', { header: header(SECRET, NOW - 301) }, 'stale_signature'],
    ['t more than 300 s ahead', { header: header(SECRET, NOW + 301) }, 'stale_signature'],
    ['no secret stored', { header: header(), secret: undefined }, 'missing_secret'],
    ['no raw body', { header: header(), rawBody: undefined }, 'missing_body'],
  ])('rejects %s', (_name, change, reason) => {
    expect(verifyDelivery({ ...base, ...change })).toEqual({ ok: false, reason });
  });

  it('accepts t exactly 300 s old', () => {
    expect(verifyDelivery({ ...base, header: header(SECRET, NOW - 300) })).toEqual({ ok: true });
  });
});

describe('parseDelivery', () => {
  it('reads the event envelope', () => {
    expect(parseDelivery(BODY)).toMatchObject({
      id: 'evt_1',
      event: 'client.created',
      data: { id: 'cli_1' },
    });
  });

  it.each([['not json'], ['[]'], ['{"id":"evt_1","event":"x"}'], ['{"event":"x","data":{"id":"1"}}']])(
    'refuses %s',
    (body) => {
      expect(parseDelivery(body)).toBeNull();
    },
  );
});

describe('claimEvent', () => {
  // A cache with set-if-absent semantics; `taken` is what set(..., nx=true) answers when the key
  // exists: z.cache.set is typed boolean | null, and a Redis-like store answers null.
  function cacheZ(store: Map<string, unknown>, hideFromGet = false, taken: false | null = false) {
    // hideFromGet: the first get runs before a concurrent delivery's set lands.
    let hidden = hideFromGet;
    const cache = {
      get: async (key: string) => {
        if (hidden) {
          hidden = false;
          return null;
        }
        return store.get(key) ?? null;
      },
      set: async (key: string, value: unknown, _ttl?: number, _scope?: string[], nx?: boolean) => {
        if (nx && store.has(key)) return taken;
        store.set(key, value);
        return true;
      },
      delete: async (key: string) => store.delete(key),
    };
    return { cache } as unknown as ZObject;
  }

  const wh1 = { id: 'wh_1', secret: 'whsec_firm_one_0123456789abcdef' };
  const wh2 = { id: 'wh_2', secret: 'whsec_firm_one_fedcba9876543210' };

  it('claims an event once per subscription', async () => {
    const z = cacheZ(new Map());
    expect(await claimEvent(z, wh1, 'evt_1')).toBe('first');
    expect(await claimEvent(z, wh1, 'evt_1')).toBe('repeat');
    expect(await claimEvent(z, wh2, 'evt_1')).toBe('first');
  });

  it('claims an event once for each of two subscriptions that share a secret', async () => {
    const z = cacheZ(new Map());
    const zapA = { id: 'wh_1', secret: 'whsec_shared_0123456789abcdef' };
    const zapB = { id: 'wh_2', secret: 'whsec_shared_0123456789abcdef' };
    expect(await claimEvent(z, zapA, 'evt_1')).toBe('first');
    expect(await claimEvent(z, zapB, 'evt_1')).toBe('first');
    expect(await claimEvent(z, zapA, 'evt_1')).toBe('repeat');
    expect(await claimEvent(z, zapB, 'evt_1')).toBe('repeat');
  });

  it('keeps two firms apart when their subscription and event ids are equal (ids numbered per firm)', async () => {
    const store = new Map<string, unknown>();
    const firmA = { id: 'wh_1', secret: 'whsec_firm_a_0123456789abcdef01' };
    const firmB = { id: 'wh_1', secret: 'whsec_firm_b_0123456789abcdef01' };
    expect(await claimEvent(cacheZ(store, true), firmA, 'evt_1')).toBe('first');
    expect(await claimEvent(cacheZ(store, true), firmB, 'evt_1')).toBe('first');
    expect(await claimEvent(cacheZ(store, true), firmB, 'evt_1')).toBe('repeat');
  });

  it('names no key that can be predicted without the subscription secret', async () => {
    const store = new Map<string, unknown>();
    await claimEvent(cacheZ(store, true), wh1, 'evt_3');
    const [key] = [...store.keys()];
    expect(key).toMatch(/^practice:delivery:[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('wh_1');
    expect(key).not.toContain('evt_3');
    // Pre-setting the old, readable key suppresses nothing.
    store.set('practice:delivery:wh_1:evt_4', true);
    expect(await claimEvent(cacheZ(store, true), wh1, 'evt_4')).toBe('first');
  });

  it('loses the race to a concurrent delivery through nx even when get saw nothing', async () => {
    const store = new Map<string, unknown>([[deliveryKey(wh1, 'evt_9'), true]]);
    expect(await claimEvent(cacheZ(store, true), wh1, 'evt_9')).toBe('repeat');
  });

  it('treats null from set-if-absent as "already there", not as stored', async () => {
    const store = new Map<string, unknown>([[deliveryKey(wh1, 'evt_7'), true]]);
    expect(await claimEvent(cacheZ(store, true, null), wh1, 'evt_7')).toBe('repeat');
  });

  it('fires (claim unknown) when set-if-absent says "not set" but nothing is there: a store failing quietly', async () => {
    const quiet = {
      cache: { get: async () => null, set: async () => null, delete: async () => true },
    } as unknown as ZObject;
    expect(await claimEvent(quiet, wh1, 'evt_6')).toBe('unknown');
  });

  it('fires (claim unknown) rather than drop a delivery when the cache fails', async () => {
    const failing = {
      cache: {
        get: async () => {
          throw new Error('RPC request failed after 3 attempts: Unable to reach the RPC server');
        },
        set: async () => true,
        delete: async () => true,
      },
    } as unknown as ZObject;
    expect(await claimEvent(failing, wh1, 'evt_8')).toBe('unknown');
  });
});
