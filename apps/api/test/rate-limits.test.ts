import { openDatabase, type Database } from '@bmet/db/client';
import { openTestDatabase } from '@bmet/db/test-support';
import { rateLimits, users } from '@bmet/db/schema';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { HttpError } from '../src/lib/http-error.ts';
import { PgRateLimiter, defaultLimits, type Limits, type UserAction } from '../src/lib/rate-limit.ts';
import { call, expectError, unique, useApp, type Res } from './helper.ts';

const testLimits: Limits = {
  ...defaultLimits,
  register: { max: 3, windowMs: 60_000 },
  login: { max: 20, windowMs: 60_000 },
  loginFailures: { max: 3, windowMs: 60_000 },
  loginFailuresAccount: { max: 8, windowMs: 60_000 },
  post: { max: 4, windowMs: 60_000 },
  thread: { max: 3, windowMs: 60_000 },
  newAccount: { ...defaultLimits.newAccount, post: { max: 2, windowMs: 60_000 }, thread: { max: 1, windowMs: 60_000 } }
};

/** A test-only route standing in for the thread/post/vote/report routes: it counts one action. */
function addLimitRoute(app: FastifyInstance): void {
  app.post<{ Params: { action: UserAction } }>('/api/v1/test-limit/:action', async (request, reply) => {
    await app.limit(request, request.params.action);
    return reply.code(204).send();
  });
}

const act = (app: FastifyInstance, token: string, action: UserAction): Promise<Res> =>
  call(app, 'POST', `/test-limit/${action}`, { token });

let addresses = 0;
/** Registers a member from an address of their own, so the per-address limit is not spent. */
async function newUser(app: FastifyInstance): Promise<{ user: any; token: string; password: string; email: string }> {
  addresses += 1;
  const username = unique('lim');
  const email = `${username}@example.org`;
  const password = 'correct horse battery staple';
  const res = await call(app, 'POST', '/auth/register', {
    body: { username, email, password, profession: 'BMET' },
    ip: `10.9.${Math.floor(addresses / 250)}.${addresses % 250}`
  });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  return { user: res.data.user, token: res.data.token, password, email };
}

async function ageAccount(app: FastifyInstance, userId: string, days: number): Promise<void> {
  await app.db
    .update(users)
    .set({ createdAt: new Date(Date.now() - days * 24 * 60 * 60_000) })
    .where(eq(users.id, Number(userId)));
}

