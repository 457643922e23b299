import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, PageQuery, Profile, UserPosts, UserSuggestQuery, UserSuggestions } from '@bmet/contracts';
import { boards, posts, threads, users } from '@bmet/db/schema';
import { and, asc, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { invalid, notFound } from '../lib/http-error.ts';
import { encodeCursor, olderThan } from '../lib/cursor.ts';
import { findUserByUsername } from '../domain/users.ts';
import { authorColumns, toAuthor, toPost, toThread, toUser } from '../domain/serialize.ts';
import { escapeLike } from '../lib/clean.ts';
import { parseId } from '../lib/ids.ts';
import { requireUser } from '../plugins/auth.ts';

const SUGGESTIONS = 8;

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // For members writing a post: the people of the thread first, then the member directory.
  // Signed in only, so the directory is not a list anyone can page through.
  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: '@mention suggestions: members whose username or display name starts with q',
        querystring: UserSuggestQuery,
        response: { 200: UserSuggestions, 400: ErrorBody, 401: ErrorBody }
      }
    },
    async (request) => {
      requireUser(request);
      const { q, thread } = request.query;
      const threadId = thread === undefined ? null : parseId(thread);
      if (thread !== undefined && threadId === null) throw invalid('thread', 'thread must be a thread id');
      const prefix = `${escapeLike(q.trim().replace(/^@/, '').toLowerCase())}%`;
      const matches = or(sql`lower(${users.username}) like ${prefix}`, sql`lower(${users.displayName}) like ${prefix}`);
      const [inThread, directory] = await Promise.all([
        threadId === null
          ? []
          : app.db
              .selectDistinct({ user: authorColumns })
              .from(posts)
              .innerJoin(users, eq(users.id, posts.authorId))
              .where(and(eq(posts.threadId, threadId), isNull(posts.deletedAt), matches))
              .limit(SUGGESTIONS),
        app.db
          .select({ user: authorColumns })
          .from(users)
          .where(matches)
          .orderBy(asc(sql`lower(${users.username})`))
          .limit(SUGGESTIONS)
      ]);
      const seen = new Set(inThread.map((r) => r.user.id));
      const byName = (a: { user: { username: string } }, b: { user: { username: string } }) =>
        a.user.username.toLowerCase().localeCompare(b.user.username.toLowerCase());
      return {
        users: [
          ...inThread.toSorted(byName).map((r) => ({ ...toAuthor(r.user), inThread: true })),
          ...directory.filter((r) => !seen.has(r.user.id)).map((r) => ({ ...toAuthor(r.user), inThread: false }))
        ].slice(0, SUGGESTIONS)
      };
    }
  );

  app.get(
    '/users/:username',
    {
      schema: {
        tags: ['users'],
        params: Type.Object({ username: Type.String() }),
        response: { 200: Profile, 404: ErrorBody }
      }
    },
    async (request) => {
      const user = await findUserByUsername(app.db, request.params.username);
      if (user === null) throw notFound('user');
      const recent = await app.db
        .select({ thread: threads, boardSlug: boards.slug })
        .from(threads)
        .innerJoin(boards, eq(boards.id, threads.boardId))
        .where(and(eq(threads.authorId, user.id), isNull(threads.deletedAt)))
        .orderBy(desc(threads.createdAt))
        .limit(10);
      return {
        user: toUser(user),
        stats: { postCount: user.postCount, threadCount: user.threadCount, solutionCount: user.solutionCount },
        recentThreads: recent.map((r) => toThread(r.thread, r.boardSlug, user))
      };
    }
  );

  app.get(
    '/users/:username/posts',
    {
      schema: {
        tags: ['users'],
        params: Type.Object({ username: Type.String({ maxLength: 64 }) }),
        querystring: PageQuery,
        response: { 200: UserPosts, 400: ErrorBody, 404: ErrorBody }
      }
    },
    async (request) => {
      const user = await findUserByUsername(app.db, request.params.username);
      if (user === null) throw notFound('user');
      const { limit = 20, cursor } = request.query;
      const after = olderThan(cursor, posts.createdAt, posts.id);
      if (after === 'bad_cursor') throw invalid('cursor', 'cursor is not valid for this list');
      // Newest first on (author_id, created_at); only what any reader may see.
      const rows = await app.db
        .select({
          post: posts,
          thread: { id: threads.id, title: threads.title, solutionPostId: threads.solutionPostId },
          boardSlug: boards.slug
        })
        .from(posts)
        .innerJoin(threads, eq(threads.id, posts.threadId))
        .innerJoin(boards, eq(boards.id, threads.boardId))
        .where(and(eq(posts.authorId, user.id), isNull(posts.deletedAt), isNull(threads.deletedAt), after))
        .orderBy(desc(posts.createdAt), desc(posts.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        posts: page.map((r) => ({
          post: toPost(r.post, user, r.thread.solutionPostId),
          thread: { id: String(r.thread.id), title: r.thread.title, boardSlug: r.boardSlug }
        })),
        nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.post.createdAt.toISOString(), last.post.id]) : null
      };
    }
  );
};
