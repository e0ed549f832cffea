// One token request per rotation, however many Zap runs refresh one connection at once.
//
// Zapier refreshes per run: every run that meets an expired token calls
// refreshAccessToken on its own, and stores whichever result lands last. Practice
// rotates refresh tokens; with strict token security (K8) a rotated refresh token
// presented again revokes the whole grant. So runs share, through z.cache (Zapier's
// store shared by every run of the integration), what happened to each refresh token:
//
//   1. Rotated already? Follow the chain to the newest pair and return it: a rotated
//      token never reaches Practice again, and a late run never brings back an older pair.
//   2. Otherwise take the refresh token's lock (set-if-absent). The holder looks once more
//      (someone may have finished in between), refreshes, records the outcome, and lets go.
//   3. Everyone else waits for the holder's outcome, and takes the lock if the holder
//      vanishes without one.
//
// The same protocol as Nango's refreshCredentialsIfNeeded (lock, re-read, skip if someone
// else refreshed). When z.cache is down, slow or answers garbage, a run refreshes on its
// own, exactly as without coordination; a run that cannot get an outcome in time fails
// with ThrottledError, which Zapier retries and never treats as a stale connection.
// Everything in the cache is sealed (lib/sealed-cache.ts): keys are HMACs, values AES-GCM.

import { randomBytes } from 'node:crypto';
import type { ZObject } from 'zapier-platform-core';
import { parseCoreError } from './core-errors';
import { refreshMarginFor } from './middleware';
import { requestTimeoutMs } from './network';
import { SealedCache, type Read } from './sealed-cache';
import type { TokenAuthData } from './tokens';
import { isRecord } from './values';

/**
 * How long an outcome is remembered. A rotation: 24 h, the longest access-token lifetime
 * Practice issues. A run presents a rotated refresh token only while Zapier still stores
 * the pair that lost the race to store last, and that pair is refreshed again at the latest
 * when its access token expires. A dead grant: 1 h, enough for every run queued on the
 * connection to learn it without asking Practice. Any other failure: 10 s, so the runs of one
 * burst fail together and a later run tries afresh.
 */
export const ROTATION_TTL_SECONDS = 24 * 3600;
export const DEAD_GRANT_TTL_SECONDS = 3600;
export const FAILURE_TTL_SECONDS = 10;
/**
 * The lock outlives everything its holder does: the holder caps its token request (25 s by
 * default, lib/network.ts) to end RECORD_MARGIN_MS before the lock does, and gives up when
 * less than MIN_REQUEST_MS is left.
 */
export const LOCK_TTL_SECONDS = 60;
const RECORD_MARGIN_MS = 10_000;
const MIN_REQUEST_MS = 3_000;
/** A rotation chain longer than this is not followed further (it would mean a loop or an attack). */
const MAX_CHAIN = 16;

/** How long a run waits for another run's refresh: inside Zapier's 30 s for the whole call. */
export function waitBudgetMs(): number {
  return positiveFromEnv('PRACTICE_REFRESH_WAIT_MS', 20_000);
}

/** How long one z.cache call may take before the store counts as down for this run. */
export function cacheCallTimeoutMs(): number {
  return positiveFromEnv('PRACTICE_CACHE_TIMEOUT_MS', 2_000);
}

function positiveFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** What happened to one refresh token, as every run can read it. */
export type Outcome = Recorded | { kind: 'failed'; error: RecordedError };

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
/** The holder found the token rotated since it looked: go round again with the newest one. */
const RETARGET = Symbol('retarget');

/** `promise`, or UNAVAILABLE once `ms` pass: a hanging store must not hang the refresh. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof UNAVAILABLE> {
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

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tries a store operation up to three times: one failed RPC call is no reason to give up on the others. */
async function retrying<T>(op: () => Promise<T | typeof UNAVAILABLE>): Promise<T | typeof UNAVAILABLE> {
  for (let attempt = 0; ; attempt += 1) {
    const result = await op();
    if (result !== UNAVAILABLE || attempt === 2) return result;
    await pause(50 * (attempt + 1));
  }
}

function isLock(value: unknown): value is { owner: string } {
  return isRecord(value) && typeof value.owner === 'string';
}

export interface Coordination {
  /** 'coordinated': this run went through the protocol; 'alone': the store failed and it refreshed on its own. */
  mode: 'coordinated' | 'alone';
  /** Whether this run sent the token request itself. */
  requested: boolean;
}

