// One token request per rotation, however many Zap runs refresh one connection at once.
//
// Zapier refreshes per run: every run that meets an expired token calls
// refreshAccessToken on its own, and stores whichever result lands last. Many APIs
// rotate refresh tokens; under strict rotation (Salesforce, Slack) a rotated
// refresh token presented again revokes the whole grant. So runs share, through z.cache (Zapier's
// store shared by every run of the integration), what happened to each refresh token:
//
//   1. Rotated already? Follow the chain to the newest pair and return it: a rotated
//      token never reaches the API again, and a late run never brings back an older pair.
//   2. Otherwise take the refresh token's lock (set-if-absent). The holder looks once more
//      (someone may have finished in between), refreshes, records the outcome, and lets go.
//   3. Everyone else waits for the holder's outcome, and takes the lock if the holder
//      vanishes without one (a Lambda killed mid-request).
//
// The same protocol as Nango's refreshCredentialsIfNeeded (lock, re-read, skip if someone
// else refreshed). Two rules keep it safe when z.cache stumbles:
//
//   - A run refreshes on its own, as without coordination, only when the store has failed
//     for a third of its budget (9 s) before showing it any holder: the store is down, not
//     blipping (a blip makes runs that have not looked yet fail too). A run that has seen a holder, or
//     holds the lock itself, never does: when the store then fails, it keeps trying within
//     its time and ends with ThrottledError, which Zapier retries and never treats as a
//     stale connection.
//   - An entry that exists but cannot be opened (tampered, garbage) is evidence that its
//     token was used: that token is never presented on its strength.
//
// Entries are keyed and sealed under the refresh token they are about
// (layer/sealed-cache.ts, `bySubject`): only a run holding that token can find or open them,
// and nothing the integration owner configures takes part, so the client secret can change and
// versions of the app can run side by side without losing sight of each other's rotations.
//
// Timing. Every figure counts from the moment refreshAccessToken starts (t = 0); B is the
// call's budget, 27 s in production (OAUTH_REFRESH_BUDGET_MS may only lower it, for tests):
//
//     Zapier ends a request at ..................................... 30 s
//   - room for Lambda start-up, core around us, the answer ........  3 s
//   = B: every await of the call has ended by (deadline) ........... 27 s   9 ninths of B
//   - FINISH, to record the outcome and let go of the lock .........  3 s   1 ninth
//   = the token request is aborted by (requestEnd) ................. 24 s   8 ninths
//   - MIN_REQUEST, the least time worth giving a token request .....  3 s   1 ninth
//   = no token request starts, and no run waits, after (lastStart) . 21 s   7 ninths
//
//   A store that fails without showing a holder is tried again until 3 ninths (9 s), then
//   the run refreshes alone, with 12 s left before requestEnd: room for the request.
//
//   The lock lives B + 1 ninth = 30 s. It is taken at t >= 0 and its holder is done by
//   t = B, so a lock never expires under a live holder, with a ninth of B (3 s) to spare
//   for the store's clock; a lock older than that belongs to a run Zapier has ended.
//   Each z.cache call waits at most min(2 s, time to the deadline); every pause, retry and
//   token request is cut to the same deadline, and the whole call is raced against it too.

import { randomBytes } from 'node:crypto';
import type { ZObject } from 'zapier-platform-core';
import { parseCoreError } from './core-error-parts';
import { refreshMarginFor } from './expiry';
import { bySubject, SealedCache, type Read } from './sealed-cache';
import type { TokenAuthData } from './tokens';
import { askedRefreshBudgetMs, cacheCallTimeoutMs, requestTimeoutMs } from './settings';
import { isRecord } from './values';

/**
 * How long an outcome is remembered. A rotation: as long as the new access token lives, and
 * at least 24 h (rotationTtlSeconds). A run presents a rotated refresh token only while Zapier
 * still stores the pair that lost the race to store last, and that pair is refreshed again
 * at the latest when its access token expires. A dead grant: 1 h, enough for every run queued
 * on the connection to learn it without asking the API. Any other failure: 10 s, so the runs
 * of one burst fail together and a later run tries afresh.
 */
