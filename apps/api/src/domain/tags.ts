import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { EquipmentSort } from '@bmet/contracts';
import type { Conn } from '@bmet/db/client';
import { boards, tags, threadTags, threads } from '@bmet/db/schema';
import { encodeCursor, olderThan } from '../lib/cursor.ts';
import { sortFilter } from './threads.ts';
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

export function suggestTags(db: Conn, q: string, limit = 20) {
  const prefix = escapeLike(q.trim().toLowerCase().replace(/\s+/g, '-'));
  return (
    db
      .select()
      .from(tags)
      .where(and(sql`${tags.threadCount} > 0`, prefix === '' ? undefined : sql`${tags.name} like ${prefix + '%'}`))
      // As tags_count_idx sorts (thread_count desc nulls last, name).
      .orderBy(sql`${tags.threadCount} desc nulls last`, asc(tags.name))
      .limit(limit)
  );
}

export async function getTag(db: Conn, name: string) {
  const rows = await db.select().from(tags).where(eq(tags.name, name)).limit(1);
  return rows[0] ?? null;
}

/**
 * A tag's threads, newest first, walking the (tag, created_at, thread_id) index: all of them, the
 * unanswered questions, or the solved ones (each membership joined to its thread by key, the
 * thread's state checked there).
 */
export async function listTagThreads(db: Conn, name: string, sort: EquipmentSort, limit: number, cursor: string | undefined) {
  const after = olderThan(cursor, threadTags.createdAt, threadTags.threadId);
  if (after === 'bad_cursor') return after;
  const filter = sortFilter(sort);
  const rows = await db
    .select({ thread: threads, boardSlug: boards.slug, at: threadTags.createdAt })
    .from(threadTags)
    .innerJoin(threads, eq(threads.id, threadTags.threadId))
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .where(and(eq(threadTags.tag, name), isNull(threads.deletedAt), filter, after))
    .orderBy(desc(threadTags.createdAt), desc(threadTags.threadId))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor([last.at.toISOString(), last.thread.id]) : null;
  return { rows: page.map((r) => ({ thread: r.thread, boardSlug: r.boardSlug })), nextCursor };
}
