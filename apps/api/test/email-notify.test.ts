import { notifications, users } from '@bmet/db/schema';
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDueDigests } from '../src/domain/email-notify.ts';
import { DEFAULT_MAIL } from '../src/plugins/mail.ts';
import { call, createThread, registerUser, reply, unique, useApp } from './helper.ts';
import { rawHeader, startInbox, tokenIn, type Inbox, type Received } from './mail-helper.ts';

let inbox: Inbox;
beforeAll(async () => {
  inbox = await startInbox();
});
afterAll(async () => {
  await inbox.stop();
});

const DELAY_MS = 1500;
const ctx = useApp({
  get mail() {
    return {
      config: {
        ...DEFAULT_MAIL,
        publicUrl: 'https://forum.example.org',
        smtpUrl: inbox.url,
        from: 'forum@example.org',
        notifyDelayMs: DELAY_MS
      },
      jobs: { pollingIntervalSeconds: 0.5 },
      notifyScanMs: 200,
      presenceEveryMs: 100,
      // The digest is driven by the test (its morning is made to come now).
      digestScanMs: 0
    };
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isTo = (email: string) => (r: Received) => r.rcptTo.includes(email.toLowerCase());

/** A member whose address is confirmed by the link the forum e-mailed them. */
async function verifiedMember(app: FastifyInstance, extra: Record<string, string> = {}) {
  const username = unique('m');
  const email = `${username}@example.org`;
  const member = await registerUser(app, { username, ...extra });
  const { mail } = await inbox.waitFor((r) => isTo(email)(r) && /Confirm your e-mail/.test(r.mail.subject ?? ''));
  const verified = await call(app, 'POST', '/auth/verify-email', { body: { token: tokenIn(mail, '/verify-email') } });
  expect(verified.statusCode).toBe(200);
  return { ...member, username, email };
}

const notificationMails = (email: string) => inbox.to(email).filter((r) => (rawHeader(r, 'List-Id') ?? '').includes('notifications'));

describe('notifications by e-mail', () => {
  it('e-mails replies the member did not see, one message for a busy thread, threaded, with one-click unsubscribe', async () => {
    const asker = await verifiedMember(ctx.app);
    const helper = await registerUser(ctx.app, { displayName: 'Sam Okafor' });
    const { thread } = await createThread(ctx.app, asker.token, { title: 'Sigma Spectrum downstream occlusion at 2 mL/h' });
    // The asker leaves; three replies arrive within the delay.
    await sleep(300);
    await reply(ctx.app, helper.token, thread.id, 'Check the pressure disc for a crease.');
    await reply(ctx.app, helper.token, thread.id, 'Also: which tubing lot?');
    await reply(ctx.app, helper.token, thread.id, 'Same here on two pumps, fixed by a new door assembly.');

    const first = await inbox.waitFor((r) => isTo(asker.email)(r) && /Sigma Spectrum/.test(r.mail.subject ?? ''), 10_000);
    const { mail } = first;
    expect(mail.subject).toBe('3 new: Sigma Spectrum downstream occlusion at 2 mL/h');
    expect(mail.text).toContain('Sam Okafor replied in "Sigma Spectrum downstream occlusion at 2 mL/h"');
    expect(mail.text).toContain('> Check the pressure disc for a crease.');
    expect(mail.text).toContain(`https://forum.example.org/t/${thread.id}?at=`);
    expect(mail.html).toContain('Sam Okafor replied in');
    // A mail client groups every message about this thread.
    expect(mail.inReplyTo).toBe(`<thread-${thread.id}@example.org>`);
    expect([mail.references].flat()).toEqual([`<thread-${thread.id}@example.org>`]);
    expect(rawHeader(first, 'Auto-Submitted')).toBe('auto-generated');
    const listUnsubscribe = String(rawHeader(first, 'List-Unsubscribe'));
    expect(listUnsubscribe).toMatch(/^<https:\/\/forum\.example\.org\/api\/v1\/email\/unsubscribe\?token=[a-z2-7]+\.[a-z2-7]+>$/);
    expect(rawHeader(first, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');

    // One e-mail, not three.
    await sleep(DELAY_MS + 600);
    expect(notificationMails(asker.email)).toHaveLength(1);

    // A GET of the one-click address (a mail scanner) changes nothing; it leads to the page.
    const path = listUnsubscribe.slice(1, -1).replace('https://forum.example.org', '');
    const scanned = await ctx.app.inject({ method: 'GET', url: path });
    expect(scanned.statusCode).toBe(303);
    expect(scanned.headers.location).toMatch(/^\/unsubscribe\?token=/);
    expect((await call(ctx.app, 'GET', '/me/email-settings', { token: asker.token })).data.notifications).toBe(true);
    // The mail provider's POST (RFC 8058) unsubscribes, once.
    const oneClick = await ctx.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click'
    });
    expect(oneClick.statusCode).toBe(200);
    expect(oneClick.json()).toEqual({ list: 'notifications' });
    expect((await call(ctx.app, 'GET', '/me/email-settings', { token: asker.token })).data.notifications).toBe(false);
    const again = await ctx.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x--'
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('token_used');

    // Unsubscribed: the next reply is not e-mailed.
    await reply(ctx.app, helper.token, thread.id, 'One more thing about the door latch.');
    await sleep(DELAY_MS + 800);
    expect(notificationMails(asker.email)).toHaveLength(1);
  });

  it('does not e-mail what the member saw on the site, had open in a live socket, or when the address is not confirmed', async () => {
    const onSite = await verifiedMember(ctx.app);
    const online = await verifiedMember(ctx.app);
    const away = await verifiedMember(ctx.app);
    const unconfirmed = await registerUser(ctx.app);
    const helper = await registerUser(ctx.app);
    const threads = await Promise.all(
      [onSite, online, unconfirmed, away].map((m) => createThread(ctx.app, m.token, { title: `Defib analyzer drift ${unique('t')}` }))
    );

    // The one on the site loads a page after the reply comes; the online one has a socket open.
    const socket = await ctx.app.injectWS('/api/v1/live', { headers: { authorization: `Bearer ${online.token}` } });
    await sleep(200);
    for (const { thread } of threads) await reply(ctx.app, helper.token, thread.id, 'Zero the analyzer before each run.');
    await sleep(300);
    expect((await call(ctx.app, 'GET', '/notifications', { token: onSite.token })).statusCode).toBe(200);

    // The control: the member who stayed away is e-mailed.
    await inbox.waitFor((r) => isTo(away.email)(r) && /Defib analyzer drift/.test(r.mail.subject ?? ''), 10_000);
    await sleep(500);
    expect(notificationMails(onSite.email)).toHaveLength(0);
    expect(notificationMails(online.email)).toHaveLength(0);
    expect(
      inbox.received.filter(
        (r) => r.rcptTo.includes(`${unconfirmed.user.username.toLowerCase()}@example.org`) && /Defib/.test(r.mail.subject ?? '')
      )
    ).toHaveLength(0);
    // Nothing is left waiting to be e-mailed for any of them.
    const waiting = await ctx.app.db
      .select({ id: notifications.id })
      .from(notifications)
      .where(
        and(
          eq(notifications.emailPending, true),
          sql`${notifications.userId} in (${Number(onSite.user.id)}, ${Number(online.user.id)}, ${Number(unconfirmed.user.id)})`
        )
      );
    expect(waiting).toEqual([]);
    socket.terminate();
  });

  it('e-mails a mention and an accepted answer too', async () => {
    const member = await verifiedMember(ctx.app);
    const other = await registerUser(ctx.app, { displayName: 'Lee Park' });
    const { thread } = await createThread(ctx.app, other.token, { title: 'Which analyzer for Zoll R Series?', kind: 'question' });
    await sleep(300);
    await reply(ctx.app, other.token, thread.id, `@${member.username} you calibrated these last year, right?`);
    const mention = await inbox.waitFor((r) => isTo(member.email)(r) && /Zoll R Series/.test(r.mail.subject ?? ''), 10_000);
    expect(mention.mail.text).toContain('Lee Park mentioned you in');

    const answer = await reply(ctx.app, member.token, thread.id, 'Fluke Impulse 7000DP, yearly.');
    await sleep(300);
    expect(
      (await call(ctx.app, 'POST', `/threads/${thread.id}/solution`, { token: other.token, body: { postId: answer.id } })).statusCode
    ).toBe(200);
    const accepted = await inbox.waitFor((r) => isTo(member.email)(r) && /accepted your answer/.test(r.mail.text ?? ''), 10_000);
    expect(accepted.mail.text).toContain('Lee Park accepted your answer in "Which analyzer for Zoll R Series?"');
  });
});

describe('the daily digest', () => {
  it('comes in the member’s morning with the new and solved threads of what they watch, and can be left in one click', async () => {
    const member = await verifiedMember(ctx.app, { timeZone: 'America/Chicago' });
    const [row] = await ctx.app.db
      .select()
      .from(users)
      .where(eq(users.id, Number(member.user.id)));
    // Scheduled for 07:00 in Chicago, within the next day.
    const due = row!.nextDigestAt!;
    const chicagoHour = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', hour: 'numeric', hourCycle: 'h23' }).format(due)
    );
    expect(chicagoHour).toBe(7);
    expect(due.getTime() - Date.now()).toBeGreaterThan(0);
    expect(due.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);

    expect((await call(ctx.app, 'PUT', '/boards/ce/watch', { token: member.token, body: { watching: true } })).statusCode).toBe(200);
    const author = await registerUser(ctx.app);
    const fresh = await createThread(ctx.app, author.token, { board: 'ce', title: 'Philips IntelliVue MX450 NBP module swap' });
    const solvedThread = await createThread(ctx.app, author.token, { board: 'ce', title: 'GE Carescape B650 fan noise', kind: 'question' });
    const answer = await reply(ctx.app, member.token, solvedThread.thread.id, 'Replace the fan, part 2067366-001.');
    await call(ctx.app, 'POST', `/threads/${solvedThread.thread.id}/solution`, { token: author.token, body: { postId: answer.id } });
    // A thread on a board the member does not watch is left out.
    await createThread(ctx.app, author.token, { board: 'bme', title: 'Unwatched board thread about gas analyzers' });

    // Nothing is due yet; then the member's morning comes.
    expect(await sendDueDigests(ctx.app.db, ctx.app.mailer)).toBe(0);
    await ctx.app.db
      .update(users)
      .set({ nextDigestAt: sql`now() - interval '1 minute'` })
      .where(eq(users.id, Number(member.user.id)));
    expect(await sendDueDigests(ctx.app.db, ctx.app.mailer)).toBe(1);
    const digest = await inbox.waitFor((r) => isTo(member.email)(r) && /digest/.test(r.mail.subject ?? ''), 10_000);
    const { mail } = digest;
    expect(mail.subject).toBe('BMET Forum digest: 2 new, 1 solved');
    expect(mail.text).toContain('Philips IntelliVue MX450 NBP module swap');
    expect(mail.text).toMatch(/Solved\n\n\* GE Carescape B650 fan noise/);
    expect(mail.text).not.toContain('Unwatched board');
    expect(rawHeader(digest, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(rawHeader(digest, 'List-Id')).toContain('digest');
    // Moved to the next morning; asking again sends nothing.
    const [after] = await ctx.app.db
      .select()
      .from(users)
      .where(eq(users.id, Number(member.user.id)));
    expect(after!.nextDigestAt!.getTime()).toBeGreaterThan(Date.now());
    expect(await sendDueDigests(ctx.app.db, ctx.app.mailer)).toBe(0);
    void fresh;

    // The digest's own link leaves the digest only.
    const path = String(rawHeader(digest, 'List-Unsubscribe')).slice(1, -1).replace('https://forum.example.org', '');
    const res = await ctx.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click'
    });
    expect(res.json()).toEqual({ list: 'digest' });
    const settings = (await call(ctx.app, 'GET', '/me/email-settings', { token: member.token })).data;
    expect(settings).toMatchObject({ digest: false, notifications: true, nextDigestAt: null, timeZone: 'America/Chicago' });
  });

  it('keeps settings per member: a time zone moves the morning, bad zones are refused', async () => {
    const member = await verifiedMember(ctx.app);
    const tokyo = await call(ctx.app, 'PATCH', '/me/email-settings', { token: member.token, body: { timeZone: 'asia/tokyo' } });
    expect(tokyo.statusCode).toBe(200);
    expect(tokyo.data.timeZone).toBe('Asia/Tokyo');
    const hour = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Tokyo', hour: 'numeric', hourCycle: 'h23' }).format(
        new Date(tokyo.data.nextDigestAt)
      )
    );
    expect(hour).toBe(7);
    const bad = await call(ctx.app, 'PATCH', '/me/email-settings', { token: member.token, body: { timeZone: 'Mars/Olympus' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.data.error.fields.timeZone).toBeDefined();
    const off = await call(ctx.app, 'PATCH', '/me/email-settings', { token: member.token, body: { digest: false, notifications: false } });
    expect(off.data).toMatchObject({ digest: false, notifications: false, nextDigestAt: null });
    expect((await call(ctx.app, 'PATCH', '/me/email-settings', { body: { digest: true } })).statusCode).toBe(401);
    // An unconfirmed address gets no digest even when it is on.
    const fresh = await registerUser(ctx.app);
    const settings = (await call(ctx.app, 'GET', '/me/email-settings', { token: fresh.token })).data;
    expect(settings).toMatchObject({ digest: true, emailVerified: false, nextDigestAt: null });
  });
});

describe('seen on the site, without holding anyone up', () => {
  // Visits are written every 10 ms here: every reply below races a presence write of both members.
  const busy = useApp({ mail: { presenceEveryMs: 10, notifyScanMs: 20, config: { ...DEFAULT_MAIL, notifyDelayMs: 0 } } });

  it('lets replies and reads go on while visits and deliveries are written (no lock waits, no deadlocks)', async () => {
    const a = await registerUser(busy.app);
    const b = await registerUser(busy.app);
    const { thread } = await createThread(busy.app, a.token, { title: 'Presence and replies racing each other' });
    const statuses: number[] = [];
    for (let i = 0; i < 120; i++) {
      const who = i % 2 === 0 ? b : a;
      const res = await call(busy.app, 'POST', `/threads/${thread.id}/posts`, {
        token: who.token,
        body: { body: `reply ${i} on the occlusion sensor` }
      });
      statuses.push(res.statusCode);
      if (i % 10 === 0)
        statuses.push((await call(busy.app, 'POST', '/notifications/read', { token: a.token, body: { all: true } })).statusCode);
    }
    expect(statuses.filter((s) => s !== 201 && s !== 200)).toEqual([]);
  });
});
