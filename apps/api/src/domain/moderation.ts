import { and, asc, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Conn, Db } from '@bmet/db/client';
import {
  boardModerators,
  boardSuspensions,
  boards,
  manufacturers,
  models,
  modLog,
  postRevisions,
  posts,
  reports,
  tags,
  threads,
  threadTags,
  users,
  type BoardRow,
  type ModLogRow,
  type NotificationRow,
  type ThreadRow,
  type UserRow
} from '@bmet/db/schema';
import { notify } from './notifications.ts';
import { countEquipmentPresence } from './equipment.ts';
import { cleanText } from '../lib/clean.ts';
import { softDeleteInTx, type PostContext } from './posts.ts';

/**
 * Who moderates what. Admins moderate everything. A `moderator` with no board assignments
 * moderates every board (a global moderator); one with assignments moderates only those.
 */
export type Scope = 'all' | ReadonlySet<number> | null;

export async function moderationScope(db: Conn, user: Pick<UserRow, 'id' | 'role'> | null): Promise<Scope> {
  if (user === null || user.role === 'member') return null;
  if (user.role === 'admin') return 'all';
  const rows = await db.select({ boardId: boardModerators.boardId }).from(boardModerators).where(eq(boardModerators.userId, user.id));
  return rows.length === 0 ? 'all' : new Set(rows.map((r) => r.boardId));
}

export const scopeCovers = (scope: Scope, boardId: number): boolean => scope === 'all' || (scope !== null && scope.has(boardId));

export async function canModerate(db: Conn, user: Pick<UserRow, 'id' | 'role'> | null, boardId: number): Promise<boolean> {
  return scopeCovers(await moderationScope(db, user), boardId);
}

/**
 * The optional `reason` of a moderator action, from a body that may be absent (DELETE): cleaned
 * like any text, at most 500 characters, null when empty.
 */
export function reasonFrom(body: unknown): string | null {
  const raw = typeof body === 'object' && body !== null ? (body as { reason?: unknown }).reason : undefined;
  if (typeof raw !== 'string') return null;
  const text = cleanText(raw).slice(0, 500);
  return text === '' ? null : text;
}

export const isSuspended = (user: Pick<UserRow, 'suspendedUntil'>, now = new Date()): boolean =>
  user.suspendedUntil !== null && user.suspendedUntil > now;

export interface LogEntry {
  actorId: number;
  action: string;
  targetType: ModLogRow['targetType'];
  targetId: number | string;
  reason?: string | null;
  /** The board the action concerns (board moderators read their boards' entries); null when site-wide. */
  boardId: number | null;
}

/** One log entry, inside the caller's transaction: the action and its record land together. */
export async function logAction(tx: Conn, entry: LogEntry): Promise<void> {
  await tx.insert(modLog).values({
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: String(entry.targetId),
    reason: entry.reason ?? null,
    boardId: entry.boardId
  });
}

/** Tells a member that a moderator acted on their content (never the moderator themself). */
export async function notifyModeration(
  tx: Conn,
  userId: number,
  actorId: number,
  about: { threadId: number | null; postId: number | null }
): Promise<NotificationRow[]> {
  if (userId === actorId) return [];
  return notify(tx, [{ userId, type: 'moderation' }], { ...about, actorId });
}

type Flag = 'locked' | 'pinned';

/** Lock or pin; an action that changes nothing is answered without a log entry. */
export async function setThreadFlag(
  db: Db,
  input: { threadId: number; actorId: number; flag: Flag; value: boolean; reason: string | null }
): Promise<ThreadRow | null> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(threads).where(eq(threads.id, input.threadId)).for('update');
    if (current === undefined) return null;
    if (current[input.flag] === input.value) return current;
    const [thread] = await tx
      .update(threads)
      .set({ [input.flag]: input.value })
      .where(eq(threads.id, input.threadId))
      .returning();
    const verb = input.flag === 'locked' ? (input.value ? 'lock' : 'unlock') : input.value ? 'pin' : 'unpin';
    await logAction(tx, {
      actorId: input.actorId,
      action: `thread.${verb}`,
      targetType: 'thread',
      targetId: input.threadId,
      reason: input.reason,
      boardId: current.boardId
    });
    return thread ?? null;
  });
}

export type DuplicateResult = { thread: ThreadRow; notifications: NotificationRow[] } | 'not_found' | 'bad_original' | 'same_thread';

