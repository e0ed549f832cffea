// PKCE (RFC 7636) for the one flow where Zapier does not provide it.
//
// On Zapier's servers `enablePkce: true` makes Zapier append code_challenge to the
// authorize URL and pass bundle.inputData.code_verifier to getAccessToken
// (zapier/zapier-platform PR #655). `zapier-platform invoke auth start` does
// neither (zapier/zapier-platform issue #1161), and Practice requires PKCE, so
// for a loopback redirect URI (only the local CLI uses one) we derive a verifier
// from the client secret and the redirect URI: both calls can recompute it, and
// only a holder of the client secret can, who could redeem the code anyway.

import { createHash, createHmac } from 'node:crypto';

function base64url(buffer: Buffer): string {
  return buffer.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function isLoopbackRedirect(redirectUri: unknown): boolean {
  if (typeof redirectUri !== 'string') return false;
  try {
    const url = new URL(redirectUri);
    return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

export function localCodeVerifier(clientSecret: string, redirectUri: string): string {
  return base64url(createHmac('sha256', clientSecret).update(`practice-pkce:${redirectUri}`).digest());
}

export function codeChallengeS256(verifier: string): string {
  return base64url(createHash('sha256').update(verifier).digest());
}
