import { accountTokens, mailOutbox, users } from '@bmet/db/schema';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAIL } from '../src/plugins/mail.ts';
import { defaultLimits } from '../src/lib/rate-limit.ts';
import { createAccountToken } from '../src/lib/account-tokens.ts';
import { call, expectError, registerUser, unique, useApp } from './helper.ts';
import { addressOf, startInbox, tokenIn, type Inbox } from './mail-helper.ts';

let inbox: Inbox;
beforeAll(async () => {
  inbox = await startInbox();
});
afterAll(async () => {
  await inbox.stop();
});

const ctx = useApp({
  get mail() {
    return {
      config: { ...DEFAULT_MAIL, publicUrl: 'https://forum.example.org', smtpUrl: inbox.url, from: 'forum@example.org' },
      jobs: { pollingIntervalSeconds: 0.5, queues: { 'mail-send': { retryLimit: 3, retryDelaySeconds: 1 } } },
      digestScanMs: 0
    };
  }
});

const forUser = (email: string, subject: RegExp) => (r: { rcptTo: string[]; mail: { subject?: string } }) =>
  r.rcptTo.includes(email.toLowerCase()) && subject.test(r.mail.subject ?? '');

describe('verifying an address', () => {
  it('sends a new account a link whose token confirms the address, once', async () => {
    const name = unique('verify');
    const email = `${name}@example.org`;
    const { token } = await registerUser(ctx.app, { username: name });
    const me = await call(ctx.app, 'GET', '/me', { token });
    expect(me.data.user.emailVerified).toBe(false);

    const { mail } = await inbox.waitFor(forUser(email, /Confirm your e-mail address/));
    expect(addressOf(mail)).toBe(email);
    expect(mail.from?.value[0]).toEqual({ name: 'BMET Forum', address: 'forum@example.org' });
    expect(mail.messageId).toMatch(/@example\.org>$/);
    expect(mail.text).toContain('https://forum.example.org/verify-email?token=');
    expect(mail.html).toContain('Confirm my address');
    const link = tokenIn(mail, '/verify-email');

    // Forged, malformed, unknown: the same answer, and nothing changes.
    const [id, secret] = link.split('.');
    expectError(
      await call(ctx.app, 'POST', '/auth/verify-email', {
        body: { token: `${id}.${secret!.replace(/.$/, secret!.endsWith('a') ? 'b' : 'a')}` }
      }),
      400,
      'token_invalid'
    );
    expectError(await call(ctx.app, 'POST', '/auth/verify-email', { body: { token: 'nonsense' } }), 400, 'token_invalid');
    expectError(await call(ctx.app, 'POST', '/auth/verify-email', { body: { token: 'aaaa.bbbb' } }), 400, 'token_invalid');
    expectError(await call(ctx.app, 'POST', '/auth/verify-email', { body: {} }), 400, 'validation_failed');
    expect((await call(ctx.app, 'GET', '/me', { token })).data.user.emailVerified).toBe(false);

    const ok = await call(ctx.app, 'POST', '/auth/verify-email', { body: { token: link } });
    expect(ok.statusCode).toBe(200);
    expect(ok.data).toEqual({ email, changed: false });
    expect((await call(ctx.app, 'GET', '/me', { token })).data.user.emailVerified).toBe(true);
    expectError(await call(ctx.app, 'POST', '/auth/verify-email', { body: { token: link } }), 400, 'token_used');
  });

  it('refuses an expired link and sends a new one on request, within limits', async () => {
    const name = unique('expire');
    const email = `${name}@example.org`;
    const { token } = await registerUser(ctx.app, { username: name });
    const first = tokenIn((await inbox.waitFor(forUser(email, /Confirm your e-mail/))).mail, '/verify-email');
    await ctx.app.db
      .update(accountTokens)
      .set({ expiresAt: sql`now() - interval '1 minute'` })
      .where(eq(accountTokens.id, first.split('.')[0]!));
    expectError(await call(ctx.app, 'POST', '/auth/verify-email', { body: { token: first } }), 400, 'token_expired');

    const before = inbox.to(email).length;
    expect((await call(ctx.app, 'POST', '/me/email/verification', { token })).statusCode).toBe(202);
    const again = await inbox.waitFor((r) => r.rcptTo.includes(email) && inbox.to(email).indexOf(r) >= before);
    expect((await call(ctx.app, 'POST', '/auth/verify-email', { body: { token: tokenIn(again.mail, '/verify-email') } })).statusCode).toBe(
      200
    );
    expectError(await call(ctx.app, 'POST', '/me/email/verification', { token }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'POST', '/me/email/verification'), 401, 'unauthenticated');
  });
});