/**
 * Closes a thread as a duplicate of another (it is locked, and links there; search and similar
 * questions send readers to the original), or reopens it with `originalId` null (the lock
 * stays; unlocking is its own action). An original is
 * never itself a duplicate: closing against a duplicate points at its original, and the
 * threads that pointed at this one follow it, so every link is one hop.
 */
export async function setThreadDuplicate(
  db: Db,
  input: { threadId: number; actorId: number; originalId: number | null; reason: string | null }
): Promise<DuplicateResult> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(threads).where(eq(threads.id, input.threadId)).for('update');
    if (current === undefined || current.deletedAt !== null) return 'not_found';
    if (input.originalId === null) {
      if (current.duplicateOfId === null) return { thread: current, notifications: [] };
      // The lock stays: it may have been there before the close (unlock is its own action).
      const [thread] = await tx.update(threads).set({ duplicateOfId: null }).where(eq(threads.id, current.id)).returning();
      await logAction(tx, {
        actorId: input.actorId,
        action: 'thread.duplicate_clear',
        targetType: 'thread',
        targetId: current.id,
        reason: input.reason,
        boardId: current.boardId
      });
      return { thread: thread!, notifications: [] };
    }
    const [named] = await tx
      .select({ id: threads.id, duplicateOfId: threads.duplicateOfId, deletedAt: threads.deletedAt })
      .from(threads)
      .where(eq(threads.id, input.originalId))
      .for('share');
    if (named === undefined || named.deletedAt !== null) return 'bad_original';
    const originalId = named.duplicateOfId ?? named.id;
    if (originalId === current.id) return 'same_thread';
    if (originalId !== named.id) {
      // The named thread is itself a duplicate: its original, locked too, must be live and an original.
      const [resolved] = await tx
        .select({ duplicateOfId: threads.duplicateOfId, deletedAt: threads.deletedAt })
        .from(threads)
        .where(eq(threads.id, originalId))
        .for('share');
      if (resolved === undefined || resolved.deletedAt !== null || resolved.duplicateOfId !== null) return 'bad_original';
    }
    if (current.duplicateOfId === originalId) return { thread: current, notifications: [] };
    const [thread] = await tx
      .update(threads)
      .set({ duplicateOfId: originalId, locked: true })
      .where(eq(threads.id, current.id))
      .returning();
    await tx.update(threads).set({ duplicateOfId: originalId }).where(eq(threads.duplicateOfId, current.id));
    await logAction(tx, {
      actorId: input.actorId,
      action: 'thread.duplicate',
      targetType: 'thread',
      targetId: current.id,
      reason: input.reason === null ? `duplicate of thread ${originalId}` : `duplicate of thread ${originalId}: ${input.reason}`,
      boardId: current.boardId
    });
    const notifications = await notifyModeration(tx, current.authorId, input.actorId, { threadId: current.id, postId: null });
    return { thread: thread!, notifications };
  });
}

/** Moves a thread and its counts to another board. */
export async function moveThread(
  db: Db,
  input: { threadId: number; actorId: number; toBoardId: number; reason: string | null }
): Promise<{ thread: ThreadRow; notifications: NotificationRow[] } | null> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(threads).where(eq(threads.id, input.threadId)).for('update');
    if (current === undefined) return null;
    if (current.boardId === input.toBoardId) return { thread: current, notifications: [] };
    const [thread] = await tx.update(threads).set({ boardId: input.toBoardId }).where(eq(threads.id, input.threadId)).returning();
    if (thread === undefined) return null;
    if (current.deletedAt === null) {
      const weight = current.replyCount + 1;
      await tx
        .update(boards)
        .set({ threadCount: sql`${boards.threadCount} - 1`, postCount: sql`${boards.postCount} - ${weight}` })
        .where(eq(boards.id, current.boardId));
      await tx
        .update(boards)
        .set({
          threadCount: sql`${boards.threadCount} + 1`,
          postCount: sql`${boards.postCount} + ${weight}`,
          lastActivityAt: sql`greatest(${boards.lastActivityAt}, ${current.lastPostAt})`
        })
        .where(eq(boards.id, input.toBoardId));
    }
    await logAction(tx, {
      actorId: input.actorId,
      action: 'thread.move',
      targetType: 'thread',
      targetId: input.threadId,
      reason: input.reason,
      boardId: current.boardId
    });
    const notifications = await notifyModeration(tx, current.authorId, input.actorId, { threadId: current.id, postId: null });
    return { thread, notifications };
  });
}