/** How long a recorded pair without a known expiry counts as fresh: one burst of runs. */
const UNKNOWN_EXPIRY_FRESH_SECONDS = 60;

export class RefreshCoordinator {
  private readonly outcomes: SealedCache;
  private readonly locks: SealedCache;
  private readonly timeoutMs = cacheCallTimeoutMs();

  constructor(
    private readonly z: ZObject,
    clientSecret: string,
  ) {
    this.outcomes = new SealedCache(z, clientSecret, 'refresh-outcome');
    this.locks = new SealedCache(z, clientSecret, 'refresh-lock');
  }

  /**
   * The newest usable pair for a run holding `held`: another run's, or the one `request`
   * gets from Practice with the newest refresh token when this run is the one to ask.
   * `request` throws Zapier errors; it gets the longest time its token request may take.
   */
  async refresh(
    held: { accessToken: string | undefined; refreshToken: string },
    request: (refreshToken: string, timeoutMs: number) => Promise<TokenAuthData>,
    report: (coordination: Coordination) => void = () => undefined,
  ): Promise<TokenAuthData> {
    const deadline = Date.now() + waitBudgetMs();
    const owner = randomBytes(16).toString('base64url');
    const usable = (pair: Recorded) => pair.authData.access_token !== held.accessToken && isFresh(pair);
    for (let attempt = 0; ; attempt += 1) {
      if (Date.now() >= deadline) throw this.stillRenewing();
      const known = await retrying(() => this.newest(held.refreshToken, deadline));
      if (known === UNAVAILABLE) return this.alone(held.refreshToken, request, report);
      if (known !== null && usable(known)) {
        report({ mode: 'coordinated', requested: false });
        return known.authData;
      }
      // The newest refresh token we know of: ours, or the one another run rotated it into.
      const target = known?.authData.refresh_token ?? held.refreshToken;

      const lockedAt = Date.now();
      const locked = await retrying(() => this.lock(target, owner));
      if (locked === UNAVAILABLE) return this.alone(target, request, report);
      if (locked) {
        const result = await this.asHolder(target, owner, lockedAt, usable, request, report);
        if (result !== RETARGET) return result;
        continue;
      }
      // Another run is refreshing that token: wait for what it records.
      await pause(Math.min(100 + attempt * 50, 400) + Math.floor(Math.random() * 50));
    }
  }

  private stillRenewing(): Error {
    return new this.z.errors.ThrottledError(
      'Another run of this Zap is renewing the Practice access token and has not finished yet. ' +
        'Zapier retries this step shortly; your connection is fine.',
      5,
    );
  }

  /**
   * Takes the lock on `refreshToken` for `owner`: true when ours (a retry after an answer that
   * was lost finds our own name on it), false only when the lock reads back as another run's.
   * A store that refuses the lock yet shows nobody holding it is not trusted with coordination.
   */
  private async lock(refreshToken: string, owner: string): Promise<boolean | typeof UNAVAILABLE> {
    for (let tries = 0; tries < 3; tries += 1) {
      const set = await within(
        this.locks.set(refreshToken, { owner }, LOCK_TTL_SECONDS, true),
        this.timeoutMs,
      );
      if (set === true) return true;
      if (set === UNAVAILABLE || set === null) return UNAVAILABLE;
      const holder = await within(this.locks.get(refreshToken, isLock), this.timeoutMs);
      if (holder === UNAVAILABLE || holder.state === 'unavailable' || holder.state === 'unreadable') {
        return UNAVAILABLE;
      }
      if (holder.state === 'hit') return holder.value.owner === owner;
      // 'miss': the holder let go in between; try again at once.
    }
    return UNAVAILABLE;
  }

  /** Lets go of the lock, if it is still ours: after an expiry it may be another run's. */
  private async unlock(refreshToken: string, owner: string): Promise<void> {
    const holder = await within(this.locks.get(refreshToken, isLock), this.timeoutMs);
    if (holder !== UNAVAILABLE && holder.state === 'hit' && holder.value.owner === owner) {
      await within(this.locks.delete(refreshToken), this.timeoutMs);
    }
  }

