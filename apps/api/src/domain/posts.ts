import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Conn, Db } from '@bmet/db/client';
import {
  boards,
  notifications,
  postRevisions,
  posts,
  threads,
  users,
  votes,
  type NotificationRow,
  type PostRow,
  type ThreadRow
} from '@bmet/db/schema';
import { authorColumns, type AuthorRow } from './serialize.ts';
import { countEquipmentSolved } from './equipment.ts';
import { notify, resolveMentions } from './notifications.ts';
import { logAction } from './moderation.ts';
import { recordPhiReview, type PhiRecord } from '../lib/phi-guard.ts';
import { linkUploads } from './uploads.ts';

export interface PostContext {
  post: PostRow;
  author: AuthorRow;
  thread: Pick<ThreadRow, 'id' | 'authorId' | 'kind' | 'locked' | 'solutionPostId' | 'boardId'>;
}

const threadColumns = {
  id: threads.id,
  authorId: threads.authorId,
  kind: threads.kind,
  locked: threads.locked,
  solutionPostId: threads.solutionPostId,
  boardId: threads.boardId
};

/** A post with its author and the thread facts that decide who may do what to it. */
export async function getPostContext(db: Conn, postId: number): Promise<PostContext | null> {
  const rows = await db
    .select({ post: posts, author: authorColumns, thread: threadColumns })
    .from(posts)
    .innerJoin(users, eq(users.id, posts.authorId))
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .where(and(eq(posts.id, postId), isNull(threads.deletedAt)))
    .limit(1);
  return rows[0] ?? null;
}

/** Several posts with their context in one query (the live hub's deliveries); posts of deleted threads are left out. */
export async function getPostContexts(db: Conn, postIds: number[]): Promise<PostContext[]> {
  if (postIds.length === 0) return [];
  return db
    .select({ post: posts, author: authorColumns, thread: threadColumns })
    .from(posts)
    .innerJoin(users, eq(users.id, posts.authorId))
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .where(and(inArray(posts.id, postIds), isNull(threads.deletedAt)));
}

/** Replaces a post's body and keeps the old one as a revision, in one transaction. */
export async function editPost(
  db: Db,
  input: {
    postId: number;
    editorId: number;
    bodyMarkdown: string;
    bodyHtml: string;
    phi: PhiRecord | null;
    /** Usernames mentioned in the new body (extractMentions). */
    mentions: string[];
    /** A moderator editing someone else's post: logged on the thread's board. */
    moderatorLog?: { boardId: number };
  }
): Promise<{ post: PostRow; notifications: NotificationRow[] } | null> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select({ bodyMarkdown: posts.bodyMarkdown })
      .from(posts)
      .where(and(eq(posts.id, input.postId), isNull(posts.deletedAt)))
      .for('update');
    if (current === undefined) return null;
    const now = new Date();
    await tx.insert(postRevisions).values({
      postId: input.postId,
      bodyMarkdown: current.bodyMarkdown,
      editorId: input.editorId,
      editedAt: now
    });
    const [post] = await tx
      .update(posts)
      .set({ bodyMarkdown: input.bodyMarkdown, bodyHtml: input.bodyHtml, editedAt: now })
      .where(eq(posts.id, input.postId))
      .returning();
    if (post === undefined) return null;
    await recordPhiReview(tx, post.id, post.authorId, input.phi);
    await linkUploads(tx, post.id, input.bodyMarkdown);
    if (input.moderatorLog !== undefined) {
      await logAction(tx, {
        actorId: input.editorId,
        action: 'post.edit',
        targetType: 'post',
        targetId: post.id,
        boardId: input.moderatorLog.boardId
      });
    }
    // A mention added by the edit notifies; one already notified for this post does not again.
    const mentioned = (await resolveMentions(tx, input.mentions)).filter((id) => id !== input.editorId);
    let fresh = mentioned;
    if (mentioned.length > 0) {
      const told = await tx
        .select({ userId: notifications.userId })
        .from(notifications)
        .where(and(eq(notifications.postId, post.id), eq(notifications.type, 'mention'), inArray(notifications.userId, mentioned)));
      const already = new Set(told.map((t) => t.userId));
      fresh = mentioned.filter((id) => !already.has(id));
    }
    const sent = await notify(
      tx,
      fresh.map((userId) => ({ userId, type: 'mention' as const })),
      { threadId: post.threadId, postId: post.id, actorId: input.editorId }
    );
    return { post, notifications: sent };
  });
}