/**
 * Soft-deletes or restores a whole thread. Every list stops (or starts again) counting it:
 * board, author, tags (their membership rows go, so tag pages never list it) and model.
 */
export async function setThreadDeleted(
  db: Db,
  input: { threadId: number; actorId: number; deleted: boolean; reason: string | null; byModerator: boolean }
): Promise<{ thread: ThreadRow; notifications: NotificationRow[] } | null> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(threads).where(eq(threads.id, input.threadId)).for('update');
    if (current === undefined) return null;
    if ((current.deletedAt !== null) === input.deleted) return { thread: current, notifications: [] };
    const by = input.deleted ? -1 : 1;
    const [thread] = await tx
      .update(threads)
      .set({ deletedAt: input.deleted ? new Date() : null })
      .where(eq(threads.id, input.threadId))
      .returning();
    if (thread === undefined) return null;
    // Duplicates of a deleted thread stop pointing at it (a link would lead to a 404).
    if (input.deleted) await tx.update(threads).set({ duplicateOfId: null }).where(eq(threads.duplicateOfId, current.id));
    const weight = current.replyCount + 1;
    await tx
      .update(boards)
      .set({ threadCount: sql`${boards.threadCount} + ${by}`, postCount: sql`${boards.postCount} + ${by * weight}` })
      .where(eq(boards.id, current.boardId));
    await tx
      .update(users)
      .set({ threadCount: sql`${users.threadCount} + ${by}` })
      .where(eq(users.id, current.authorId));
    if (current.tags.length > 0) {
      if (input.deleted) {
        await tx.delete(threadTags).where(eq(threadTags.threadId, current.id));
      } else {
        await tx
          .insert(threadTags)
          .values(current.tags.map((tag) => ({ tag, threadId: current.id, createdAt: current.createdAt })))
          .onConflictDoNothing();
      }
      await tx
        .update(tags)
        .set({ threadCount: sql`${tags.threadCount} + ${by}` })
        .where(inArray(tags.name, current.tags));
    }
    await countEquipmentPresence(tx, current, by);
    let notifications: NotificationRow[] = [];
    if (input.byModerator) {
      await logAction(tx, {
        actorId: input.actorId,
        action: input.deleted ? 'thread.delete' : 'thread.restore',
        targetType: 'thread',
        targetId: current.id,
        reason: input.reason,
        boardId: current.boardId
      });
      notifications = await notifyModeration(tx, current.authorId, input.actorId, { threadId: current.id, postId: null });
    }
    return { thread, notifications };
  });
}

/**
 * A moderator's post deletion: the soft delete, plus (when purging for patient data or spam)
 * the revisions, so no read path keeps the content. Logged and told to the author.
 */
export async function moderatorDeletePost(
  tx: Conn,
  input: { ctx: PostContext; actorId: number; reason: string | null; purge: boolean; action?: string }
): Promise<NotificationRow[]> {
  await softDeleteInTx(tx, input.ctx);
  if (input.purge) {
    await tx.delete(postRevisions).where(eq(postRevisions.postId, input.ctx.post.id));
    // The deleted row keeps its place in the tree, not its words.
    await tx.update(posts).set({ bodyMarkdown: '', bodyHtml: '' }).where(eq(posts.id, input.ctx.post.id));
  }
  await logAction(tx, {
    actorId: input.actorId,
    action: input.action ?? 'post.delete',
    targetType: 'post',
    targetId: input.ctx.post.id,
    reason: input.reason,
    boardId: input.ctx.thread.boardId
  });
  return notifyModeration(tx, input.ctx.post.authorId, input.actorId, { threadId: input.ctx.thread.id, postId: input.ctx.post.id });
}

