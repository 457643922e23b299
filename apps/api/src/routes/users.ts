import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, PageQuery, Profile, UserPosts } from '@bmet/contracts';
import { boards, posts, threads } from '@bmet/db/schema';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { Type } from 'typebox';
import { invalid, notFound } from '../lib/http-error.ts';
import { encodeCursor, olderThan } from '../lib/cursor.ts';
import { findUserByUsername } from '../domain/users.ts';
import { toPost, toThread, toUser } from '../domain/serialize.ts';

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
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
