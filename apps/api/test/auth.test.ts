import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { sessions } from '@bmet/db/schema';
import { SESSION_REF_HEADER } from '../src/lib/session-refs.ts';
import { call, createThread, expectError, registerUser, reply, unique, useApp } from './helper.ts';

const ctx = useApp();

describe('POST /api/v1/auth/register', () => {
  it('creates a user, a session and a cookie', async () => {
    const username = unique('Bmet_');
    const res = await call(ctx.app, 'POST', '/auth/register', {
      body: { username, email: `${username}@hospital.example`, password: 'defib analyzer 5kV', profession: 'BMET' }
    });
    expect(res.statusCode).toBe(201);
    expect(res.data.user).toMatchObject({ username, displayName: username, profession: 'BMET', role: 'member' });
    // The owner's own view carries the address and whether it is confirmed (API.md, Accounts); no other view does.
    expect(Object.keys(res.data.user).sort()).toEqual([
      'bio',
      'createdAt',
      'displayName',
      'email',
      'emailVerified',
      'id',
      'profession',
      'role',
      'username'
    ]);
    expect(res.data.token).toMatch(/^[a-z2-7]+\.[a-z2-7]+$/);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain('session=');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(res.body).not.toContain('password');
    expect(res.data.user.email).toBe(`${username}@hospital.example`);
    expect(res.data.user.emailVerified).toBe(false);
  });

  it('refuses a taken username or email, case-insensitively, with 409', async () => {
    const { user } = await registerUser(ctx.app);
    const dupName = await call(ctx.app, 'POST', '/auth/register', {
      body: { username: user.username.toUpperCase(), email: `${unique()}@x.org`, password: 'long enough pass', profession: 'CE' }
    });
    expectError(dupName, 409, 'conflict');
    expect(dupName.data.error.fields).toHaveProperty('username');
    const dupEmail = await call(ctx.app, 'POST', '/auth/register', {
      body: { username: unique(), email: `${user.username}@EXAMPLE.org`, password: 'long enough pass', profession: 'CE' }
    });
    expectError(dupEmail, 409, 'conflict');
    expect(dupEmail.data.error.fields).toHaveProperty('email');
  });

  it.each([
    [{ password: 'short' }, 'password'],
    [{ password: 'password123' }, 'password'],
    [{ password: '1234567890' }, 'password'],
    [{ password: 'aaaaaaaaaaaa' }, 'password'],
    [{ profession: 'surgeon' }, 'profession'],
    [{ profession: undefined }, 'profession'],
    [{ username: 'a' }, 'username'],
    [{ username: 'has space' }, 'username'],
    [{ username: 42 }, 'username'],
    [{ email: 'not-an-email' }, 'email'],
    [{ displayName: '' }, 'displayName']
  ])('answers 400 for %j', async (override, field) => {
    const username = unique();
    const body = { username, email: `${username}@x.org`, password: 'a fine long passphrase', profession: 'CE', ...override };
    const res = await call(ctx.app, 'POST', '/auth/register', { body });
    expectError(res, 400, 'validation_failed');
    expect(res.data.error.fields).toHaveProperty(field);
    const login = await call(ctx.app, 'POST', '/auth/login', { body: { login: username, password: 'a fine long passphrase' } });
    expect(login.statusCode).toBe(401);
  });

  it('refuses a password that contains the username', async () => {
    const username = unique('pumpguy');
    const res = await call(ctx.app, 'POST', '/auth/register', {
      body: { username, email: `${username}@x.org`, password: `${username}!!`, profession: 'BMET' }
    });
    expectError(res, 400, 'validation_failed');
  });
});

describe('POST /api/v1/auth/login', () => {
  it('logs in by username or email and returns a new token', async () => {
    const { user, password } = await registerUser(ctx.app);
    const byName = await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password } });
    expect(byName.statusCode).toBe(200);
    expect(byName.data.user.id).toBe(user.id);
    const byEmail = await call(ctx.app, 'POST', '/auth/login', {
      body: { login: `${user.username}@EXAMPLE.org`, password }
    });
    expect(byEmail.statusCode).toBe(200);
    expect(byEmail.data.token).not.toBe(byName.data.token);
  });

  it('answers the same 401 for a wrong password and an unknown user', async () => {
    const { user } = await registerUser(ctx.app);
    const wrong = await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password: 'not the password' } });
    const unknown = await call(ctx.app, 'POST', '/auth/login', { body: { login: 'nobody-here', password: 'not the password' } });
    expectError(wrong, 401, 'unauthenticated');
    expectError(unknown, 401, 'unauthenticated');
    expect(wrong.data).toEqual(unknown.data);
  });

  it('answers 400 for a missing field', async () => {
    expectError(await call(ctx.app, 'POST', '/auth/login', { body: { login: 'x' } }), 400, 'validation_failed');
  });
});

