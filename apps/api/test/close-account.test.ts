import { boardWatches, drafts, mailOutbox, notifications, sessions, users } from '@bmet/db/schema';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, setRole, unique, useApp } from './helper.ts';

// No SMTP_URL here: every e-mail waits in the outbox for an admin.
const ctx = useApp();

describe('DELETE /api/v1/me', () => {
  it('closes the account: sessions end, address and profile are erased, posts stay under a neutral name', async () => {
    const name = unique('leaving');
    const member = await registerUser(ctx.app, { username: name, displayName: 'Pat Leaving' });
    const other = await registerUser(ctx.app);
    const id = Number(member.user.id);
    await call(ctx.app, 'PATCH', '/me', { token: member.token, body: { bio: 'Imaging BMET, 12 years.' } });
    const { thread, post } = await createThread(ctx.app, member.token, { title: 'Leaving a thread behind: Alaris door latch' });
    const answer = await reply(ctx.app, other.token, thread.id, 'Replace the latch spring.', post.id);
    const mine = await reply(ctx.app, member.token, thread.id, 'Thanks, that fixed it.', answer.id);
    await reply(ctx.app, other.token, thread.id, 'Glad to hear it.', mine.id);
    await call(ctx.app, 'PUT', '/boards/bmet/watch', { token: member.token, body: { watching: true } });
    await call(ctx.app, 'PUT', '/drafts/new:bmet', { token: member.token, body: { fields: { body: 'half a thought' } } });
    const exported = await call(ctx.app, 'GET', '/me/export', { token: member.token });
    expect(exported.data.settings).toEqual({ emailNotifications: true, emailDigest: true, timeZone: 'UTC', twoFactor: false });

    expectError(
      await call(ctx.app, 'DELETE', '/me', { token: member.token, body: { password: 'not my password' } }),
      400,
      'validation_failed'
    );
    expectError(await call(ctx.app, 'DELETE', '/me', { token: member.token, body: {} }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'DELETE', '/me', { body: { password: member.password } }), 401, 'unauthenticated');
    expect((await call(ctx.app, 'GET', '/me', { token: member.token })).statusCode).toBe(200);

    const closed = await call(ctx.app, 'DELETE', '/me', { token: member.token, body: { password: member.password } });
    expect(closed.statusCode).toBe(204);
    expect((await call(ctx.app, 'GET', '/me', { token: member.token })).statusCode).toBe(401);
    expect((await call(ctx.app, 'POST', '/auth/login', { body: { login: name, password: member.password } })).statusCode).toBe(401);
    expect(
      (await call(ctx.app, 'POST', '/auth/login', { body: { login: `${name}@example.org`, password: member.password } })).statusCode
    ).toBe(401);

    // The thread and its reply tree are whole, under a neutral name.
    const read = await call(ctx.app, 'GET', `/threads/${thread.id}`);
    expect(read.data.thread.author).toMatchObject({ displayName: 'Former member', username: `former-${id}` });
    expect(read.data.posts.map((p: { bodyMarkdown: string }) => p.bodyMarkdown)).toEqual([
      post.bodyMarkdown,
      'Replace the latch spring.',
      'Thanks, that fixed it.',
      'Glad to hear it.'
    ]);
    expect(read.data.posts[2].author.displayName).toBe('Former member');
    expect(read.data.posts[3].parentId).toBe(mine.id);
    const profile = await call(ctx.app, 'GET', `/users/former-${id}`);
    expect(profile.data.user).toMatchObject({ displayName: 'Former member', bio: null });

    // What was only theirs is gone; the address is free again, the neutral name is not.
    const [row] = await ctx.app.db.select().from(users).where(eq(users.id, id));
    expect(row).toMatchObject({ email: `closed account ${id}`, bio: null, emailVerifiedAt: null, totpKey: null, passkeyCount: 0 });
    expect(row!.closedAt).not.toBeNull();
    for (const table of [sessions, drafts, boardWatches, notifications] as const) {
      expect(await ctx.app.db.select().from(table).where(eq(table.userId, id))).toEqual([]);
    }
    expect(
      (
        await ctx.app.db
          .select()
          .from(mailOutbox)
          .where(eq(mailOutbox.toAddress, `${name}@example.org`))
      ).length
    ).toBe(0);
    expect((await registerUser(ctx.app, { email: `${name}@example.org` })).user.email).toBe(`${name}@example.org`);
    expectError(
      await call(ctx.app, 'POST', '/auth/register', {
        body: {
          username: `former-${id + 1000}`,
          email: `${unique('x')}@example.org`,
          password: 'a long enough passphrase',
          profession: 'CE'
        }
      }),
      409,
      'conflict'
    );
  });
});

