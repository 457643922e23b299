import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Conn } from '@bmet/db/client';
import { boards, tags, threadTags, threads } from '@bmet/db/schema';
import { encodeCursor, olderThan } from '../lib/cursor.ts';
import { escapeLike } from '../lib/clean.ts';

/** Records a new thread's tags and moves their counts, inside the thread's transaction. */
export async function addThreadTags(tx: Conn, threadId: number, names: string[], at: Date): Promise<void> {
  if (names.length === 0) return;
  await tx
    .insert(tags)
    .values(names.map((name) => ({ name, threadCount: 1 })))
    .onConflictDoUpdate({ target: tags.name, set: { threadCount: sql`${tags.threadCount} + 1` } });
  await tx.insert(threadTags).values(names.map((tag) => ({ tag, threadId, createdAt: at })));
}

export function suggestTags(db: Conn, q: string) {
  const prefix = escapeLike(q.trim().toLowerCase().replace(/\s+/g, '-'));
  return db
    .select()
    .from(tags)
    .where(prefix === '' ? undefined : sql`${tags.name} like ${prefix + '%'}`)
    .orderBy(desc(tags.threadCount), asc(tags.name))
    .limit(20);
}

export async function getTag(db: Conn, name: string) {
  const rows = await db.select().from(tags).where(eq(tags.name, name)).limit(1);
  return rows[0] ?? null;
}

/** A tag's threads, newest first, from the (tag, created_at, thread_id) index. */
export async function listTagThreads(db: Conn, name: string, limit: number, cursor: string | undefined) {
  const after = olderThan(cursor, threadTags.createdAt, threadTags.threadId);
  if (after === 'bad_cursor') return after;
  const members = await db
    .select()
    .from(threadTags)
    .where(and(eq(threadTags.tag, name), after))
    .orderBy(desc(threadTags.createdAt), desc(threadTags.threadId))
    .limit(limit + 1);
  const page = members.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = members.length > limit && last !== undefined ? encodeCursor([last.createdAt.toISOString(), last.threadId]) : null;
  if (page.length === 0) return { rows: [], nextCursor };
  const found = await db
    .select({ thread: threads, boardSlug: boards.slug })
    .from(threads)
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .where(
      and(
        inArray(
          threads.id,
          page.map((m) => m.threadId)
        ),
        sql`${threads.deletedAt} is null`
      )
    );
  const byId = new Map(found.map((r) => [r.thread.id, r]));
  const rows = page.flatMap((m) => byId.get(m.threadId) ?? []);
  return { rows, nextCursor };
}