export const ROTATION_TTL_SECONDS = 24 * 3600;

/** A rotation's record outlives the access tokens of the pair it replaced: they live as long as the new one. */
export function rotationTtlSeconds(authData: TokenAuthData): number {
  return Math.max(ROTATION_TTL_SECONDS, authData.expires_in);
}
export const DEAD_GRANT_TTL_SECONDS = 3600;
export const FAILURE_TTL_SECONDS = 10;

/** B in production: Zapier's 30 s less 3 s for everything around this call. */
export const CALL_BUDGET_MS = 27_000;
/** No budget below this is accepted from the environment: a second per ninth is too tight to test anything real. */
const SMALLEST_BUDGET_MS = 900;
/** Waiters poll the outcome from every 200 ms up to every second, doubling, with ±25 % jitter. */
const FIRST_POLL_MS = 200;
const LAST_POLL_MS = 1_000;
/** A rotation chain longer than this is not followed further (it would mean a loop or an attack). */
const MAX_CHAIN = 16;

/** The timing table at the top of this file, for one budget. */
export interface Timing {
  budgetMs: number;
  patienceMs: number;
  finishMs: number;
  minRequestMs: number;
  lockTtlSeconds: number;
}

export function timing(): Timing {
  const asked = askedRefreshBudgetMs();
  const budgetMs =
    asked !== undefined && asked >= SMALLEST_BUDGET_MS ? Math.min(asked, CALL_BUDGET_MS) : CALL_BUDGET_MS;
  const ninth = Math.floor(budgetMs / 9);
  return {
    budgetMs,
    patienceMs: 3 * ninth,
    finishMs: ninth,
    minRequestMs: ninth,
    lockTtlSeconds: Math.ceil((budgetMs + ninth) / 1000),
  };
}

/**
 * What happened to one refresh token, as every run can read it. A failure also names the
 * client configuration it happened under (`client`, a fingerprint): a run configured otherwise
 * (the owner has fixed the client secret since) does not inherit it.
 */
export type Outcome = Recorded | { kind: 'failed'; error: RecordedError; client?: string };

/** A refresh that succeeded: the pair it got, and when (Unix seconds). */
export interface Recorded {
  kind: 'rotated';
  authData: TokenAuthData;
  recorded_at: number;
}

/** A Zapier error as it can be raised again in another run. */
export interface RecordedError {
  name: 'ExpiredAuthError' | 'ThrottledError' | 'AppError';
  message: string;
  code: string | null;
  status: number | null;
  delay: number | null;
}

function isAuthData(value: unknown): value is TokenAuthData {
  return (
    isRecord(value) &&
    typeof value.access_token === 'string' &&
    value.access_token !== '' &&
    typeof value.refresh_token === 'string' &&
    value.refresh_token !== '' &&
    typeof value.expires_at === 'number' &&
    typeof value.expires_in === 'number' &&
    typeof value.scope === 'string'
  );
}

function isRecordedError(value: unknown): value is RecordedError {
  return (
    isRecord(value) &&
    (value.name === 'ExpiredAuthError' || value.name === 'ThrottledError' || value.name === 'AppError') &&
    typeof value.message === 'string'
  );
}

function isOutcome(value: unknown): value is Outcome {
  if (!isRecord(value)) return false;
  if (value.kind === 'rotated') return isAuthData(value.authData) && typeof value.recorded_at === 'number';
  return value.kind === 'failed' && isRecordedError(value.error);
}

/** The lock: who holds it, and when that run's call ends at the latest (ms since the epoch). */
interface Lock {
  owner: string;
  until: number;
}

function isLock(value: unknown): value is Lock {
  return isRecord(value) && typeof value.owner === 'string' && typeof value.until === 'number';
}

/** The Zapier error to record for a failed refresh, or null for one that must not be shared. */
function recordable(error: unknown): RecordedError | null {
  const parts = parseCoreError(error);
  if (parts.name !== 'ExpiredAuthError' && parts.name !== 'ThrottledError' && parts.name !== 'AppError') {
    return null;
  }
  return {
    name: parts.name,
    message: parts.message,
    code: parts.code,
    status: parts.status,
    delay: parts.delay,
  };
}

