// Everything that must never appear in a message or a log line, read off the bundle
// and the environment: the connection's tokens, the client secret, and the signing
// secret of a REST-hook subscription (core's "What happened" dump would carry it
// in subscribeData, and no scrubber of core's knows it is one).

import type { Bundle } from 'zapier-platform-core';
import { configuredClientSecret } from './config';
import { isRecord, nonEmptyText } from './values';

export function secretsOf(bundle: Partial<Bundle> | undefined): string[] {
  const auth: Record<string, unknown> = bundle?.authData ?? {};
  const subscription: unknown = bundle?.subscribeData;
  const webhookSecret = isRecord(subscription) ? subscription.secret : undefined;
  return [auth.access_token, auth.refresh_token, configuredClientSecret(), webhookSecret]
    .map(nonEmptyText)
    .filter((v): v is string => v !== undefined);
}