describe('GET /api/v1/me and POST /api/v1/auth/logout', () => {
  it('knows the user by bearer token and by cookie, and forgets the session on logout', async () => {
    const { user, token } = await registerUser(ctx.app);
    const me = await call(ctx.app, 'GET', '/me', { token });
    expect(me.statusCode).toBe(200);
    expect(me.data.user).toEqual(user);
    const byCookie = await call(ctx.app, 'GET', '/me', { headers: { cookie: `session=${token}` } });
    expect(byCookie.data.user.id).toBe(user.id);

    const out = await call(ctx.app, 'POST', '/auth/logout', { token });
    expect(out.statusCode).toBe(204);
    expectError(await call(ctx.app, 'GET', '/me', { token }), 401, 'unauthenticated');
  });

  it('carries the bell: the unread count and the newest notification’s id', async () => {
    const asker = await registerUser(ctx.app);
    const helper = await registerUser(ctx.app);
    const fresh = await call(ctx.app, 'GET', '/me', { token: asker.token });
    expect(fresh.data.notifications).toEqual({ unread: 0, latestId: null });
    const { thread, post } = await createThread(ctx.app, asker.token);
    await reply(ctx.app, helper.token, thread.id, 'Check the door sensor first.', post.id);
    const me = await call(ctx.app, 'GET', '/me', { token: asker.token });
    const list = await call(ctx.app, 'GET', '/notifications?limit=1', { token: asker.token });
    expect(me.data.notifications).toEqual({ unread: list.data.unread, latestId: list.data.notifications[0].id });
    expect(me.data.notifications.unread).toBe(1);
  });

  it('lends one request’s session check to the web app’s next reads for the same token, never to a write', async () => {
    const { token } = await registerUser(ctx.app);
    const other = await registerUser(ctx.app);
    const first = await call(ctx.app, 'GET', '/me', { token, headers: { [SESSION_REF_HEADER]: 'new' } });
    const ref = String(first.headers[SESSION_REF_HEADER]);
    expect(ref).toMatch(/^[\w-]{22}$/);
    // Without asking, nobody is handed one.
    expect((await call(ctx.app, 'GET', '/me', { token })).headers[SESSION_REF_HEADER]).toBeUndefined();
    // The session ends in the database (signed out elsewhere): a read that borrows the check
    // still sees it for the rest of this page, a read without the ref does not.
    const [id] = token.split('.');
    await ctx.app.db.delete(sessions).where(eq(sessions.id, id!));
    expect((await call(ctx.app, 'GET', '/me', { token, headers: { [SESSION_REF_HEADER]: ref } })).statusCode).toBe(200);
    expectError(await call(ctx.app, 'GET', '/me', { token }), 401, 'unauthenticated');
    // A ref counts only beside the token it was made for.
    const theirs = await call(ctx.app, 'GET', '/me', { token: other.token, headers: { [SESSION_REF_HEADER]: ref } });
    expect(theirs.data.user.id).toBe(other.user.id);
    expectError(await call(ctx.app, 'GET', '/me', { token: 'a.b', headers: { [SESSION_REF_HEADER]: ref } }), 401, 'unauthenticated');
    // A write checks afresh and ends the loan: the reads after it check afresh too.
    expectError(await call(ctx.app, 'POST', '/auth/logout', { token, headers: { [SESSION_REF_HEADER]: ref } }), 401, 'unauthenticated');
    expectError(await call(ctx.app, 'GET', '/me', { token, headers: { [SESSION_REF_HEADER]: ref } }), 401, 'unauthenticated');
  });

  it('answers 401 without a session or with a forged token', async () => {
    expectError(await call(ctx.app, 'GET', '/me'), 401, 'unauthenticated');
    const { token } = await registerUser(ctx.app);
    const [id] = token.split('.');
    expectError(await call(ctx.app, 'GET', '/me', { token: `${id}.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa` }), 401, 'unauthenticated');
    expectError(await call(ctx.app, 'GET', '/me', { token: 'garbage' }), 401, 'unauthenticated');
    expectError(await call(ctx.app, 'POST', '/auth/logout'), 401, 'unauthenticated');
  });
});

describe('cookie writes need a same-origin Origin', () => {
  it('refuses a cookie-authenticated write without Origin or from another origin', async () => {
    const { token } = await registerUser(ctx.app);
    const cookie = `session=${token}`;
    const body = { title: 'Cross-site attempt', body: 'x' };
    const none = await call(ctx.app, 'POST', '/boards/general/threads', { body, headers: { cookie } });
    expectError(none, 403, 'csrf');
    const evil = await call(ctx.app, 'POST', '/boards/general/threads', {
      body,
      headers: { cookie, origin: 'https://evil.example' }
    });
    expectError(evil, 403, 'csrf');
    const same = await call(ctx.app, 'POST', '/boards/general/threads', {
      body,
      headers: { cookie, origin: 'http://localhost:80', host: 'localhost:80' }
    });
    expect(same.statusCode).toBe(201);
  });

  it('exempts bearer requests and refuses a cross-site login', async () => {
    const { user, password } = await registerUser(ctx.app);
    const evil = await call(ctx.app, 'POST', '/auth/login', {
      body: { login: user.username, password },
      headers: { origin: 'https://evil.example' }
    });
    expectError(evil, 403, 'csrf');
  });
});
