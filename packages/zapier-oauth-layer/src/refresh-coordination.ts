// One token request per expiry, however many Zap runs refresh one connection at once, and no
// refresh token ever presented where presenting it again could cost the connection.
//
// THE INVARIANT. A refresh token that any run presented is never presented again by any run
// while a run could still hold what that presentation returned, unless the profile's rotation
// forgives reuse (rotation none or always; grace while the token is inside its window). That
// holds for runs that started before the holder, runs on other Lambdas, and runs after a holder
// died or could not record what it got: a lock whose holder ended without recording an outcome
// is taken to mean that holder got an answer, and stays until no run can hold one (PROTECT).
// Where the answer never arrived at all (the token request timed out or was reset), nobody can
// hold it: the token's fate is unknown to everyone, the failure is shared as any other, and the
// token may be presented again, because either the API never saw it and it still works, or the
// new pair is lost to everyone and the connection with it, whatever is done.
//
// Why it needs the store. Zapier refreshes per run: every run that meets an expired token calls
// refreshAccessToken on its own, with the authData it started with, and stores whichever result
// lands last. Under strict rotation (Salesforce with refresh token rotation on) a rotated refresh
// token presented again revokes the whole grant; under single-use rotation (Slack, GitHub) it
// is refused, which reads as a dead grant. So runs share, through z.cache (Zapier's store, shared
// by every run of the integration), what happened to each refresh token R:
//
//   outcome(R)  what presenting R returned: the new pair (R -> R', or R -> R for a token that does
//               not rotate), or the failure the API answered, for the runs of the same expiry.
//   lock(R)     the right to present R, held by one run. Under a rotation that punishes reuse it
//               is also the record that R was presented: it lives PROTECT and is never let go
//               once R was presented, however its holder ends, so a lost or unwritten outcome
//               never opens the way to presenting R again.
//
// The protocol, as Nango's refreshCredentialsIfNeeded (lock, re-read, skip if someone else
// refreshed), top to bottom in RefreshCoordinator.run:
//
//   1. Look: follow outcome(R) to the newest pair. A usable pair is this run's answer; a failure
//      recorded for this expiry is raised again; a rotated R is never presented again.
//   2. Take lock(newest) with set-if-absent. A store answer that does not come is unknown, not
//      absent: the run reads the lock back before it concludes anything.
//   3. The holder looks once more (another run may have finished in between), presents the
//      token, records the outcome, retrying until its deadline, and lets go of the lock only
//      when the outcome is recorded and presenting the token again is harmless (a failure, or a
//      rotation that forgives reuse).
//   4. Everyone else polls outcome(R) until there is news (a usable pair, a newer token, a
//      failure) or the holder's time is over; then Zapier retries the step later.
//   5. Store trouble. A store call is waited for as long as its phase allows: slow is not dead.
//      When the store cannot show that this run alone holds the lock, the run does not present
//      a token whose reuse is punished: it ends with ThrottledError, which Zapier retries and
//      never treats as a stale connection. Where reuse is forgiven, a run that has seen no
//      holder after PATIENCE refreshes alone, as every run did before coordination.
//   An entry that exists but cannot be opened (tampered, garbage) is evidence that its token was
//   used: that token is never presented on its strength where reuse is punished. Where it is
//   forgiven, the entry is news of nothing, and the holder's outcome replaces it.
//   What the store must do: keep a lock it acknowledged. Outcomes are read back before a lock is
//   let go on their strength, but a store that answers "stored" to set-if-absent and then drops
//   the lock (a failover losing acknowledged writes) can make two holders, and no lock kept in
//   such a store can prevent it.
//
// Entries are keyed and sealed under the refresh token they are about (layer/sealed-cache.ts,
// `bySubject`): only a run holding that token can find or open them, and nothing the
// integration owner configures takes part, so the client secret can change and versions of the
// app can run side by side without losing sight of each other's rotations.
//
// TIMING. Every figure counts from the moment refreshAccessToken starts (t = 0), in ninths of
// B, the call's budget: 27 s in production (OAUTH_REFRESH_BUDGET_MS may only lower it, for tests).
//
//     Zapier ends a request at ...................................... 30 s  10 ninths
//   - room for Lambda start-up, core around us, the answer .........  3 s
//   = B: every await of the call has ended by (deadline) ............ 27 s   9 ninths
//   - FINISH, to record the outcome .................................  3 s   1 ninth
//   = the token request is aborted by (requestEnd) .................. 24 s   8 ninths
//   - MIN_REQUEST, the least time worth giving a token request ......  3 s   1 ninth
//   = no token request starts, and no run waits, after (lastStart) .. 21 s   7 ninths
//
//   PATIENCE, 3 ninths (9 s): the longest one store call is waited for (a slower answer is
//   unknown), and how long a store that fails before showing any holder is tried again.
//
//   PROTECT, how long lock(R) lives where reuse is punished. The holder takes it at T (at or
//   after its own start) and its call ends by T + B; Zapier has its answer, and merges the new
//   pair into the connection, by T + 10 ninths (its 30 s; an answer later is lost). A run that
//   read the connection just before that merge still holds R: its step ends within 10 ninths
//   more, and the refreshAccessToken it then calls presents R, if ever, before its own lastStart,
//   7 ninths in. So no run can present R after T + 27 ninths (81 s); with 3 ninths for the
//   store's clock, PROTECT = 30 ninths: 90 s. Where reuse is forgiven the lock only has to
//   outlive its holder: B + 1 ninth = 30 s. Either way a lock never expires under a live holder.
//   "Forgiven" must hold for every presentation until PROTECT, not only for the run's own: a
//   grace window is judged at the run's start + PROTECT, so one that closes sooner (Okta's 30 s)
//   counts as punished, and its lock lives PROTECT.
//
//   Every store call waits at most min(PATIENCE, time to the end of its phase); every pause,
//   retry and token request is cut to the deadline, and the whole call is raced against it too.