/** Brings a soft-deleted post back with its counts (not its solution mark). */
export async function restorePost(
  db: Db,
  input: { ctx: PostContext; actorId: number; reason: string | null }
): Promise<{ restored: boolean; notifications: NotificationRow[] }> {
  return db.transaction(async (tx) => {
    await tx.select({ id: threads.id }).from(threads).where(eq(threads.id, input.ctx.thread.id)).for('update');
    const [row] = await tx
      .update(posts)
      .set({ deletedAt: null })
      .where(and(eq(posts.id, input.ctx.post.id), isNotNull(posts.deletedAt)))
      .returning({ depth: posts.depth, authorId: posts.authorId });
    if (row === undefined) return { restored: false, notifications: [] };
    if (row.depth > 0) {
      await tx
        .update(threads)
        .set({ replyCount: sql`${threads.replyCount} + 1` })
        .where(eq(threads.id, input.ctx.thread.id));
    }
    await tx
      .update(boards)
      .set({ postCount: sql`${boards.postCount} + 1` })
      .where(eq(boards.id, input.ctx.thread.boardId));
    await tx
      .update(users)
      .set({ postCount: sql`${users.postCount} + 1` })
      .where(eq(users.id, row.authorId));
    await logAction(tx, {
      actorId: input.actorId,
      action: 'post.restore',
      targetType: 'post',
      targetId: input.ctx.post.id,
      reason: input.reason,
      boardId: input.ctx.thread.boardId
    });
    const notifications = await notifyModeration(tx, row.authorId, input.actorId, {
      threadId: input.ctx.thread.id,
      postId: input.ctx.post.id
    });
    return { restored: true, notifications };
  });
}

/**
 * Suspends a member as far as the actor moderates: site-wide for a global moderator or an
 * admin (scope 'all'), otherwise from each board the actor moderates. Logged per board.
 */
export async function suspendUser(
  tx: Conn,
  input: { userId: number; actorId: number; until: Date; reason: string; scope: Exclude<Scope, null>; action?: string }
): Promise<UserRow | null> {
  const logged = { actorId: input.actorId, action: input.action ?? 'user.suspend', targetType: 'user' as const, targetId: input.userId };
  const reason = `${input.reason} (until ${input.until.toISOString()})`;
  if (input.scope === 'all') {
    const [user] = await tx
      .update(users)
      .set({ suspendedUntil: input.until, suspensionReason: input.reason })
      .where(eq(users.id, input.userId))
      .returning();
    if (user === undefined) return null;
    await logAction(tx, { ...logged, reason, boardId: null });
    return user;
  }
  const [user] = await tx.select().from(users).where(eq(users.id, input.userId));
  if (user === undefined) return null;
  for (const boardId of input.scope) {
    await tx
      .insert(boardSuspensions)
      .values({ boardId, userId: input.userId, until: input.until, reason: input.reason, createdById: input.actorId })
      .onConflictDoUpdate({
        target: [boardSuspensions.boardId, boardSuspensions.userId],
        set: { until: input.until, reason: input.reason, createdById: input.actorId, createdAt: new Date() }
      });
    await logAction(tx, { ...logged, reason, boardId });
  }
  return user;
}

/**
 * Lifts what the actor may lift: everything (site-wide and every board) for scope 'all', the
 * actor's boards otherwise. `lifted` is false when there was nothing to lift (nothing logged).
 */
export async function liftSuspension(
  db: Db,
  input: { userId: number; actorId: number; reason: string | null; scope: Exclude<Scope, null> }
): Promise<{ user: UserRow; lifted: boolean } | null> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, input.userId)).for('update');
    if (current === undefined) return null;
    const logged = {
      actorId: input.actorId,
      action: 'user.unsuspend',
      targetType: 'user' as const,
      targetId: input.userId,
      reason: input.reason
    };
    let user = current;
    let lifted = false;
    if (input.scope === 'all' && isSuspended(current)) {
      const [updated] = await tx
        .update(users)
        .set({ suspendedUntil: null, suspensionReason: null })
        .where(eq(users.id, input.userId))
        .returning();
      user = updated ?? current;
      lifted = true;
      await logAction(tx, { ...logged, boardId: null });
    }
    const removed = await tx
      .delete(boardSuspensions)
      .where(
        and(
          eq(boardSuspensions.userId, input.userId),
          sql`${boardSuspensions.until} > now()`,
          input.scope === 'all' ? undefined : inArray(boardSuspensions.boardId, [...input.scope])
        )
      )
      .returning({ boardId: boardSuspensions.boardId });
    for (const row of removed) await logAction(tx, { ...logged, boardId: row.boardId });
    return { user, lifted: lifted || removed.length > 0 };
  });
}

export interface BoardSuspension {
  boardId: number;
  boardSlug: string;
  until: Date;
  reason: string;
}

/** A member's board suspensions still running, within `scope` when given; by board position. */
export async function boardSuspensionsOf(db: Conn, userId: number, scope: Scope = 'all'): Promise<BoardSuspension[]> {
  if (scope === null) return [];
  return db
    .select({ boardId: boardSuspensions.boardId, boardSlug: boards.slug, until: boardSuspensions.until, reason: boardSuspensions.reason })
    .from(boardSuspensions)
    .innerJoin(boards, eq(boards.id, boardSuspensions.boardId))
    .where(
      and(
        eq(boardSuspensions.userId, userId),
        sql`${boardSuspensions.until} > now()`,
        scope === 'all' ? undefined : inArray(boardSuspensions.boardId, [...scope])
      )
    )
    .orderBy(asc(boards.position), asc(boards.id));
}

