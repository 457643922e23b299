import { and, asc, desc, eq, gt, inArray, isNull, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Conn, Db } from '@bmet/db/client';
import { notifications, posts, threads, users, type NotificationRow, type NotificationType } from '@bmet/db/schema';
import { authorColumns, type AuthorRow } from './serialize.ts';

/** Mentions beyond this many in one post notify nobody more (a post is not a mailing list). */
export const MAX_MENTIONS_PER_POST = 20;

export interface Recipient {
  userId: number;
  type: NotificationType;
}

/**
 * Who hears of a new post: the author of the post it answers and the thread's author (reply),
 * then everyone it mentions (mention). Nobody is told of their own post, and nobody twice.
 */
export function replyRecipients(input: {
  actorId: number;
  parentAuthorId: number | null;
  threadAuthorId: number;
  mentionedIds: number[];
  /** Users watching the thread: told of every reply. */
  watcherIds?: number[];
  /** Users who muted the thread: told of nothing but mentions. */
  mutedIds?: number[];
}): Recipient[] {
  const muted = new Set(input.mutedIds ?? []);
  const out: Recipient[] = [];
  const add = (userId: number | null, type: NotificationType) => {
    if (userId === null || userId === input.actorId || out.some((r) => r.userId === userId)) return;
    if (type !== 'mention' && muted.has(userId)) return;
    out.push({ userId, type });
  };
  add(input.parentAuthorId, 'reply');
  add(input.threadAuthorId, 'reply');
  for (const id of input.watcherIds ?? []) add(id, 'reply');
  for (const id of input.mentionedIds.slice(0, MAX_MENTIONS_PER_POST)) add(id, 'mention');
  return out;
}

/** Who hears of a new thread: the mentioned first, then watchers of its board and its model. */
export function newThreadRecipients(input: { actorId: number; mentionedIds: number[]; watcherIds: number[] }): Recipient[] {
  const out: Recipient[] = [];
  const add = (userId: number, type: NotificationType) => {
    if (userId === input.actorId || out.some((r) => r.userId === userId)) return;
    out.push({ userId, type });
  };
  for (const id of input.mentionedIds.slice(0, MAX_MENTIONS_PER_POST)) add(id, 'mention');
  for (const id of input.watcherIds) add(id, 'new_thread');
  return out;
}

/** The ids of the mentioned usernames that exist, in one lookup. */
export async function resolveMentions(tx: Conn, names: string[]): Promise<number[]> {
  const wanted = names.slice(0, MAX_MENTIONS_PER_POST).map((n) => n.toLowerCase());
  if (wanted.length === 0) return [];
  const rows = await tx
    .select({ id: users.id, name: sql<string>`lower(${users.username})` })
    .from(users)
    .where(inArray(sql`lower(${users.username})`, wanted));
  const byName = new Map(rows.map((r) => [r.name, r.id]));
  return wanted.flatMap((n) => byName.get(n) ?? []);
}

/** What is e-mailed when the member does not see it on the site in time (issue 12); new threads wait for the digest. */
export const EMAILED_TYPES: ReadonlySet<NotificationType> = new Set(['reply', 'mention', 'solution']);

/** The notification rows alone: the caller moves the unread counts (a reply does, in its one counting statement). */
export async function insertNotifications(
  tx: Conn,
  recipients: Recipient[],
  about: { threadId: number | null; postId: number | null; actorId: number | null }
): Promise<NotificationRow[]> {
  if (recipients.length === 0) return [];
  return tx
    .insert(notifications)
    .values(recipients.map((r) => ({ userId: r.userId, type: r.type, ...about, emailPending: EMAILED_TYPES.has(r.type) })))
    .returning();
}

/** Writes notifications and moves each recipient's unread count, inside the caller's transaction. */
export async function notify(
  tx: Conn,
  recipients: Recipient[],
  about: { threadId: number | null; postId: number | null; actorId: number | null }
): Promise<NotificationRow[]> {
  if (recipients.length === 0) return [];
  const rows = await insertNotifications(tx, recipients, about);
  await tx
    .update(users)
    .set({ unreadNotifications: sql`${users.unreadNotifications} + 1` })
    .where(
      inArray(
        users.id,
        recipients.map((r) => r.userId)
      )
    );
  return rows;
}

/**
 * Notification rows with their actors and thread titles: one lookup each, not one per row.
 * A deleted thread's title is not shown.
 */
export async function withContext(db: Conn, rows: NotificationRow[], inTransaction = false) {
  const actorIds = [...new Set(rows.flatMap((r) => (r.actorId === null ? [] : [r.actorId])))];
  const threadIds = [...new Set(rows.flatMap((r) => (r.threadId === null ? [] : [r.threadId])))];
  const postIds = [...new Set(rows.flatMap((r) => (r.postId === null ? [] : [r.postId])))];
  const actorsQuery = actorIds.length === 0 ? [] : db.select(authorColumns).from(users).where(inArray(users.id, actorIds));
  const titlesQuery =
    threadIds.length === 0
      ? []
      : db
          .select({ id: threads.id, title: threads.title })
          .from(threads)
          .where(and(inArray(threads.id, threadIds), isNull(threads.deletedAt)));
  // Only the start of each body: the excerpt is one line.
  const bodiesQuery =
    postIds.length === 0
      ? []
      : db
          .select({ id: posts.id, start: sql<string>`left(${posts.bodyMarkdown}, 600)` })
          .from(posts)
          .where(and(inArray(posts.id, postIds), isNull(posts.deletedAt)));
  // Drizzle's queries run when awaited: in a transaction (one connection) one after another.
  const [actors, titles, bodies] = inTransaction
    ? [await actorsQuery, await titlesQuery, await bodiesQuery]
    : await Promise.all([actorsQuery, titlesQuery, bodiesQuery]);
  const excerptOf = new Map(bodies.map((b) => [b.id, plainFirstLine(b.start)]));
  const byId = new Map<number, AuthorRow>(actors.map((a) => [a.id, a]));
  const titleOf = new Map(titles.map((t) => [t.id, t.title]));
  return rows.map((n) => ({
    notification: n,
    actor: n.actorId === null ? null : (byId.get(n.actorId) ?? null),
    threadTitle: n.threadId === null ? null : (titleOf.get(n.threadId) ?? null),
    excerpt: n.postId === null || n.threadId === null || !titleOf.has(n.threadId) ? null : (excerptOf.get(n.postId) ?? null)
  }));
}

