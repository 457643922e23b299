import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { sessions, users } from '@bmet/db/schema';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { defaultLimits } from '../src/lib/rate-limit.ts';
import { call, createThread, expectError, registerUser, setRole, useApp } from './helper.ts';

const ctx = useApp();

/** The code an authenticator app would show `offset` steps from now. */
const codeFor = (key: string, offset = 0) =>
  generateHOTP(decodeBase32IgnorePadding(key), BigInt(Math.floor(Date.now() / 30_000) + offset), 6);

async function enrol(app: FastifyInstance, member: { token: string; password: string }) {
  const setup = await call(app, 'POST', '/me/two-factor/setup', { token: member.token });
  expect(setup.statusCode).toBe(200);
  const enabled = await call(app, 'POST', '/me/two-factor', {
    token: member.token,
    body: { key: setup.data.key, code: codeFor(setup.data.key, -1), password: member.password }
  });
  expect(enabled.statusCode).toBe(200);
  return { key: setup.data.key as string, recoveryCodes: enabled.data.recoveryCodes as string[] };
}

async function login(app: FastifyInstance, username: string, password: string) {
  return call(app, 'POST', '/auth/login', { body: { login: username, password } });
}

describe('two-factor sign-in', () => {
  it('enrols an app with a code from it, then asks for a code after the password; a code is good once', async () => {
    const member = await registerUser(ctx.app);
    const name = member.user.username;
    const setup = await call(ctx.app, 'POST', '/me/two-factor/setup', { token: member.token });
    expect(setup.data.key).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.data.uri).toBe(
      `otpauth://totp/BMET%20Forum:${name}?issuer=BMET+Forum&algorithm=SHA1&secret=${setup.data.key}&period=30&digits=6`
    );
    const { key } = setup.data;
    // Codes of explicit 30-second steps: the test does not depend on when a step turns.
    const step0 = Math.floor(Date.now() / 30_000);
    const at = (step: number) => generateHOTP(decodeBase32IgnorePadding(key), BigInt(step), 6);
    // A session from before two-factor sign-in was on: it ends when it is turned on.
    const before = await login(ctx.app, name, member.password);

    expectError(
      await call(ctx.app, 'POST', '/me/two-factor', { token: member.token, body: { key, code: '000000', password: member.password } }),
      400,
      'validation_failed'
    );
    expectError(
      await call(ctx.app, 'POST', '/me/two-factor', { token: member.token, body: { key, code: codeFor(key), password: 'wrong password' } }),
      400,
      'validation_failed'
    );
    expectError(
      await call(ctx.app, 'POST', '/me/two-factor', {
        token: member.token,
        body: { key: 'AAAA', code: codeFor(key), password: member.password }
      }),
      400,
      'validation_failed'
    );
    expect((await call(ctx.app, 'GET', '/me/two-factor', { token: member.token })).data).toEqual({
      enabled: false,
      totp: false,
      passkeys: 0,
      passkeysAvailable: false,
      recoveryCodesLeft: 0,
      requiredForModerators: false
    });

    const enabled = await call(ctx.app, 'POST', '/me/two-factor', {
      token: member.token,
      body: { key, code: at(step0), password: member.password }
    });
    expect(enabled.statusCode).toBe(200);
    expectError(await call(ctx.app, 'GET', '/me', { token: before.data.token }), 401, 'unauthenticated');
    expect((await call(ctx.app, 'GET', '/me', { token: member.token })).statusCode).toBe(200);
    expect(enabled.data.recoveryCodes).toHaveLength(10);
    expect((await call(ctx.app, 'GET', '/me/two-factor', { token: member.token })).data).toMatchObject({
      enabled: true,
      recoveryCodesLeft: 10
    });
    expectError(await call(ctx.app, 'POST', '/me/two-factor/setup', { token: member.token }), 409, 'conflict');
    // The key is kept sealed, not as the app's secret.
    const [row] = await ctx.app.db
      .select({ totpKey: users.totpKey })
      .from(users)
      .where(eq(users.id, Number(member.user.id)));
    expect(row!.totpKey!.length).toBe(12 + 20 + 16);
    expect(Buffer.from(row!.totpKey!).includes(Buffer.from(decodeBase32IgnorePadding(key)))).toBe(false);

    // The password alone gives a session that can only take the second factor, for minutes.
    const first = await login(ctx.app, name, member.password);
    expect(first.statusCode).toBe(200);
    expect(first.data.twoFactorRequired).toBe(true);
    const pending = first.data.token as string;
    expectError(await call(ctx.app, 'GET', '/me', { token: pending }), 401, 'unauthenticated');
    expectError(
      await call(ctx.app, 'POST', '/boards/bmet/threads', { token: pending, body: { title: 'Pending session post', body: 'x' } }),
      401,
      'unauthenticated'
    );
    const [session] = await ctx.app.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, pending.split('.')[0]!));
    expect(session!.twoFactorPending).toBe(true);
    expect(session!.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);

    expectError(await call(ctx.app, 'POST', '/auth/two-factor', { token: pending, body: { code: '123456' } }), 400, 'two_factor_invalid');
    expectError(await call(ctx.app, 'POST', '/auth/two-factor', { body: { code: at(step0 + 1) } }), 401, 'unauthenticated');
    expectError(
      await call(ctx.app, 'POST', '/auth/two-factor', { token: member.token, body: { code: at(step0 + 1) } }),
      401,
      'unauthenticated'
    );
    // The code of the step used to enrol was used: the next one signs in.
    expectError(await call(ctx.app, 'POST', '/auth/two-factor', { token: pending, body: { code: at(step0) } }), 400, 'two_factor_invalid');
    const second = await call(ctx.app, 'POST', '/auth/two-factor', { token: pending, body: { code: at(step0 + 1) } });
    expect(second.statusCode).toBe(200);
    expect(second.data.token).toBe(pending);
    expect((await call(ctx.app, 'GET', '/me', { token: pending })).data.user.username).toBe(name);
    const [full] = await ctx.app.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, pending.split('.')[0]!));
    expect(full!.twoFactorPending).toBe(false);
    expect(full!.expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * 24 * 3600_000);

    // The same code again, from another login: refused.
    const replay = await login(ctx.app, name, member.password);
    expectError(
      await call(ctx.app, 'POST', '/auth/two-factor', { token: replay.data.token, body: { code: at(step0 + 1) } }),
      400,
      'two_factor_invalid'
    );
    // Giving up logs the half-signed-in session out.
    expect((await call(ctx.app, 'POST', '/auth/logout', { token: replay.data.token })).statusCode).toBe(204);
    expectError(
      await call(ctx.app, 'POST', '/auth/two-factor', { token: replay.data.token, body: { code: at(step0 + 1) } }),
      401,
      'unauthenticated'
    );
  });

  it('takes each recovery code once, makes new ones, and turns off with the password and a code', async () => {
    const member = await registerUser(ctx.app);
    const name = member.user.username;
    const { key, recoveryCodes } = await enrol(ctx.app, member);
    const pending = (await login(ctx.app, name, member.password)).data.token;
    // As typed from paper: capitals and spaces.
    const typed = recoveryCodes[0]!.toUpperCase().replace(/-/g, ' ');
    expect((await call(ctx.app, 'POST', '/auth/two-factor', { token: pending, body: { code: typed } })).statusCode).toBe(200);
    const again = (await login(ctx.app, name, member.password)).data.token;
    expectError(
      await call(ctx.app, 'POST', '/auth/two-factor', { token: again, body: { code: recoveryCodes[0]! } }),
      400,
      'two_factor_invalid'
    );
    expect((await call(ctx.app, 'GET', '/me/two-factor', { token: member.token })).data.recoveryCodesLeft).toBe(9);

    expectError(
      await call(ctx.app, 'POST', '/me/two-factor/recovery-codes', { token: member.token, body: { password: 'nope nope nope' } }),
      400,
      'validation_failed'
    );
    const fresh = await call(ctx.app, 'POST', '/me/two-factor/recovery-codes', {
      token: member.token,
      body: { password: member.password }
    });
    expect(fresh.data.recoveryCodes).toHaveLength(10);
    expectError(
      await call(ctx.app, 'POST', '/auth/two-factor', { token: again, body: { code: recoveryCodes[1]! } }),
      400,
      'two_factor_invalid'
    );

    expectError(
      await call(ctx.app, 'DELETE', '/me/two-factor', { token: member.token, body: { password: member.password, code: '000000' } }),
      400,
      'two_factor_invalid'
    );
    expectError(
      await call(ctx.app, 'DELETE', '/me/two-factor', { token: member.token, body: { password: 'wrong', code: codeFor(key, 1) } }),
      400,
      'validation_failed'
    );
    expect(
      (
        await call(ctx.app, 'DELETE', '/me/two-factor', {
          token: member.token,
          body: { password: member.password, code: fresh.data.recoveryCodes[3] }
        })
      ).statusCode
    ).toBe(204);
    const plain = await login(ctx.app, name, member.password);
    expect(plain.data.twoFactorRequired).toBeUndefined();
    expect((await call(ctx.app, 'GET', '/me', { token: plain.data.token })).statusCode).toBe(200);
    expect((await call(ctx.app, 'GET', '/me/two-factor', { token: member.token })).data).toMatchObject({
      enabled: false,
      recoveryCodesLeft: 0
    });
  });

  it('lets admins require it of moderators: until they have it they act as members', async () => {
    const admin = await registerUser(ctx.app);
    await setRole(ctx.app, admin.user.id, 'admin');
    const moderator = await registerUser(ctx.app);
    await setRole(ctx.app, moderator.user.id, 'moderator');
    const author = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, author.token);

    // An admin without it would lock themself out: refused.
    expectError(
      await call(ctx.app, 'PUT', '/admin/settings', { token: admin.token, body: { requireTwoFactorForModerators: true } }),
      400,
      'validation_failed'
    );
    expectError(
      await call(ctx.app, 'PUT', '/admin/settings', { token: moderator.token, body: { requireTwoFactorForModerators: true } }),
      403,
      'forbidden'
    );
    expectError(await call(ctx.app, 'GET', '/admin/settings'), 401, 'unauthenticated');
    await enrol(ctx.app, admin);
    const set = await call(ctx.app, 'PUT', '/admin/settings', { token: admin.token, body: { requireTwoFactorForModerators: true } });
    expect(set.data).toEqual({ requireTwoFactorForModerators: true });
    const log = await call(ctx.app, 'GET', '/mod/log', { token: admin.token });
    expect(log.data.entries.some((e: { action: string }) => e.action === 'site.require_two_factor')).toBe(true);

    const me = await call(ctx.app, 'GET', '/me', { token: moderator.token });
    expect(me.data.twoFactorSetupRequired).toBe(true);
    expectError(
      await call(ctx.app, 'POST', `/threads/${thread.id}/lock`, { token: moderator.token, body: { locked: true } }),
      403,
      'two_factor_required'
    );
    expect((await call(ctx.app, 'GET', '/me/two-factor', { token: moderator.token })).data.requiredForModerators).toBe(true);
    await enrol(ctx.app, moderator);
    expect((await call(ctx.app, 'GET', '/me', { token: moderator.token })).data.twoFactorSetupRequired).toBeUndefined();
    expect((await call(ctx.app, 'POST', `/threads/${thread.id}/lock`, { token: moderator.token, body: { locked: true } })).statusCode).toBe(
      200
    );
    // Members are not touched by the rule.
    expect((await call(ctx.app, 'GET', '/me', { token: author.token })).data.twoFactorSetupRequired).toBeUndefined();
    await call(ctx.app, 'PUT', '/admin/settings', { token: admin.token, body: { requireTwoFactorForModerators: false } });
  });
});

describe('guessing codes', () => {
  const limited = useApp({ limits: { ...defaultLimits } });

  it('stops a sign-in after five wrong codes, even with the right one; the password again gives five more', async () => {
    const { app } = limited;
    const member = await registerUser(app);
    const { key } = await enrol(app, member);
    const pending = (await login(app, member.user.username, member.password)).data.token;
    for (let i = 0; i < 5; i++) {
      expectError(
        await call(app, 'POST', '/auth/two-factor', { token: pending, body: { code: String(100000 + i) } }),
        400,
        'two_factor_invalid'
      );
    }
    const refused = await call(app, 'POST', '/auth/two-factor', { token: pending, body: { code: codeFor(key, 1) } });
    expectError(refused, 429, 'rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The limit is this sign-in's: whoever has the password cannot lock the owner's next one out.
    const again = (await login(app, member.user.username, member.password)).data.token;
    expect((await call(app, 'POST', '/auth/two-factor', { token: again, body: { code: codeFor(key, 1) } })).statusCode).toBe(200);
  });
});