export async function listRevisions(db: Conn, postId: number) {
  return db
    .select({ bodyMarkdown: postRevisions.bodyMarkdown, editedAt: postRevisions.editedAt, editor: authorColumns })
    .from(postRevisions)
    .innerJoin(users, eq(users.id, postRevisions.editorId))
    .where(eq(postRevisions.postId, postId))
    .orderBy(desc(postRevisions.editedAt), desc(postRevisions.id));
}

/**
 * Soft delete: the row keeps its place in the tree with its bodies hidden. A deleted accepted
 * answer stops being the solution, and the solution count it gave moves back.
 */
export async function softDeletePost(db: Db, ctx: PostContext): Promise<void> {
  await db.transaction((tx) => softDeleteInTx(tx, ctx));
}

/** The soft delete inside the caller's transaction (a moderator's delete logs beside it). */
export async function softDeleteInTx(tx: Conn, ctx: PostContext): Promise<void> {
  // Thread first, then post: the order setSolution locks them in, so the two cannot deadlock.
  await tx.select({ id: threads.id }).from(threads).where(eq(threads.id, ctx.thread.id)).for('update');
  const [deleted] = await tx
    .update(posts)
    .set({ deletedAt: new Date() })
    .where(and(eq(posts.id, ctx.post.id), isNull(posts.deletedAt)))
    .returning({ id: posts.id, depth: posts.depth, authorId: posts.authorId });
  if (deleted === undefined) return;
  // Counters count visible posts: the placeholder keeps its place, not its weight.
  if (deleted.depth > 0) {
    await tx
      .update(threads)
      .set({ replyCount: sql`${threads.replyCount} - 1` })
      .where(eq(threads.id, ctx.thread.id));
  }
  await tx
    .update(boards)
    .set({ postCount: sql`${boards.postCount} - 1` })
    .where(eq(boards.id, ctx.thread.boardId));
  await tx
    .update(users)
    .set({ postCount: sql`${users.postCount} - 1` })
    .where(eq(users.id, deleted.authorId));
  const cleared = await tx
    .update(threads)
    .set({ solutionPostId: null, solvedAt: null })
    .where(and(eq(threads.id, ctx.thread.id), eq(threads.solutionPostId, ctx.post.id)))
    .returning({ id: threads.id });
  if (cleared.length > 0) {
    await countEquipmentSolved(tx, ctx.thread.id, -1);
    await tx
      .update(users)
      .set({ solutionCount: sql`${users.solutionCount} - 1` })
      .where(eq(users.id, ctx.post.authorId));
  }
}

/**
 * Sets (1, -1) or clears (0) a user's vote. The post row is locked first, so concurrent votes on
 * one post apply one after another and the score is exact; the opening post's score is the
 * thread's score.
 */
