// Incoming Practice webhook deliveries: signature, freshness, duplicates.
// The subscription secret is used here and nowhere else; it is never logged,
// returned or put into a message: every line logged here and every error thrown by the
// subscription operations is redacted with it (layer/log.ts, layer/own-message.ts).

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { createWebhook, deleteWebhook, type WebhookEvent } from './api';
import { bySecret, cacheKey } from 'zapier-oauth-layer/internal';
import { practice } from './layer';
import { isRecord, parseJson } from 'zapier-oauth-layer/internal';

export const SIGNATURE_HEADER = 'Practice-Signature';
/** Contract §4: receivers reject a `t` more than 300 s old. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** How long a delivered event id is remembered; a redelivery after a week is treated as new. */
export const DELIVERY_MEMORY_SECONDS = 7 * 24 * 3600;

export type Rejection =
  | 'missing_secret'
  | 'missing_body'
  | 'missing_signature'
  | 'malformed_signature'
  | 'wrong_signature'
  | 'stale_signature';

const REJECTION_TEXT: Readonly<Record<Rejection, string>> = {
  missing_secret: 'this Zap has no webhook secret stored; turn the Zap off and on to subscribe again',
  missing_body: 'the request had no raw body to verify',
  missing_signature: `the ${SIGNATURE_HEADER} header is missing`,
  malformed_signature: `the ${SIGNATURE_HEADER} header is not "t=<seconds>,v1=<hex>"`,
  wrong_signature: `the ${SIGNATURE_HEADER} signature does not match the body`,
  stale_signature: `the ${SIGNATURE_HEADER} timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} seconds away from now`,
};

/**
 * A header from `bundle.rawRequest.headers`. Zapier hands incoming headers over
 * re-cased and prefixed, e.g. `Http-Practice-Signature` (zapier/zapier-platform#290,
 * documented by #401); the plain name is accepted too, case-insensitively.
 */
export function incomingHeader(headers: unknown, name: string): string | undefined {
  if (!isRecord(headers)) return undefined;
  const wanted = new Set([name.toLowerCase(), `http-${name.toLowerCase()}`]);
  for (const [key, value] of Object.entries(headers)) {
    if (!wanted.has(key.toLowerCase())) continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}

export interface ParsedSignature {
  timestamp: number;
  signatures: string[];
}

/** `t=<unix seconds>,v1=<hex>` (several v1 entries allowed, for secret rotation). */
export function parseSignatureHeader(value: string): ParsedSignature | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return null;
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(val) || timestamp !== null) return null;
      timestamp = Number(val);
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(val)) return null;
      signatures.push(val.toLowerCase());
    }
  }
  return timestamp !== null && signatures.length > 0 ? { timestamp, signatures } : null;
}

/** Hex HMAC-SHA256(secret, "<t>.<raw body>"), exactly as Practice signs. */
export function signDelivery(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

export type Verdict = { ok: true } | { ok: false; reason: Rejection };

export interface VerifyInput {
  secret: string | undefined;
  header: string | undefined;
  rawBody: string | undefined;
  nowSeconds: number;
}

/** Pure check of one delivery; the comparison takes the same time whatever the bytes. */
export function verifyDelivery({ secret, header, rawBody, nowSeconds }: VerifyInput): Verdict {
  if (!secret) return { ok: false, reason: 'missing_secret' };
  if (rawBody === undefined) return { ok: false, reason: 'missing_body' };
  if (!header) return { ok: false, reason: 'missing_signature' };
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed_signature' };
  const expected = Buffer.from(signDelivery(secret, parsed.timestamp, rawBody), 'hex');
  const matches = parsed.signatures.some((candidate) =>
    timingSafeEqual(Buffer.from(candidate, 'hex'), expected),
  );
  if (!matches) return { ok: false, reason: 'wrong_signature' };
  if (Math.abs(nowSeconds - parsed.timestamp) > SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'stale_signature' };
  }
  return { ok: true };
}

export interface Delivery {
  id: string;
  event: string;
  created_at: unknown;
  data: Record<string, unknown>;
}

/** The delivery body `{id, event, created_at, data}`, or null when it is not one. */
export function parseDelivery(rawBody: string): Delivery | null {
  const body = parseJson(rawBody);
  if (!isRecord(body) || typeof body.id !== 'string' || body.id === '' || typeof body.event !== 'string') {
    return null;
  }
  if (!isRecord(body.data) || (typeof body.data.id !== 'string' && typeof body.data.id !== 'number')) {
    return null;
  }
  return { id: body.id, event: body.event, created_at: body.created_at, data: body.data };
}