describe('closing an account with a confirmed address', () => {
  it('sends the address one last notice and keeps nothing else for it; nobody can take the closed address', async () => {
    const admin = await registerUser(ctx.app);
    await setRole(ctx.app, admin.user.id, 'admin');
    const member = await registerUser(ctx.app);
    const address = `${member.user.username}@example.org`;
    await call(ctx.app, 'PUT', `/admin/users/${member.user.username}/email-verified`, { token: admin.token, body: { verified: true } });
    expect((await call(ctx.app, 'DELETE', '/me', { token: member.token, body: { password: member.password } })).statusCode).toBe(204);
    const left = await ctx.app.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, address));
    expect(left.map((m) => [m.kind, m.subject])).toEqual([['security', 'BMET Forum: your account was closed']]);
    // The closed account's stand-in address is no address: registering it is refused.
    const id = Number(member.user.id);
    expectError(
      await call(ctx.app, 'POST', '/auth/register', {
        body: { username: unique('squat'), email: `closed account ${id}`, password: 'a long enough passphrase', profession: 'CE' }
      }),
      400,
      'validation_failed'
    );
  });
});

describe('the outbox without SMTP_URL', () => {
  it('keeps every message for admins to read, page and act on; members and strangers may not', async () => {
    const admin = await registerUser(ctx.app);
    await setRole(ctx.app, admin.user.id, 'admin');
    const name = unique('held');
    const member = await registerUser(ctx.app, { username: name });

    expectError(await call(ctx.app, 'GET', '/admin/outbox'), 401, 'unauthenticated');
    expectError(await call(ctx.app, 'GET', '/admin/outbox', { token: member.token }), 403, 'forbidden');
    expectError(await call(ctx.app, 'GET', '/admin/outbox?status=lost', { token: admin.token }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', '/admin/outbox?cursor=bogus', { token: admin.token }), 400, 'validation_failed');

    const list = await call(ctx.app, 'GET', '/admin/outbox?status=held', { token: admin.token });
    expect(list.data.sending).toBe(false);
    const entry = list.data.messages.find((m: { to: string }) => m.to === `${name}@example.org`);
    expect(entry).toMatchObject({ kind: 'verify_email', status: 'held', attempts: 0, username: name, sentAt: null });
    const one = await call(ctx.app, 'GET', `/admin/outbox/${entry.id}`, { token: admin.token });
    expect(one.headers['cache-control']).toBe('no-store');
    expect(one.data.message.headers['Message-ID']).toMatch(/^<.+@localhost\.localdomain>$/);
    expectError(await call(ctx.app, 'GET', `/admin/outbox/${entry.id}`, { token: member.token }), 403, 'forbidden');
    expectError(await call(ctx.app, 'GET', '/admin/outbox/999999999', { token: admin.token }), 404, 'not_found');
    expectError(await call(ctx.app, 'GET', '/admin/outbox/abc', { token: admin.token }), 404, 'not_found');
    expectError(await call(ctx.app, 'POST', `/admin/outbox/${entry.id}/resend`, { token: admin.token }), 409, 'conflict');

    // The admin can hand the member the link: it works like any.
    const token = /verify-email\?token=([a-z2-7.]+)/.exec(one.data.message.text)![1]!;
    expect((await call(ctx.app, 'POST', '/auth/verify-email', { body: { token } })).statusCode).toBe(200);

    // Paging, newest first.
    const first = await call(ctx.app, 'GET', '/admin/outbox?limit=1', { token: admin.token });
    expect(first.data.messages).toHaveLength(1);
    const next = await call(ctx.app, 'GET', `/admin/outbox?limit=1&cursor=${first.data.nextCursor}`, { token: admin.token });
    expect(next.data.messages[0].id).not.toBe(first.data.messages[0].id);
    expect(Number(next.data.messages[0].id)).toBeLessThan(Number(first.data.messages[0].id));
  });

  it('shows an admin a member’s verified state, resends the link and can vouch for the address', async () => {
    const admin = await registerUser(ctx.app);
    await setRole(ctx.app, admin.user.id, 'admin');
    const member = await registerUser(ctx.app);
    const name = member.user.username;
    const view = await call(ctx.app, 'GET', `/admin/users/${name}`, { token: admin.token });
    expect(view.data.user).toMatchObject({
      username: name,
      email: `${name}@example.org`,
      emailVerified: false,
      twoFactor: false,
      closed: false
    });
    expectError(await call(ctx.app, 'GET', `/admin/users/${name}`, { token: member.token }), 403, 'forbidden');
    expectError(await call(ctx.app, 'GET', '/admin/users/nobody-at-all', { token: admin.token }), 404, 'not_found');

    expect((await call(ctx.app, 'POST', `/admin/users/${name}/verification`, { token: admin.token })).statusCode).toBe(202);
    const held = await ctx.app.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.toAddress, `${name}@example.org`));
    expect(held.filter((m) => m.kind === 'verify_email')).toHaveLength(2);

    const vouched = await call(ctx.app, 'PUT', `/admin/users/${name}/email-verified`, { token: admin.token, body: { verified: true } });
    expect(vouched.data.user.emailVerified).toBe(true);
    expect((await call(ctx.app, 'GET', '/me/email-settings', { token: member.token })).data.nextDigestAt).not.toBeNull();
    expectError(await call(ctx.app, 'POST', `/admin/users/${name}/verification`, { token: admin.token }), 400, 'validation_failed');
    expectError(
      await call(ctx.app, 'PUT', `/admin/users/${name}/email-verified`, { token: admin.token, body: { verified: 'yes' } }),
      400,
      'validation_failed'
    );
    const log = await call(ctx.app, 'GET', '/mod/log', { token: admin.token });
    expect(log.data.entries.some((e: { action: string }) => e.action === 'user.email_verified')).toBe(true);
  });
});

describe('keeping the outbox short', () => {
  it('drops messages older than thirty days, except those still waiting to be sent', async () => {
    const member = await registerUser(ctx.app);
    const address = `${member.user.username}@example.org`;
    const [held] = await ctx.app.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, address));
    await ctx.app.db
      .update(mailOutbox)
      .set({ createdAt: new Date(Date.now() - 31 * 86_400_000) })
      .where(eq(mailOutbox.id, held!.id));
    const [queued] = await ctx.app.db
      .insert(mailOutbox)
      .values({
        kind: held!.kind,
        userId: held!.userId,
        toAddress: address,
        subject: held!.subject,
        textBody: held!.textBody,
        htmlBody: held!.htmlBody,
        headers: held!.headers,
        status: 'queued',
        createdAt: new Date(Date.now() - 31 * 86_400_000)
      })
      .returning();
    expect(await ctx.app.mailer.sweep(ctx.app.db)).toBeGreaterThanOrEqual(1);
    const left = await ctx.app.db.select({ id: mailOutbox.id }).from(mailOutbox).where(eq(mailOutbox.toAddress, address));
    expect(left.map((r) => r.id)).toEqual([queued!.id]);
  });
});