const EXCERPT_MAX = 140;

/**
 * The first line of a post that says something, as plain text: markdown marks, images, link
 * targets and code fences dropped, at most 140 characters (cut at a word, with an ellipsis).
 */
export function plainFirstLine(markdown: string): string | null {
  for (const raw of markdown.split('\n')) {
    const line = raw
      .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/^\s{0,3}(?:[#>]+|[-*+]|\d+[.)])\s+/, '')
      .replace(/^\s*(?:```|~~~).*$/, '')
      .replace(/[*_`~]+/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    if (line === '' || /^[-=|: ]+$/.test(line)) continue;
    if (line.length <= EXCERPT_MAX) return line;
    const cut = line.slice(0, EXCERPT_MAX - 1);
    const space = cut.lastIndexOf(' ');
    return `${space > 80 ? cut.slice(0, space) : cut}…`;
  }
  return null;
}

export async function listNotifications(db: Conn, userId: number, limit: number, before: number | null) {
  const rows = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), before === null ? undefined : lt(notifications.id, before)))
    .orderBy(desc(notifications.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: await withContext(db, page), nextId: rows.length > limit && last !== undefined ? last.id : null };
}

/** A user's notifications after one id, oldest first: what a socket that was away missed. */
export async function notificationsSince(db: Conn, userId: number, since: number, limit = 500) {
  const rows = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), gt(notifications.id, since)))
    .orderBy(asc(notifications.id))
    .limit(limit);
  return withContext(db, rows);
}

/** Notifications by id with their context, in one round of queries (the live hub's deliveries). */
export async function notificationsByIds(db: Conn, ids: number[]) {
  if (ids.length === 0) return [];
  return withContext(db, await db.select().from(notifications).where(inArray(notifications.id, ids)));
}

/** The unread count and the newest notification id (0 for none): where a new socket starts. */
export async function notificationState(db: Conn, userId: number): Promise<{ unread: number; latestId: number }> {
  const [row] = await db
    .select({
      unread: users.unreadNotifications,
      latestId: sql<
        number | string | null
      >`(select max(${notifications.id}) from ${notifications} where ${notifications.userId} = ${userId})`
    })
    .from(users)
    .where(eq(users.id, userId));
  return { unread: row?.unread ?? 0, latestId: Number(row?.latestId ?? 0) };
}

/** The id of the member's newest notification (read or not), or null: where the live socket resumes. */
export async function latestNotificationId(db: Conn, userId: number): Promise<number | null> {
  const [row] = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(desc(notifications.id))
    .limit(1);
  return row?.id ?? null;
}

export async function unreadCount(db: Conn, userId: number): Promise<number> {
  const [row] = await db.select({ n: users.unreadNotifications }).from(users).where(eq(users.id, userId));
  return row?.n ?? 0;
}

/**
 * Marks read the user's unread notifications that `which` selects, in one transaction, and
 * moves the unread count by exactly the rows changed (a notification arriving meanwhile stays
 * counted). Returns the unread count after.
 */
async function markUnreadRead(db: Db, userId: number, which: (tx: Conn) => SQL | undefined): Promise<number> {
  return db.transaction(async (tx) => {
    const changed = await tx
      .update(notifications)
      .set({ readAt: new Date(), emailPending: false })
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt), which(tx)))
      .returning({ id: notifications.id });
    if (changed.length === 0) return unreadCount(tx, userId);
    const [user] = await tx
      .update(users)
      .set({ unreadNotifications: sql`${users.unreadNotifications} - ${changed.length}` })
      .where(eq(users.id, userId))
      .returning({ n: users.unreadNotifications });
    return user?.n ?? 0;
  });
}

/**
 * Reading a thread clears what pointed at it: the reader's unread notifications about posts
 * of this thread up to their read position (`posts.seq <= upto`).
 */
export function markSeenInThread(db: Db, userId: number, threadId: number, upto: number): Promise<number> {
  return markUnreadRead(db, userId, (tx) =>
    and(
      eq(notifications.threadId, threadId),
      inArray(
        notifications.postId,
        tx
          .select({ id: posts.id })
          .from(posts)
          .where(and(eq(posts.threadId, threadId), lte(posts.seq, upto)))
      )
    )
  );
}

/** Marks some (ids) or all of a user's notifications read. */
export function markRead(db: Db, userId: number, ids: number[] | 'all'): Promise<number> {
  return markUnreadRead(db, userId, () => (ids === 'all' ? undefined : inArray(notifications.id, ids.length === 0 ? [-1] : ids)));
}
