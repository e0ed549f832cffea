// PKCE (RFC 7636) for the one flow where Zapier does not provide it.
//
// On Zapier's servers `enablePkce: true` makes Zapier append code_challenge to the
// authorize URL and pass bundle.inputData.code_verifier to getAccessToken
// (zapier/zapier-platform PR #655). `zapier-platform invoke auth start` does
// neither (zapier/zapier-platform issue #1161), and some APIs require PKCE. For a
// loopback redirect URI (only the local CLI uses one), authorizeUrl makes a random
// verifier for that one authorization and keeps it, sealed, in z.cache;
// getAccessToken takes it back out once. The CLI runs both calls in one process
// with one cache object (zapier-platform-cli src/oclif/commands/invoke/index.js,
// `zcacheTestObj`), so nothing leaves the developer's machine, and a verifier that
// leaked (say, from a log) is useless for any later code.

import { createHash, randomBytes } from 'node:crypto';
import type { ZObject } from 'zapier-platform-core';
import { LOOPBACK_HOSTS } from './endpoints';
import { bySecret, SealedCache } from './sealed-cache';

/** Authorization codes live a minute or a few at most APIs; ten minutes covers a slow login. */
export const LOCAL_VERIFIER_TTL_SECONDS = 600;

export function isLoopbackRedirect(redirectUri: unknown): boolean {
  if (typeof redirectUri !== 'string') return false;
  try {
    const url = new URL(redirectUri);
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

/** 32 random bytes, base64url: 43 characters, inside RFC 7636's 43–128. */
export function newCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

export function codeChallengeS256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function isVerifier(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9._~-]{43,128}$/.test(value);
}

/** The verifiers of local authorizations in flight, one per redirect URI. */
export class LocalVerifiers {
  private readonly cache: SealedCache;

  /** `namespace`: the profile's id; the verifiers are sealed under the client secret. */
  constructor(z: ZObject, namespace: string, clientSecret: string) {
    this.cache = new SealedCache(z, bySecret(namespace, clientSecret), 'pkce');
  }

  /** A fresh verifier for a new authorization through `redirectUri`; replaces any older one. */
  async issue(redirectUri: string): Promise<string> {
    const verifier = newCodeVerifier();
    const stored = await this.cache.set(redirectUri, verifier, LOCAL_VERIFIER_TTL_SECONDS);
    if (stored !== true)
      throw new Error('z.cache did not keep the PKCE verifier for this local authorization');
    return verifier;
  }

  /** The verifier issued for `redirectUri`, once; undefined when there is none. */
  async redeem(redirectUri: string): Promise<string | undefined> {
    const read = await this.cache.get(redirectUri, isVerifier);
    await this.cache.delete(redirectUri);
    return read.state === 'hit' ? read.value : undefined;
  }
}
