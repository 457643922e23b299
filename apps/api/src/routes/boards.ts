import { withNewReplies } from '../domain/reads.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BoardList, BoardResult, CreateThreadBody, CreateThreadResult, ErrorBody, ThreadList, ThreadListQuery } from '@bmet/contracts';
import { extractMentions, renderMarkdown } from '@bmet/markdown/server';
import { Type } from 'typebox';
import { HttpError, invalid, notFound } from '../lib/http-error.ts';
import { requireUser, requireNotBoardSuspended } from '../plugins/auth.ts';
import { getBoardBySlug, listBoards } from '../domain/boards.ts';
import { createThread, listBoardThreads } from '../domain/threads.ts';
import { toBoard, toPost, toThread } from '../domain/serialize.ts';
import { cleanEquipment, cleanTags, cleanText } from '../lib/clean.ts';
import { checkPhi } from '../lib/phi-guard.ts';
import { notificationEvents } from '../plugins/live.ts';

const SlugParams = Type.Object({ slug: Type.String() });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 422: ErrorBody };

export const boardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/boards', { schema: { tags: ['boards'], response: { 200: BoardList } } }, async (request) => {
    const rows = await listBoards(app.readDb(request));
    return { boards: rows.map(toBoard) };
  });

  app.get(
    '/boards/:slug',
    { schema: { tags: ['boards'], params: SlugParams, response: { 200: BoardResult, 404: ErrorBody } } },
    async (request) => {
      const board = await getBoardBySlug(app.readDb(request), request.params.slug);
      if (board === null) throw notFound('board');
      return { board: toBoard(board) };
    }
  );

  app.get(
    '/boards/:slug/threads',
    {
      schema: {
        tags: ['threads'],
        params: SlugParams,
        querystring: ThreadListQuery,
        response: { 200: ThreadList, 400: ErrorBody, 404: ErrorBody }
      }
    },
    async (request) => {
      const db = app.readDb(request);
      const board = await getBoardBySlug(db, request.params.slug);
      if (board === null) throw notFound('board');
      const { sort = 'latest', limit = 50, cursor } = request.query;
      const page = await listBoardThreads(db, board.id, sort, limit, cursor);
      if (page === 'bad_cursor') throw invalid('cursor', 'cursor is not valid for this list');
      const threads = page.rows.map((r) => toThread(r.thread, board.slug, r.author));
      return {
        threads: await withNewReplies(
          db,
          request.user?.id ?? null,
          page.rows.map((r) => r.thread),
          threads
        ),
        nextCursor: page.nextCursor
      };
    }
  );

  app.post(
    '/boards/:slug/threads',
    {
      schema: {
        tags: ['threads'],
        params: SlugParams,
        body: CreateThreadBody,
        response: { 201: CreateThreadResult, ...errors }
      }
    },
    async (request, reply) => {
      const user = requireUser(request);
      const board = await getBoardBySlug(app.db, request.params.slug);
      if (board === null) throw notFound('board');
      if (board.archived) throw new HttpError(403, 'forbidden', 'this board is archived');
      await requireNotBoardSuspended(app.db, user, board.id);
      const title = cleanText(request.body.title);
      if (title.length < 3) throw invalid('title', 'title must be 3 to 200 characters');
      const body = request.body.body;
      if (body.trim() === '') throw invalid('body', 'body must not be empty');
      const equipment = cleanEquipment(request.body.equipment ?? null);
      const tags = cleanTags(request.body.tags ?? []);
      const phi = checkPhi({ title, body }, request.body.confirmNoPhi === true);
      await app.limit(request, 'thread');
      const { thread, post, notifications } = await createThread(app.db, {
        boardId: board.id,
        authorId: user.id,
        title,
        kind: request.body.kind ?? 'discussion',
        bodyMarkdown: body,
        bodyHtml: renderMarkdown(body),
        equipment,
        tags,
        phi,
        mentions: extractMentions(body)
      });
      app.publish(notificationEvents(notifications));
      return reply.code(201).send({
        thread: toThread(thread, board.slug, user),
        post: toPost(post, user, thread.solutionPostId)
      });
    }
  );
};
