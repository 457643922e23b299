import { logAction } from './moderation.ts';
import { readOwnPost } from './reads.ts';
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Conn, Db } from '@bmet/db/client';
import { boards, posts, threadSubscriptions, threads, users, type NotificationRow, type PostRow, type ThreadRow } from '@bmet/db/schema';
import type { Equipment, ThreadKind, ThreadSort } from '@bmet/contracts';
import { decodeCursor, encodeCursor, olderThan, type CursorPart } from '../lib/cursor.ts';
import { authorColumns, type AuthorRow } from './serialize.ts';
import { countEquipmentThread, resolveEquipment } from './equipment.ts';
import { addThreadTags } from './tags.ts';
import { UNNAMED, prepared } from '../lib/prepared.ts';
import { recordPhiReview, type PhiRecord } from '../lib/phi-guard.ts';
import { linkUploads } from './uploads.ts';
import { insertNotifications, newThreadRecipients, replyRecipients, resolveMentions } from './notifications.ts';
import { newThreadWatchers, watchByParticipation } from './watches.ts';

/** One path segment per tree level: the post's sequence number in its thread, zero-padded. */
export const SEGMENT_WIDTH = 7;
export const MAX_POSTS_PER_THREAD = 10 ** SEGMENT_WIDTH - 1;
/** Replies to a post this deep attach to its parent instead, so paths stay index-sized. */
export const MAX_DEPTH = 100;

export const segment = (seq: number) => String(seq).padStart(SEGMENT_WIDTH, '0');

export interface ThreadWithMeta {
  thread: ThreadRow;
  boardSlug: string;
  /** Set when loaded one at a time (getThread). */
  boardName?: string;
  /** Set when loaded one at a time (getThread): an archived board takes no new posts. */
  boardArchived?: boolean;
  author: AuthorRow;
}
export interface PostWithAuthor {
  post: PostRow;
  author: AuthorRow;
}

const threadSelection = {
  thread: threads,
  boardSlug: boards.slug,
  boardName: boards.name,
  boardArchived: boards.archived,
  author: authorColumns
};

export async function getThread(db: Conn, id: number): Promise<ThreadWithMeta | null> {
  const found = await getThreadAnyState(db, id);
  return found === null || found.thread.deletedAt !== null ? null : found;
}

/** A thread whether deleted or not: what moderators look at and restore. */
export async function getThreadAnyState(db: Conn, id: number): Promise<ThreadWithMeta | null> {
  const rows = await prepared(db, 'thread', (conn) =>
    conn
      .select(threadSelection)
      .from(threads)
      .innerJoin(boards, eq(boards.id, threads.boardId))
      .innerJoin(users, eq(users.id, threads.authorId))
      .where(eq(threads.id, sql.placeholder('id')))
      .limit(1)
      .prepare(UNNAMED)
  ).execute({ id });
  return rows[0] ?? null;
}

interface SortSpec {
  filter: SQL | undefined;
  order: SQL[];
  key: (t: ThreadRow) => (string | number | boolean)[];
  shape: CursorPart[];
  after: (values: unknown[]) => SQL;
}

const sorts: Record<ThreadSort, SortSpec> = {
  latest: {
    filter: undefined,
    order: [desc(threads.pinned), desc(threads.lastPostAt), desc(threads.id)],
    key: (t) => [t.pinned, t.lastPostAt.toISOString(), t.id],
    shape: ['boolean', 'time', 'int'],
    after: ([p, at, id]) =>
      sql`(${threads.pinned}, ${threads.lastPostAt}, ${threads.id}) < (${p}::boolean, ${at}::timestamptz, ${id}::bigint)`
  },
  top: {
    filter: undefined,
    order: [desc(threads.score), desc(threads.id)],
    key: (t) => [t.score, t.id],
    shape: ['int', 'int'],
    after: ([score, id]) => sql`(${threads.score}, ${threads.id}) < (${score}::bigint, ${id}::bigint)`
  },
  unanswered: {
    filter: eq(threads.replyCount, 0),
    order: [desc(threads.createdAt), desc(threads.id)],
    key: (t) => [t.createdAt.toISOString(), t.id],
    shape: ['time', 'int'],
    after: ([at, id]) => sql`(${threads.createdAt}, ${threads.id}) < (${at}::timestamptz, ${id}::bigint)`
  },
  solved: {
    filter: isNotNull(threads.solutionPostId),
    order: [desc(threads.lastPostAt), desc(threads.id)],
    key: (t) => [t.lastPostAt.toISOString(), t.id],
    shape: ['time', 'int'],
    after: ([at, id]) => sql`(${threads.lastPostAt}, ${threads.id}) < (${at}::timestamptz, ${id}::bigint)`
  }
};

