import { describe, expect, it } from 'vitest';
import { loadConfig, parseLimits } from '../config.ts';
import { HttpError } from './http-error.ts';
import { MemoryRateLimiter, boundKey, defaultLimits, humanWait } from './rate-limit.ts';

async function refusal(promise: Promise<void>): Promise<HttpError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error('expected a 429');
}

describe('humanWait', () => {
  it('says a wait as a person would, never shorter than it is below an hour', () => {
    expect(humanWait(0.2)).toBe('1 second');
    expect(humanWait(45)).toBe('45 seconds');
    expect(humanWait(60)).toBe('1 minute');
    expect(humanWait(61)).toBe('2 minutes');
    expect(humanWait(2598)).toBe('44 minutes');
    expect(humanWait(3600)).toBe('about 1 hour');
    expect(humanWait(5 * 3600 + 1200)).toBe('about 5 hours');
    expect(humanWait(3 * 86_400)).toBe('about 3 days');
  });
});

describe('MemoryRateLimiter', () => {
  const limit = { max: 3, windowMs: 60_000 };

  it('allows max hits per window, then refuses with 429 and Retry-After until the window ends', async () => {
    let now = 1_000_000;
    const limiter = new MemoryRateLimiter(() => now);
    for (let i = 0; i < 3; i++) await limiter.hit('k', limit);
    now += 15_500;
    const err = await refusal(limiter.hit('k', limit, 'posts'));
    expect(err.statusCode).toBe(429);
    expect(err.code).toBe('rate_limited');
    expect(err.message).toBe('too many posts; try again in 45 seconds');
    expect(err.headers).toEqual({ 'retry-after': '45' });
    // Other keys are counted apart.
    await limiter.hit('other', limit);
    // A new window starts once the old one ends.
    now += 44_500;
    await limiter.hit('k', limit);
    await limiter.hit('k', limit);
    await limiter.hit('k', limit);
    await expect(limiter.hit('k', limit)).rejects.toBeInstanceOf(HttpError);
  });

  it('says at least one second in Retry-After', async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(() => now);
    await limiter.hit('k', { max: 1, windowMs: 1000 });
    now = 999.9;
    const err = await refusal(limiter.hit('k', { max: 1, windowMs: 1000 }));
    expect(err.headers?.['retry-after']).toBe('1');
  });

  it('peeks without counting, and reset forgets the key', async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(() => now);
    await limiter.peek('k', limit);
    await limiter.hit('k', limit);
    await limiter.hit('k', limit);
    await limiter.peek('k', limit);
    await limiter.peek('k', limit);
    await limiter.hit('k', limit);
    const err = await refusal(limiter.peek('k', limit, 'failed logins'));
    expect(err.message).toMatch(/^too many failed logins; try again in 1 minute$/);
    await limiter.reset('k');
    await limiter.peek('k', limit);
    now += 1;
    await limiter.hit('k', limit);
  });

  it('keeps its memory bounded: expired keys go first, then the oldest', async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(() => now, 10);
    for (let i = 0; i < 10; i++) await limiter.hit(`short${i}`, { max: 5, windowMs: 1000 });
    now = 61_000;
    await limiter.hit('long0', { max: 1, windowMs: 600_000 });
    expect(limiter.size).toBe(1);
    for (let i = 1; i < 15; i++) await limiter.hit(`long${i}`, { max: 1, windowMs: 600_000 });
    expect(limiter.size).toBe(10);
    // The newest keys are still counted.
    await expect(limiter.hit('long14', { max: 1, windowMs: 600_000 })).rejects.toBeInstanceOf(HttpError);
  });

  it('bounds long keys by hashing them, keeping distinct keys distinct', async () => {
    const a = `login-failures:name:${'a'.repeat(5000)}`;
    const b = `login-failures:name:${'a'.repeat(4999)}b`;
    expect(boundKey('post:user:1')).toBe('post:user:1');
    expect(boundKey(a).length).toBeLessThanOrEqual(200);
    expect(boundKey(a)).not.toBe(boundKey(b));
    expect(boundKey(a)).toBe(boundKey(a));
    const limiter = new MemoryRateLimiter();
    await limiter.hit(a, { max: 1, windowMs: 60_000 });
    await limiter.hit(b, { max: 1, windowMs: 60_000 });
    await expect(limiter.hit(a, { max: 1, windowMs: 60_000 })).rejects.toBeInstanceOf(HttpError);
  });
});

