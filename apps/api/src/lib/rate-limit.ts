import { HttpError } from './http-error.ts';

export interface Limit {
  /** How many hits a key may make per window. */
  max: number;
  windowMs: number;
}

/**
 * A fixed-window counter per key, in this process's memory. Enough while one instance serves
 * the forum (PGlite); the moderation work moves it into PostgreSQL for several instances.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts a hit; throws 429 rate_limited with Retry-After once the key is over its limit. */
  hit(key: string, limit: Limit): void {
    const now = this.now();
    let w = this.windows.get(key);
    if (w === undefined || now - w.start >= limit.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 100_000) this.sweep(now, limit.windowMs);
    }
    w.count += 1;
    if (w.count > limit.max) {
      const retryAfter = Math.max(1, Math.ceil((w.start + limit.windowMs - now) / 1000));
      throw new HttpError(429, 'rate_limited', `too many attempts; try again in ${retryAfter} s`, undefined, {
        'retry-after': String(retryAfter)
      });
    }
  }

  /** Throws 429 when the key is already over its limit, without counting a hit. */
  peek(key: string, limit: Limit): void {
    const w = this.windows.get(key);
    const now = this.now();
    if (w === undefined || now - w.start >= limit.windowMs || w.count < limit.max) return;
    const retryAfter = Math.max(1, Math.ceil((w.start + limit.windowMs - now) / 1000));
    throw new HttpError(429, 'rate_limited', `too many failed logins; try again in ${retryAfter} s`, undefined, {
      'retry-after': String(retryAfter)
    });
  }

  /** Forgets a key (a successful login clears the failures counted against the account). */
  reset(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number, windowMs: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= windowMs) this.windows.delete(key);
  }
}

export interface AuthLimits {
  /** Registrations per client address. */
  register: Limit;
  /** Login attempts per client address. */
  login: Limit;
  /** Failed logins per account, whatever the address (slows down guessing one password). */
  loginFailures: Limit;
}

export const defaultAuthLimits: AuthLimits = {
  register: { max: 5, windowMs: 60 * 60_000 },
  login: { max: 30, windowMs: 10 * 60_000 },
  loginFailures: { max: 10, windowMs: 15 * 60_000 }
};