/**
 * The authors of a page of rows, in one primary-key lookup. Pages are fetched first and their
 * authors second (not joined): the LIMIT then always applies to one index range scan, whatever
 * the planner's statistics say (PGlite never runs autovacuum, so they can be stale).
 */
export async function loadAuthors(db: Conn, ids: number[]): Promise<Map<number, AuthorRow>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.select(authorColumns).from(users).where(inArray(users.id, unique));
  return new Map(rows.map((r) => [r.id, r]));
}

/** A board's threads in one indexed keyset query; 'bad_cursor' when the cursor is not ours. */
export async function listBoardThreads(
  db: Conn,
  boardId: number,
  sort: ThreadSort,
  limit: number,
  cursor: string | undefined
): Promise<{ rows: Omit<ThreadWithMeta, 'boardSlug'>[]; nextCursor: string | null } | 'bad_cursor'> {
  const spec = sorts[sort];
  let after: SQL | undefined;
  if (cursor !== undefined) {
    const values = decodeCursor(cursor, spec.shape);
    if (values === null) return 'bad_cursor';
    after = spec.after(values);
  }
  const rows = await db
    .select()
    .from(threads)
    .where(and(eq(threads.boardId, boardId), isNull(threads.deletedAt), spec.filter, after))
    .orderBy(...spec.order)
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(spec.key(last)) : null;
  const authors = await loadAuthors(
    db,
    page.map((t) => t.authorId)
  );
  return { rows: page.map((thread) => ({ thread, author: authors.get(thread.authorId)! })), nextCursor };
}

/**
 * What a list keeps for a sort outside a board (the site, a model, a manufacturer, a tag):
 * unanswered is questions without replies, solved is threads with an accepted answer, latest
 * keeps all. Each list's partial indexes say the same (migrations 0012 and 0013).
 */
export function sortFilter(sort: 'latest' | 'unanswered' | 'solved'): SQL | undefined {
  if (sort === 'unanswered') return and(eq(threads.replyCount, 0), eq(threads.kind, 'question'));
  if (sort === 'solved') return isNotNull(threads.solutionPostId);
  return undefined;
}

export type SiteSort = 'latest' | 'unanswered';

/**
 * Threads across every board, for the home page: the latest activity, or the questions nobody
 * has answered yet (for the members who like to help). Each from its own partial index
 * (migration 0012), keyset-paged.
 */
