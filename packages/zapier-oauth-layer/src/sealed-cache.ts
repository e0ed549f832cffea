// z.cache is Zapier's shared store: readable by anything that can read the store.
// Nothing goes in there in the clear. Keys are HMACs of what they name; values are
// sealed with AES-256-GCM, with the cache key as associated data so an entry cannot be
// replayed under another key. An entry that fails to open (tampered, garbage, written
// under other key material) is reported as unreadable and never trusted.
//
// What the keys are derived from (HKDF-SHA256) is the caller's choice, per entry:
//
// - `bySubject`: from the secret the entry is about. A refresh token's records are keyed
//   and sealed under the refresh token itself, a webhook delivery's under its subscription's
//   secret. Only a run that already holds that secret can find or open the entry; nothing
//   the integration owner configures takes part, so changing the client secret, or running
//   several versions of the app side by side, changes nothing for these entries.
// - `bySecret`: from one secret that covers entries about things that are not themselves
//   secret: the client secret for the local CLI's PKCE verifier (keyed by its redirect URI; lost
//   when the secret changes, but it lives ten minutes), a subscription's signing secret for
//   the ids of the events it delivered (an integration's webhook code).

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { ZObject } from 'zapier-platform-core';

/** How the keys of one family of entries are made. */
export interface KeyScheme {
  /** The profile's id: it prefixes every key, so two APIs in one app never share an entry. */
  namespace: string;
  /** The secret input keying material for the entry about `id`. */
  material(id: string): string;
  /** HKDF salt: separates schemes that might share material. */
  salt: string;
  /** Written in front of every sealed value; a value of another version never opens. */
  version: string;
}

/** Keys and seals derived from the entry's own subject (`id` is the secret). */
export function bySubject(namespace: string): KeyScheme {
  return { namespace, material: (id) => id, salt: `${namespace}-zapier-zcache-subject`, version: 'v2' };
}

/** Keys and seals derived from one secret, whatever the entry is about. */
export function bySecret(namespace: string, secret: string): KeyScheme {
  return { namespace, material: () => secret, salt: `${namespace}-zapier-zcache`, version: 'v1' };
}

interface Keys {
  name: Buffer;
  seal: Buffer;
}

// Deriving is cheap (two HKDF calls), but one run asks for the same entry several times.
const derived = new Map<string, Keys>();
const DERIVED_LIMIT = 256;

function keysFor(scheme: KeyScheme, id: string): Keys {
  const material = scheme.material(id);
  const memo = `${scheme.salt}\0${material}`;
  const known = derived.get(memo);
  if (known) return known;
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', material, scheme.salt, info, 32));
  const keys = { name: derive('key names v1'), seal: derive('sealed values v1') };
  if (derived.size >= DERIVED_LIMIT) derived.clear();
  derived.set(memo, keys);
  return keys;
}

/** The cache key for `id` under `purpose`: nothing about `id` can be read from it. */
export function cacheKey(scheme: KeyScheme, purpose: string, id: string): string {
  const digest = createHmac('sha256', keysFor(scheme, id).name)
    .update(`${purpose}\0${id}`)
    .digest('base64url');
  return `${scheme.namespace}:${purpose}:${digest}`;
}

export function seal(scheme: KeyScheme, id: string, key: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keysFor(scheme, id).seal, iv);
  cipher.setAAD(Buffer.from(key));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return [
    scheme.version,
    iv.toString('base64url'),
    body.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}

/** The value sealed under `key`, or undefined when `sealed` does not open. */
export function unseal(scheme: KeyScheme, id: string, key: string, sealed: unknown): unknown {
  if (typeof sealed !== 'string') return undefined;
  const [version, iv, body, tag, extra] = sealed.split('.');
  if (version !== scheme.version || !iv || body === undefined || !tag || extra !== undefined)
    return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keysFor(scheme, id).seal, Buffer.from(iv, 'base64url'));
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
    private readonly scheme: KeyScheme,
    private readonly purpose: string,
  ) {}

  key(id: string): string {
    return cacheKey(this.scheme, this.purpose, id);
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
    const value = unseal(this.scheme, id, key, raw);
    return value !== undefined && isValid(value) ? { state: 'hit', value } : { state: 'unreadable' };
  }

  /** true: stored; false: not stored (set-if-absent found the key taken); null: the store failed. */
  async set(id: string, value: unknown, ttlSeconds: number, ifAbsent = false): Promise<boolean | null> {
    const key = this.key(id);
    try {
      // z.cache.set answers boolean | null; with nx, Zapier's store answers "not set" when the key exists.
      const answer: unknown = await this.z.cache.set(
        key,
        seal(this.scheme, id, key, value),
        ttlSeconds,
        undefined,
        ifAbsent,
      );
      return answer === true;
    } catch {
      return null;
    }
  }

  /** true: the store answered; false: it failed (a leftover entry expires with its ttl). */
  async delete(id: string): Promise<boolean> {
    try {
      await this.z.cache.delete(this.key(id));
      return true;
    } catch {
      return false;
    }
  }
}
