import type { Conn, Db } from '@bmet/db/client';
import { boardWatches, boards, memberPresence, modelWatches, notifications, threads, users, type UserRow } from '@bmet/db/schema';
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Mailer } from '../lib/mail/mailer.ts';
import { digestMail, notificationsMail, type DigestThread, type NotificationItem } from '../lib/mail/templates.ts';
import { EMAILED_TYPES, withContext } from './notifications.ts';

/** Notifications in one e-mail at most; the rest are counted ("and 12 more"). */
const MAX_ITEMS = 30;
/** Threads per section of a digest. */
const DIGEST_MAX = 20;
/** The hour of the morning, in the member's zone, when the digest comes. */
export const DIGEST_HOUR = 7;
/** The first half of the advisory-lock key that keeps one instance at a time on a member's e-mail (the second is the member's id). */
const EMAIL_LOCK_CLASS = 7245;
const DAY_MS = 24 * 60 * 60_000;

export interface ScanOptions {
  /** EMAIL_NOTIFY_DELAY_S, in ms. */
  delayMs: number;
  /** Members handled per scan. */
  batch?: number;
  onError?: (err: unknown, userId: number) => void;
}

const secondsAgo = (ms: number): SQL => sql`now() - make_interval(secs => ${ms / 1000})`;

/** Can this member get e-mail of the forum's own (notifications, digests)? */
export const mayEmail = (u: Pick<UserRow, 'emailVerifiedAt' | 'closedAt'>): boolean => u.emailVerifiedAt !== null && u.closedAt === null;

/**
 * The next digest time: DIGEST_HOUR in the member's zone, today if that is still ahead, else
 * tomorrow. In SQL, so the database's zone rules decide (daylight saving included).
 */
export const nextMorning = (zone: SQL | string): SQL => {
  const tz = typeof zone === 'string' ? sql`${zone}` : zone;
  return sql`(date_trunc('day', now() at time zone ${tz}) + case when extract(hour from now() at time zone ${tz}) < ${DIGEST_HOUR}
    then make_interval(hours => ${DIGEST_HOUR}) else make_interval(days => 1, hours => ${DIGEST_HOUR}) end) at time zone ${tz}`;
};

/** `next_digest_at` for a member after a change to what the digest depends on: their next morning, or null when none is due. */
export const digestSchedule = (t: typeof users = users): SQL =>
  sql`case when ${t.emailDigest} and ${t.emailVerifiedAt} is not null and ${t.closedAt} is null then ${nextMorning(sql`${t.timeZone}`)} else null end`;

/** The digest's next time for a member in this state (a change of setting, zone or address): their next morning, or none. */
export const digestAt = (user: Pick<UserRow, 'emailDigest' | 'closedAt'>, verified: boolean, zone: string): SQL | null =>
  user.emailDigest && verified && user.closedAt === null ? nextMorning(zone) : null;

/**
 * One round of notification e-mails: the members with a notification that waited longer than
 * the delay unseen. Each member is one transaction (their rows locked, skipped by another
 * instance doing the same), so a failure leaves only that member's rows to the next round.
 * Returns how many e-mails were queued.
 */
export async function emailUnseenNotifications(db: Db, mailer: Mailer, options: ScanOptions): Promise<number> {
  const due = await db
    .selectDistinct({ userId: notifications.userId })
    .from(notifications)
    .where(and(eq(notifications.emailPending, true), lte(notifications.createdAt, secondsAgo(options.delayMs))))
    .limit(options.batch ?? 100);
  let queued = 0;
  for (const { userId } of due) {
    try {
      if (await db.transaction((tx) => emailMember(tx, mailer, userId, options.delayMs))) queued += 1;
    } catch (err) {
      options.onError?.(err, userId);
    }
  }
  if (queued > 0) mailer.wake();
  return queued;
}

