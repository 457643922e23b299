import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { mailOutbox, memberPresence, users } from '@bmet/db/schema';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAIL } from '../src/plugins/mail.ts';
import { call, createThread, registerUser, reply, setRole, unique, useApp } from './helper.ts';
import { rawHeader, startInbox, type Inbox } from './mail-helper.ts';

const { dkimVerify } = createRequire(import.meta.url)('mailauth/lib/dkim/verify') as {
  dkimVerify: (
    raw: Buffer,
    options: { resolver: (name: string, type: string) => Promise<string[][]> }
  ) => Promise<{
    results: { status: { result: string }; signingDomain: string; selector: string }[];
  }>;
};

let inbox: Inbox;
beforeAll(async () => {
  inbox = await startInbox();
});
afterAll(async () => {
  await inbox.stop();
});

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dkim = {
  domainName: 'example.org',
  keySelector: 'forum2026',
  privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
};

const ctx = useApp({
  get mail() {
    return {
      config: { ...DEFAULT_MAIL, publicUrl: 'https://forum.example.org', smtpUrl: inbox.url, from: 'forum@example.org', dkim },
      // One retry a second or two after the first failure: an outage and a refusal play out in seconds.
      jobs: { pollingIntervalSeconds: 0.5, queues: { 'mail-send': { retryLimit: 1, retryDelaySeconds: 1 } } },
      digestScanMs: 0
    };
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function outboxOf(app: FastifyInstance, username: string) {
  const [user] = await app.db.select({ id: users.id }).from(users).where(eq(users.username, username));
  return app.db.select().from(mailOutbox).where(eq(mailOutbox.userId, user!.id));
}

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

describe('delivering mail', () => {
  it('keeps every header one line even when a caller hands it line breaks', async () => {
    const to = `${unique('hdr')}@example.org`;
    await ctx.app.db.transaction((tx) =>
      ctx.app.mailer.queue(tx, {
        userId: null,
        kind: 'security',
        to,
        subject: 'Pump alarm\r\nBcc: victim@example.org\nX-Injected: yes',
        text: 'hello',
        html: '<p>hello</p>',
        threadId: 7
      })
    );
    ctx.app.mailer.wake();
    const got = await inbox.waitFor((r) => r.rcptTo.includes(to));
    expect(got.rcptTo).toEqual([to]);
    expect(rawHeader(got, 'Bcc')).toBeNull();
    expect(rawHeader(got, 'X-Injected')).toBeNull();
    expect(got.mail.subject).toBe('Pump alarm Bcc: victim@example.org X-Injected: yes');
    expect(rawHeader(got, 'References')).toBe('<thread-7@example.org>');
  });

  it('signs every message with DKIM when a key is configured, verifiably', async () => {
    const name = unique('dkim');
    await registerUser(ctx.app, { username: name });
    const received = await inbox.waitFor((r) => r.rcptTo.includes(`${name}@example.org`));
    expect(rawHeader(received, 'DKIM-Signature')).toMatch(/d=example\.org;.*s=forum2026/);
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const result = await dkimVerify(received.raw, {
      resolver: async (name) => {
        if (name !== 'forum2026._domainkey.example.org') throw Object.assign(new Error('no such record'), { code: 'ENOTFOUND' });
        return [[`v=DKIM1; k=rsa; p=${spki}`]];
      }
    });
    expect(result.results[0]?.status.result).toBe('pass');
    expect(result.results[0]?.signingDomain).toBe('example.org');
  });

  it('keeps the message through an SMTP outage and sends it when the server is back; the request never waits', async () => {
    const name = unique('outage');
    const { token } = await registerUser(ctx.app, { username: name });
    await inbox.waitFor((r) => r.rcptTo.includes(`${name}@example.org`));
    await inbox.stop();
    try {
      const started = Date.now();
      const res = await call(ctx.app, 'POST', '/me/email/verification', { token });
      expect(res.statusCode).toBe(202);
      expect(Date.now() - started).toBeLessThan(2000);
      // The first attempt fails and is recorded; the message waits for its retry.
      const failing = await until(
        'a failed attempt',
        () => outboxOf(ctx.app, name),
        (rows) => rows.some((r) => r.attempts >= 1 && r.lastError !== null)
      );
      const waiting = failing.find((r) => r.lastError !== null)!;
      expect(waiting.status).toBe('queued');
      expect(waiting.lastError).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      await inbox.start();
    }
    // The server is back: the retry delivers it and the outbox says so.
    const mails = () => inbox.to(`${name}@example.org`);
    await until(
      'the resent verification',
      async () => mails().length,
      (n) => n >= 2
    );
    const rows = await until(
      'sent',
      () => outboxOf(ctx.app, name),
      (rs) => rs.every((r) => r.status === 'sent')
    );
    expect(rows.some((r) => r.attempts === 2)).toBe(true);
  });

  it('marks a message failed when the server refuses the recipient on every attempt, and an admin can send it again', async () => {
    const name = unique('refused');
    inbox.mode.refuse = true;
    try {
      await registerUser(ctx.app, { username: name });
      const [row] = await until(
        'failed',
        () => outboxOf(ctx.app, name),
        (rs) => rs[0]?.status === 'failed'
      );
      expect(row!.attempts).toBe(2);
      expect(row!.lastError).toMatch(/550|mailbox unavailable/);
    } finally {
      inbox.mode.refuse = false;
    }
    const admin = await registerUser(ctx.app);
    await setRole(ctx.app, admin.user.id, 'admin');
    const failed = await call(ctx.app, 'GET', '/admin/outbox?status=failed', { token: admin.token });
    // With SMTP_URL the member has the link: an admin sees the message without its token.
    const read = await call(ctx.app, 'GET', `/admin/outbox/${failed.data.messages[0].id}`, { token: admin.token });
    expect(read.data.message.text).toContain('verify-email?token=(hidden)');
    expect(read.data.message.text).not.toMatch(/token=[a-z2-7]{10,}/);
    const entry = failed.data.messages.find((m: { to: string }) => m.to === `${name}@example.org`);
    expect(entry).toMatchObject({ status: 'failed', attempts: 2, kind: 'verify_email', username: name });
    expect((await call(ctx.app, 'POST', `/admin/outbox/${entry.id}/resend`, { token: admin.token })).statusCode).toBe(202);
    await inbox.waitFor((r) => r.rcptTo.includes(`${name}@example.org`));
    await until(
      'sent after the resend',
      () => outboxOf(ctx.app, name),
      (rs) => rs[0]?.status === 'sent'
    );
  });

  it('answers at once while a slow server takes its time', async () => {
    const name = unique('slow');
    inbox.mode.slowMs = 3000;
    try {
      const started = Date.now();
      await registerUser(ctx.app, { username: name });
      expect(Date.now() - started).toBeLessThan(2500);
      expect(inbox.to(`${name}@example.org`)).toHaveLength(0);
      await inbox.waitFor((r) => r.rcptTo.includes(`${name}@example.org`), 10_000);
    } finally {
      inbox.mode.slowMs = 0;
    }
  });

  it('lets nothing a member writes add a header: names and titles with line breaks stay one line', async () => {
    const victim = `victim-${unique('v')}@example.org`;
    const asker = await registerUser(ctx.app, { username: unique('inj') });
    const email = `${asker.user.username}@example.org`;
    await inbox.waitFor((r) => r.rcptTo.includes(email));
    // Verified by an admin, so notification e-mails go to the asker.
    const admin = await registerUser(ctx.app);
    await setRole(ctx.app, admin.user.id, 'admin');
    await call(ctx.app, 'PUT', `/admin/users/${asker.user.username}/email-verified`, { token: admin.token, body: { verified: true } });
    const evil = await registerUser(ctx.app, { displayName: `Eve\r\nBcc: ${victim}` });
    expect(evil.user.displayName).toBe(`Eve Bcc: ${victim}`);
    const { thread } = await createThread(ctx.app, asker.token, { title: `Pump alarm\r\nBcc: ${victim}\r\nX-Injected: yes` });
    await call(ctx.app, 'PATCH', '/me', { token: evil.token, body: { displayName: `Mallory\nCc: ${victim}` } });
    await sleep(1200);
    // Every reply in this thread is e-mailed after the delay: read the one the asker gets.
    await ctx.app.db.delete(memberPresence).where(eq(memberPresence.userId, Number(asker.user.id)));
    await reply(ctx.app, evil.token, thread.id, 'hello');
    const { emailUnseenNotifications } = await import('../src/domain/email-notify.ts');
    await until(
      'the notification e-mail',
      () => emailUnseenNotifications(ctx.app.db, ctx.app.mailer, { delayMs: 0 }),
      (n) => n > 0,
      5000
    );
    const got = await inbox.waitFor((r) => r.rcptTo.includes(email) && /Pump alarm/.test(r.mail.subject ?? ''));
    expect(got.rcptTo).toEqual([email]);
    expect(rawHeader(got, 'Bcc')).toBeNull();
    expect(rawHeader(got, 'Cc')).toBeNull();
    expect(rawHeader(got, 'X-Injected')).toBeNull();
    expect(got.mail.subject).toBe(`Pump alarm Bcc: ${victim} X-Injected: yes`);
    expect(inbox.to(victim)).toHaveLength(0);
    expect(got.mail.html).toContain('Mallory Cc: ');
    expect(got.mail.html).not.toContain('<script');
  });
});
