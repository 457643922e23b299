import { describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, unique, useApp } from './helper.ts';

const ctx = useApp();

describe('GET /api/v1/users (@mention suggestions)', () => {
  it('puts the thread’s people first, matches display names too, and refuses bad input', async () => {
    const tag = unique('zq');
    const asker = await registerUser(ctx.app, { username: `${tag}a`, displayName: 'Quinn Asker' });
    const helper = await registerUser(ctx.app, { username: `${tag}b`, displayName: 'Robin Helper' });
    const outsider = await registerUser(ctx.app, { username: `${tag}c`, displayName: 'Sam Outside' });
    const { thread } = await createThread(ctx.app, asker.token);
    await reply(ctx.app, helper.token, thread.id, 'Check the door sensor.');

    const inThread = await call(ctx.app, 'GET', `/users?q=${tag}&thread=${thread.id}`, { token: outsider.token });
    expect(inThread.statusCode).toBe(200);
    expect(inThread.data.users.map((u: any) => [u.username, u.inThread])).toEqual([
      [`${tag}a`, true],
      [`${tag}b`, true],
      [`${tag}c`, false]
    ]);
    expect(Object.keys(inThread.data.users[0]).sort()).toEqual(['displayName', 'id', 'inThread', 'profession', 'role', 'username']);

    // "@" typed along, case and display names all match; LIKE's wildcards are only characters.
    const byName = await call(ctx.app, 'GET', `/users?q=${encodeURIComponent('@ROBIN h')}`, { token: asker.token });
    expect(byName.data.users.map((u: any) => u.username)).toContain(`${tag}b`);
    expect((await call(ctx.app, 'GET', `/users?q=${encodeURIComponent('%')}`, { token: asker.token })).data.users).toEqual([]);
    expect((await call(ctx.app, 'GET', `/users?q=${encodeURIComponent(`${tag}_`)}`, { token: asker.token })).data.users).toEqual([]);

    expectError(await call(ctx.app, 'GET', `/users?q=${tag}`), 401, 'unauthenticated');
    expectError(await call(ctx.app, 'GET', '/users', { token: asker.token }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', `/users?q=${'x'.repeat(33)}`, { token: asker.token }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', `/users?q=${tag}&thread=abc`, { token: asker.token }), 400, 'validation_failed');
  });
});