describe('a forgotten password', () => {
  it('answers 202 for any address, mails only an existing one, and the link resets the password and ends every session', async () => {
    const name = unique('forgot');
    const email = `${name}@example.org`;
    const { token, password } = await registerUser(ctx.app, { username: name });
    const second = await call(ctx.app, 'POST', '/auth/login', { body: { login: name, password } });
    expect(second.statusCode).toBe(200);

    const unknown = await call(ctx.app, 'POST', '/auth/password/forgot', { body: { email: `nobody-${name}@example.org` } });
    const known = await call(ctx.app, 'POST', '/auth/password/forgot', { body: { email: email.toUpperCase() } });
    expect(unknown.statusCode).toBe(202);
    expect(known.statusCode).toBe(202);
    expect(unknown.body).toBe(known.body);
    expectError(await call(ctx.app, 'POST', '/auth/password/forgot', { body: { email: 'not an address' } }), 400, 'validation_failed');

    const { mail } = await inbox.waitFor(forUser(email, /Reset your/));
    expect(mail.text).toContain(name);
    const link = tokenIn(mail, '/reset-password');
    // The job for the unknown address ran too, and wrote nothing.
    await waitForJobs('password-forgot');
    const outbox = await ctx.app.db
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(sql`${mailOutbox.toAddress} like ${`nobody-${name}%`}`);
    expect(outbox).toEqual([]);

    // A weak password is refused and the link stays good.
    expectError(
      await call(ctx.app, 'POST', '/auth/password/reset', { body: { token: link, password: 'password123' } }),
      400,
      'validation_failed'
    );
    const reset = await call(ctx.app, 'POST', '/auth/password/reset', { body: { token: link, password: 'a fresh pump passphrase' } });
    expect(reset.statusCode).toBe(200);
    expect(reset.data.user.username).toBe(name);
    // Every session from before is gone; the new password signs in; the link is spent.
    expect((await call(ctx.app, 'GET', '/me', { token })).statusCode).toBe(401);
    expect((await call(ctx.app, 'GET', '/me', { token: second.data.token })).statusCode).toBe(401);
    expect((await call(ctx.app, 'POST', '/auth/login', { body: { login: name, password } })).statusCode).toBe(401);
    expect((await call(ctx.app, 'POST', '/auth/login', { body: { login: name, password: 'a fresh pump passphrase' } })).statusCode).toBe(
      200
    );
    expectError(
      await call(ctx.app, 'POST', '/auth/password/reset', { body: { token: link, password: 'another new passphrase' } }),
      400,
      'token_used'
    );
    // The address was proven by the link, and its owner hears that the password changed.
    const [row] = await ctx.app.db.select().from(users).where(eq(users.username, name));
    expect(row!.emailVerifiedAt).not.toBeNull();
    await inbox.waitFor(forUser(email, /your password was changed/));
  });
});

async function waitForJobs(queue: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rows } = (await ctx.app.db.execute(
      sql`select count(*)::int as n from pgboss.job where name = ${queue} and state in ('created', 'retry', 'active')`
    )) as unknown as { rows: { n: number }[] };
    if (rows[0]!.n === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`jobs of ${queue} still waiting`);
}

