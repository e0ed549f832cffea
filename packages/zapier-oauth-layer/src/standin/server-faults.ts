// What a test injects into a stand-in (types.ts: rateLimit, forbid, failTokenEndpoint,
// holdTokenRequests) and what the token endpoint counts (tokenStats): state the token endpoint
// and the resource checks consult on every request.
import type { TokenStats } from './types';

export type TokenFault = 'outage' | 'rate_limited' | 'bad_client';

interface Queued<T> {
  value: T;
  remaining: number;
}

export interface InjectedLimit {
  signal: string;
  retryAfterSeconds: number;
}

interface Hold {
  waiting: number;
  released: Promise<void>;
  release: () => void;
}

/** Takes the next value of a queue of counted injections, or undefined when it is empty. */
function take<T>(queue: Queued<T>[]): T | undefined {
  const next = queue[0];
  if (!next) return undefined;
  next.remaining -= 1;
  if (next.remaining <= 0) queue.shift();
  return next.value;
}

export class Faults {
  readonly stats: TokenStats = {
    tokenRequests: 0,
    refreshRequests: 0,
    reusedRefreshTokens: 0,
    revokedByReuse: 0,
  };
  forbidden = false;
  private readonly tokenFaults: Queued<TokenFault>[] = [];
  private readonly limits: Queued<InjectedLimit>[] = [];
  private hold: Hold | undefined;

  failTokenEndpoint(count: number, kind: TokenFault): void {
    if (count > 0) this.tokenFaults.push({ value: kind, remaining: count });
  }

  /** The fault the next token request gets, if one is queued. */
  nextTokenFault(): TokenFault | undefined {
    return take(this.tokenFaults);
  }

  rateLimit(count: number, limit: InjectedLimit): void {
    if (count > 0) this.limits.push({ value: limit, remaining: count });
  }

  /** The rate limit the next resource request gets, if one is queued. */
  nextRateLimit(): InjectedLimit | undefined {
    return take(this.limits);
  }

  /** Resolves at once unless token requests are held; then when they are released. */
  async waitIfHeld(): Promise<void> {
    const h = this.hold;
    if (!h) return;
    h.waiting += 1;
    await h.released;
    h.waiting -= 1;
  }

  holdTokenRequests(): { waiting(): number; release(): void } {
    if (!this.hold) {
      let release = (): void => undefined;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      this.hold = { waiting: 0, released, release };
    }
    const h = this.hold;
    return {
      waiting: () => h.waiting,
      release: () => {
        if (this.hold === h) this.hold = undefined;
        h.release();
      },
    };
  }

  /** Lets every held request go (closing the stand-in). */
  releaseAll(): void {
    this.hold?.release();
    this.hold = undefined;
  }
}