import { randomBytes } from 'node:crypto';
import type { ZObject } from 'zapier-platform-core';
import { parseCoreError } from './core-error-parts';
import { refreshMarginFor } from './expiry';
import type { Profile } from './profile';
import { bySubject, SealedCache, type Read } from './sealed-cache';
import type { TokenAuthData } from './tokens';
import { askedRefreshBudgetMs, requestTimeoutMs } from './settings';
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
/** How long a waiter keeps polling after the holder's call is over: two last polls. */
const AFTER_HOLDER_MS = 2 * LAST_POLL_MS;
/** The holder's last store call ends this long before the deadline, so its pair still reaches Zapier. */
const RETURN_MARGIN_MS = 150;
/** A rotation chain longer than this is not followed further (it would mean a loop or an attack). */
const MAX_CHAIN = 16;

export type Rotation = Profile['token']['rotation'];

/** The timing table at the top of this file, for one budget and one rotation. */
export interface Timing {
  budgetMs: number;
  patienceMs: number;
  finishMs: number;
  minRequestMs: number;
  /** PROTECT, from a run's start: until then a run holding the token this run presents may present it too. */
  protectMs: number;
  lockTtlSeconds: number;
}

export function timing(reuse: 'forgiven' | 'punished' = 'punished'): Timing {
  const asked = askedRefreshBudgetMs();
  const budgetMs =
    asked !== undefined && asked >= SMALLEST_BUDGET_MS ? Math.min(asked, CALL_BUDGET_MS) : CALL_BUDGET_MS;
  const ninth = Math.floor(budgetMs / 9);
  return {
    budgetMs,
    patienceMs: 3 * ninth,
    finishMs: ninth,
    minRequestMs: ninth,
    protectMs: 30 * ninth,
    lockTtlSeconds: Math.ceil((reuse === 'punished' ? 30 * ninth : budgetMs + ninth) / 1000),
  };
}

