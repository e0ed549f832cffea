// Webhook events and their signed delivery (docs/practice-api.md §4, "Webhooks").
// Deliveries go only to loopback targets: the sandbox must never post demo data to the
// internet, so a subscription for anything else is kept but its deliveries are skipped.
import { createHmac, randomBytes } from 'node:crypto';
import { isoTime, type Store, type WebhookEvent } from './store';

export const SIGNATURE_HEADER = 'Practice-Signature';
const DELIVERY_TIMEOUT_MS = 5000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface WebhookEventRecord {
  id: string;
  event: WebhookEvent;
  created_at: string;
  // The exact bytes delivered; a re-delivery sends the same body (same event id).
  body: string;
}

// For tests of receivers: what kind of broken delivery to send.
export type Tamper = 'wrong_signature' | 'missing_signature' | 'stale_timestamp';

export interface DeliveryRecord {
  eventId: string;
  event: WebhookEvent;
  webhookId: string;
  targetUrl: string;
  at: string;
  outcome: 'delivered' | 'failed' | 'skipped';
  status: number | null;
  error: string | null;
  tamper: Tamper | null;
}

export function signature(secret: string, timestamp: number, rawBody: string): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export function isLoopbackTarget(targetUrl: string): boolean {
  try {
    const url = new URL(targetUrl);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('hex')}`;
}

export class WebhookDispatcher {
  readonly events: WebhookEventRecord[] = [];
  readonly deliveries: DeliveryRecord[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly log: (line: string) => void,
  ) {}

  emit(event: WebhookEvent, data: unknown): WebhookEventRecord {
    const id = this.store.nextId('evt');
    const createdAt = isoTime(this.store.now());
    const record: WebhookEventRecord = {
      id,
      event,
      created_at: createdAt,
      body: JSON.stringify({ id, event, created_at: createdAt, data }),
    };
    this.events.push(record);
    for (const hook of this.store.webhooks.values()) {
      if (hook.event === event) this.track(this.deliver(record, hook.id, null));
    }
    return record;
  }

  // Deliver an event again, as a real sender retrying would (same id, fresh signature).
  async redeliver(eventId: string, tamper: Tamper | null = null): Promise<DeliveryRecord[]> {
    const record = this.events.find((e) => e.id === eventId);
    if (!record) throw new Error(`unknown event ${eventId}`);
    const hooks = [...this.store.webhooks.values()].filter((h) => h.event === record.event);
    const results = await Promise.all(hooks.map((h) => this.deliver(record, h.id, tamper)));
    return results;
  }

  // Resolves once every delivery started so far has finished (tests await this).
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private track(delivery: Promise<unknown>): void {
    const done = delivery.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  private async deliver(
    record: WebhookEventRecord,
    webhookId: string,
    tamper: Tamper | null,
  ): Promise<DeliveryRecord> {
    const hook = this.store.webhooks.get(webhookId);
    const result: DeliveryRecord = {
      eventId: record.id,
      event: record.event,
      webhookId,
      targetUrl: hook?.target_url ?? '',
      at: isoTime(this.store.now()),
      outcome: 'skipped',
      status: null,
      error: null,
      tamper,
    };
    this.deliveries.push(result);
    if (!hook) {
      result.error = 'webhook was deleted';
      return result;
    }
    if (!isLoopbackTarget(hook.target_url)) {
      result.error = 'target is not a loopback address; the sandbox only delivers to 127.0.0.1/localhost';
      this.log(`webhook ${hook.id}: skipped ${record.event} ${record.id} (non-loopback target)`);
      return result;
    }

    const nowSeconds = Math.floor(this.store.now() / 1000);
    const timestamp = tamper === 'stale_timestamp' ? nowSeconds - 3600 : nowSeconds;
    const secret = tamper === 'wrong_signature' ? `${hook.secret}-wrong` : hook.secret;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'Practice-Webhooks/1.0 (sandbox)',
      'Practice-Event': record.event,
    };
    if (tamper !== 'missing_signature') headers[SIGNATURE_HEADER] = signature(secret, timestamp, record.body);

    try {
      const response = await fetch(hook.target_url, {
        method: 'POST',
        headers,
        body: record.body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      result.status = response.status;
      result.outcome = response.ok ? 'delivered' : 'failed';
      if (!response.ok) result.error = `receiver answered HTTP ${response.status}`;
    } catch (err) {
      result.outcome = 'failed';
      result.error = err instanceof Error ? err.message : String(err);
    }
    if (result.outcome === 'failed') {
      this.log(`webhook ${hook.id}: delivery of ${record.event} ${record.id} failed: ${result.error}`);
    }
    return result;
  }
}