function raise(z: ZObject, error: RecordedError): Error {
  switch (error.name) {
    case 'ExpiredAuthError':
      return new z.errors.ExpiredAuthError(error.message);
    case 'ThrottledError':
      return new z.errors.ThrottledError(error.message, error.delay ?? undefined);
    case 'AppError':
      return new z.errors.Error(error.message, error.code ?? 'refresh_failed', error.status ?? 502);
  }
}

const UNAVAILABLE = Symbol('z.cache unavailable');
/** An entry is there but does not open: its token may have been used. */
const UNREADABLE = Symbol('z.cache entry unreadable');
/** The holder found the token rotated since it looked: go round again with the newest one. */
const RETARGET = Symbol('retarget');

type Look = Recorded | null | typeof UNAVAILABLE | typeof UNREADABLE;
type LockState = { kind: 'ours' } | { kind: 'held'; until: number | null } | { kind: 'down' };

/** `promise`, or UNAVAILABLE once `ms` pass: a hanging store must not hang the refresh. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof UNAVAILABLE> {
  if (ms <= 0) return UNAVAILABLE;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof UNAVAILABLE>((resolve) => {
    timer = setTimeout(() => resolve(UNAVAILABLE), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export interface Coordination {
  /** 'coordinated': this run went through the protocol; 'alone': the store failed and it refreshed on its own. */
  mode: 'coordinated' | 'alone';
  /** Whether this run sent the token request itself. */
  requested: boolean;
}

/** Asks the API for a pair with `refreshToken`; must give up after `timeoutMs`. Throws Zapier errors. */
export type TokenRequest = (refreshToken: string, timeoutMs: number) => Promise<TokenAuthData>;

/** How long a recorded pair without a known expiry counts as fresh: one burst of runs. */
const UNKNOWN_EXPIRY_FRESH_SECONDS = 60;

export class RefreshCoordinator {
  private readonly outcomes: SealedCache;
  private readonly locks: SealedCache;
  private readonly callTimeoutMs = cacheCallTimeoutMs();
  private readonly timing = timing();
  private readonly owner = randomBytes(16).toString('base64url');
  private readonly started = Date.now();
  private readonly deadline = this.started + this.timing.budgetMs;
  private readonly requestEnd = this.deadline - this.timing.finishMs;
  private readonly lastStart = this.requestEnd - this.timing.minRequestMs;
  /** Evidence that a run (another, or this one) holds or held the lock: no refreshing alone from here on. */
  private sawHolder = false;

  private readonly client: string;
  private readonly name: string;

  /**
   * `namespace`: the profile's id, which keys the records; `name`: the API's name for messages;
   * `client`: a fingerprint of the client configuration this run asks the API with.
   */
  constructor(
    private readonly z: ZObject,
    options: { namespace: string; name: string; client?: string },
  ) {
    this.client = options.client ?? '';
    this.name = options.name;
    this.outcomes = new SealedCache(z, bySubject(options.namespace), 'refresh-outcome');
    this.locks = new SealedCache(z, bySubject(options.namespace), 'refresh-lock');
  }

  /**
   * The newest usable pair for a run holding `held`: another run's, or the one `request`
   * gets from the API with the newest refresh token when this run is the one to ask.
   * Settles within the call's budget (the table at the top of this file), whatever the
   * store or the API do.
   */
  async refresh(
    held: { accessToken: string | undefined; refreshToken: string },
    request: TokenRequest,
    report: (coordination: Coordination) => void = () => undefined,
  ): Promise<TokenAuthData> {
    // Belt and braces: every step below is cut to the deadline already.
    const settled = await within(this.run(held, request, report), this.deadline - Date.now());
    if (settled === UNAVAILABLE) throw this.stillRenewing();
    return settled;
  }

