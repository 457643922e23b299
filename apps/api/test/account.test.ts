import { describe, expect, it } from 'vitest';
import { call, expectError, registerUser, setRole, useApp } from './helper.ts';

const ctx = useApp();

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