export async function castVote(
  db: Db,
  input: { postId: number; userId: number; value: -1 | 0 | 1 }
): Promise<{ score: number; myVote: number } | null> {
  return db.transaction(async (tx) => {
    const [post] = await tx
      .select({ id: posts.id, threadId: posts.threadId, depth: posts.depth })
      .from(posts)
      .where(and(eq(posts.id, input.postId), isNull(posts.deletedAt)))
      .for('update');
    if (post === undefined) return null;
    const [old] = await tx
      .select({ value: votes.value })
      .from(votes)
      .where(and(eq(votes.postId, input.postId), eq(votes.userId, input.userId)));
    const delta = input.value - (old?.value ?? 0);
    if (input.value === 0) {
      await tx.delete(votes).where(and(eq(votes.postId, input.postId), eq(votes.userId, input.userId)));
    } else {
      await tx
        .insert(votes)
        .values({ postId: input.postId, userId: input.userId, value: input.value })
        .onConflictDoUpdate({ target: [votes.postId, votes.userId], set: { value: input.value } });
    }
    const [updated] = await tx
      .update(posts)
      .set({ score: sql`${posts.score} + ${delta}` })
      .where(eq(posts.id, input.postId))
      .returning({ score: posts.score });
    if (post.depth === 0 && delta !== 0) {
      await tx
        .update(threads)
        .set({ score: sql`${threads.score} + ${delta}` })
        .where(eq(threads.id, post.threadId));
    }
    return { score: updated?.score ?? 0, myVote: input.value };
  });
}

/**
 * Marks postId as the thread's accepted answer (null clears it), moving the solution counts of
 * the old and new answers' authors in the same transaction.
 */
export async function setSolution(
  db: Db,
  threadId: number,
  postId: number | null,
  actorId: number,
  /** A moderator choosing someone else's answer: logged on the thread's board. */
  moderatorLog: { boardId: number } | null = null
): Promise<{ thread: ThreadRow; notifications: NotificationRow[] } | 'not_found' | 'bad_post'> {
  return db.transaction(async (tx) => {
    const [locked] = await tx
      .select({ solutionPostId: threads.solutionPostId })
      .from(threads)
      .where(and(eq(threads.id, threadId), isNull(threads.deletedAt)))
      .for('update');
    if (locked === undefined) return 'not_found';
    let notifications: NotificationRow[] = [];
    if (postId !== null) {
      // Checked again under the thread lock: a delete racing this cannot leave a deleted answer.
      const [answer] = await tx
        .select({ id: posts.id, authorId: posts.authorId })
        .from(posts)
        .where(and(eq(posts.id, postId), eq(posts.threadId, threadId), isNull(posts.deletedAt), sql`${posts.depth} > 0`))
        .for('update');
      if (answer === undefined) return 'bad_post';
      // The answer's author hears that it was accepted (not when accepting their own).
      if (answer.id !== locked.solutionPostId && answer.authorId !== actorId) {
        notifications = await notify(tx, [{ userId: answer.authorId, type: 'solution' }], { threadId, postId: answer.id, actorId });
      }
    }
    const previous = locked.solutionPostId;
    // solvedAt moves only when the thread becomes solved (or stops being): a changed answer keeps the day it was solved.
    const solvedAt = postId === null ? null : previous === null ? sql`now()` : undefined;
    const [thread] = await tx
      .update(threads)
      .set({ solutionPostId: postId, ...(solvedAt === undefined ? {} : { solvedAt }) })
      .where(eq(threads.id, threadId))
      .returning();
    if (previous !== postId) {
      if (previous !== null) await moveSolutionCount(tx, previous, -1);
      if (postId !== null) await moveSolutionCount(tx, postId, 1);
    }
    if ((previous === null) !== (postId === null)) await countEquipmentSolved(tx, threadId, postId === null ? -1 : 1);
    if (moderatorLog !== null && previous !== postId) {
      await logAction(tx, {
        actorId,
        action: postId === null ? 'thread.solution_clear' : 'thread.solution',
        targetType: 'thread',
        targetId: threadId,
        reason: postId === null ? null : `accepted post ${postId}`,
        boardId: moderatorLog.boardId
      });
    }
    return thread === undefined ? 'not_found' : { thread, notifications };
  });
}

async function moveSolutionCount(tx: Conn, postId: number, by: number): Promise<void> {
  await tx
    .update(users)
    .set({ solutionCount: sql`${users.solutionCount} + ${by}` })
    .where(eq(users.id, sql`(select ${posts.authorId} from ${posts} where ${posts.id} = ${postId})`));
}