/** The running suspension of a member from one board, or null (one primary-key lookup). */
export async function boardSuspension(db: Conn, userId: number, boardId: number): Promise<{ until: Date; reason: string } | null> {
  const [row] = await db
    .select({ until: boardSuspensions.until, reason: boardSuspensions.reason })
    .from(boardSuspensions)
    .where(and(eq(boardSuspensions.boardId, boardId), eq(boardSuspensions.userId, userId), sql`${boardSuspensions.until} > now()`));
  return row ?? null;
}

/** The log newest first, as far as `scope` reaches: everything for 'all', those boards' entries otherwise. */
export async function listModLog(db: Conn, scope: Exclude<Scope, null>, limit: number, before: { at: Date; id: number } | null) {
  const rows = await db
    .select({
      entry: modLog,
      boardSlug: boards.slug,
      actor: { id: users.id, username: users.username, displayName: users.displayName, profession: users.profession, role: users.role }
    })
    .from(modLog)
    .innerJoin(users, eq(users.id, modLog.actorId))
    .leftJoin(boards, eq(boards.id, modLog.boardId))
    .where(
      and(
        scope === 'all' ? undefined : inArray(modLog.boardId, scope.size === 0 ? [-1] : [...scope]),
        before === null
          ? undefined
          : sql`(${modLog.createdAt}, ${modLog.id}) < (${before.at.toISOString()}::timestamptz, ${before.id}::bigint)`
      )
    )
    .orderBy(desc(modLog.createdAt), desc(modLog.id))
    .limit(limit + 1);
  return rows;
}

/** What a log entry's target is, in words and places: enough to link it. */
export interface LogTarget {
  label: string | null;
  threadId: number | null;
  postId: number | null;
  username: string | null;
  boardSlug: string | null;
}

/** Describes the targets of log entries: one lookup per kind of target, not one per entry. */
export async function describeTargets(db: Conn, entries: ModLogRow[]): Promise<Map<number, LogTarget>> {
  const idsOf = (type: ModLogRow['targetType']) =>
    [...new Set(entries.filter((e) => e.targetType === type).map((e) => Number(e.targetId)))].filter(Number.isSafeInteger);
  const reportIds = idsOf('report');
  const reportRows =
    reportIds.length === 0
      ? []
      : await db.select({ id: reports.id, postId: reports.postId }).from(reports).where(inArray(reports.id, reportIds));
  const postOfReport = new Map(reportRows.map((r) => [r.id, r.postId]));
  const postIds = [...new Set([...idsOf('post'), ...reportRows.map((r) => r.postId)])];
  const [postRows, userRows, boardRows, makerRows, modelRows] = await Promise.all([
    postIds.length === 0 ? [] : db.select({ id: posts.id, threadId: posts.threadId }).from(posts).where(inArray(posts.id, postIds)),
    idsOf('user').length === 0
      ? []
      : db
          .select({ id: users.id, username: users.username })
          .from(users)
          .where(inArray(users.id, idsOf('user'))),
    idsOf('board').length === 0
      ? []
      : db
          .select({ id: boards.id, slug: boards.slug, name: boards.name })
          .from(boards)
          .where(inArray(boards.id, idsOf('board'))),
    idsOf('manufacturer').length === 0
      ? []
      : db
          .select({ id: manufacturers.id, name: manufacturers.name })
          .from(manufacturers)
          .where(inArray(manufacturers.id, idsOf('manufacturer'))),
    idsOf('model').length === 0
      ? []
      : db
          .select({ id: models.id, name: sql<string>`${manufacturers.name} || ' ' || ${models.name}` })
          .from(models)
          .innerJoin(manufacturers, eq(manufacturers.id, models.manufacturerId))
          .where(inArray(models.id, idsOf('model')))
  ]);
  const recordOf = new Map([
    ...makerRows.map((m) => [`manufacturer:${m.id}`, m.name] as const),
    ...modelRows.map((m) => [`model:${m.id}`, m.name] as const)
  ]);
  const threadOfPost = new Map(postRows.map((p) => [p.id, p.threadId]));
  const threadIds = [...new Set([...idsOf('thread'), ...postRows.map((p) => p.threadId)])];
  const threadRows =
    threadIds.length === 0
      ? []
      : await db.select({ id: threads.id, title: threads.title }).from(threads).where(inArray(threads.id, threadIds));
  const titleOf = new Map(threadRows.map((t) => [t.id, t.title]));
  const userOf = new Map(userRows.map((u) => [u.id, u.username]));
  const boardOf = new Map(boardRows.map((b) => [b.id, b]));
  const out = new Map<number, LogTarget>();
  for (const e of entries) {
    const id = Number(e.targetId);
    const none: LogTarget = { label: null, threadId: null, postId: null, username: null, boardSlug: null };
    if (e.targetType === 'thread') out.set(e.id, { ...none, threadId: id, label: titleOf.get(id) ?? null });
    if (e.targetType === 'post' || e.targetType === 'report') {
      const postId = e.targetType === 'post' ? id : (postOfReport.get(id) ?? null);
      const threadId = postId === null ? null : (threadOfPost.get(postId) ?? null);
      out.set(e.id, { ...none, postId, threadId, label: threadId === null ? null : (titleOf.get(threadId) ?? null) });
    }
    if (e.targetType === 'user') out.set(e.id, { ...none, username: userOf.get(id) ?? null, label: userOf.get(id) ?? null });
    if (e.targetType === 'manufacturer' || e.targetType === 'model') {
      out.set(e.id, { ...none, label: recordOf.get(`${e.targetType}:${id}`) ?? null });
    }
    if (e.targetType === 'board') {
      const board = boardOf.get(id);
      out.set(e.id, { ...none, boardSlug: board?.slug ?? null, label: board?.name ?? null });
    }
  }
  return out;
}

