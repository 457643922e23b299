import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, Profile } from '@bmet/contracts';
import { boards, threads, users } from '@bmet/db/schema';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { notFound } from '../lib/http-error.ts';
import { toThread, toUser } from '../domain/serialize.ts';

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
      const [user] = await app.db
        .select()
        .from(users)
        .where(eq(sql`lower(${users.username})`, request.params.username.toLowerCase()))
        .limit(1);
      if (user === undefined) throw notFound('user');
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
};
