import type { Db } from '@bmet/db/client';
import { sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { HttpError } from './http-error.ts';

export interface Limit {
  /** How many hits a key may make per window. */
  max: number;
  windowMs: number;
}

/** The per-user actions limited by `app.limit(request, action)`. */
export const userActions = ['thread', 'post', 'vote', 'report', 'upload', 'draft'] as const;
export type UserAction = (typeof userActions)[number];

/** Every abuse limit of the forum. */
export interface Limits {
  /** Registrations per client address. */
  register: Limit;
  /** Login attempts per client address. */
  login: Limit;
  /**
   * Failed logins per account and client: per address, or per device for a device that has
   * signed in to the account before (OWASP's device cookies). A right password is refused too
   * while it is spent.
   */
  loginFailures: Limit;
  /**
   * Failed logins per account from every address together (guessing spread over many
   * addresses). Spent, it refuses clients without a device cookie of the account; the owner's
   * known devices still sign in.
   */
  loginFailuresAccount: Limit;
  /** Password-reset requests per client address. */
  forgotPassword: Limit;
  /** E-mails with a link (reset, verification, change of address) per destination address. */
  emailTo: Limit;
  /** Verification resends and changes of address per account. */
  emailAccount: Limit;
  /** Second-factor attempts per session that owes one (a code is six digits: guessing must stay hopeless). */
  twoFactor: Limit;
  /**
   * Second-factor attempts per account from every session: the ceiling on guessing with many
   * logins. Kept high, so that whoever knows the password cannot easily lock the owner out.
   */
  twoFactorAccount: Limit;
  /** New threads per user. */
  thread: Limit;
  /** Replies per user. */
  post: Limit;
  /** Votes per user. */
  vote: Limit;
  /** Reports per user. */
  report: Limit;
  /** Uploads (photos, PDFs) per user: each is re-encoded and read by OCR. */
  upload: Limit;
  /** Draft saves per user (the web app saves a pause in typing, at most every few seconds). */
  draft: Limit;
  /** Tighter limits for accounts younger than NEW_ACCOUNT_MS. */
  newAccount: Record<UserAction, Limit>;
}

/** An account younger than this gets the `newAccount` limits. */
export const NEW_ACCOUNT_MS = 24 * 60 * 60_000;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const defaultLimits: Limits = {
  register: { max: 5, windowMs: HOUR },
  login: { max: 30, windowMs: 10 * MINUTE },
  loginFailures: { max: 10, windowMs: 15 * MINUTE },
  loginFailuresAccount: { max: 50, windowMs: HOUR },
  forgotPassword: { max: 10, windowMs: HOUR },
  emailTo: { max: 3, windowMs: HOUR },
  emailAccount: { max: 5, windowMs: HOUR },
  twoFactor: { max: 5, windowMs: 15 * MINUTE },
  twoFactorAccount: { max: 50, windowMs: HOUR },
  thread: { max: 10, windowMs: HOUR },
  post: { max: 30, windowMs: 10 * MINUTE },
  vote: { max: 120, windowMs: 10 * MINUTE },
  report: { max: 20, windowMs: HOUR },
  upload: { max: 40, windowMs: HOUR },
  draft: { max: 300, windowMs: 10 * MINUTE },
  newAccount: {
    thread: { max: 3, windowMs: HOUR },
    post: { max: 5, windowMs: 10 * MINUTE },
    vote: { max: 30, windowMs: 10 * MINUTE },
    report: { max: 5, windowMs: HOUR },
    upload: { max: 8, windowMs: HOUR },
    draft: { max: 150, windowMs: 10 * MINUTE }
  }
};

/**
 * A shared counter per key. hit() and peek() reject with 429 rate_limited (and Retry-After in
 * seconds) once the key is over its limit; `what` names what was counted in the message.
 */
export interface RateLimiter {
  /** Counts a hit; rejects once the key has made more than `limit.max` hits in its window. */
  hit(key: string, limit: Limit, what?: string): Promise<void>;
  /** Rejects when the key has already used up its limit, without counting a hit. */
  peek(key: string, limit: Limit, what?: string): Promise<void>;
  /** Forgets a key (a successful login clears the failures counted against the account). */
  reset(key: string): Promise<void>;
  /** Waits for background work (a sweep) to finish; called when the app closes. */
  close(): Promise<void>;
}

/**
 * A wait as a person says it: "45 seconds", "1 minute", "44 minutes", "about 2 hours", "about
 * 3 days". Rounded up below an hour (so the member is never told to come back too early), to the
 * nearest unit above it; Retry-After keeps the exact seconds.
 */
export function humanWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  const unit = (n: number, name: string): string => `${n} ${name}${n === 1 ? '' : 's'}`;
  if (s < 60) return unit(s, 'second');
  if (s < 3600) return unit(Math.ceil(s / 60), 'minute');
  if (s < 86_400) return `about ${unit(Math.round(s / 3600), 'hour')}`;
  return `about ${unit(Math.round(s / 86_400), 'day')}`;
}

export function rateLimited(remainingMs: number, what = 'attempts'): HttpError {
  const retryAfter = Math.max(1, Math.ceil(remainingMs / 1000));
  return new HttpError(429, 'rate_limited', `too many ${what}; try again in ${humanWait(retryAfter)}`, undefined, {
    'retry-after': String(retryAfter)
  });
}

