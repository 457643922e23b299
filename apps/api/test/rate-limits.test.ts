import { describe, expect, it } from 'vitest';
import { call, expectError, registerUser, unique, useApp } from './helper.ts';

const ctx = useApp({
  authLimits: {
    register: { max: 3, windowMs: 60_000 },
    login: { max: 20, windowMs: 60_000 },
    loginFailures: { max: 3, windowMs: 60_000 }
  }
});

describe('abuse limits on authentication', () => {
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
  });

  it('slows down guessing one account, and a right password is refused while it is locked', async () => {
    const { user, password } = await registerUser(ctx.app);
    for (let i = 0; i < 3; i++) {
      expectError(await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password: 'wrong guess!!' } }), 401, 'unauthenticated');
    }
    const locked = await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password } });
    expectError(locked, 429, 'rate_limited');
    expect(locked.headers['retry-after']).toBeDefined();
  });

  it('clears the failures after a successful login', async () => {
    const { user, password } = await registerUser(ctx.app);
    for (let i = 0; i < 2; i++) {
      await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password: 'wrong guess!!' } });
    }
    expect((await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password } })).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) {
      await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password: 'wrong guess!!' } });
    }
    expect((await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password } })).statusCode).toBe(200);
  });
});
