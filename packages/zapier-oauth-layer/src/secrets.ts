// Everything that must never appear in a message or a log line, read off the bundle
// and the environment: the connection's tokens, the client secret and the client
// credentials as HTTP Basic carries them, the authorization code and PKCE verifier
// while connecting, and the signing secret of a REST-hook subscription (core's "What
// happened" dump would carry it in subscribeData, and no scrubber of core's knows it is one).
// layer/redact.ts removes each of them in every form it can travel in.

import type { Bundle } from 'zapier-platform-core';
import { endpointsOf } from './endpoints';
import type { CheckedProfile } from './profile';
import { isRecord, nonEmptyText } from './values';

/** RFC 6749 §2.3.1: client id and secret are form-encoded before they are joined for HTTP Basic. */
export function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

/** The Authorization header value for the client credentials, as the token endpoint gets it. */
export function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
}

/**
 * The client credentials as secrets: the secret, and "id:secret" as it is and as Basic joins
 * it (form-encoded), so that base64 of either is recognised whole.
 */
export function clientCredentialSecrets(
  clientId: string | undefined,
  clientSecret: string | undefined,
): string[] {
  if (!clientSecret) return [];
  if (!clientId) return [clientSecret];
  return [
    ...new Set([
      clientSecret,
      `${clientId}:${clientSecret}`,
      `${formEncode(clientId)}:${formEncode(clientSecret)}`,
    ]),
  ];
}

export function secretsOf(profile: CheckedProfile, bundle: Partial<Bundle> | undefined): string[] {
  const endpoints = endpointsOf(profile);
  const auth: Record<string, unknown> = bundle?.authData ?? {};
  const input: Record<string, unknown> = bundle?.inputData ?? {};
  const subscription: unknown = bundle?.subscribeData;
  const webhookSecret = isRecord(subscription) ? subscription.secret : undefined;
  return [
    auth.access_token,
    auth.refresh_token,
    ...clientCredentialSecrets(endpoints.configuredClientId(), endpoints.configuredClientSecret()),
    webhookSecret,
    // Only getAccessToken has these; no step has input fields of these names.
    input.code,
    input.code_verifier,
  ]
    .map(nonEmptyText)
    .filter((v): v is string => v !== undefined);
}