const MAX_KEY_LENGTH = 200;

/** Keys are built from client input (a login name): long ones become a prefix and a hash. */
export function boundKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return key;
  const hash = createHash('sha256').update(key).digest('base64url');
  return `${key.slice(0, MAX_KEY_LENGTH - hash.length - 1)}#${hash}`;
}

/**
 * A fixed-window counter per key, in this process's memory: right while one instance owns the
 * database (PGlite), wrong for several instances (each would count on its own).
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; end: number; count: number }>();
  private lastSweep = 0;

  constructor(
    private readonly now: () => number = Date.now,
    /** Past this many keys, expired ones are dropped, then the oldest. */
    private readonly maxKeys = 100_000
  ) {}

  get size(): number {
    return this.windows.size;
  }

  async hit(key: string, limit: Limit, what?: string): Promise<void> {
    key = boundKey(key);
    const now = this.now();
    let w = this.windows.get(key);
    if (w === undefined || now >= w.end) {
      w = { start: now, end: now + limit.windowMs, count: 0 };
      // Re-inserted, so the map stays ordered by window start (oldest first).
      this.windows.delete(key);
      this.windows.set(key, w);
      if (this.windows.size > this.maxKeys) this.shrink(now);
    }
    w.count += 1;
    if (w.count > limit.max) throw rateLimited(w.end - now, what);
  }

  async peek(key: string, limit: Limit, what?: string): Promise<void> {
    const w = this.windows.get(boundKey(key));
    const now = this.now();
    if (w === undefined || now >= w.end || w.count < limit.max) return;
    throw rateLimited(w.end - now, what);
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(boundKey(key));
  }

  async close(): Promise<void> {}

  private shrink(now: number): void {
    if (now - this.lastSweep >= MINUTE) {
      this.lastSweep = now;
      for (const [key, w] of this.windows) if (now >= w.end) this.windows.delete(key);
    }
    // Still too many live keys: forget the oldest windows rather than grow without bound.
    for (const key of this.windows.keys()) {
      if (this.windows.size <= this.maxKeys) break;
      this.windows.delete(key);
    }
  }
}

/** Rows deleted per sweep; a full batch lets the next hit sweep again at once. */
const SWEEP_BATCH = 5000;

/**
 * A fixed-window counter per key in the rate_limits table, shared by every instance on the
 * database: one atomic upsert per hit, timed by the database's clock. Expired rows are swept
 * at most once a minute, in the background of a hit.
 */
export class PgRateLimiter implements RateLimiter {
  private lastSweep = 0;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly onError: (err: unknown) => void = () => {}
  ) {}

  async hit(key: string, limit: Limit, what?: string): Promise<void> {
    this.maybeSweep();
    const windowMs = Math.max(1, Math.round(limit.windowMs));
    // Both drivers answer execute() with { rows }; the shared Db type cannot say so.
    const result = (await this.db.execute(sql`
      insert into rate_limits as r (key, window_start, hits, expires_at)
      values (${boundKey(key)}, now(), 1, now() + ${windowMs} * interval '1 millisecond')
      on conflict (key) do update set
        window_start = case when r.expires_at <= now() then excluded.window_start else r.window_start end,
        hits = case when r.expires_at <= now() then 1 else least(r.hits, 2147483646) + 1 end,
        expires_at = case when r.expires_at <= now() then excluded.expires_at else r.expires_at end
      returning r.hits, extract(epoch from (r.expires_at - now())) * 1000 as remaining_ms`)) as unknown as {
      rows: { hits: number | string; remaining_ms: number | string }[];
    };
    const row = result.rows[0];
    if (row !== undefined && Number(row.hits) > limit.max) throw rateLimited(Number(row.remaining_ms), what);
  }

  async peek(key: string, limit: Limit, what?: string): Promise<void> {
    const result = (await this.db.execute(sql`
      select hits, extract(epoch from (expires_at - now())) * 1000 as remaining_ms
      from rate_limits where key = ${boundKey(key)} and expires_at > now()`)) as unknown as {
      rows: { hits: number | string; remaining_ms: number | string }[];
    };
    const row = result.rows[0];
    if (row !== undefined && Number(row.hits) >= limit.max) throw rateLimited(Number(row.remaining_ms), what);
  }

  async reset(key: string): Promise<void> {
    await this.db.execute(sql`delete from rate_limits where key = ${boundKey(key)}`);
  }

  /** Deletes up to SWEEP_BATCH expired rows; returns how many. Rows being hit right now are skipped. */
  async sweep(): Promise<number> {
    const result = (await this.db.execute(sql`
      delete from rate_limits where key in (
        select key from rate_limits where expires_at <= now()
        order by expires_at limit ${SWEEP_BATCH}
        for update skip locked)`)) as unknown as { rowCount?: number | null; affectedRows?: number };
    return Number(result.rowCount ?? result.affectedRows ?? 0);
  }

  async close(): Promise<void> {
    await this.sweeping;
  }

  private maybeSweep(): void {
    const now = Date.now();
    if (this.sweeping !== null || now - this.lastSweep < MINUTE) return;
    this.lastSweep = now;
    this.sweeping = this.sweep()
      .then((deleted) => {
        if (deleted >= SWEEP_BATCH) this.lastSweep = 0;
      })
      .catch(this.onError)
      .finally(() => {
        this.sweeping = null;
      });
  }
}