  private async run(
    held: { accessToken: string | undefined; refreshToken: string },
    request: TokenRequest,
    report: (coordination: Coordination) => void,
  ): Promise<TokenAuthData> {
    const usable = (pair: Recorded) => pair.authData.access_token !== held.accessToken && isFresh(pair);
    let target = held.refreshToken;
    let known: Look = await this.look(target);
    let retryAt = FIRST_POLL_MS;
    for (;;) {
      if (known === UNREADABLE) throw this.unreadable();
      if (known === UNAVAILABLE) {
        if (!this.sawHolder && Date.now() >= this.started + this.timing.patienceMs) {
          return this.alone(target, request, report);
        }
        // A blip, or trouble after showing a holder (then never alone): look again while there is time.
        await this.pauseBefore(retryAt, () => this.storeTrouble());
        retryAt = Math.min(retryAt * 2, LAST_POLL_MS);
        known = await this.look(target);
        continue;
      }
      if (known !== null && usable(known)) {
        report({ mode: 'coordinated', requested: false });
        return known.authData;
      }
      // The newest refresh token we know of: ours, or the one another run rotated it into.
      target = known?.authData.refresh_token ?? target;
      if (Date.now() >= this.lastStart) throw this.stillRenewing();

      const lock = await this.lock(target);
      if (lock.kind === 'down') {
        known = UNAVAILABLE;
        continue;
      }
      this.sawHolder = true;
      if (lock.kind === 'ours') {
        const result = await this.asHolder(target, usable, request, report);
        if (result !== RETARGET) return result;
        known = await this.look(target);
        continue;
      }
      known = await this.waitFor(target, lock.until);
    }
  }

  private stillRenewing(): Error {
    return new this.z.errors.ThrottledError(
      `Another run of this Zap is renewing the ${this.name} access token and has not finished yet. ` +
        'Zapier retries this step shortly; your connection is fine.',
      5,
    );
  }

  private storeTrouble(): Error {
    return new this.z.errors.ThrottledError(
      `Zapier's store (z.cache) failed while another run of this Zap was renewing the ${this.name} access token, ` +
        'so this run did not renew it a second time, which could cost the connection. ' +
        'Zapier retries this step shortly; your connection is fine.',
      5,
    );
  }

  private unreadable(): Error {
    return new this.z.errors.ThrottledError(
      `A record in Zapier's store (z.cache) about this connection's ${this.name} refresh token cannot be read, ` +
        `so this run did not present that token: if it was already used, ${this.name} could revoke the connection. ` +
        'Zapier retries this step later; the record expires within a day. If this persists, the integration owner should check z.cache.',
      60,
    );
  }

  /** Waits `ms` (± 25 %), or throws `error()` when that would pass the last moment to start a token request. */
  private async pauseBefore(ms: number, error: () => Error): Promise<void> {
    const wake = Date.now() + ms * (0.75 + Math.random() * 0.5);
    if (wake >= this.lastStart) throw error();
    await pause(wake - Date.now());
  }

  /** One store call, cut to `min(callTimeoutMs, time to the deadline)`. */
  private call<T>(op: () => Promise<T>): Promise<T | typeof UNAVAILABLE> {
    return within(op(), Math.min(this.callTimeoutMs, this.deadline - Date.now()));
  }

  /** Up to three tries of a store call that failed: one failed RPC call is no reason to give up. */
  private async retrying<T>(op: () => Promise<T | typeof UNAVAILABLE>): Promise<T | typeof UNAVAILABLE> {
    for (let attempt = 0; ; attempt += 1) {
      const result = await op();
      if (result !== UNAVAILABLE || attempt === 2 || Date.now() >= this.deadline) return result;
      await pause(Math.min(50 * (attempt + 1), this.deadline - Date.now()));
    }
  }

  /** One read of an outcome, as a Look. */
  private async read(refreshToken: string): Promise<Read<Outcome> | typeof UNAVAILABLE> {
    return this.call(() => this.outcomes.get(refreshToken, isOutcome));
  }

  /** The end of the rotation chain that starts at `refreshToken`, read with retries. */
  private look(refreshToken: string): Promise<Look> {
    return this.retrying(() => this.newest(refreshToken));
  }

