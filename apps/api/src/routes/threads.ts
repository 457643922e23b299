import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreatePostBody,
  ErrorBody,
  MarkThreadReadBody,
  MarkThreadReadResult,
  PostResult,
  SolutionBody,
  ThreadPage,
  ThreadPageQuery,
  ThreadResult
} from '@bmet/contracts';
import { extractMentions, renderMarkdown } from '@bmet/markdown/server';
import { Type } from 'typebox';
import { HttpError, forbidden, invalid, notFound } from '../lib/http-error.ts';
import type { Db } from '@bmet/db/client';
import { parseId } from '../lib/ids.ts';
import { decodeCursor } from '../lib/cursor.ts';
import type { ThreadRow } from '@bmet/db/schema';
import { checkPhi } from '../lib/phi-guard.ts';
import { notificationEvents } from '../plugins/live.ts';
import { requireUser, requireNotBoardSuspended } from '../plugins/auth.ts';
import { createReply, getSubtreeRange, getThread, getThreadAnyState, getThreadPosts, postPath } from '../domain/threads.ts';
import { decodeMark, encodeMark, firstUnreadPath, lastReadSeq, markRead, newRepliesSince, readerOverlay } from '../domain/reads.ts';
import { markSeenInThread } from '../domain/notifications.ts';
import { toPost, toThread } from '../domain/serialize.ts';
import { getPostContext, setSolution } from '../domain/posts.ts';
import { canModerate } from '../domain/moderation.ts';

const IdParams = Type.Object({ id: Type.String() });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 422: ErrorBody };

/** The thread an URL names, or 404 for unknown and malformed ids alike. */
export async function loadThread(db: Db, rawId: string) {
  const id = parseId(rawId);
  const found = id === null ? null : await getThread(db, id);
  if (found === null) throw notFound('thread');
  return found;
}

