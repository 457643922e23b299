import { and, asc, eq, gt, inArray, lte, min, or, sql, lt } from 'drizzle-orm';
import type { Conn } from '@bmet/db/client';
import { notifications, posts, threadReads, threadSubscriptions, users, votes } from '@bmet/db/schema';
import type { Level } from './watches.ts';
import { UNNAMED, prepared } from '../lib/prepared.ts';

/**
 * Read positions. A user's position in a thread is one number: every post whose creation
 * number (`posts.seq`) is at most it has been shown to them. Posts are shown in tree order, not
 * creation order, so a page moves the position only over what it really showed: up to just
 * before the oldest post it did not show.
 */

/** What a shown page covered: a path range of one thread, and the thread's last seq when read. */
export interface ReadMark {
  threadId: number;
  from: string;
  to: string;
  /** posts.seq at most this existed (and were committed) before the page was read. */
  cap: number;
}

export function encodeMark(mark: ReadMark): string {
  return Buffer.from(JSON.stringify([mark.threadId, mark.from, mark.to, mark.cap])).toString('base64url');
}

const PATH = /^[0-9]{1,2000}$/;
const int = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** null for anything that is not a mark this server issued the shape of. */
export function decodeMark(raw: string): ReadMark | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 4) return null;
    const [threadId, from, to, cap] = v as unknown[];
    if (!int(threadId) || !int(cap) || typeof from !== 'string' || typeof to !== 'string') return null;
    if (!PATH.test(from) || !PATH.test(to) || from > to) return null;
    return { threadId, from, to, cap };
  } catch {
    return null;
  }
}

/** -1 when the user has never opened the thread. */
export async function lastReadSeq(db: Conn, userId: number, threadId: number): Promise<number> {
  const rows = await db
    .select({ seq: threadReads.lastReadSeq })
    .from(threadReads)
    .where(and(eq(threadReads.userId, userId), eq(threadReads.threadId, threadId)))
    .limit(1);
  return rows[0]?.seq ?? -1;
}

/**
 * What a thread page holds of its reader beside the posts every reader shares: their position,
 * their notification level, their votes on the page's posts and whether any of their unread
 * notifications is about this thread, in one statement (index lookups as scalar subqueries).
 */
export async function readerOverlay(
  db: Conn,
  userId: number,
  threadId: number,
  postIds: number[]
): Promise<{ lastReadSeq: number; level: Level; votes: Map<number, number>; unseenNotifications: boolean }> {
  // Built once (lib/prepared.ts), from the reader's own row: the page's post ids go as one array.
  // Every subquery names the reader by the parameter, not by `users.id`: Drizzle writes a column
  // of a one-table select unqualified, and `"id"` inside a subquery on notifications is theirs.
  const query = prepared(db, 'reader-overlay', (conn) =>
    conn
      .select({
        seq: sql<
          number | string | null
        >`(select ${threadReads.lastReadSeq} from ${threadReads} where ${threadReads.userId} = ${sql.placeholder('user')} and ${threadReads.threadId} = ${sql.placeholder('thread')})`,
        level: sql<Level | null>`(select ${threadSubscriptions.level} from ${threadSubscriptions} where ${threadSubscriptions.userId} = ${sql.placeholder('user')} and ${threadSubscriptions.threadId} = ${sql.placeholder('thread')})`,
        votes: sql<
          string | [number | string, number][] | null
        >`(select json_agg(json_build_array(${votes.postId}, ${votes.value})) from ${votes}
          where ${votes.userId} = ${sql.placeholder('user')} and ${votes.postId} = any(${sql.placeholder('posts')}::bigint[]))`,
        // One probe of the unread-by-thread index (notifications_unread_thread_idx).
        unseen: sql<boolean>`exists (select 1 from ${notifications} where ${notifications.userId} = ${sql.placeholder('user')}
          and ${notifications.threadId} = ${sql.placeholder('thread')} and ${notifications.readAt} is null)`
      })
      .from(users)
      .where(eq(users.id, sql.placeholder('user')))
      .prepare(UNNAMED)
  );
  const [row] = await query.execute({ user: userId, thread: threadId, posts: postIds });
  const pairs = typeof row?.votes === 'string' ? (JSON.parse(row.votes) as [number | string, number][]) : (row?.votes ?? []);
  return {
    lastReadSeq: row?.seq == null ? -1 : Number(row.seq),
    level: row?.level ?? 'none',
    unseenNotifications: row?.unseen === true,
    votes: new Map(pairs.map(([postId, value]) => [Number(postId), Number(value)]))
  };
}

