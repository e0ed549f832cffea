// z.cache is Zapier's shared store: readable by anything that can read the store.
// Nothing goes in there in the clear. Keys are HMACs of what they name; values are
// sealed with AES-256-GCM under a key derived (HKDF-SHA256) from CLIENT_SECRET, with
// the cache key as associated data so an entry cannot be replayed under another key.
// An entry that fails to open (tampered, written under another secret, garbage) is
// reported as unreadable and never trusted.

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { ZObject } from 'zapier-platform-core';

const VERSION = 'v1';

interface Keys {
  secret: string;
  name: Buffer;
  seal: Buffer;
}
let keys: Keys | undefined;

function keysFor(clientSecret: string): Keys {
  if (keys?.secret === clientSecret) return keys;
  const derive = (info: string) =>
    Buffer.from(hkdfSync('sha256', clientSecret, 'practice-zapier-zcache', info, 32));
  keys = { secret: clientSecret, name: derive('key names v1'), seal: derive('sealed values v1') };
  return keys;
}

/** The cache key for `id` under `purpose`: nothing about `id` can be read from it. */
export function cacheKey(clientSecret: string, purpose: string, id: string): string {
  const digest = createHmac('sha256', keysFor(clientSecret).name)
    .update(`${purpose}\0${id}`)
    .digest('base64url');
  return `practice:${purpose}:${digest}`;
}

export function seal(clientSecret: string, key: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keysFor(clientSecret).seal, iv);
  cipher.setAAD(Buffer.from(key));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return [
    VERSION,
    iv.toString('base64url'),
    body.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}

/** The value sealed under `key`, or undefined when `sealed` does not open. */
export function unseal(clientSecret: string, key: string, sealed: unknown): unknown {
  if (typeof sealed !== 'string') return undefined;
  const [version, iv, body, tag, extra] = sealed.split('.');
  if (version !== VERSION || !iv || body === undefined || !tag || extra !== undefined) return undefined;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      keysFor(clientSecret).seal,
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAAD(Buffer.from(key));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export type Read<T> =
  | { state: 'hit'; value: T }
  | { state: 'miss' }
  | { state: 'unreadable' }
  | { state: 'unavailable'; error: unknown };

/** A sealed sibling of z.cache for one purpose. Every call reports failure instead of throwing. */
export class SealedCache {
  constructor(
    private readonly z: ZObject,
    private readonly clientSecret: string,
    private readonly purpose: string,
  ) {}

  key(id: string): string {
    return cacheKey(this.clientSecret, this.purpose, id);
  }

  async get<T>(id: string, isValid: (value: unknown) => value is T): Promise<Read<T>> {
    const key = this.key(id);
    let raw: unknown;
    try {
      raw = await this.z.cache.get(key);
    } catch (error) {
      return { state: 'unavailable', error };
    }
    if (raw === null || raw === undefined) return { state: 'miss' };
    const value = unseal(this.clientSecret, key, raw);
    return value !== undefined && isValid(value) ? { state: 'hit', value } : { state: 'unreadable' };
  }

  /** true: stored; false: not stored (set-if-absent found the key taken); null: the store failed. */
  async set(id: string, value: unknown, ttlSeconds: number, ifAbsent = false): Promise<boolean | null> {
    const key = this.key(id);
    try {
      // z.cache.set answers boolean | null; with nx, Zapier's store answers "not set" when the key exists.
      const answer: unknown = await this.z.cache.set(
        key,
        seal(this.clientSecret, key, value),
        ttlSeconds,
        undefined,
        ifAbsent,
      );
      return answer === true;
    } catch {
      return null;
    }
  }

  async delete(id: string): Promise<void> {
    try {
      await this.z.cache.delete(this.key(id));
    } catch {
      // A leftover entry expires with its ttl.
    }
  }
}