/** Boards in their order, archived ones included (admins see and manage them). */
export function listAllBoards(db: Conn): Promise<BoardRow[]> {
  return db.select().from(boards).orderBy(asc(boards.position), asc(boards.id));
}

export async function boardModeratorIds(db: Conn, boardId: number): Promise<number[]> {
  const rows = await db.select({ userId: boardModerators.userId }).from(boardModerators).where(eq(boardModerators.boardId, boardId));
  return rows.map((r) => r.userId);
}

/**
 * Replaces a board's moderators. Members assigned become (board-limited) moderators; a
 * moderator left with no assignment is set back to member, since a moderator without
 * assignments would moderate every board.
 */
export async function setBoardModerators(
  db: Db,
  input: { boardId: number; userIds: number[]; usernames: string[]; actorId: number }
): Promise<void> {
  await db.transaction(async (tx) => {
    // Two admins saving at once take turns on the board's row: without it both delete, both
    // insert, and the second trips over the first's rows.
    await tx.select({ id: boards.id }).from(boards).where(eq(boards.id, input.boardId)).for('update');
    const before = await boardModeratorIds(tx, input.boardId);
    const removed = before.filter((id) => !input.userIds.includes(id));
    // And on the users it touches, in id order: two admins each removing someone's last two
    // boards at once must not both see the other's row and leave them a moderator of no board
    // (which would be every board).
    const touched = [...new Set([...before, ...input.userIds])].sort((a, b) => a - b);
    if (touched.length > 0) {
      await tx.select({ id: users.id }).from(users).where(inArray(users.id, touched)).orderBy(asc(users.id)).for('update');
    }
    await tx.delete(boardModerators).where(eq(boardModerators.boardId, input.boardId));
    if (input.userIds.length > 0) {
      await tx
        .insert(boardModerators)
        .values(input.userIds.map((userId) => ({ boardId: input.boardId, userId })))
        .onConflictDoNothing();
      await tx
        .update(users)
        .set({ role: 'moderator' })
        .where(and(inArray(users.id, input.userIds), eq(users.role, 'member')));
    }
    if (removed.length > 0) {
      await tx
        .update(users)
        .set({ role: 'member' })
        .where(
          and(
            inArray(users.id, removed),
            eq(users.role, 'moderator'),
            sql`not exists (select 1 from ${boardModerators} where ${boardModerators.userId} = ${users.id})`
          )
        );
    }
    await logAction(tx, {
      actorId: input.actorId,
      action: 'board.moderators',
      targetType: 'board',
      targetId: input.boardId,
      boardId: input.boardId,
      reason: `moderators: ${input.usernames.length === 0 ? 'none' : input.usernames.join(', ')}`
    });
  });
}