// Both stores run everywhere: the PostgreSQL one on PGlite too (its SQL is the same).
describe.each(['memory', 'postgres'] as const)('abuse limits counted in %s', (store) => {
  const ctx = useApp({ limits: testLimits, limitStore: store });
  beforeAll(() => addLimitRoute(ctx.app));

  it('limits registrations per address with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      const name = unique('rl');
      last = await call(ctx.app, 'POST', '/auth/register', {
        body: { username: name, email: `${name}@x.org`, password: 'long enough password', profession: 'CE' },
        ip: '203.0.113.9'
      });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    expectError(last!, 429, 'rate_limited');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(last!.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another address is counted apart.
    const name = unique('rl');
    const other = await call(ctx.app, 'POST', '/auth/register', {
      body: { username: name, email: `${name}@x.org`, password: 'long enough password', profession: 'CE' },
      ip: '203.0.113.10'
    });
    expect(other.statusCode).toBe(201);
  });

  it('limits login attempts per address', async () => {
    const { user, password } = await newUser(ctx.app);
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const res = await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password }, ip: '198.51.100.7' });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('slows down guessing one account from one address, and a right password is refused there while it is locked', async () => {
    const { user, password, email } = await newUser(ctx.app);
    for (let i = 0; i < 3; i++) {
      expectError(
        await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password: 'wrong guess!!' }, ip: '192.0.2.66' }),
        401,
        'unauthenticated'
      );
    }
    const locked = await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password }, ip: '192.0.2.66' });
    expectError(locked, 429, 'rate_limited');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // Locked whatever names the account, from that address.
    const byEmail = await call(ctx.app, 'POST', '/auth/login', { body: { login: email.toUpperCase(), password }, ip: '192.0.2.66' });
    expectError(byEmail, 429, 'rate_limited');
    // The owner, elsewhere, is not locked out by someone else's guesses (OWASP: lock the pair, not the account).
    expect((await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password }, ip: '192.0.2.50' })).statusCode).toBe(
      200
    );
  });

  it('counts guesses sent in parallel before any password is checked', async () => {
    const { user } = await newUser(ctx.app);
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password: 'wrong guess!!' }, ip: '192.0.2.99' })
      )
    );
    expect(results.filter((r) => r.statusCode === 401)).toHaveLength(3);
    expect(results.filter((r) => r.statusCode === 429)).toHaveLength(9);
  });

  it('stops guessing spread over many addresses, yet lets the owner in from a device that signed in before', async () => {
    const { user, password } = await newUser(ctx.app);
    const first = await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password }, ip: '198.51.100.200' });
    const device = /device=([a-z2-7]+)/.exec(String(first.headers['set-cookie']))?.[1];
    expect(device).toMatch(/^[a-z2-7]{32}$/);
    // Eight wrong guesses from eight addresses: each address is far from its own limit.
    for (let i = 0; i < 8; i++) {
      await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password: 'wrong guess!!' }, ip: `203.0.113.${100 + i}` });
    }
    // A ninth address is refused, even with the right password...
    expectError(
      await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password }, ip: '203.0.113.250' }),
      429,
      'rate_limited'
    );
    // ...but the owner's browser, known to the account, signs in (from any address).
    const owner = await call(ctx.app, 'POST', '/auth/login', {
      body: { login: user.username, password },
      ip: '203.0.113.251',
      headers: { cookie: `device=${device}` }
    });
    expect(owner.statusCode).toBe(200);
    // A device cookie of another account, or a made-up one, is just an unknown client.
    const other = await newUser(ctx.app);
    const forged = await call(ctx.app, 'POST', '/auth/login', {
      body: { login: user.username, password },
      ip: '203.0.113.252',
      headers: { cookie: `device=${'a'.repeat(32)}` }
    });
    expectError(forged, 429, 'rate_limited');
    const otherLogin = await call(ctx.app, 'POST', '/auth/login', {
      body: { login: other.user.username, password: other.password },
      ip: '203.0.113.253'
    });
    const otherDevice = /device=([a-z2-7]+)/.exec(String(otherLogin.headers['set-cookie']))?.[1];
    const borrowed = await call(ctx.app, 'POST', '/auth/login', {
      body: { login: user.username, password },
      ip: '203.0.113.254',
      headers: { cookie: `device=${otherDevice}` }
    });
    expectError(borrowed, 429, 'rate_limited');
  });

  it('clears the failures after a successful login', async () => {
    const { user, password } = await newUser(ctx.app);
    const ip = '192.0.2.77';
    for (let i = 0; i < 2; i++) {
      await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password: 'wrong guess!!' }, ip });
    }
    expect((await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password }, ip })).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) {
      await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password: 'wrong guess!!' }, ip });
    }
    expect((await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password }, ip })).statusCode).toBe(200);
  });

  it('limits a user’s actions, tighter for an account younger than a day', async () => {
    const young = await newUser(ctx.app);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await act(ctx.app, young.token, 'post')).statusCode);
    expect(statuses).toEqual([204, 204, 429]);
    const refused = await act(ctx.app, young.token, 'post');
    expectError(refused, 429, 'rate_limited');
    expect(refused.data.error.message).toMatch(/^too many posts; try again in \d+ (?:seconds?|minutes?)$/);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Each action has its own counter.
    expect((await act(ctx.app, young.token, 'thread')).statusCode).toBe(204);
    expect((await act(ctx.app, young.token, 'thread')).statusCode).toBe(429);
    expect((await act(ctx.app, young.token, 'vote')).statusCode).toBe(204);

    const settled = await newUser(ctx.app);
    await ageAccount(ctx.app, settled.user.id, 2);
    const settledStatuses: number[] = [];
    for (let i = 0; i < 5; i++) settledStatuses.push((await act(ctx.app, settled.token, 'post')).statusCode);
    expect(settledStatuses).toEqual([204, 204, 204, 204, 429]);
    // Another user is counted apart.
    expect((await act(ctx.app, (await newUser(ctx.app)).token, 'post')).statusCode).toBe(204);
  });

  it('does nothing for anonymous requests', async () => {
    for (let i = 0; i < 10; i++) expect((await call(ctx.app, 'POST', '/test-limit/post')).statusCode).toBe(204);
  });
});

