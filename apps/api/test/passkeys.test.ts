import { describe, expect, it } from 'vitest';
import { DEFAULT_MAIL } from '../src/plugins/mail.ts';
import { call, expectError, registerUser, useApp } from './helper.ts';
import { SoftAuthenticator } from './soft-authenticator.ts';

const ORIGIN = 'https://forum.example.org';
const ctx = useApp({ mail: { config: { ...DEFAULT_MAIL, publicUrl: ORIGIN }, digestScanMs: 0 } });
// The default address is an IP: WebAuthn takes no IP as the relying party.
const byAddress = useApp();

type Member = Awaited<ReturnType<typeof registerUser>>;

async function addPasskey(member: Member, key: SoftAuthenticator, name?: string) {
  const options = await call(ctx.app, 'POST', '/me/passkeys/options', { token: member.token });
  expect(options.statusCode).toBe(200);
  return call(ctx.app, 'POST', '/me/passkeys', {
    token: member.token,
    body: { response: key.register(options.data.options), password: member.password, ...(name === undefined ? {} : { name }) }
  });
}

async function pendingLogin(member: Member): Promise<string> {
  const login = await call(ctx.app, 'POST', '/auth/login', { body: { login: member.user.username, password: member.password } });
  expect(login.data.twoFactorRequired).toBe(true);
  return login.data.token;
}

