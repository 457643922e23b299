import { describe, expect, it } from 'vitest';
import { defaultLimits } from '../src/lib/rate-limit.ts';
import { call, expectError, registerUser, setRole, useApp } from './helper.ts';

const ctx = useApp();
// The same app with the abuse limits on (registrations loosened so the tests can sign up).
const limited = useApp({ limits: { ...defaultLimits, register: { max: 100, windowMs: 60_000 } } });

describe('the member’s own account: profile, password, sessions', () => {
  it('changes the display name, profession and bio, and refuses bad values without changing anything', async () => {
    const { token, user } = await registerUser(ctx.app);
    const me = await call(ctx.app, 'GET', '/me', { token });
    expect(me.data.user).toMatchObject({ email: `${user.username}@example.org`, emailVerified: false, bio: null });

    const changed = await call(ctx.app, 'PATCH', '/me', {
      token,
      body: { displayName: '  Dana  Ruiz ', profession: 'CE', bio: 'Clinical engineer,\nimaging and infusion.' }
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.data.user).toMatchObject({
      displayName: 'Dana Ruiz',
      profession: 'CE',
      bio: 'Clinical engineer, imaging and infusion.'
    });
    // The public profile shows the bio and never the address.
    const profile = await call(ctx.app, 'GET', `/users/${user.username}`);
    expect(profile.data.user.bio).toBe('Clinical engineer, imaging and infusion.');
    expect(profile.body).not.toContain('@example.org');

    for (const body of [
      { displayName: '' },
      { displayName: 'x'.repeat(65) },
      { profession: 'nurse' },
      { bio: 'b'.repeat(501) },
      { displayName: 'a\u0007b' }
    ]) {
      expectError(await call(ctx.app, 'PATCH', '/me', { token, body }), 400, 'validation_failed');
    }
    expect((await call(ctx.app, 'GET', '/me', { token })).data.user).toMatchObject({ displayName: 'Dana Ruiz', profession: 'CE' });
    const cleared = await call(ctx.app, 'PATCH', '/me', { token, body: { bio: null } });
    expect(cleared.data.user.bio).toBeNull();
    expectError(await call(ctx.app, 'PATCH', '/me', { body: { bio: 'x' } }), 401, 'unauthenticated');
  });

  it('lists the sessions with their browsers, ends one, and a password change ends every other one', async () => {
    const { token, user, password } = await registerUser(ctx.app);
    const login = (agent: string) =>
      call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password }, headers: { 'user-agent': agent } });
    const phone = (await login('Mozilla/5.0 (Linux; Android 14) Mobile\u0001')).data.token as string;
    const laptop = (await login('Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0')).data.token as string;

    const list = await call(ctx.app, 'GET', '/me/sessions', { token: laptop });
    expect(list.statusCode).toBe(200);
    expect(list.data.sessions).toHaveLength(3);
    expect(list.data.sessions.filter((s: any) => s.current).map((s: any) => s.userAgent)).toEqual([
      'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0'
    ]);
    expect(list.data.sessions.map((s: any) => s.userAgent)).toContain('Mozilla/5.0 (Linux; Android 14) Mobile');
    expect(Object.keys(list.data.sessions[0]).sort()).toEqual(['createdAt', 'current', 'id', 'lastSeenAt', 'userAgent']);

    // End the phone's session from the laptop: the phone is signed out, the laptop is not.
    const phoneId = phone.split('.')[0]!;
    expect((await call(ctx.app, 'DELETE', `/me/sessions/${phoneId}`, { token: laptop })).statusCode).toBe(204);
    expectError(await call(ctx.app, 'GET', '/me', { token: phone }), 401, 'unauthenticated');
    expect((await call(ctx.app, 'GET', '/me', { token: laptop })).statusCode).toBe(200);
    expectError(await call(ctx.app, 'DELETE', `/me/sessions/${phoneId}`, { token: laptop }), 404, 'not_found');
    // Someone else's session is not found either, and stays.
    const other = await registerUser(ctx.app);
    expectError(await call(ctx.app, 'DELETE', `/me/sessions/${other.token.split('.')[0]}`, { token: laptop }), 404, 'not_found');
    expect((await call(ctx.app, 'GET', '/me', { token: other.token })).statusCode).toBe(200);

    // A wrong current password, a weak new one, the same one: refused, nothing ends.
    expectError(
      await call(ctx.app, 'POST', '/me/password', {
        token: laptop,
        body: { currentPassword: 'wrong password here', newPassword: 'a much better passphrase 42' }
      }),
      400,
      'validation_failed'
    );
    expectError(
      await call(ctx.app, 'POST', '/me/password', { token: laptop, body: { currentPassword: password, newPassword: 'short' } }),
      400,
      'validation_failed'
    );
    expectError(
      await call(ctx.app, 'POST', '/me/password', { token: laptop, body: { currentPassword: password, newPassword: password } }),
      400,
      'validation_failed'
    );
    expect((await call(ctx.app, 'GET', '/me', { token })).statusCode).toBe(200);

    const changed = await call(ctx.app, 'POST', '/me/password', {
      token: laptop,
      body: { currentPassword: password, newPassword: 'a much better passphrase 42' }
    });
    expect(changed.statusCode).toBe(200);
    expectError(await call(ctx.app, 'GET', '/me', { token }), 401, 'unauthenticated');
    expect((await call(ctx.app, 'GET', '/me', { token: laptop })).statusCode).toBe(200);
    expect((await call(ctx.app, 'GET', '/me/sessions', { token: laptop })).data.sessions).toHaveLength(1);
    expect((await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password } })).statusCode).toBe(401);
    expect(
      (await call(ctx.app, 'POST', '/auth/login', { body: { login: user.username, password: 'a much better passphrase 42' } })).statusCode
    ).toBe(200);
  });

  it('lets a suspended member change their password and end sessions, but not their profile', async () => {
    const member = await registerUser(ctx.app);
    const admin = await registerUser(ctx.app);
    await setRole(ctx.app, admin.user.id, 'admin');
    const until = new Date(Date.now() + 86_400_000).toISOString();
    expect(
      (await call(ctx.app, 'POST', `/users/${member.user.username}/suspend`, { token: admin.token, body: { until, reason: 'spam' } }))
        .statusCode
    ).toBe(200);
    expectError(await call(ctx.app, 'PATCH', '/me', { token: member.token, body: { bio: 'hello' } }), 403, 'suspended');
    const res = await call(ctx.app, 'POST', '/me/password', {
      token: member.token,
      body: { currentPassword: member.password, newPassword: 'another long passphrase 7' }
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('GET /api/v1/me/export', () => {
  it('hands the member everything they wrote and set, as a JSON download, and nothing of anyone else', async () => {
    const { createThread, reply } = await import('./helper.ts');
    const member = await registerUser(ctx.app);
    const other = await registerUser(ctx.app);
    const { thread, post: opening } = await createThread(ctx.app, member.token, {
      kind: 'question',
      title: 'Sigma Spectrum downstream occlusion export check',
      equipment: { manufacturer: 'Baxter', model: 'Sigma Spectrum', category: null, errorCode: 'E-203' },
      tags: ['alarm']
    });
    const theirs = await reply(ctx.app, other.token, thread.id, 'Someone else wrote this reply.');
    const mine = await reply(ctx.app, member.token, thread.id, 'Replaced the **door sensor**, fixed.', theirs.id);
    expect((await call(ctx.app, 'POST', `/posts/${theirs.id}/vote`, { token: member.token, body: { value: 1 } })).statusCode).toBe(200);
    expect(
      (await call(ctx.app, 'PUT', '/drafts/new:bmet', { token: member.token, body: { fields: { body: 'half a thought' } } })).statusCode
    ).toBeLessThan(300);
    expect((await call(ctx.app, 'PUT', '/boards/bmet/watch', { token: member.token, body: { watching: true } })).statusCode).toBe(200);

    const res = await call(ctx.app, 'GET', '/me/export', { token: member.token });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="bmet-forum-${member.user.username}.json"`);
    expect(res.headers['cache-control']).toBe('no-store');
    const data = res.data;
    expect(data.user).toMatchObject({ username: member.user.username, email: `${member.user.username}@example.org` });
    expect(data.threads).toEqual([
      expect.objectContaining({ id: thread.id, board: 'bmet', title: 'Sigma Spectrum downstream occlusion export check', tags: ['alarm'] })
    ]);
    expect(data.threads[0].equipment).toMatchObject({ manufacturer: 'Baxter', model: 'Sigma Spectrum', errorCode: 'E-203' });
    expect(data.posts.map((p: any) => p.id)).toEqual([opening.id, mine.id]);
    expect(data.posts[1]).toMatchObject({ body: 'Replaced the **door sensor**, fixed.', parentId: theirs.id, deleted: false });
    expect(data.votes).toEqual([expect.objectContaining({ postId: theirs.id, value: 1 })]);
    expect(data.drafts).toEqual([expect.objectContaining({ key: 'new:bmet', fields: { body: 'half a thought' } })]);
    expect(data.watches.boards.map((b: any) => b.slug)).toContain('bmet');
    expect(data.sessions).toHaveLength(1);
    // Nothing secret and nothing of the other member.
    expect(res.body).not.toContain('Someone else wrote this reply.');
    expect(res.body).not.toContain(other.user.username);
    expect(res.body).not.toMatch(/passwordHash|secretHash|\$argon2|\$scrypt/);

    expectError(await call(ctx.app, 'GET', '/me/export'), 401, 'unauthenticated');
  });

  it('gives at most five exports an hour, and guesses at the current password meet the login limit', async () => {
    const member = await registerUser(limited.app);
    for (let i = 0; i < 5; i++) expect((await call(limited.app, 'GET', '/me/export', { token: member.token })).statusCode).toBe(200);
    expectError(await call(limited.app, 'GET', '/me/export', { token: member.token }), 429, 'rate_limited');
    const guess = (currentPassword: string) =>
      call(limited.app, 'POST', '/me/password', {
        token: member.token,
        body: { currentPassword, newPassword: 'a much better passphrase 42' }
      });
    for (let i = 0; i < defaultLimits.loginFailures.max; i++) expectError(await guess(`wrong guess number ${i}`), 400, 'validation_failed');
    // Spent: even the right password waits now, and nothing changed.
    expectError(await guess(member.password), 429, 'rate_limited');
    expect(
      (await call(limited.app, 'POST', '/auth/login', { body: { login: member.user.username, password: member.password } })).statusCode
    ).toBe(200);
  });
});