describe('limits off (the default of buildApp, and RATE_LIMITS=off)', () => {
  const ctx = useApp();
  beforeAll(() => addLimitRoute(ctx.app));

  it('never refuses', async () => {
    expect(ctx.app.rateLimiter).toBeNull();
    for (let i = 0; i < 8; i++) {
      const name = unique('nl');
      const res = await call(ctx.app, 'POST', '/auth/register', {
        body: { username: name, email: `${name}@x.org`, password: 'long enough password', profession: 'CE' },
        ip: '203.0.113.77'
      });
      expect(res.statusCode).toBe(201);
      expect((await act(ctx.app, res.data.token, 'post')).statusCode).toBe(204);
    }
  });
});

describe('PgRateLimiter', () => {
  let database: Database;
  let limiter: PgRateLimiter;
  beforeAll(async () => {
    database = await openTestDatabase(process.env.DATABASE_URL);
    limiter = new PgRateLimiter(database.db);
  });
  afterAll(async () => {
    await limiter?.close();
    await database?.close();
  });

  const expire = (key: string) =>
    database.db
      .update(rateLimits)
      .set({ windowStart: sql`now() - interval '2 minutes'`, expiresAt: sql`now() - interval '1 minute'` })
      .where(eq(rateLimits.key, key));

  it('counts in one row per key, restarts an expired window and peeks without counting', async () => {
    const limit = { max: 2, windowMs: 60_000 };
    await limiter.hit('k1', limit);
    await limiter.peek('k1', limit);
    await limiter.hit('k1', limit);
    await expect(limiter.peek('k1', limit)).rejects.toMatchObject({ statusCode: 429, code: 'rate_limited' });
    const err = await limiter.hit('k1', limit, 'votes').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).message).toMatch(/^too many votes; try again in (?:59 seconds|1 minute)$/);
    expect((err as HttpError).headers).toEqual({ 'retry-after': expect.stringMatching(/^(59|60)$/) });
    const [row] = await database.db.select().from(rateLimits).where(eq(rateLimits.key, 'k1'));
    expect(row!.hits).toBe(3);
    expect(row!.expiresAt.getTime() - row!.windowStart.getTime()).toBe(60_000);

    await expire('k1');
    await limiter.peek('k1', limit);
    await limiter.hit('k1', limit);
    const [restarted] = await database.db.select().from(rateLimits).where(eq(rateLimits.key, 'k1'));
    expect(restarted!.hits).toBe(1);
    expect(restarted!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 50_000);

    await limiter.hit('k1', limit);
    await expect(limiter.hit('k1', limit)).rejects.toBeInstanceOf(HttpError);
    await limiter.reset('k1');
    await limiter.hit('k1', limit);
  });

  it('bounds long keys', async () => {
    const key = `login-failures:name:${'x'.repeat(10_000)}`;
    await limiter.hit(key, { max: 1, windowMs: 60_000 });
    await expect(limiter.hit(key, { max: 1, windowMs: 60_000 })).rejects.toBeInstanceOf(HttpError);
    const rows = await database.db
      .select({ key: rateLimits.key })
      .from(rateLimits)
      .where(sql`${rateLimits.key} like 'login-failures:name:xxx%'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key.length).toBeLessThanOrEqual(200);
  });

  it('sweeps expired rows only', async () => {
    await limiter.hit('old', { max: 5, windowMs: 60_000 });
    await limiter.hit('live', { max: 5, windowMs: 60_000 });
    await expire('old');
    expect(await limiter.sweep()).toBeGreaterThanOrEqual(1);
    const keys = (await database.db.select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key);
    expect(keys).toContain('live');
    expect(keys).not.toContain('old');
  });

  it('counts concurrent hits exactly', async () => {
    const limit = { max: 10, windowMs: 60_000 };
    const results = await Promise.allSettled(Array.from({ length: 25 }, () => limiter.hit('burst', limit)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(15);
  });
});

const url = process.env.DATABASE_URL;
describe.runIf(url !== undefined && url !== '')('limits shared by two instances on one PostgreSQL', () => {
  const closers: (() => Promise<void>)[] = [];
  let a: FastifyInstance;
  let b: FastifyInstance;
  beforeAll(async () => {
    const first = await openTestDatabase(url);
    const dbUrl = (first.pool!.options as { connectionString: string }).connectionString;
    const second = await openDatabase({ url: dbUrl, poolSize: 3 });
    a = await buildApp({ database: first, limits: testLimits, limitStore: 'postgres' });
    b = await buildApp({ database: second, limits: testLimits, limitStore: 'postgres' });
    addLimitRoute(a);
    addLimitRoute(b);
    closers.push(
      async () => first.close(),
      async () => second.close(),
      async () => a.close(),
      async () => b.close()
    );
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('refuses a user once their hits through both instances pass the limit', async () => {
    const { user, token } = await newUser(a);
    await ageAccount(a, user.id, 2);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await act(i % 2 === 0 ? a : b, token, 'post')).statusCode);
    expect(statuses).toEqual([204, 204, 204, 204, 429, 429]);
  });

  it('refuses registrations from one address across both instances', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const name = unique('xi');
      const res = await call(i % 2 === 0 ? a : b, 'POST', '/auth/register', {
        body: { username: name, email: `${name}@x.org`, password: 'long enough password', profession: 'CE' },
        ip: '203.0.113.200'
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('locks an account guessed through both instances', async () => {
    const { user, password } = await newUser(b);
    for (let i = 0; i < 3; i++) {
      await call(i % 2 === 0 ? a : b, 'POST', '/auth/login', { body: { login: user.username, password: 'wrong guess!!' } });
    }
    expectError(await call(a, 'POST', '/auth/login', { body: { login: user.username, password } }), 429, 'rate_limited');
    expectError(await call(b, 'POST', '/auth/login', { body: { login: user.username, password } }), 429, 'rate_limited');
  });
});

describe('behind a trusted proxy (TRUST_PROXY=true: one hop)', () => {
  const ctx = useApp({ limits: testLimits, trustProxy: 1 });

  it('counts the address the proxy added, whatever the client wrote at the left of X-Forwarded-For', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const res = await call(ctx.app, 'POST', '/auth/login', {
        body: { login: `nobody${i}`, password: 'wrong guess!!' },
        ip: '10.0.0.2',
        // A client rotating a forged first entry, behind a proxy that appends the real one.
        headers: { 'x-forwarded-for': `6.6.${i}.6, 203.0.113.77` }
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
    // Another real client behind the same proxy is counted apart.
    const other = await call(ctx.app, 'POST', '/auth/login', {
      body: { login: 'nobody', password: 'wrong guess!!' },
      ip: '10.0.0.2',
      headers: { 'x-forwarded-for': '203.0.113.78' }
    });
    expect(other.statusCode).toBe(401);
  });
});