  /**
   * The end of the rotation chain that starts at `refreshToken`: null when the token was never
   * refreshed, UNAVAILABLE when the store failed on the first read. A recorded failure of the
   * first token is raised again here, so every run of a burst fails as the first one did.
   */
  private async newest(
    refreshToken: string,
    deadline: number,
  ): Promise<Recorded | null | typeof UNAVAILABLE> {
    let token = refreshToken;
    let newest: Recorded | null = null;
    for (let hop = 0; hop < MAX_CHAIN && (hop === 0 || Date.now() < deadline); hop += 1) {
      const read: Read<Outcome> | typeof UNAVAILABLE = await within(
        this.outcomes.get(token, isOutcome),
        this.timeoutMs,
      );
      if (read === UNAVAILABLE || read.state === 'unavailable') return hop === 0 ? UNAVAILABLE : newest;
      // A tampered or unreadable entry is never trusted: as good as none.
      if (read.state !== 'hit') return newest;
      const outcome = read.value;
      if (outcome.kind === 'failed') {
        // A failure further down the chain belongs to a newer token: the newest pair we know stands.
        if (newest !== null) return newest;
        throw raise(this.z, outcome.error);
      }
      newest = outcome;
      // A refresh that issued no new refresh token points back at itself.
      if (outcome.authData.refresh_token === token) return newest;
      token = outcome.authData.refresh_token;
    }
    return newest;
  }

  private async asHolder(
    refreshToken: string,
    owner: string,
    lockedAt: number,
    usable: (pair: Recorded) => boolean,
    request: (refreshToken: string, timeoutMs: number) => Promise<TokenAuthData>,
    report: (coordination: Coordination) => void,
  ): Promise<TokenAuthData | typeof RETARGET> {
    // Released once the outcome is recorded, or when nothing was asked of Practice.
    let release = true;
    try {
      // Someone may have finished between our first look and our lock.
      const known = await retrying(() => this.newest(refreshToken, lockedAt + LOCK_TTL_SECONDS * 1000));
      if (known !== null && known !== UNAVAILABLE) {
        if (usable(known)) {
          report({ mode: 'coordinated', requested: false });
          return known.authData;
        }
        // Rotated since we looked: this token must never reach Practice again. Start over from the newest.
        if (known.authData.refresh_token !== refreshToken) return RETARGET;
      }
      // The request must end, and its outcome be recorded, while the lock still stands: a run that
      // took an expired lock would present the same refresh token.
      const left = lockedAt + LOCK_TTL_SECONDS * 1000 - RECORD_MARGIN_MS - Date.now();
      if (left < MIN_REQUEST_MS) throw this.stillRenewing();
      let authData: TokenAuthData;
      try {
        authData = await request(refreshToken, Math.min(requestTimeoutMs(), left));
      } catch (error) {
        const recorded = recordable(error);
        if (recorded) {
          const ttl = recorded.name === 'ExpiredAuthError' ? DEAD_GRANT_TTL_SECONDS : FAILURE_TTL_SECONDS;
          // Never over a rotation another run recorded: set-if-absent.
          await this.record(refreshToken, { kind: 'failed', error: recorded }, ttl, true);
        }
        throw error;
      }
      // Unrecorded, a rotation must keep its lock until the lock expires: a waiter that found the
      // lock gone would present the rotated token (fatal under K8). It times out instead, and Zapier
      // retries it with the pair this run returns.
      release = await this.record(
        refreshToken,
        { kind: 'rotated', authData, recorded_at: nowSeconds() },
        ROTATION_TTL_SECONDS,
      );
      report({ mode: 'coordinated', requested: true });
      return authData;
    } finally {
      if (release) await this.unlock(refreshToken, owner);
    }
  }

  /** Stores an outcome, retrying; true once the store said it has it. */
  private async record(
    refreshToken: string,
    outcome: Outcome,
    ttl: number,
    ifAbsent = false,
  ): Promise<boolean> {
    const stored = await retrying(async () => {
      const set = await within(this.outcomes.set(refreshToken, outcome, ttl, ifAbsent), this.timeoutMs);
      return set === true ? true : UNAVAILABLE;
    });
    return stored === true;
  }

  /**
   * Without the store's help: one token request, as every run made before coordination. Its
   * rotation is still recorded if the store answers by now, so a run holding the old refresh
   * token later takes the new pair instead of presenting the rotated one.
   */
  private async alone(
    refreshToken: string,
    request: (refreshToken: string, timeoutMs: number) => Promise<TokenAuthData>,
    report: (coordination: Coordination) => void,
  ): Promise<TokenAuthData> {
    const authData = await request(refreshToken, requestTimeoutMs());
    await within(
      this.outcomes.set(
        refreshToken,
        { kind: 'rotated', authData, recorded_at: nowSeconds() },
        ROTATION_TTL_SECONDS,
      ),
      this.timeoutMs,
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