  /**
   * The end of the rotation chain that starts at `refreshToken`: null when the token was never
   * refreshed, UNAVAILABLE when the store failed on the first read, UNREADABLE when the first
   * entry does not open. A recorded failure of the first token is raised again here, so every
   * run of a burst fails as the first one did. Further down the chain a failed read stops at the
   * newest pair read so far: its refresh token is locked and looked up again before any use.
   */
  private async newest(refreshToken: string): Promise<Look> {
    let token = refreshToken;
    let newest: Recorded | null = null;
    for (let hop = 0; hop < MAX_CHAIN; hop += 1) {
      const read = await this.read(token);
      if (read === UNAVAILABLE || read.state === 'unavailable') return hop === 0 ? UNAVAILABLE : newest;
      if (read.state === 'unreadable') return hop === 0 ? UNREADABLE : newest;
      if (read.state === 'miss') return newest;
      const outcome = read.value;
      if (outcome.kind === 'failed') {
        // A failure further down the chain belongs to a newer token: the newest pair we know stands.
        if (newest !== null) return newest;
        // Under another client configuration: not this run's failure to repeat.
        if ((outcome.client ?? '') !== this.client) return null;
        throw raise(this.z, outcome.error);
      }
      newest = outcome;
      // A refresh that issued no new refresh token points back at itself.
      if (outcome.authData.refresh_token === token) return newest;
      token = outcome.authData.refresh_token;
    }
    return newest;
  }

  /**
   * Takes the lock on `refreshToken`. Ours when set-if-absent stores it, or when it reads back
   * with our name (a retry after an answer that was lost). Held when it reads back as another
   * run's, and also when set-if-absent refused and the read then failed or did not open: the
   * refusal is evidence of a holder. Down when the store failed, or refused three times yet
   * showed nobody holding it (such a store is not trusted with coordination).
   */
  private async lock(refreshToken: string): Promise<LockState> {
    const value: Lock = { owner: this.owner, until: this.deadline };
    for (let tries = 0; tries < 3; tries += 1) {
      const set = await this.retrying(async () => {
        const answer = await this.call(() =>
          this.locks.set(refreshToken, value, this.timing.lockTtlSeconds, true),
        );
        return answer === null ? UNAVAILABLE : answer;
      });
      if (set === true) return { kind: 'ours' };
      if (set === UNAVAILABLE) return { kind: 'down' };
      const holder = await this.call(() => this.locks.get(refreshToken, isLock));
      if (holder === UNAVAILABLE || holder.state === 'unavailable' || holder.state === 'unreadable') {
        return { kind: 'held', until: null };
      }
      if (holder.state === 'hit') {
        return holder.value.owner === this.owner
          ? { kind: 'ours' }
          : { kind: 'held', until: holder.value.until };
      }
      // 'miss': the holder let go in between; try again at once.
    }
    return { kind: 'down' };
  }

  /** Lets go of the lock, if it is still ours: after an expiry it may be another run's. */
  private async unlock(refreshToken: string): Promise<void> {
    const holder = await this.call(() => this.locks.get(refreshToken, isLock));
    if (holder !== UNAVAILABLE && holder.state === 'hit' && holder.value.owner === this.owner) {
      await this.call(() => this.locks.delete(refreshToken));
    }
  }

  /**
   * Polls the outcome of `refreshToken` while another run holds its lock, backing off from
   * 200 ms to 1 s: one z.cache call a poll. Returns what it found, or the last look once the
   * holder's call is over (`until`; unknown: after the first poll), so the caller can take
   * the lock of a holder that died. Store failures only mean: poll again.
   */
  private async waitFor(refreshToken: string, until: number | null): Promise<Look> {
    let every = FIRST_POLL_MS;
    for (;;) {
      await this.pauseBefore(every, () => this.stillRenewing());
      every = Math.min(every * 2, LAST_POLL_MS);
      const known = await this.newest(refreshToken);
      if (known !== null && known !== UNAVAILABLE) return known;
      if (until === null || Date.now() > until) return known;
    }
  }