describe('limit configuration', () => {
  it('defaults to the built-in limits, counted in memory on PGlite and in PostgreSQL with DATABASE_URL', () => {
    const local = loadConfig({});
    expect(local.limits).toEqual(defaultLimits);
    expect(local.rateLimitStore).toBe('memory');
    const shared = loadConfig({ DATABASE_URL: 'postgres://db/forum' });
    expect(shared.rateLimitStore).toBe('postgres');
    expect(loadConfig({ DATABASE_URL: 'postgres://db/forum', RATE_LIMIT_STORE: 'memory' }).rateLimitStore).toBe('memory');
  });

  it('reads TRUST_PROXY and LIVE_SOCKETS_PER_ADDRESS, and stops the start on a bad value', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8' }).trustProxy).toEqual(['10.0.0.0/8']);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.example.org' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({}).liveSocketsPerAddress).toBe(50);
    expect(loadConfig({ LIVE_SOCKETS_PER_ADDRESS: '500' }).liveSocketsPerAddress).toBe(500);
    expect(() => loadConfig({ LIVE_SOCKETS_PER_ADDRESS: '0' })).toThrow(/LIVE_SOCKETS_PER_ADDRESS/);
  });

  it('turns every limit off with RATE_LIMITS=off', () => {
    expect(loadConfig({ RATE_LIMITS: 'off' }).limits).toBeNull();
    expect(loadConfig({ RATE_LIMITS: 'OFF' }).rateLimits).toBe(false);
  });

  it('overrides one limit with RATE_LIMIT_<NAME>=<max>/<seconds>', () => {
    const limits = parseLimits({
      RATE_LIMIT_POST: '50/300',
      RATE_LIMIT_NEW_POST: ' 2 / 60 ',
      RATE_LIMIT_LOGIN_FAILURES: '5/900',
      RATE_LIMIT_NEW_REPORT: '1/3600',
      RATE_LIMIT_STORE: 'memory'
    });
    expect(limits.post).toEqual({ max: 50, windowMs: 300_000 });
    expect(limits.newAccount.post).toEqual({ max: 2, windowMs: 60_000 });
    expect(limits.loginFailures).toEqual({ max: 5, windowMs: 900_000 });
    expect(limits.newAccount.report).toEqual({ max: 1, windowMs: 3_600_000 });
    expect(limits.thread).toEqual(defaultLimits.thread);
    expect(limits.newAccount.thread).toEqual(defaultLimits.newAccount.thread);
    // The defaults themselves are untouched.
    expect(defaultLimits.post).toEqual({ max: 30, windowMs: 600_000 });
  });

  it('fails fast on a malformed value, an unknown name or store', () => {
    for (const value of ['30', '30/0', '0/60', '-1/60', '1.5/60', '30/10m', 'abc', '30/60/2']) {
      expect(() => loadConfig({ RATE_LIMIT_POST: value })).toThrow(/RATE_LIMIT_POST must be <max>\/<seconds>/);
    }
    // Even while the limits are off, so a typo surfaces before they are turned on.
    expect(() => loadConfig({ RATE_LIMITS: 'off', RATE_LIMIT_VOTE: 'x' })).toThrow(/RATE_LIMIT_VOTE/);
    expect(() => loadConfig({ RATE_LIMIT_POSTS: '1/60' })).toThrow(/unknown variable RATE_LIMIT_POSTS/);
    expect(() => loadConfig({ RATE_LIMIT_STORE: 'redis' })).toThrow(/RATE_LIMIT_STORE must be memory or postgres/);
    expect(() => loadConfig({ RATE_LIMIT_STORE: 'postgres' })).toThrow(/needs DATABASE_URL/);
    expect(() => loadConfig({ RATE_LIMITS: 'maybe' })).toThrow(/RATE_LIMITS must be on or off/);
  });
});