async function emailMember(tx: Conn, mailer: Mailer, userId: number, delayMs: number): Promise<boolean> {
  // One instance at a time per member (a lock of the transaction, not of the member's row, which
  // replies and reads update); another instance on the same member skips it this round.
  const [mutex] = await tx
    .select({ ok: sql<boolean>`pg_try_advisory_xact_lock(${EMAIL_LOCK_CLASS}, ${userId})` })
    .from(sql`(select 1) as one`);
  if (mutex?.ok !== true) return false;
  const [row] = await tx
    .select({ user: users, lastActiveAt: memberPresence.lastActiveAt })
    .from(users)
    .leftJoin(memberPresence, eq(memberPresence.userId, users.id))
    .where(eq(users.id, userId));
  if (row === undefined) return false;
  const { user, lastActiveAt } = row;
  // Rows another transaction holds (a read marking them, a socket's delivery) wait for the next round.
  const rows = await tx
    .select({ n: notifications, old: sql<boolean>`${notifications.createdAt} <= ${secondsAgo(delayMs)}` })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.emailPending, true)))
    .orderBy(asc(notifications.id))
    .for('update', { skipLocked: true });
  const eligible = user.emailNotifications && mayEmail(user);
  // Read, seen on the site (a page or a request after it arrived), or not for e-mail: never sent.
  const seen = (n: (typeof rows)[number]['n']) =>
    n.readAt !== null || (lastActiveAt !== null && n.createdAt <= lastActiveAt) || !EMAILED_TYPES.has(n.type);
  const done = rows.filter((r) => !eligible || seen(r.n)).map((r) => r.n.id);
  const unseen = rows.filter((r) => eligible && !seen(r.n));
  // Sent once the oldest has waited the whole delay; younger ones ride along (a busy thread is one e-mail).
  const send = unseen.some((r) => r.old) ? unseen : [];
  let queued = false;
  if (send.length > 0) {
    const context = await withContext(
      tx,
      send.slice(0, MAX_ITEMS).map((r) => r.n),
      true
    );
    const items: NotificationItem[] = context.flatMap((c) =>
      c.threadTitle === null || c.notification.threadId === null
        ? []
        : [
            {
              type: c.notification.type as NotificationItem['type'],
              actorName: c.actor?.displayName ?? 'Someone',
              threadId: c.notification.threadId,
              threadTitle: c.threadTitle,
              postId: c.notification.postId,
              excerpt: c.excerpt ?? '',
              createdAt: c.notification.createdAt
            }
          ]
    );
    if (items.length > 0) {
      const links = await mailer.unsubscribeLinks(tx, user.id, 'notifications');
      const threadIds = new Set(items.map((i) => i.threadId));
      await mailer.queue(tx, {
        userId: user.id,
        kind: 'notifications',
        to: user.email,
        ...(threadIds.size === 1 ? { threadId: items[0]!.threadId } : {}),
        list: { name: 'notifications', oneClick: links.oneClick },
        ...notificationsMail(mailer.brand, {
          displayName: user.displayName,
          items,
          more: Math.max(0, send.length - MAX_ITEMS),
          settingsLink: mailer.link('/settings/email'),
          unsubscribeLink: links.page
        })
      });
      queued = true;
    }
  }
  const handled = [...done, ...send.map((r) => r.n.id)];
  if (handled.length > 0) await tx.update(notifications).set({ emailPending: false }).where(inArray(notifications.id, handled));
  return queued;
}

/**
 * One round of daily digests: members whose morning has come. Each is claimed by moving its
 * `next_digest_at` to the next morning in the same statement that finds it due, so two
 * instances never send one twice; a member with nothing new gets no e-mail.
 */
export async function sendDueDigests(
  db: Db,
  mailer: Mailer,
  options: { batch?: number; onError?: (err: unknown, userId: number) => void } = {}
) {
  const due = await db
    .select({ id: users.id })
    .from(users)
    .where(and(isNotNull(users.nextDigestAt), lte(users.nextDigestAt, sql`now()`)))
    .orderBy(asc(users.nextDigestAt))
    .limit(options.batch ?? 100);
  let queued = 0;
  for (const { id } of due) {
    try {
      if (await db.transaction((tx) => digestFor(tx, mailer, id))) queued += 1;
    } catch (err) {
      options.onError?.(err, id);
    }
  }
  if (queued > 0) mailer.wake();
  return queued;
}

async function digestFor(tx: Conn, mailer: Mailer, userId: number): Promise<boolean> {
  // Locked, and skipped when another instance has it: one digest per member and morning.
  const [user] = await tx
    .select()
    .from(users)
    .where(and(eq(users.id, userId), lte(users.nextDigestAt, sql`now()`)))
    .for('update', { skipLocked: true });
  if (user === undefined || user.nextDigestAt === null) return false;
  await tx.update(users).set({ nextDigestAt: digestSchedule() }).where(eq(users.id, userId));
  if (!user.emailDigest || !mayEmail(user)) return false;
  // The day before it was due (after an outage, at most the last week).
  const since = new Date(Math.max(user.nextDigestAt.getTime() - DAY_MS, Date.now() - 7 * DAY_MS));
  const watchedBoards = tx.select({ id: boardWatches.boardId }).from(boardWatches).where(eq(boardWatches.userId, userId));
  const watchedModels = tx.select({ id: modelWatches.modelId }).from(modelWatches).where(eq(modelWatches.userId, userId));
  const scope = or(inArray(threads.boardId, watchedBoards), inArray(threads.modelId, watchedModels));
  const columns = {
    id: threads.id,
    title: threads.title,
    boardName: boards.name,
    manufacturer: threads.equipmentManufacturer,
    model: threads.equipmentModel,
    replyCount: threads.replyCount
  };
  const fresh = await tx
    .select(columns)
    .from(threads)
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .where(and(isNull(threads.deletedAt), gt(threads.createdAt, since), scope))
    .orderBy(desc(threads.createdAt))
    .limit(DIGEST_MAX);
  const solved = await tx
    .select(columns)
    .from(threads)
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .where(and(isNull(threads.deletedAt), isNotNull(threads.solvedAt), gt(threads.solvedAt, since), scope))
    .orderBy(desc(threads.solvedAt))
    .limit(DIGEST_MAX);
  if (fresh.length === 0 && solved.length === 0) return false;
  const toDigest = (t: (typeof fresh)[number]): DigestThread => ({
    id: t.id,
    title: t.title,
    boardName: t.boardName,
    equipment: [t.manufacturer, t.model].filter((x) => x !== null).join(' ') || null,
    replyCount: t.replyCount
  });
  const links = await mailer.unsubscribeLinks(tx, user.id, 'digest');
  await mailer.queue(tx, {
    userId: user.id,
    kind: 'digest',
    to: user.email,
    list: { name: 'digest', oneClick: links.oneClick },
    ...digestMail(mailer.brand, {
      displayName: user.displayName,
      newThreads: fresh.map(toDigest),
      solved: solved.map(toDigest),
      settingsLink: mailer.link('/settings/email'),
      unsubscribeLink: links.page
    })
  });
  return true;
}
