import { and, asc, eq, sql } from 'drizzle-orm';
import type { Conn } from '@bmet/db/client';
import { boardWatches, boards, manufacturers, modelWatches, models, threadSubscriptions, threads } from '@bmet/db/schema';

export type Level = 'watching' | 'muted' | 'none';

/** Starts watching a thread one writes in, unless one already chose (a mute stays a mute). */
export async function watchByParticipation(tx: Conn, userId: number, threadId: number): Promise<void> {
  await tx.insert(threadSubscriptions).values({ userId, threadId, level: 'watching' }).onConflictDoNothing();
}

export async function setThreadLevel(db: Conn, userId: number, threadId: number, level: Level): Promise<void> {
  if (level === 'none') {
    await db.delete(threadSubscriptions).where(and(eq(threadSubscriptions.userId, userId), eq(threadSubscriptions.threadId, threadId)));
    return;
  }
  await db
    .insert(threadSubscriptions)
    .values({ userId, threadId, level })
    .onConflictDoUpdate({ target: [threadSubscriptions.userId, threadSubscriptions.threadId], set: { level } });
}

export async function threadLevel(db: Conn, userId: number, threadId: number): Promise<Level> {
  const [row] = await db
    .select({ level: threadSubscriptions.level })
    .from(threadSubscriptions)
    .where(and(eq(threadSubscriptions.userId, userId), eq(threadSubscriptions.threadId, threadId)));
  return row?.level ?? 'none';
}

/** Watchers of a board and of a model, for a new thread there. */
export async function newThreadWatchers(tx: Conn, boardId: number, modelId: number | null): Promise<number[]> {
  const byBoard = await tx.select({ userId: boardWatches.userId }).from(boardWatches).where(eq(boardWatches.boardId, boardId));
  const byModel =
    modelId === null ? [] : await tx.select({ userId: modelWatches.userId }).from(modelWatches).where(eq(modelWatches.modelId, modelId));
  return [...new Set([...byBoard, ...byModel].map((r) => r.userId))];
}

export async function setBoardWatch(db: Conn, userId: number, boardId: number, watching: boolean): Promise<void> {
  if (watching) await db.insert(boardWatches).values({ userId, boardId }).onConflictDoNothing();
  else await db.delete(boardWatches).where(and(eq(boardWatches.userId, userId), eq(boardWatches.boardId, boardId)));
}

export async function setModelWatch(db: Conn, userId: number, modelId: number, watching: boolean): Promise<void> {
  if (watching) await db.insert(modelWatches).values({ userId, modelId }).onConflictDoNothing();
  else await db.delete(modelWatches).where(and(eq(modelWatches.userId, userId), eq(modelWatches.modelId, modelId)));
}

/** What a user follows, for the settings page. */
export async function listWatches(db: Conn, userId: number) {
  const [boardRows, modelRows, threadRows] = await Promise.all([
    db
      .select({ slug: boards.slug, name: boards.name })
      .from(boardWatches)
      .innerJoin(boards, eq(boards.id, boardWatches.boardId))
      .where(eq(boardWatches.userId, userId))
      .orderBy(asc(boards.position)),
    db
      .select({ manufacturerSlug: manufacturers.slug, slug: models.slug, name: models.name, manufacturer: manufacturers.name })
      .from(modelWatches)
      .innerJoin(models, eq(models.id, modelWatches.modelId))
      .innerJoin(manufacturers, eq(manufacturers.id, models.manufacturerId))
      .where(eq(modelWatches.userId, userId))
      .orderBy(asc(manufacturers.name), asc(models.name)),
    db
      .select({ id: threads.id, title: threads.title, level: threadSubscriptions.level })
      .from(threadSubscriptions)
      .innerJoin(threads, eq(threads.id, threadSubscriptions.threadId))
      .where(and(eq(threadSubscriptions.userId, userId), sql`${threads.deletedAt} is null`))
      .orderBy(sql`${threadSubscriptions.createdAt} desc`)
      .limit(200)
  ]);
  return { boards: boardRows, models: modelRows, threads: threadRows.map((t) => ({ ...t, id: String(t.id) })) };
}