  private async asHolder(
    refreshToken: string,
    usable: (pair: Recorded) => boolean,
    request: TokenRequest,
    report: (coordination: Coordination) => void,
  ): Promise<TokenAuthData | typeof RETARGET> {
    // Released once the outcome is recorded, or when nothing was asked of the API.
    let release = true;
    try {
      // Someone may have finished between our first look and our lock. Without this look,
      // the token must not be presented: a blip here is retried while there is time.
      let known = await this.look(refreshToken);
      for (let every = FIRST_POLL_MS; known === UNAVAILABLE; every = Math.min(every * 2, LAST_POLL_MS)) {
        await this.pauseBefore(every, () => this.storeTrouble());
        known = await this.look(refreshToken);
      }
      if (known === UNREADABLE) throw this.unreadable();
      if (known !== null) {
        if (usable(known)) {
          report({ mode: 'coordinated', requested: false });
          return known.authData;
        }
        // Rotated since we looked: this token must never reach the API again. Start over from the newest.
        if (known.authData.refresh_token !== refreshToken) return RETARGET;
      }
      const timeoutMs = Math.min(requestTimeoutMs(), this.requestEnd - Date.now());
      if (timeoutMs < this.timing.minRequestMs) throw this.stillRenewing();
      let authData: TokenAuthData;
      try {
        authData = await request(refreshToken, timeoutMs);
      } catch (error) {
        const recorded = recordable(error);
        if (recorded) {
          const ttl = recorded.name === 'ExpiredAuthError' ? DEAD_GRANT_TTL_SECONDS : FAILURE_TTL_SECONDS;
          // Never over a rotation another run recorded: set-if-absent.
          await this.record(
            refreshToken,
            { kind: 'failed', error: recorded, client: this.client },
            ttl,
            true,
          );
        }
        throw error;
      }
      // Unrecorded, a rotation must keep its lock until the lock expires: a waiter that found the
      // lock gone would present the rotated token (fatal under strict rotation). It times out instead, and Zapier
      // retries it with the pair this run returns.
      release = await this.record(
        refreshToken,
        { kind: 'rotated', authData, recorded_at: nowSeconds() },
        rotationTtlSeconds(authData),
      );
      report({ mode: 'coordinated', requested: true });
      return authData;
    } finally {
      if (release) await this.unlock(refreshToken);
    }
  }

  /** Stores an outcome, retrying; true once the store said it has it. */
  private async record(
    refreshToken: string,
    outcome: Outcome,
    ttl: number,
    ifAbsent = false,
  ): Promise<boolean> {
    const stored = await this.retrying(async () => {
      const set = await this.call(() => this.outcomes.set(refreshToken, outcome, ttl, ifAbsent));
      return set === true ? true : UNAVAILABLE;
    });
    return stored === true;
  }

  /**
   * Without the store's help, because it failed before showing any holder: one token request,
   * as every run made before coordination. Its rotation is still recorded if the store answers
   * by now, so a run holding the old refresh token later takes the new pair instead of
   * presenting the rotated one.
   */
  private async alone(
    refreshToken: string,
    request: TokenRequest,
    report: (coordination: Coordination) => void,
  ): Promise<TokenAuthData> {
    const timeoutMs = Math.min(requestTimeoutMs(), this.requestEnd - Date.now());
    if (timeoutMs < this.timing.minRequestMs) throw this.stillRenewing();
    const authData = await request(refreshToken, timeoutMs);
    await this.call(() =>
      this.outcomes.set(
        refreshToken,
        { kind: 'rotated', authData, recorded_at: nowSeconds() },
        rotationTtlSeconds(authData),
      ),
    );
    report({ mode: 'alone', requested: true });
    return authData;
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Whether a recorded pair's access token is worth handing to a run: not (about to be) expired. */
function isFresh(pair: Recorded): boolean {
  const { expires_at: expiresAt, expires_in: expiresIn } = pair.authData;
  if (expiresAt > 0) return expiresAt - nowSeconds() >= refreshMarginFor(expiresIn);
  return nowSeconds() - pair.recorded_at < UNKNOWN_EXPIRY_FRESH_SECONDS;
}