export const threadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/threads/:id',
    {
      schema: {
        tags: ['threads'],
        params: IdParams,
        querystring: ThreadPageQuery,
        response: { 200: ThreadPage, 400: ErrorBody, 404: ErrorBody }
      }
    },
    async (request) => {
      // A reader's page may come from the replica (lib/replica.ts); their own writes never wait on it.
      const db = app.readDb(request);
      const user = request.user;
      const id = parseId(request.params.id);
      if (id === null) throw notFound('thread');
      // What every reader sees alike is loaded once and shared until the next write
      // (lib/shared-reads.ts), from where an anonymous read would go; a member's own part is added below.
      const exists = await app.sharedReads.get(`thread:${id}`, () => getThreadAnyState(app.sharedReadDb(), id));
      if (exists === null) throw notFound('thread');
      // A deleted thread stays readable by the moderators who may restore it.
      const hidden = async (row: ThreadRow) => row.deletedAt !== null && !(await canModerate(app.db, user, row.boardId));
      if (await hidden(exists.thread)) throw notFound('thread');
      const { limit = 50, cursor, subtree, at } = request.query;
      // The page is kept under what its cursor means, so a malformed one is refused here, never kept.
      let after: string | null = null;
      if (cursor !== undefined) {
        const values = decodeCursor(cursor, ['path']);
        if (values === null) throw invalid('cursor', 'cursor is not valid for this thread');
        after = values[0] as string;
      }
      let range = null;
      if (subtree !== undefined) {
        const rootId = parseId(subtree);
        range = rootId === null ? null : await getSubtreeRange(db, id, rootId);
        if (range === null) throw notFound('post');
      }
      // `at` places the first page only; a cursor continues from wherever that page ended.
      let startPath: string | null = null;
      if (at !== undefined && cursor === undefined) {
        if (at === 'unread') {
          startPath = user === null ? null : await firstUnreadPath(db, id, await lastReadSeq(db, user.id, id));
        } else {
          const postId = parseId(at);
          const ctx = postId === null ? null : await postPath(db, id, postId);
          if (ctx === null) throw notFound('post');
          startPath = ctx;
        }
      }
      const key = `posts:${JSON.stringify([id, limit, after, range, startPath])}`;
      const page = await app.sharedReads.get(
        key,
        async () => {
          const from = app.sharedReadDb();
          // The thread's row first, then the posts, on one database and kept together: every
          // post up to the row's last seq is on the page's side, so the read mark may cap there,
          // and the accepted answer is the one these posts were serialized with.
          const found = await getThreadAnyState(from, id);
          if (found === null) throw notFound('thread');
          const loaded = await getThreadPosts(from, id, limit, cursor, range, startPath);
          if (loaded === 'bad_cursor') throw invalid('cursor', 'cursor is not valid for this thread');
          return {
            found,
            posts: loaded.rows.map((r) => toPost(r.post, r.author, found.thread.solutionPostId)),
            ids: loaded.rows.map((r) => r.post.id),
            seqs: loaded.rows.map((r) => r.post.seq),
            paths: loaded.rows.map((r) => r.post.path),
            nextCursor: loaded.nextCursor
          };
        },
        (kept) => kept.posts.reduce((n, p) => n + 2 * (p.bodyHtml.length + p.bodyMarkdown.length) + 600, 2_048)
      );
      const found = page.found;
      if (await hidden(found.thread)) throw notFound('thread');
      const firstPath = page.paths[0];
      const lastPath = page.paths[page.paths.length - 1];
      const answer = {
        thread: { ...toThread(found.thread, found.boardSlug, found.author), ...(found.thread.deletedAt === null ? {} : { deleted: true }) },
        posts: page.posts,
        nextCursor: page.nextCursor,
        startPostId: startPath !== null && firstPath === startPath ? page.posts[0]!.id : null,
        // What a page shows around the posts, so that it needs no second call for it.
        board: {
          slug: found.boardSlug,
          name: found.boardName ?? found.boardSlug,
          ...(found.boardArchived === true ? { archived: true } : {})
        }
      };
      if (user === null) return answer;
      // The member's own part: position, level, votes on these posts and unseen notifications, in one statement.
      const reader = await readerOverlay(db, user.id, id, page.ids);
      const lastRead = reader.lastReadSeq;
      return {
        ...answer,
        posts: page.posts.map((post, i) => ({
          ...post,
          myVote: reader.votes.get(page.ids[i]!) ?? 0,
          unread: lastRead >= 0 && page.seqs[i]! > lastRead
        })),
        subscription: reader.level,
        readState: {
          lastReadSeq: lastRead,
          newReplies: newRepliesSince(found.thread.postSeq, lastRead),
          unseenNotifications: reader.unseenNotifications,
          // Read before the page's posts (above): every post up to its last seq is committed.
          mark: encodeMark({ threadId: id, from: firstPath ?? '0', to: lastPath ?? '0', cap: found.thread.postSeq - 1 })
        }
      };
    }
  );

  app.post(
    '/threads/:id/read',
    {
      schema: {
        tags: ['threads'],
        params: IdParams,
        body: MarkThreadReadBody,
        response: { 200: MarkThreadReadResult, ...errors }
      }
    },
    async (request) => {
      const user = requireUser(request);
      const found = await loadThread(app.db, request.params.id);
      const mark = decodeMark(request.body.mark);
      if (mark === null || mark.threadId !== found.thread.id) {
        throw invalid('mark', 'mark must be the readState.mark of a page of this thread');
      }
      const lastRead = await markRead(app.db, user.id, { ...mark, cap: Math.min(mark.cap, found.thread.postSeq - 1) });
      // What was read is no longer news: its notifications clear, and the bell follows.
      const unreadNotifications = await markSeenInThread(app.db, user.id, found.thread.id, lastRead);
      return { lastReadSeq: lastRead, newReplies: newRepliesSince(found.thread.postSeq, lastRead), unreadNotifications };
    }
  );

  app.post(
    '/threads/:id/posts',
    { schema: { tags: ['threads'], params: IdParams, body: CreatePostBody, response: { 201: PostResult, ...errors } } },
    async (request, reply) => {
      const user = requireUser(request);
      const found = await loadThread(app.db, request.params.id);
      await requireNotBoardSuspended(app.db, user, found.thread.boardId);
      let moderatorLog: { why: 'locked' | 'archived' } | undefined;
      if (found.thread.locked || found.boardArchived) {
        if (!(await canModerate(app.db, user, found.thread.boardId))) {
          if (found.thread.locked) throw new HttpError(403, 'thread_locked', 'this thread is locked');
          throw forbidden('this board is archived');
        }
        moderatorLog = { why: found.thread.locked ? 'locked' : 'archived' };
      }
      const rawParent = request.body.parentId ?? null;
      const parentId = rawParent === null ? null : parseId(rawParent);
      if (rawParent !== null && parentId === null) throw invalid('parentId', 'parentId must be a post of this thread');
      const body = request.body.body;
      if (body.trim() === '') throw invalid('body', 'body must not be empty');
      const phi = checkPhi({ title: null, body }, request.body.confirmNoPhi === true);
      await app.limit(request, 'post');
      const result = await createReply(app.db, {
        phi,
        threadAuthorId: found.thread.authorId,
        mentions: extractMentions(body),
        threadId: found.thread.id,
        boardId: found.thread.boardId,
        authorId: user.id,
        parentId,
        bodyMarkdown: body,
        bodyHtml: renderMarkdown(body),
        ...(moderatorLog === undefined ? {} : { moderatorLog })
      });
      if (result === 'parent_not_found') throw invalid('parentId', 'parentId must be a post of this thread');
      if (result === 'thread_not_found') throw notFound('thread');
      if (result === 'duplicate') throw new HttpError(409, 'conflict', 'you just posted this same reply');
      if (result === 'thread_full') throw new HttpError(409, 'conflict', 'this thread has reached its size limit');
      app.publish([{ t: 'post', threadId: found.thread.id, postId: result.post.id }, ...notificationEvents(result.notifications)]);
      return reply.code(201).send({ post: toPost(result.post, user, found.thread.solutionPostId) });
    }
  );

  app.post(
    '/threads/:id/solution',
    { schema: { tags: ['threads'], params: IdParams, body: SolutionBody, response: { 200: ThreadResult, ...errors } } },
    async (request) => {
      const user = requireUser(request);
      const found = await loadThread(app.db, request.params.id);
      if (found.thread.authorId !== user.id && !(await canModerate(app.db, user, found.thread.boardId))) {
        throw forbidden('only the asker or a moderator may choose the accepted answer');
      }
      await requireNotBoardSuspended(app.db, user, found.thread.boardId);
      if (found.thread.kind !== 'question') throw invalid('postId', 'only a question can have an accepted answer');
      const rawPost = request.body.postId;
      let postId: number | null = null;
      if (rawPost !== null) {
        postId = parseId(rawPost);
        const ctx = postId === null ? null : await getPostContext(app.db, postId);
        if (ctx === null || ctx.post.threadId !== found.thread.id || ctx.post.deletedAt !== null) {
          throw invalid('postId', 'postId must be a reply in this thread');
        }
        if (ctx.post.depth === 0) throw invalid('postId', 'the question itself cannot be its answer');
      }
      const byModerator = found.thread.authorId !== user.id;
      const result = await setSolution(app.db, found.thread.id, postId, user.id, byModerator ? { boardId: found.thread.boardId } : null);
      if (result === 'not_found') throw notFound('thread');
      if (result === 'bad_post') throw invalid('postId', 'postId must be a reply in this thread');
      app.publish(notificationEvents(result.notifications));
      return { thread: toThread(result.thread, found.boardSlug, found.author) };
    }
  );
};
