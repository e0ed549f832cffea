// Helpers for the step tests: catching and reading Zapier errors, signing webhook
// deliveries like Practice does, and answering core's cursor RPC for paging tests.
import nock from 'nock';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { signDelivery } from '../../practice/webhooks';
import { appError, failureOf, unmatchedRequests, type AppErrorBody } from '../errors';
import { App, appTester } from '../helpers';

export { appError, failureOf, headline, throttled, unmatchedRequests } from '../errors';
export type { AppErrorBody, CaughtError } from '../errors';

/** Runs a step that must fail with a Zapier error before any request, and proves none was sent. */
export async function failsOffline(run: () => Promise<unknown>): Promise<AppErrorBody> {
  const unmatched = unmatchedRequests();
  try {
    const error = await failureOf(run());
    expect(unmatched.urls).toEqual([]);
    return appError(error);
  } finally {
    unmatched.stop();
  }
}

type Method = 'perform' | 'performList' | 'performSubscribe' | 'performUnsubscribe';
export type StepPath = `${'triggers' | 'creates' | 'searches'}.${string}.${Method}`;
type AnyPerform = (z: ZObject, bundle: Bundle) => unknown;

/** The function at `triggers.new_client.performList` etc. (the schema types allow request objects too). */
export function performAt(path: StepPath): AnyPerform {
  const [kind, key, method] = path.split('.') as [string, string, Method];
  let node: unknown = App;
  for (const part of [kind, key, 'operation', method]) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  }
  if (typeof node !== 'function') throw new Error(`${path} is not a function on the app`);
  return node as AnyPerform;
}

/** Runs one step method through createAppTester, so the real middleware runs. */
export function run(path: StepPath, bundle: object = {}): Promise<unknown> {
  // Test bundles carry authData as the app stores it (expires_at is a number).
  return appTester(performAt(path), bundle as Parameters<typeof appTester>[1]);
}

export const WEBHOOK_SECRET = 'whsec_test_secret_9f8e7d';
export const SUBSCRIPTION = {
  id: 'wh_123',
  target_url: 'https://hooks.zapier.com/h/1',
  secret: WEBHOOK_SECRET,
};

export interface DeliveryOptions {
  eventId?: string;
  event: string;
  data: Record<string, unknown>;
  /** Unix seconds put in `t`; now by default. */
  timestamp?: number;
  /** Secret used to sign; the subscription's by default. */
  secret?: string;
  /** Header name as Zapier hands it over; `Http-Practice-Signature` by default. */
  headerName?: string;
  /** Replace the header value entirely (or drop it with null). */
  header?: string | null;
  /** Change the body after signing. */
  tamper?: (body: string) => string;
}

/** A bundle for a hook `perform`, with the raw request exactly as Zapier passes it. */
export function signedDelivery(options: DeliveryOptions) {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    id: options.eventId ?? 'evt_1',
    event: options.event,
    created_at: '2026-01-07T10:05:00Z',
    data: options.data,
  });
  const signature = `t=${timestamp},v1=${signDelivery(options.secret ?? WEBHOOK_SECRET, timestamp, body)}`;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Http-User-Agent': 'Practice-Webhooks/1.0',
  };
  const header = options.header === undefined ? signature : options.header;
  if (header !== null) headers[options.headerName ?? 'Http-Practice-Signature'] = header;
  const content = options.tamper ? options.tamper(body) : body;
  return {
    subscribeData: { ...SUBSCRIPTION },
    rawRequest: { method: 'POST' as const, querystring: '', headers, content },
    cleanedRequest: JSON.parse(body) as unknown,
  };
}

const RPC = 'https://rpc.zapier.com';

/**
 * Answers core's cursor RPC (`z.cursor.get/set`), which the app tester sends to
 * Zapier for triggers with `canPaginate`. Returns the calls it saw.
 */
export function cursorRpc(stored: { cursor: string | null }) {
  const calls: Array<{ method: string; params: unknown[]; storeKey: unknown }> = [];
  const scope = nock(RPC)
    .persist()
    .post('/cli')
    .reply(200, (_uri, body) => {
      const request = (typeof body === 'string' ? JSON.parse(body) : body) as {
        id: string;
        method: string;
        params: unknown[];
        storeKey: unknown;
      };
      calls.push({ method: request.method, params: request.params, storeKey: request.storeKey });
      if (request.method === 'get_cursor') return { id: request.id, result: stored.cursor };
      if (request.method === 'set_cursor') {
        stored.cursor = String(request.params[0]);
        return { id: request.id, result: null };
      }
      return { id: request.id, error: `unexpected RPC ${request.method}` };
    });
  return { calls, scope };
}