/** Positions in many threads at once (a list page): one primary-key lookup. */
export async function readPositions(db: Conn, userId: number, threadIds: number[]): Promise<Map<number, number>> {
  if (threadIds.length === 0) return new Map();
  const rows = await db
    .select({ threadId: threadReads.threadId, seq: threadReads.lastReadSeq })
    .from(threadReads)
    .where(and(eq(threadReads.userId, userId), inArray(threadReads.threadId, threadIds)));
  return new Map(rows.map((r) => [r.threadId, r.seq]));
}

/** Replies since the position, from the thread's next sequence number. */
export const newRepliesSince = (postSeq: number, lastRead: number): number => Math.max(0, postSeq - 1 - Math.max(lastRead, 0));

/** The path of the first unread post in reading order, or null when nothing is unread. */
export async function firstUnreadPath(db: Conn, threadId: number, lastRead: number): Promise<string | null> {
  if (lastRead < 0) return null;
  const rows = await db
    .select({ path: posts.path })
    .from(posts)
    .where(and(eq(posts.threadId, threadId), gt(posts.seq, lastRead)))
    .orderBy(asc(posts.path))
    .limit(1);
  return rows[0]?.path ?? null;
}

/**
 * Moves the position over what a page showed, never backwards: to the seq before the oldest
 * unread post outside the page, or to the mark's cap when there is none.
 */
export async function markRead(db: Conn, userId: number, mark: ReadMark): Promise<number> {
  const current = await lastReadSeq(db, userId, mark.threadId);
  if (current >= mark.cap) return current;
  const [gap] = await db
    .select({ seq: min(posts.seq) })
    .from(posts)
    .where(
      and(
        eq(posts.threadId, mark.threadId),
        gt(posts.seq, current),
        lte(posts.seq, mark.cap),
        or(lt(posts.path, mark.from), gt(posts.path, mark.to))
      )
    );
  const next = gap?.seq === null || gap?.seq === undefined ? mark.cap : gap.seq - 1;
  if (next <= current) return current;
  const [row] = await db
    .insert(threadReads)
    .values({ userId, threadId: mark.threadId, lastReadSeq: next })
    .onConflictDoUpdate({
      target: [threadReads.userId, threadReads.threadId],
      set: { lastReadSeq: sql`greatest(${threadReads.lastReadSeq}, excluded.last_read_seq)`, updatedAt: sql`now()` }
    })
    .returning({ seq: threadReads.lastReadSeq });
  return row?.seq ?? next;
}

/**
 * One's own post counts as read: the opening post starts the author's position, and a reply
 * moves it when everything before the reply had been read already.
 */
export async function readOwnPost(tx: Conn, userId: number, threadId: number, seq: number): Promise<void> {
  if (seq === 0) {
    await tx.insert(threadReads).values({ userId, threadId, lastReadSeq: 0 }).onConflictDoNothing();
    return;
  }
  await tx
    .update(threadReads)
    .set({ lastReadSeq: seq, updatedAt: sql`now()` })
    .where(and(eq(threadReads.userId, userId), eq(threadReads.threadId, threadId), eq(threadReads.lastReadSeq, seq - 1)));
}

/**
 * Serialized list threads with `newReplies` for a signed-in caller: one lookup for the whole
 * list. Anonymous callers get the threads unchanged.
 */
export async function withNewReplies<T extends object>(
  db: Conn,
  userId: number | null,
  rows: readonly { id: number; postSeq: number }[],
  out: T[]
): Promise<(T & { newReplies?: number | null })[]> {
  if (userId === null) return out;
  const positions = await readPositions(
    db,
    userId,
    rows.map((r) => r.id)
  );
  return out.map((thread, i) => {
    const row = rows[i]!;
    const seen = positions.get(row.id);
    return { ...thread, newReplies: seen === undefined ? null : newRepliesSince(row.postSeq, seen) };
  });
}
