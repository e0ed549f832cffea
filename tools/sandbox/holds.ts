// Holding token requests in flight, for tests of what runs do while one run's token request
// is slow, and of a run killed mid-request (tests kill the run's process while its request is
// held here, then let the sandbox answer it, or drop it unanswered). Never on by default.
import type { NextFunction, Request, Response } from 'express';

export interface HeldRequest {
  /** When the sandbox received it, on its clock (ms). */
  readonly receivedAt: number;
  /** Handles it as usual, even if its client has gone away meanwhile (a rotation the client never sees). */
  release(): void;
  /** Closes the connection without handling it: the request never reached Practice. */
  drop(): void;
}

export interface TokenHold {
  /** The next held request, in order of arrival. */
  next(): Promise<HeldRequest>;
  /** Stops holding: every request still held, and any later one, is handled as usual. */
  end(): void;
}

export class TokenHolds {
  private active: { left: number; arrived: HeldRequest[]; waiting: ((held: HeldRequest) => void)[] } | null =
    null;
  private readonly pending = new Set<() => void>();

  constructor(private readonly now: () => number) {}

  /** Holds the next `count` POST /oauth/token requests (all of them by default) until the test acts. */
  hold(count = Number.POSITIVE_INFINITY): TokenHold {
    if (!(count >= 1)) throw new Error('hold at least one request');
    const state = {
      left: count,
      arrived: [] as HeldRequest[],
      waiting: [] as ((held: HeldRequest) => void)[],
    };
    this.active = state;
    return {
      next: () => {
        const ready = state.arrived.shift();
        if (ready) return Promise.resolve(ready);
        return new Promise((resolve) => state.waiting.push(resolve));
      },
      end: () => {
        if (this.active === state) this.active = null;
        for (const release of [...this.pending]) release();
      },
    };
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const state = this.active;
      if (!state || state.left <= 0 || req.method !== 'POST' || req.path !== '/oauth/token') return next();
      state.left -= 1;
      let settled = false;
      const release = () => {
        if (settled) return;
        settled = true;
        this.pending.delete(release);
        next();
      };
      const held: HeldRequest = {
        receivedAt: this.now(),
        release,
        drop: () => {
          if (settled) return;
          settled = true;
          this.pending.delete(release);
          res.socket?.destroy();
        },
      };
      this.pending.add(release);
      const waiter = state.waiting.shift();
      if (waiter) waiter(held);
      else state.arrived.push(held);
    };
  }

  /** Lets every held request through (the sandbox is closing). */
  releaseAll(): void {
    this.active = null;
    for (const release of [...this.pending]) release();
  }
}