/**
 * Whether presenting `held`'s refresh token a second time, by `latestPresentMs` at the
 * latest, is harmless under `rotation`. Under grace the token was rotated no earlier than it
 * was issued (expires_at - expires_in), so a presentation inside graceSeconds of that is inside
 * the window whenever the first one happened. An issue time after now is no issue time
 * (authData written by other code, an expiry in milliseconds): it tells nothing.
 */
export function reuseForgiven(
  rotation: Rotation,
  held: { issuedAtSeconds: number | null },
  latestPresentMs: number,
): boolean {
  switch (rotation.kind) {
    case 'none':
    case 'always':
      return true;
    case 'grace':
      return (
        held.issuedAtSeconds !== null &&
        held.issuedAtSeconds * 1000 <= Date.now() &&
        (held.issuedAtSeconds + (rotation.graceSeconds ?? 0)) * 1000 > latestPresentMs
      );
    case 'single-use':
    case 'strict':
      return false;
  }
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

/** The store failed, or did not answer within the call's time: what it would have said is unknown. */
const UNKNOWN = Symbol('z.cache answer unknown');
/** An entry is there but does not open: its token may have been used. */
const UNREADABLE = Symbol('z.cache entry unreadable');
/** The holder found the token rotated since it looked: go round again with the newest one. */
const RETARGET = Symbol('retarget');

type Look = Recorded | null | typeof UNKNOWN | typeof UNREADABLE;
type LockState = { kind: 'ours' } | { kind: 'held'; until: number | null } | { kind: 'unknown' };

/** `promise`, or UNKNOWN once `ms` pass: a hanging store must not hang the refresh. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof UNKNOWN> {
  if (ms <= 0) return UNKNOWN;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof UNKNOWN>((resolve) => {
    timer = setTimeout(() => resolve(UNKNOWN), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
/** `ms` ± 25 %, so that the runs of a burst do not poll in step. */
const jittered = (ms: number) => ms * (0.75 + Math.random() * 0.5);

export interface Coordination {
  /** 'coordinated': this run went through the protocol; 'alone': the store failed and it refreshed on its own. */
  mode: 'coordinated' | 'alone';
  /** Whether this run sent the token request itself. */
  requested: boolean;
}

/** Asks the API for a pair with `refreshToken`; must give up after `timeoutMs`. Throws Zapier errors. */
export type TokenRequest = (refreshToken: string, timeoutMs: number) => Promise<TokenAuthData>;

/** What the run calling refreshAccessToken holds. */
export interface Held {
  accessToken: string | undefined;
  refreshToken: string;
  /** When its pair was issued (Unix seconds), where authData tells (expires_at - expires_in): for grace rotation. */
  issuedAtSeconds?: number | null;
}

/** How long a recorded pair without a known expiry counts as fresh: one burst of runs. */
const UNKNOWN_EXPIRY_FRESH_SECONDS = 60;

export class RefreshCoordinator {
  private readonly outcomes: SealedCache;
  private readonly locks: SealedCache;
  private readonly owner = randomBytes(16).toString('base64url');
  private readonly started = Date.now();
  private readonly timing = timing();
  private readonly deadline = this.started + this.timing.budgetMs;
  private readonly finishMs = this.timing.finishMs;
  private readonly requestEnd = this.deadline - this.finishMs;
  private readonly lastStart = this.requestEnd - this.timing.minRequestMs;
  private readonly patienceMs = this.timing.patienceMs;
  /** Decided per call from the held pair (refresh): whether presenting a token twice is harmless. */
  private forgiven = false;
  /** Evidence that a run (another, or this one) holds or held the lock: no refreshing alone from here on. */
  private sawHolder = false;

  private readonly client: string;
  private readonly name: string;
  private readonly rotation: Rotation;

  /**
   * `namespace`: the profile's id, which keys the records; `name`: the API's name for messages;
   * `client`: a fingerprint of the client configuration this run asks the API with;
   * `rotation`: the profile's, which says whether presenting a token twice is harmless.
   */
  constructor(
    private readonly z: ZObject,
    options: { namespace: string; name: string; client?: string; rotation: Rotation },
  ) {
    this.client = options.client ?? '';
    this.name = options.name;
    this.rotation = options.rotation;
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
    held: Held,
    request: TokenRequest,
    report: (coordination: Coordination) => void = () => undefined,
  ): Promise<TokenAuthData> {
    // Forgiven for every run that may present the token after this one, until PROTECT (the
    // table above), not only for this run: a lock that lives B + 1 ninth protects nothing later.
    this.forgiven = reuseForgiven(
      this.rotation,
      { issuedAtSeconds: held.issuedAtSeconds ?? null },
      this.started + this.timing.protectMs,
    );
    // Belt and braces: every step below is cut to the deadline already.
    const settled = await within(this.run(held, request, report), this.deadline - Date.now());
    if (settled === UNKNOWN) throw this.stillRenewing();
    return settled;
  }

  private async run(
    held: Held,
    request: TokenRequest,
    report: (c: Coordination) => void,
  ): Promise<TokenAuthData> {
    const usable = (pair: Recorded) => pair.authData.access_token !== held.accessToken && isFresh(pair);
    let target = held.refreshToken;
    let known: Look = await this.look(target, this.lastStart);
    for (let retryAt = FIRST_POLL_MS; ;) {
      if (known === UNREADABLE) throw this.unreadable();
      if (known === UNKNOWN) {
        // A run that has seen a holder waits for the store within its time; one that has not
        // waits PATIENCE, then refreshes alone where reuse is forgiven, or is retried later.
        const giveUpAt = this.sawHolder
          ? this.lastStart
          : Math.min(this.started + this.patienceMs, this.lastStart);
        if (Date.now() >= giveUpAt) {
          if (!this.sawHolder && this.forgiven) return this.alone(target, request, report);
          throw this.sawHolder ? this.storeTrouble() : this.storeDown();
        }
        await pause(Math.min(jittered(retryAt), giveUpAt - Date.now()));
        retryAt = Math.min(retryAt * 2, LAST_POLL_MS);
        known = await this.look(target, this.lastStart);
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
      if (lock.kind === 'unknown') {
        known = UNKNOWN;
        continue;
      }
      this.sawHolder = true;
      if (lock.kind === 'ours') {
        const result = await this.asHolder(target, usable, request, report);
        if (result !== RETARGET) return result;
        known = await this.look(target, this.lastStart);
        continue;
      }
      known = await this.waitFor(target, lock.until, known, usable);
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

  private storeDown(): Error {
    return new this.z.errors.ThrottledError(
      `Zapier's store (z.cache) did not answer, and without it this run cannot be sure that no other run is renewing the ` +
        `${this.name} access token: presenting a refresh token to ${this.name} twice could cost the connection, so this run did not renew it. ` +
        'Zapier retries this step shortly; your connection is fine.',
      10,
    );
  }

  private holderVanished(): Error {
    return new this.z.errors.ThrottledError(
      `Another run of this Zap renewed the ${this.name} access token, or tried to, but its result could not be shared through ` +
        `Zapier's store (z.cache). This run did not renew it again, which could cost the connection. ` +
        'Zapier retries this step later with the renewed connection; your connection is fine.',
      30,
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

  /** Waits `ms` (± 25 %), or throws `error()` when that would pass `limit`. */
  private async pauseBefore(ms: number, limit: number, error: () => Error): Promise<void> {
    const wake = Date.now() + jittered(ms);
    if (wake >= limit) throw error();
    await pause(wake - Date.now());
  }

  /**
   * One store call, waited for until `cutoff` but never longer than PATIENCE: a slow answer is
   * an answer; one that does not come by then is unknown. A failed call is unknown too.
   */
  private call<T>(op: () => Promise<T>, cutoff: number): Promise<T | typeof UNKNOWN> {
    return within(op(), Math.min(this.patienceMs, cutoff - Date.now()));
  }

  /** Up to three tries of a store call that failed fast: one failed RPC call is no reason to give up. */
  private async retrying<T>(
    op: () => Promise<T | typeof UNKNOWN>,
    cutoff: number,
  ): Promise<T | typeof UNKNOWN> {
    for (let attempt = 0; ; attempt += 1) {
      const result = await op();
      if (result !== UNKNOWN || attempt === 2 || Date.now() >= cutoff) return result;
      await pause(Math.min(50 * (attempt + 1), cutoff - Date.now()));
    }
  }

  /** One read of an outcome. */
  private async read(refreshToken: string, cutoff: number): Promise<Read<Outcome> | typeof UNKNOWN> {
    const read = await this.call(() => this.outcomes.get(refreshToken, isOutcome), cutoff);
    return read !== UNKNOWN && read.state === 'unavailable' ? UNKNOWN : read;
  }

  /** The end of the rotation chain that starts at `refreshToken`, read with retries. */
  private look(refreshToken: string, cutoff: number): Promise<Look> {
    return this.retrying(() => this.newest(refreshToken, cutoff), cutoff);
  }

  /**
   * The end of the rotation chain that starts at `refreshToken`: null when the token was never
   * refreshed, UNKNOWN when the first read failed, UNREADABLE when the first entry does not
   * open (null where reuse is forgiven). A recorded failure of the first token is raised again here, so every run of a burst
   * fails as the first one did. Further down the chain a failed read stops at the newest pair
   * read so far: its refresh token is locked and looked up again before any use.
   */
  private async newest(refreshToken: string, cutoff: number): Promise<Look> {
    let token = refreshToken;
    let newest: Recorded | null = null;
    for (let hop = 0; hop < MAX_CHAIN; hop += 1) {
      const read = await this.read(token, cutoff);
      if (read === UNKNOWN) return hop === 0 ? UNKNOWN : newest;
      // Evidence that the token was used, which matters only where using it again is punished.
      if (read.state === 'unreadable') return hop > 0 ? newest : this.forgiven ? null : UNREADABLE;
      if (read.state !== 'hit') return newest;
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
   * with our name (our write landed although its answer was lost or late). Held when it reads
   * back as another run's, and also when set-if-absent refused and the read then failed or did
   * not open: the refusal is evidence of a holder. Unknown when neither the write nor the read
   * back tells, or the store refused three times yet showed nobody holding it (such a store is
   * not trusted with coordination).
   */
  private async lock(refreshToken: string): Promise<LockState> {
    const value: Lock = { owner: this.owner, until: this.deadline };
    const ttl = timing(this.forgiven ? 'forgiven' : 'punished').lockTtlSeconds;
    for (let tries = 0; tries < 3 && Date.now() < this.lastStart; tries += 1) {
      // true: stored; false: refused (taken); null or UNKNOWN: failed or unanswered.
      const set = await this.call(() => this.locks.set(refreshToken, value, ttl, true), this.lastStart);
      if (set === true) return { kind: 'ours' };
      const read = await this.retrying(async () => {
        const lock = await this.call(() => this.locks.get(refreshToken, isLock), this.lastStart);
        return lock === UNKNOWN || lock.state === 'unavailable' ? UNKNOWN : lock;
      }, this.lastStart);
      if (read !== UNKNOWN && read.state === 'hit') {
        return read.value.owner === this.owner ? { kind: 'ours' } : { kind: 'held', until: read.value.until };
      }
      const unclear = read === UNKNOWN || read.state === 'unreadable';
      // Refused, and the read does not say by whom: someone holds it.
      if (set === false && unclear) return { kind: 'held', until: null };
      // Our write failed or went unanswered, and reading it back told nothing: nothing is established.
      if (set !== false && unclear) return { kind: 'unknown' };
      // A miss: the holder let go in between, or our write did not land. Try again.
    }
    return { kind: 'unknown' };
  }

  /** Lets go of the lock, if it is still ours. */
  private async unlock(refreshToken: string): Promise<void> {
    const cutoff = this.deadline - RETURN_MARGIN_MS;
    const holder = await this.call(() => this.locks.get(refreshToken, isLock), cutoff);
    if (holder !== UNKNOWN && holder.state === 'hit' && holder.value.owner === this.owner) {
      await this.call(() => this.locks.delete(refreshToken), cutoff);
    }
  }

  /**
   * Polls the outcome of `refreshToken` while another run holds its lock, backing off from
   * 200 ms to 1 s, until there is news beside `seen` (what this run knew before): a usable pair,
   * a newer refresh token, a new pair to judge, or a failure (raised). Store failures only mean:
   * poll again. Once the holder's call is over (`until`, and two more polls), there is nothing
   * to wait for: the holder died or could not record, and its lock keeps the token from being
   * presented again, so this run is retried later. With `until` unknown: until lastStart.
   */
  private async waitFor(
    refreshToken: string,
    until: number | null,
    seen: Look,
    usable: (pair: Recorded) => boolean,
  ): Promise<Look> {
    const seenAccess = seen !== null && typeof seen === 'object' ? seen.authData.access_token : null;
    // At least two polls however late this run arrives.
    const giveUpAt =
      until === null
        ? this.lastStart
        : Math.min(Math.max(until, Date.now()) + AFTER_HOLDER_MS, this.lastStart);
    const error = () =>
      until !== null && Date.now() >= until ? this.holderVanished() : this.stillRenewing();
    for (let every = FIRST_POLL_MS; ; every = Math.min(every * 2, LAST_POLL_MS)) {
      await this.pauseBefore(every, giveUpAt, error);
      const known = await this.newest(refreshToken, giveUpAt);
      if (known === UNREADABLE) return known;
      if (known === null || known === UNKNOWN) continue;
      if (usable(known) || known.authData.refresh_token !== refreshToken) return known;
      if (known.authData.access_token !== seenAccess) return known;
    }
  }

  private async asHolder(
    refreshToken: string,
    usable: (pair: Recorded) => boolean,
    request: TokenRequest,
    report: (coordination: Coordination) => void,
  ): Promise<TokenAuthData | typeof RETARGET> {
    // Let go of the lock unless the token was presented and presenting it again could cost the connection.
    let release = true;
    try {
      // Someone may have finished between our first look and our lock. Without this look,
      // the token must not be presented: a blip here is retried while there is time.
      let known = await this.look(refreshToken, this.lastStart);
      for (let every = FIRST_POLL_MS; known === UNKNOWN; every = Math.min(every * 2, LAST_POLL_MS)) {
        await this.pauseBefore(every, this.lastStart, () => this.storeTrouble());
        known = await this.look(refreshToken, this.lastStart);
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
      // What the outcome may replace: nothing, or a pair of a token that does not rotate, which
      // the new outcome supersedes (a failure too: it is this expiry's news).
      const replaces = known !== null;
      const timeoutMs = Math.min(requestTimeoutMs(), this.requestEnd - Date.now());
      if (timeoutMs < this.timing.minRequestMs) throw this.stillRenewing();
      release = this.forgiven;
      let authData: TokenAuthData;
      try {
        authData = await request(refreshToken, timeoutMs);
      } catch (error) {
        const recorded = recordable(error);
        if (recorded) {
          const ttl = recorded.name === 'ExpiredAuthError' ? DEAD_GRANT_TTL_SECONDS : FAILURE_TTL_SECONDS;
          // The API answered with a failure: the token was not consumed, and the waiters of this
          // expiry take the failure instead of asking again. Never over another run's rotation.
          release = await this.record(
            refreshToken,
            { kind: 'failed', error: recorded, client: this.client },
            ttl,
            { ifAbsent: !replaces, verify: true },
          );
        }
        throw error;
      }
      // Where the lock stays anyway (the token rotated and reuse is punished), the waiters' polls
      // tell whether the outcome landed; where it is let go, the outcome is read back first.
      const releasable = this.forgiven || authData.refresh_token === refreshToken;
      const stored = await this.record(
        refreshToken,
        { kind: 'rotated', authData, recorded_at: nowSeconds() },
        rotationTtlSeconds(authData),
        { ifAbsent: false, verify: releasable },
      );
      // Unrecorded, the lock stays until it expires (PROTECT where reuse is punished): a run that
      // found it gone would present the rotated token. It is retried instead, and by then Zapier
      // has merged the pair this run returns. A token the answer gave back (it did not rotate)
      // may be presented again.
      release = stored && releasable;
      report({ mode: 'coordinated', requested: true });
      return authData;
    } finally {
      if (release) await this.unlock(refreshToken);
    }
  }

  /**
   * Stores an outcome, trying again until just before the deadline while the store fails; true
   * once it is there. With `verify`, before the lock is let go on its strength: read back, since
   * a store can answer "stored" and lose the write (a failover, an eviction), and a run that
   * found neither the outcome nor the lock would ask the API again. A write lost that way is
   * written again, a few times at most: such a store keeps losing them.
   */
  private async record(
    refreshToken: string,
    outcome: Outcome,
    ttl: number,
    options: { ifAbsent: boolean; verify: boolean },
  ): Promise<boolean> {
    const cutoff = this.deadline - RETURN_MARGIN_MS;
    let lost = 0;
    let tries = 0;
    for (let every = 50; Date.now() < cutoff && lost < 3; every = Math.min(every * 2, LAST_POLL_MS)) {
      const set = await this.call(
        () => this.outcomes.set(refreshToken, outcome, ttl, options.ifAbsent),
        cutoff,
      );
      tries += 1;
      if (set === false) {
        // Set-if-absent refused: another outcome is there, which stands; or, after a try whose
        // answer or read-back was lost, this run's own, which is recorded then.
        if (tries === 1) return false;
        const read = await this.call(() => this.outcomes.get(refreshToken, isOutcome), cutoff);
        return read !== UNKNOWN && read.state === 'hit' && sameOutcome(read.value, outcome);
      }
      if (set === true) {
        if (!options.verify) return true;
        const read = await this.call(() => this.outcomes.get(refreshToken, isOutcome), cutoff);
        if (read !== UNKNOWN && read.state === 'hit' && sameOutcome(read.value, outcome)) return true;
        if (read !== UNKNOWN && read.state !== 'unavailable') lost += 1;
        continue;
      }
      await pause(Math.min(every, cutoff - Date.now()));
    }
    return false;
  }

  /**
   * Without the store's help, where presenting a token twice is harmless and the store failed
   * before showing any holder: one token request, as every run made before coordination. Its
   * outcome is still recorded if the store answers by now.
   */
  private async alone(
    refreshToken: string,
    request: TokenRequest,
    report: (coordination: Coordination) => void,
  ): Promise<TokenAuthData> {
    const timeoutMs = Math.min(requestTimeoutMs(), this.requestEnd - Date.now());
    if (timeoutMs < this.timing.minRequestMs) throw this.stillRenewing();
    const authData = await request(refreshToken, timeoutMs);
    await this.call(
      () =>
        this.outcomes.set(
          refreshToken,
          { kind: 'rotated', authData, recorded_at: nowSeconds() },
          rotationTtlSeconds(authData),
        ),
      this.deadline - RETURN_MARGIN_MS,
    );
    report({ mode: 'alone', requested: true });
    return authData;
  }
}

/** Whether what the store holds is the outcome this run wrote. */
function sameOutcome(stored: Outcome, written: Outcome): boolean {
  if (stored.kind === 'rotated' && written.kind === 'rotated')
    return stored.authData.access_token === written.authData.access_token;
  if (stored.kind === 'failed' && written.kind === 'failed')
    return stored.error.message === written.error.message && stored.client === written.client;
  return false;
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
