// K7's per-token limit plus the forced limits tests ask for ("the next N requests").
export const REQUESTS_PER_MINUTE = 120;
const WINDOW_MS = 60_000;

export interface ForcedLimit {
  // Only requests bearing this exact token; undefined means every API request.
  token?: string;
  remaining: number;
  retryAfter: number;
  // Overrides K3 for these requests, so one run can see both 403 and 429.
  status?: 403 | 429;
}

export interface Throttle {
  retryAfter: number;
  status?: 403 | 429;
}

export class RateLimiter {
  // Sliding window of request times per token fingerprint.
  private readonly windows = new Map<string, number[]>();
  private forced: ForcedLimit[] = [];

  constructor(private readonly now: () => number) {}

  force(limit: ForcedLimit): void {
    this.forced.push({ ...limit });
  }

  reset(): void {
    this.windows.clear();
    this.forced = [];
  }

  // Forced limits are the gateway's and apply before the token is even looked at.
  takeForced(token: string | undefined): Throttle | undefined {
    const index = this.forced.findIndex(
      (f) => f.remaining > 0 && (f.token === undefined || f.token === token),
    );
    const limit = this.forced[index];
    if (!limit) return undefined;
    limit.remaining -= 1;
    if (limit.remaining <= 0) this.forced.splice(index, 1);
    return { retryAfter: limit.retryAfter, status: limit.status };
  }

  // Counts the request if it is allowed; a throttled request does not use up quota.
  hit(key: string): { throttle?: Throttle; remaining: number } {
    const now = this.now();
    const recent = (this.windows.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
    const oldest = recent[0];
    if (recent.length >= REQUESTS_PER_MINUTE && oldest !== undefined) {
      this.windows.set(key, recent);
      const retryAfter = Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000));
      return { throttle: { retryAfter }, remaining: 0 };
    }
    recent.push(now);
    this.windows.set(key, recent);
    return { remaining: REQUESTS_PER_MINUTE - recent.length };
  }
}