export async function listSiteThreads(
  db: Conn,
  sort: SiteSort,
  limit: number,
  cursor: string | undefined
): Promise<{ rows: ThreadWithMeta[]; nextCursor: string | null } | 'bad_cursor'> {
  const at = sort === 'latest' ? threads.lastPostAt : threads.createdAt;
  const after = olderThan(cursor, at, threads.id);
  if (after === 'bad_cursor') return after;
  const filter = sortFilter(sort);
  const rows = await db
    .select({ thread: threads, boardSlug: boards.slug })
    .from(threads)
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .where(and(isNull(threads.deletedAt), filter, after))
    .orderBy(desc(at), desc(threads.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last !== undefined
      ? encodeCursor([(sort === 'latest' ? last.thread.lastPostAt : last.thread.createdAt).toISOString(), last.thread.id])
      : null;
  const authors = await loadAuthors(
    db,
    page.map((r) => r.thread.authorId)
  );
  return { rows: page.map((r) => ({ ...r, author: authors.get(r.thread.authorId)! })), nextCursor };
}

/** A post's tree path, when the post belongs to this thread. */
export async function postPath(db: Conn, threadId: number, postId: number): Promise<string | null> {
  const rows = await db
    .select({ path: posts.path })
    .from(posts)
    .where(and(eq(posts.threadId, threadId), eq(posts.id, postId)))
    .limit(1);
  return rows[0]?.path ?? null;
}

/** The path range of a post and all its replies: [its path, its path with the last segment + 1). */
export interface SubtreeRange {
  from: string;
  to: string;
}

export async function getSubtreeRange(db: Conn, threadId: number, postId: number): Promise<SubtreeRange | null> {
  const path = await postPath(db, threadId, postId);
  if (path === null) return null;
  const last = Number(path.slice(-SEGMENT_WIDTH));
  return { from: path, to: path.slice(0, -SEGMENT_WIDTH) + segment(last + 1) };
}

/** One page of a thread in reading order: one range scan of the (thread_id, path) index, plus its authors. */
export async function getThreadPosts(
  db: Conn,
  threadId: number,
  limit: number,
  cursor: string | undefined,
  subtree: SubtreeRange | null = null,
  /** Start at this path (inclusive) rather than at the beginning: `?at=`. */
  startPath: string | null = null
): Promise<{ rows: PostWithAuthor[]; nextCursor: string | null } | 'bad_cursor'> {
  // Within a subtree, a start before it means the subtree's own start.
  const start =
    startPath !== null && subtree !== null ? (startPath > subtree.from ? startPath : subtree.from) : (startPath ?? subtree?.from);
  let bound: string | undefined = start;
  let from: 'gt' | 'gte' | 'all' = start === undefined ? 'all' : 'gte';
  if (cursor !== undefined) {
    const values = decodeCursor(cursor, ['path']);
    if (values === null) return 'bad_cursor';
    bound = values[0] as string;
    from = 'gt';
  }
  // One statement for the page and its authors, the same for every reader (a member's votes come
  // apart: domain/reads.ts readerOverlay); built once per shape.
  const query = prepared(db, `posts:${from}:${subtree !== null}`, (conn) =>
    conn
      .select({ post: posts, author: authorColumns })
      .from(posts)
      .innerJoin(users, eq(users.id, posts.authorId))
      .where(
        and(
          eq(posts.threadId, sql.placeholder('thread')),
          from === 'gt' ? gt(posts.path, sql.placeholder('bound')) : from === 'gte' ? gte(posts.path, sql.placeholder('bound')) : undefined,
          subtree === null ? undefined : lt(posts.path, sql.placeholder('before'))
        )
      )
      .orderBy(asc(posts.path))
      .limit(sql.placeholder('limit'))
      .prepare(UNNAMED)
  );
  const rows = await query.execute({ thread: threadId, bound, before: subtree?.to, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor([last.post.path]) : null;
  return { rows: page, nextCursor };
}

export interface NewThread {
  boardId: number;
  authorId: number;
  title: string;
  kind: ThreadKind;
  bodyMarkdown: string;
  bodyHtml: string;
  equipment: Equipment | null;
  tags: string[];
  /** Suspected patient data the author confirmed is none: kept for moderator review. */
  phi: PhiRecord | null;
  /** Usernames mentioned in the body (extractMentions). */
  mentions: string[];
}

/** Creates a thread and its opening post, and moves every counter, in one transaction. */
export async function createThread(
  db: Db,
  input: NewThread
): Promise<{ thread: ThreadRow; post: PostRow; notifications: NotificationRow[] }> {
  return db.transaction(async (tx) => {
    const now = new Date();
    const equipment = await resolveEquipment(tx, input.equipment);
    const [thread] = await tx
      .insert(threads)
      .values({
        boardId: input.boardId,
        authorId: input.authorId,
        title: input.title,
        kind: input.kind,
        createdAt: now,
        lastPostAt: now,
        postSeq: 1,
        equipmentManufacturer: equipment.equipment?.manufacturer ?? null,
        equipmentModel: equipment.equipment?.model ?? null,
        equipmentCategory: equipment.equipment?.category ?? null,
        equipmentErrorCode: equipment.equipment?.errorCode ?? null,
        manufacturerId: equipment.manufacturerId,
        modelId: equipment.modelId,
        tags: input.tags
      })
      .returning();
    if (thread === undefined) throw new Error('thread insert returned nothing');
    const [post] = await tx
      .insert(posts)
      .values({
        threadId: thread.id,
        parentId: null,
        authorId: input.authorId,
        path: segment(0),
        seq: 0,
        depth: 0,
        bodyMarkdown: input.bodyMarkdown,
        bodyHtml: input.bodyHtml,
        createdAt: now
      })
      .returning();
    if (post === undefined) throw new Error('post insert returned nothing');
    await countEquipmentThread(tx, equipment.manufacturerId, equipment.modelId);
    await recordPhiReview(tx, post.id, input.authorId, input.phi);
    await linkUploads(tx, post.id, input.bodyMarkdown);
    await addThreadTags(tx, thread.id, input.tags, now);
    const mentioned = await resolveMentions(tx, input.mentions);
    await watchByParticipation(tx, input.authorId, thread.id);
    await readOwnPost(tx, input.authorId, thread.id, 0);
    const recipients = newThreadRecipients({
      actorId: input.authorId,
      mentionedIds: mentioned,
      watcherIds: await newThreadWatchers(tx, input.boardId, equipment.modelId)
    });
    const notifications = await insertNotifications(tx, recipients, { threadId: thread.id, postId: post.id, actorId: input.authorId });
    // The shared rows in the one order every post takes them: the board, then the members (countMembers).
    await tx
      .update(boards)
      .set({
        threadCount: sql`${boards.threadCount} + 1`,
        postCount: sql`${boards.postCount} + 1`,
        lastActivityAt: now
      })
      .where(eq(boards.id, input.boardId));
    await countMembers(
      tx,
      input.authorId,
      recipients.map((r) => r.userId),
      { thread: true }
    );
    return { thread, post, notifications };
  });
}

export interface NewReply {
  threadId: number;
  boardId: number;
  authorId: number;
  /** null: a reply to the opening post. */
  parentId: number | null;
  bodyMarkdown: string;
  bodyHtml: string;
  phi: PhiRecord | null;
  threadAuthorId: number;
  mentions: string[];
  /** A moderator replying where members may not (a locked thread, an archived board): logged as such. */
  moderatorLog?: { why: 'locked' | 'archived' };
}

export type ReplyResult =
  { post: PostRow; notifications: NotificationRow[] } | 'parent_not_found' | 'thread_not_found' | 'thread_full' | 'duplicate';

/** The same body by the same author in the same thread this soon is a double submission. */
export const DUPLICATE_WINDOW_MS = 30_000;

/**
 * Writes a reply. The thread row's update comes first: it takes the row lock that orders
 * concurrent replies, hands out the path segment and moves the counters in the same statement.
 */
export async function createReply(db: Db, input: NewReply): Promise<ReplyResult> {
  try {
    return await writeReply(db, input);
  } catch (err) {
    if (err instanceof ThreadFullError) return 'thread_full';
    if (err instanceof DuplicateError) return 'duplicate';
    throw err;
  }
}

class ThreadFullError extends Error {}
class DuplicateError extends Error {}

function writeReply(db: Db, input: NewReply): Promise<ReplyResult> {
  return db.transaction(async (tx) => {
    // What needs no lock first: the thread's row lock (the counter below) is held from there to
    // the commit, and every statement inside it makes every other reply to the thread wait.
    const parent = await findParent(tx, input.threadId, input.parentId);
    if (parent === null) return 'parent_not_found';
    const mentioned = await resolveMentions(tx, input.mentions);
    const now = new Date();
    // The counter, and who watches or muted the thread, read under its lock in the same statement.
    const [counter] = await tx
      .update(threads)
      .set({
        postSeq: sql`${threads.postSeq} + 1`,
        replyCount: sql`${threads.replyCount} + 1`,
        lastPostAt: now
      })
      .where(and(eq(threads.id, input.threadId), isNull(threads.deletedAt)))
      .returning({
        seq: threads.postSeq,
        audience: sql<
          { u: number; l: string }[] | null
        >`(select json_agg(json_build_object('u', ${threadSubscriptions.userId}, 'l', ${threadSubscriptions.level})) from ${threadSubscriptions} where ${threadSubscriptions.threadId} = ${input.threadId})`
      });
    if (counter === undefined) return 'thread_not_found';
    const choices = counter.audience ?? [];
    const audience = {
      watcherIds: choices.filter((c) => c.l === 'watching').map((c) => Number(c.u)),
      mutedIds: choices.filter((c) => c.l === 'muted').map((c) => Number(c.u))
    };
    // Under the thread's row lock, so identical requests racing each other see one another.
    const recent = await tx
      .select({ id: posts.id })
      .from(posts)
      .where(
        and(
          eq(posts.authorId, input.authorId),
          gt(posts.createdAt, new Date(now.getTime() - DUPLICATE_WINDOW_MS)),
          eq(posts.threadId, input.threadId),
          eq(posts.parentId, parent.id),
          eq(posts.bodyMarkdown, input.bodyMarkdown)
        )
      )
      .limit(1);
    if (recent.length > 0) throw new DuplicateError();

    const seq = counter.seq - 1;
    if (seq > MAX_POSTS_PER_THREAD) throw new ThreadFullError();
    const [post] = await tx
      .insert(posts)
      .values({
        threadId: input.threadId,
        parentId: parent.id,
        authorId: input.authorId,
        path: parent.path + segment(seq),
        seq,
        depth: parent.depth + 1,
        bodyMarkdown: input.bodyMarkdown,
        bodyHtml: input.bodyHtml,
        createdAt: now
      })
      .returning();
    if (post === undefined) throw new Error('post insert returned nothing');
    await recordPhiReview(tx, post.id, input.authorId, input.phi);
    await linkUploads(tx, post.id, input.bodyMarkdown);
    if (input.moderatorLog !== undefined) {
      await logAction(tx, {
        actorId: input.authorId,
        action: input.moderatorLog.why === 'locked' ? 'post.reply_locked' : 'post.reply_archived',
        targetType: 'post',
        targetId: post.id,
        boardId: input.boardId
      });
    }
    const recipients = replyRecipients({
      actorId: input.authorId,
      parentAuthorId: parent.authorId,
      threadAuthorId: input.threadAuthorId,
      mentionedIds: mentioned,
      ...audience
    });
    await countReply(tx, { ...input, seq, now, recipientIds: recipients.map((r) => r.userId) });
    const notifications = await insertNotifications(tx, recipients, { threadId: input.threadId, postId: post.id, actorId: input.authorId });
    return { post, notifications };
  });
}

/**
 * Everything a reply moves besides the post, in two statements: the writer's own rows (they
 * watch the thread and have read their post) with the board's counters, then the members'
 * counters (the writer's post count, each recipient's unread count) with the rows locked in id
 * order, so that replies running side by side always take the shared rows (the board, then the
 * members) in one order and never deadlock.
 */
async function countReply(
  tx: Conn,
  r: { authorId: number; threadId: number; boardId: number; seq: number; now: Date; recipientIds: number[] }
): Promise<void> {
  await tx.execute(sql`
    with watch as (
      insert into thread_subscriptions (user_id, thread_id, level) values (${r.authorId}, ${r.threadId}, 'watching')
      on conflict do nothing
    ), seen as (
      update thread_reads set last_read_seq = ${r.seq}, updated_at = now()
      where user_id = ${r.authorId} and thread_id = ${r.threadId} and last_read_seq = ${r.seq - 1}
    )
    update boards set post_count = post_count + 1, last_activity_at = ${r.now.toISOString()}::timestamptz where id = ${r.boardId}`);
  await countMembers(tx, r.authorId, r.recipientIds, { thread: false });
}

/**
 * A new post's members' counters in one statement: the writer's post (and thread) count, each
 * recipient's unread count; the rows locked in id order, so posts written side by side, which
 * all take the board's row first and these next, never wait on each other in a circle.
 */
async function countMembers(tx: Conn, authorId: number, recipientIds: number[], opts: { thread: boolean }): Promise<void> {
  const list = (ids: number[]) =>
    sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `
    );
  const recipients = recipientIds.length === 0 ? sql`false` : sql`id in (${list(recipientIds)})`;
  await tx.execute(sql`
    update users set
      post_count = post_count + (case when id = ${authorId} then 1 else 0 end),
      thread_count = thread_count + (case when id = ${authorId} then ${sql.raw(opts.thread ? '1' : '0')} else 0 end),
      unread_notifications = unread_notifications + (case when ${recipients} then 1 else 0 end)
    where id in (select id from users where id in (${list([authorId, ...recipientIds])}) order by id for no key update)`);
}

/** The post a reply attaches to: the named one, or its parent when it is at MAX_DEPTH. */
async function findParent(
  tx: Conn,
  threadId: number,
  parentId: number | null
): Promise<Pick<PostRow, 'id' | 'path' | 'depth' | 'authorId'> | null> {
  const where =
    parentId === null
      ? and(eq(posts.threadId, threadId), eq(posts.path, segment(0)))
      : and(eq(posts.threadId, threadId), eq(posts.id, parentId), isNull(posts.deletedAt));
  const rows = await tx
    .select({ id: posts.id, path: posts.path, depth: posts.depth, parentId: posts.parentId, authorId: posts.authorId })
    .from(posts)
    .where(where)
    .limit(1);
  const parent = rows[0];
  if (parent === undefined) return null;
  if (parent.depth < MAX_DEPTH || parent.parentId === null) return parent;
  const up = await tx
    .select({ id: posts.id, path: posts.path, depth: posts.depth, authorId: posts.authorId })
    .from(posts)
    .where(eq(posts.id, parent.parentId))
    .limit(1);
  return up[0] ?? null;
}