describe('passkeys as a second factor', () => {
  it('registers a passkey with the password (the first brings recovery codes) and checks what the browser sent', async () => {
    const member = await registerUser(ctx.app);
    const key = new SoftAuthenticator(ORIGIN, 'forum.example.org');
    expect((await call(ctx.app, 'GET', '/me/passkeys', { token: member.token })).data).toEqual({ passkeys: [], available: true });

    const options = await call(ctx.app, 'POST', '/me/passkeys/options', { token: member.token });
    expect(options.data.options).toMatchObject({ rp: { name: 'BMET Forum', id: 'forum.example.org' }, attestation: 'none' });
    expectError(
      await call(ctx.app, 'POST', '/me/passkeys', {
        token: member.token,
        body: { response: key.register(options.data.options), password: 'wrong one' }
      }),
      400,
      'validation_failed'
    );
    // Another site's page made it: refused (and the challenge is spent).
    const elsewhere = await call(ctx.app, 'POST', '/me/passkeys/options', { token: member.token });
    expectError(
      await call(ctx.app, 'POST', '/me/passkeys', {
        token: member.token,
        body: { response: key.register(elsewhere.data.options, 'https://evil.example'), password: member.password }
      }),
      400,
      'two_factor_invalid'
    );
    // That request's challenge is spent: the right origin now is refused too.
    expectError(
      await call(ctx.app, 'POST', '/me/passkeys', {
        token: member.token,
        body: { response: key.register(elsewhere.data.options), password: member.password }
      }),
      400,
      'two_factor_invalid'
    );
    // A key made for another relying party (another site's name) is refused.
    const otherSite = await call(ctx.app, 'POST', '/me/passkeys/options', { token: member.token });
    expectError(
      await call(ctx.app, 'POST', '/me/passkeys', {
        token: member.token,
        body: { response: new SoftAuthenticator(ORIGIN, 'evil.example').register(otherSite.data.options), password: member.password }
      }),
      400,
      'two_factor_invalid'
    );
    expectError(
      await call(ctx.app, 'POST', '/me/passkeys', { token: member.token, body: { response: { id: 'x' }, password: member.password } }),
      400,
      'validation_failed'
    );

    const fresh = await call(ctx.app, 'POST', '/me/passkeys/options', { token: member.token });
    const made = key.register(fresh.data.options);
    const first = await call(ctx.app, 'POST', '/me/passkeys', {
      token: member.token,
      body: { response: made, password: member.password, name: 'YubiKey on my badge\u0007' }
    });
    expect(first.statusCode).toBe(201);
    expect(first.data.passkey).toMatchObject({ id: key.id, name: 'YubiKey on my badge', lastUsedAt: null });
    expect(first.data.recoveryCodes).toHaveLength(10);
    // The same answer again: its challenge is spent.
    expectError(
      await call(ctx.app, 'POST', '/me/passkeys', { token: member.token, body: { response: made, password: member.password } }),
      400,
      'two_factor_invalid'
    );
    // The same key again, from a fresh request: it is registered already.
    expectError(await addPasskey(member, key), 409, 'conflict');
    // A second one: no new recovery codes.
    const second = await addPasskey(member, new SoftAuthenticator(ORIGIN, 'forum.example.org'));
    expect(second.statusCode).toBe(201);
    expect(second.data.recoveryCodes).toBeUndefined();
    expect((await call(ctx.app, 'GET', '/me/two-factor', { token: member.token })).data).toMatchObject({
      enabled: true,
      totp: false,
      passkeys: 2,
      passkeysAvailable: true,
      recoveryCodesLeft: 10
    });
    expectError(await call(ctx.app, 'POST', '/me/passkeys/options'), 401, 'unauthenticated');
  });

  it('signs in with the passkey after the password, each answer once, never with another account’s key', async () => {
    const member = await registerUser(ctx.app);
    const key = new SoftAuthenticator(ORIGIN, 'forum.example.org');
    await addPasskey(member, key);
    const pending = await pendingLogin(member);
    expectError(await call(ctx.app, 'POST', '/auth/two-factor/passkey/options'), 401, 'unauthenticated');
    expectError(await call(ctx.app, 'POST', '/auth/two-factor/passkey/options', { token: member.token }), 401, 'unauthenticated');

    const options = await call(ctx.app, 'POST', '/auth/two-factor/passkey/options', { token: pending });
    expect(options.data.options.allowCredentials).toEqual([{ id: key.id, type: 'public-key', transports: ['usb'] }]);
    const answer = key.authenticate(options.data.options);
    const done = await call(ctx.app, 'POST', '/auth/two-factor/passkey', { token: pending, body: { response: answer } });
    expect(done.statusCode).toBe(200);
    expect(done.data.token).toBe(pending);
    expect((await call(ctx.app, 'GET', '/me', { token: pending })).statusCode).toBe(200);
    const listed = (await call(ctx.app, 'GET', '/me/passkeys', { token: member.token })).data.passkeys;
    expect(listed[0].lastUsedAt).not.toBeNull();

    // Replayed in another sign-in: no challenge of that session matches.
    const again = await pendingLogin(member);
    expectError(
      await call(ctx.app, 'POST', '/auth/two-factor/passkey', { token: again, body: { response: answer } }),
      400,
      'two_factor_invalid'
    );
    // A cloned key whose counter went backwards is refused.
    const options2 = await call(ctx.app, 'POST', '/auth/two-factor/passkey/options', { token: again });
    key.counter = 0;
    expectError(
      await call(ctx.app, 'POST', '/auth/two-factor/passkey', {
        token: again,
        body: { response: key.authenticate(options2.data.options) }
      }),
      400,
      'two_factor_invalid'
    );
    // Someone else's passkey, even a valid signature, does not sign this account in.
    const other = await registerUser(ctx.app);
    const theirs = new SoftAuthenticator(ORIGIN, 'forum.example.org');
    await addPasskey(other, theirs);
    const options3 = await call(ctx.app, 'POST', '/auth/two-factor/passkey/options', { token: again });
    expectError(
      await call(ctx.app, 'POST', '/auth/two-factor/passkey', {
        token: again,
        body: { response: theirs.authenticate(options3.data.options) }
      }),
      400,
      'two_factor_invalid'
    );
    expectError(await call(ctx.app, 'GET', '/me', { token: again }), 401, 'unauthenticated');
    // The right key, moving on: in.
    const options4 = await call(ctx.app, 'POST', '/auth/two-factor/passkey/options', { token: again });
    key.counter = 10;
    expect(
      (
        await call(ctx.app, 'POST', '/auth/two-factor/passkey', {
          token: again,
          body: { response: key.authenticate(options4.data.options) }
        })
      ).statusCode
    ).toBe(200);
  });

  it('removes passkeys with the password; the last one goes only with two-factor sign-in itself (a recovery code)', async () => {
    const member = await registerUser(ctx.app);
    const key = new SoftAuthenticator(ORIGIN, 'forum.example.org');
    const spare = new SoftAuthenticator(ORIGIN, 'forum.example.org');
    const { recoveryCodes } = (await addPasskey(member, key)).data;
    await addPasskey(member, spare);
    expectError(
      await call(ctx.app, 'DELETE', `/me/passkeys/${key.id}`, { token: member.token, body: { password: 'nope nope' } }),
      400,
      'validation_failed'
    );
    const stranger = await registerUser(ctx.app);
    expectError(
      await call(ctx.app, 'DELETE', `/me/passkeys/${key.id}`, { token: stranger.token, body: { password: stranger.password } }),
      404,
      'not_found'
    );
    expect(
      (await call(ctx.app, 'DELETE', `/me/passkeys/${key.id}`, { token: member.token, body: { password: member.password } })).statusCode
    ).toBe(204);
    // The spare is the last second factor: removing it alone would turn two-factor off with the password only.
    expectError(
      await call(ctx.app, 'DELETE', `/me/passkeys/${spare.id}`, { token: member.token, body: { password: member.password } }),
      409,
      'conflict'
    );
    expect(
      (
        await call(ctx.app, 'DELETE', '/me/two-factor', {
          token: member.token,
          body: { password: member.password, code: recoveryCodes[0] }
        })
      ).statusCode
    ).toBe(204);
    expect((await call(ctx.app, 'GET', '/me/two-factor', { token: member.token })).data).toMatchObject({
      enabled: false,
      passkeys: 0,
      recoveryCodesLeft: 0
    });
    expect((await call(ctx.app, 'GET', '/me/passkeys', { token: member.token })).data.passkeys).toEqual([]);
    const login = await call(ctx.app, 'POST', '/auth/login', { body: { login: member.user.username, password: member.password } });
    expect(login.data.twoFactorRequired).toBeUndefined();
  });

  it('is not offered where the forum is reached by an IP address', async () => {
    const member = await registerUser(byAddress.app);
    expect((await call(byAddress.app, 'GET', '/me/passkeys', { token: member.token })).data.available).toBe(false);
    expectError(await call(byAddress.app, 'POST', '/me/passkeys/options', { token: member.token }), 409, 'conflict');
  });
});