describe('changing the address', () => {
  it('checks the password and the address, mails the new one, and changes it only when that link is confirmed', async () => {
    const name = unique('move');
    const email = `${name}@example.org`;
    const { token, password } = await registerUser(ctx.app, { username: name });
    const taken = await registerUser(ctx.app);
    const newEmail = `${name}-new@example.net`;

    expectError(
      await call(ctx.app, 'POST', '/me/email', { token, body: { email: newEmail, password: 'not the password' } }),
      400,
      'validation_failed'
    );
    expectError(
      await call(ctx.app, 'POST', '/me/email', { token, body: { email: `${taken.user.username}@EXAMPLE.org`, password } }),
      409,
      'conflict'
    );
    expectError(
      await call(ctx.app, 'POST', '/me/email', { token, body: { email: email.toUpperCase(), password } }),
      400,
      'validation_failed'
    );
    expectError(
      await call(ctx.app, 'POST', '/me/email', { token, body: { email: 'two words@x.org', password } }),
      400,
      'validation_failed'
    );
    expectError(await call(ctx.app, 'POST', '/me/email', { body: { email: newEmail, password } }), 401, 'unauthenticated');

    const asked = await call(ctx.app, 'POST', '/me/email', { token, body: { email: newEmail, password } });
    expect(asked.statusCode).toBe(202);
    expect(asked.data).toEqual({ pendingEmail: newEmail });
    // Nothing changes until the new address confirms it.
    expect((await call(ctx.app, 'GET', '/me', { token })).data.user.email).toBe(email);
    const { mail } = await inbox.waitFor(forUser(newEmail, /Confirm your new e-mail address/));
    const link = tokenIn(mail, '/verify-email');

    const done = await call(ctx.app, 'POST', '/auth/verify-email', { body: { token: link } });
    expect(done.statusCode).toBe(200);
    expect(done.data).toEqual({ email: newEmail, changed: true });
    const me = (await call(ctx.app, 'GET', '/me', { token })).data.user;
    expect(me).toMatchObject({ email: newEmail, emailVerified: true });
    expect((await call(ctx.app, 'POST', '/auth/login', { body: { login: newEmail, password } })).statusCode).toBe(200);
    expectError(await call(ctx.app, 'POST', '/auth/verify-email', { body: { token: link } }), 400, 'token_used');
    // The first verification link was voided by the change.
    const old = tokenIn((await inbox.waitFor(forUser(email, /Confirm your e-mail address/))).mail, '/verify-email');
    expectError(await call(ctx.app, 'POST', '/auth/verify-email', { body: { token: old } }), 400, 'token_used');
    // And a verification link for an address the account no longer has (made here as if one
    // had survived) confirms nothing.
    const [row] = await ctx.app.db.select().from(users).where(eq(users.username, name));
    const stray = await createAccountToken(ctx.app.db, { purpose: 'email_verify', userId: row!.id, target: email });
    expectError(await call(ctx.app, 'POST', '/auth/verify-email', { body: { token: stray } }), 400, 'token_invalid');
  });

  it('tells the old address, and refuses the change when the address was taken meanwhile', async () => {
    const name = unique('told');
    const email = `${name}@example.org`;
    const { token, password } = await registerUser(ctx.app, { username: name });
    const verify = tokenIn((await inbox.waitFor(forUser(email, /Confirm your e-mail address/))).mail, '/verify-email');
    await call(ctx.app, 'POST', '/auth/verify-email', { body: { token: verify } });
    const target = `${name}-target@example.net`;
    await call(ctx.app, 'POST', '/me/email', { token, body: { email: target, password } });
    const link = tokenIn((await inbox.waitFor(forUser(target, /Confirm your new e-mail/))).mail, '/verify-email');
    // Someone registers with that address before the link is used.
    await registerUser(ctx.app, { username: unique('squat'), email: target });
    expectError(await call(ctx.app, 'POST', '/auth/verify-email', { body: { token: link } }), 409, 'conflict');
    expect((await call(ctx.app, 'GET', '/me', { token })).data.user.email).toBe(email);

    const other = `${name}-other@example.net`;
    await call(ctx.app, 'POST', '/me/email', { token, body: { email: other, password } });
    const second = tokenIn((await inbox.waitFor(forUser(other, /Confirm your new e-mail/))).mail, '/verify-email');
    expect((await call(ctx.app, 'POST', '/auth/verify-email', { body: { token: second } })).statusCode).toBe(200);
    const notice = await inbox.waitFor(forUser(email, /your e-mail address was changed/));
    expect(notice.mail.text).toContain('@example.net');
    expect(notice.mail.text).not.toContain(other);
  });
});

describe('limits on what sends e-mail', () => {
  const limited = useApp({ limits: { ...defaultLimits }, mail: { digestScanMs: 0 } });

  it('caps reset requests per address and per client, verification resends and address changes per account', async () => {
    const { app } = limited;
    const target = `${unique('cap')}@example.org`;
    const queued = async () => {
      const { rows } = (await app.db.execute(
        sql`select count(*)::int as n from pgboss.job where name = 'password-forgot' and data->>'email' = ${target}`
      )) as unknown as { rows: { n: number }[] };
      return rows[0]!.n;
    };
    // From one client: three e-mails to an address an hour; past that the answer is the same and nothing goes.
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push((await call(app, 'POST', '/auth/password/forgot', { body: { email: target }, ip: '10.9.0.1' })).statusCode);
    expect(codes).toEqual([202, 202, 202, 202]);
    expect(await queued()).toBe(3);
    // From everywhere: twelve; a thirteenth client's request is answered alike and sends nothing.
    for (let i = 2; i <= 4; i++) {
      for (let j = 0; j < 3; j++) await call(app, 'POST', '/auth/password/forgot', { body: { email: target }, ip: `10.9.0.${i}` });
    }
    expect(await queued()).toBe(12);
    const last = await call(app, 'POST', '/auth/password/forgot', { body: { email: target }, ip: '10.9.0.9' });
    expect(last.statusCode).toBe(202);
    expect(await queued()).toBe(12);
    // Per client address, whatever the addresses asked for.
    const ip = '10.9.1.1';
    const perClient: number[] = [];
    for (let i = 0; i < 11; i++)
      perClient.push(
        (await call(app, 'POST', '/auth/password/forgot', { body: { email: `${unique('many')}@example.org` }, ip })).statusCode
      );
    expect(perClient.slice(0, 10).every((c) => c === 202)).toBe(true);
    expect(perClient[10]).toBe(429);

    const member = await registerUser(app);
    const resends: number[] = [];
    for (let i = 0; i < 4; i++) resends.push((await call(app, 'POST', '/me/email/verification', { token: member.token })).statusCode);
    // Three e-mails with a link to one address an hour.
    expect(resends).toEqual([202, 202, 202, 429]);
    const changes: number[] = [];
    for (let i = 0; i < 6; i++) {
      changes.push(
        (
          await call(app, 'POST', '/me/email', {
            token: member.token,
            body: { email: `${unique('c')}@example.net`, password: member.password }
          })
        ).statusCode
      );
    }
    // Five an hour per account, the four resends above counted (the refused one too).
    expect(changes).toEqual([202, 429, 429, 429, 429, 429]);
  });
});