/** The subscription's id and secret, as performSubscribe stored them. */
function subscription(bundle: Bundle): { id: string; secret: string | undefined } {
  const data: unknown = bundle.subscribeData;
  if (!isRecord(data)) return { id: '', secret: undefined };
  const id = typeof data.id === 'string' || typeof data.id === 'number' ? String(data.id) : '';
  const secret = typeof data.secret === 'string' && data.secret !== '' ? data.secret : undefined;
  return { id, secret };
}

export type Claim = 'first' | 'repeat' | 'unknown';

/**
 * The z.cache key that remembers `eventId` for one subscription: a keyed hash under the
 * subscription's own secret (layer/sealed-cache.ts), in the app-wide scope. Event ids may be
 * numbered per firm, so two firms' equal ids never meet; and without the secret nobody can
 * name, and so pre-set, the key that would suppress an event.
 */
export function deliveryKey(subscription: { id: string; secret: string }, eventId: string): string {
  return cacheKey(
    bySecret(practice.profile.id, subscription.secret),
    'delivery',
    `${subscription.id}\0${eventId}`,
  );
}

/**
 * Whether an event id reaches this subscription for the first time. The key includes the
 * subscription id because two Zaps on the same event each get their own delivery.
 * `get` first answers the common case (and works with core's local test cache, which
 * ignores nx); `set(..., nx)` closes the race between two concurrent redeliveries. Only
 * `true` from set means "stored": z.cache.set answers `boolean | null`, and a store that
 * found the key taken may say `false` or `null`. When the store itself fails, the answer
 * is 'unknown': the delivery fires, since a lost event is worse than a repeated one.
 */
export async function claimEvent(
  z: ZObject,
  subscription: { id: string; secret: string },
  eventId: string,
): Promise<Claim> {
  const key = deliveryKey(subscription, eventId);
  try {
    if ((await z.cache.get(key)) !== null) return 'repeat';
    const stored: unknown = await z.cache.set(key, true, DELIVERY_MEMORY_SECONDS, undefined, true);
    if (stored === true) return 'first';
    // "Not set" because the key is there, or because the store failed without saying so?
    return (await z.cache.get(key)) !== null ? 'repeat' : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The record a verified, first-seen delivery of `event` carries, or null.
 * Rejected deliveries fire nothing and raise nothing: a thrown error would put
 * forged requests into the user's Zap history (and could get the Zap switched off),
 * so the reason goes to the integration log instead.
 */
export async function receiveDelivery<T>(z: ZObject, bundle: Bundle, event: WebhookEvent): Promise<T | null> {
  const { id: subscriptionId, secret } = subscription(bundle);
  const raw = bundle.rawRequest;
  const rawBody = typeof raw?.content === 'string' ? raw.content : undefined;
  const verdict = verifyDelivery({
    secret,
    header: incomingHeader(raw?.headers, SIGNATURE_HEADER),
    rawBody,
    nowSeconds: Math.floor(Date.now() / 1000),
  });
  if (!verdict.ok) {
    practice.logLine(z, bundle, `Ignored a Practice webhook delivery: ${REJECTION_TEXT[verdict.reason]}.`);
    return null;
  }
  const delivery = parseDelivery(rawBody ?? '');
  if (!delivery) {
    practice.logLine(z, bundle, 'Ignored a signed Practice webhook delivery whose body is not an event.');
    return null;
  }
  if (delivery.event !== event) {
    practice.logLine(
      z,
      bundle,
      `Ignored a Practice "${delivery.event}" delivery sent to a "${event}" subscription.`,
    );
    return null;
  }
  // A delivery verified above was signed with the secret, so there is one.
  const claim = await claimEvent(z, { id: subscriptionId, secret: secret ?? '' }, delivery.id);
  if (claim === 'repeat') {
    practice.logLine(z, bundle, `Ignored a repeated delivery of Practice event ${delivery.id}.`);
    return null;
  }
  if (claim === 'unknown') {
    practice.logLine(
      z,
      bundle,
      `Could not check Practice event ${delivery.id} for repeats (z.cache failed); it fires.`,
    );
  }
  return delivery.data as T;
}

/** performSubscribe / performUnsubscribe for one event: the same for every instant trigger. */
export function subscriptionOperations(event: WebhookEvent) {
  return {
    performSubscribe: async (z: ZObject, bundle: Bundle) => {
      const targetUrl = bundle.targetUrl;
      if (!targetUrl) {
        throw new z.errors.Error('Zapier gave no target URL to subscribe with.', 'missing_target_url', 400);
      }
      return createWebhook(z, { target_url: targetUrl, event });
    },
    performUnsubscribe: async (z: ZObject, bundle: Bundle) => {
      const { id } = subscription(bundle);
      if (!id) return { id: '', deleted: true as const };
      return deleteWebhook(z, id);
    },
  };
}
