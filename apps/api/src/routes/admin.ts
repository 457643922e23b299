import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AdminBoard, AdminBoardList, BoardModeratorsBody, CreateBoardBody, ErrorBody, UpdateBoardBody } from '@bmet/contracts';
import { boardModerators, boards, users, type UserRow } from '@bmet/db/schema';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { HttpError, forbidden, invalid, notFound } from '../lib/http-error.ts';
import { cleanText } from '../lib/clean.ts';
import { requireUser } from '../plugins/auth.ts';
import { getBoardBySlug } from '../domain/boards.ts';
import { listAllBoards, logAction, setBoardModerators } from '../domain/moderation.ts';
import { authorColumns, toAuthor, toBoard, type AuthorRow } from '../domain/serialize.ts';

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 64 }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

function requireAdmin(request: FastifyRequest): UserRow {
  const user = requireUser(request);
  if (request.twoFactorSetupRequired) throw new HttpError(403, 'two_factor_required', 'set up two-factor sign-in to act as an admin');
  if (user.role !== 'admin') throw forbidden('only an admin may manage boards');
  return user;
}

export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** Moderators of the given boards, one lookup. */
  async function moderatorsOf(boardIds: number[]): Promise<Map<number, AuthorRow[]>> {
    const byBoard = new Map<number, AuthorRow[]>();
    if (boardIds.length === 0) return byBoard;
    const rows = await app.db
      .select({ boardId: boardModerators.boardId, user: authorColumns })
      .from(boardModerators)
      .innerJoin(users, eq(users.id, boardModerators.userId))
      .where(inArray(boardModerators.boardId, boardIds))
      .orderBy(asc(users.username));
    for (const r of rows) byBoard.set(r.boardId, [...(byBoard.get(r.boardId) ?? []), r.user]);
    return byBoard;
  }

  async function adminView(slug: string) {
    const board = await getBoardBySlug(app.db, slug);
    if (board === null) throw notFound('board');
    const mods = await moderatorsOf([board.id]);
    return {
      board: { ...toBoard(board), archived: board.archived, position: board.position },
      moderators: (mods.get(board.id) ?? []).map(toAuthor)
    };
  }

  app.get('/admin/boards', { schema: { tags: ['admin'], response: { 200: AdminBoardList, ...errors } } }, async (request) => {
    requireAdmin(request);
    const rows = await listAllBoards(app.db);
    const mods = await moderatorsOf(rows.map((b) => b.id));
    return {
      boards: rows.map((b) => ({
        board: { ...toBoard(b), archived: b.archived, position: b.position },
        moderators: (mods.get(b.id) ?? []).map(toAuthor)
      }))
    };
  });

  app.post(
    '/admin/boards',
    { schema: { tags: ['admin'], body: CreateBoardBody, response: { 201: AdminBoard, ...errors } } },
    async (request, reply) => {
      const user = requireAdmin(request);
      const name = cleanText(request.body.name);
      if (name === '') throw invalid('name', 'name must be 1 to 80 characters');
      const created = await app.db.transaction(async (tx) => {
        const [{ next } = { next: 0 }] = await tx.select({ next: sql<number>`coalesce(max(${boards.position}), -1) + 1` }).from(boards);
        const rows = await tx
          .insert(boards)
          .values({
            slug: request.body.slug,
            name,
            description: cleanText(request.body.description ?? ''),
            roleTag: request.body.roleTag ?? null,
            position: Number(next)
          })
          .onConflictDoNothing()
          .returning();
        const board = rows[0];
        if (board === undefined) return null;
        await logAction(tx, {
          actorId: user.id,
          action: 'board.create',
          targetType: 'board',
          targetId: board.id,
          reason: board.slug,
          boardId: board.id
        });
        return board;
      });
      if (created === null)
        throw new HttpError(409, 'conflict', 'a board with this slug exists', { slug: 'a board with this slug exists' });
      return reply
        .code(201)
        .send({ board: { ...toBoard(created), archived: created.archived, position: created.position }, moderators: [] });
    }
  );

  app.patch(
    '/admin/boards/:slug',
    { schema: { tags: ['admin'], params: SlugParams, body: UpdateBoardBody, response: { 200: AdminBoard, ...errors } } },
    async (request) => {
      const user = requireAdmin(request);
      const board = await getBoardBySlug(app.db, request.params.slug);
      if (board === null) throw notFound('board');
      const body = request.body;
      const changes: Partial<typeof boards.$inferInsert> = {};
      if (body.name !== undefined) {
        const name = cleanText(body.name);
        if (name === '') throw invalid('name', 'name must be 1 to 80 characters');
        changes.name = name;
      }
      if (body.description !== undefined) changes.description = cleanText(body.description);
      if (body.roleTag !== undefined) changes.roleTag = body.roleTag;
      if (body.position !== undefined) changes.position = body.position;
      if (body.archived !== undefined) changes.archived = body.archived;
      const changed = Object.keys(changes);
      if (changed.length === 0) return adminView(board.slug);
      await app.db.transaction(async (tx) => {
        await tx.update(boards).set(changes).where(eq(boards.id, board.id));
        const action =
          body.archived === true ? 'board.archive' : body.archived === false && board.archived ? 'board.unarchive' : 'board.edit';
        await logAction(tx, {
          actorId: user.id,
          action,
          targetType: 'board',
          targetId: board.id,
          reason: `changed ${changed.join(', ')}`,
          boardId: board.id
        });
      });
      return adminView(board.slug);
    }
  );

  app.put(
    '/admin/boards/:slug/moderators',
    { schema: { tags: ['admin'], params: SlugParams, body: BoardModeratorsBody, response: { 200: AdminBoard, ...errors } } },
    async (request) => {
      const user = requireAdmin(request);
      const board = await getBoardBySlug(app.db, request.params.slug);
      if (board === null) throw notFound('board');
      const wanted = [...new Set(request.body.usernames.map((u) => u.toLowerCase()))];
      const found =
        wanted.length === 0
          ? []
          : await app.db
              .select({ id: users.id, username: users.username, name: sql<string>`lower(${users.username})`, role: users.role })
              .from(users)
              .where(inArray(sql`lower(${users.username})`, wanted));
      const missing = wanted.filter((w) => !found.some((f) => f.name === w));
      if (missing.length > 0) throw invalid('usernames', `no such user: ${missing.join(', ')}`);
      if (found.some((f) => f.role === 'admin')) throw invalid('usernames', 'admins moderate every board already');
      await setBoardModerators(app.db, {
        boardId: board.id,
        userIds: found.map((f) => f.id),
        usernames: found.map((f) => f.username),
        actorId: user.id
      });
      return adminView(board.slug);
    }
  );
};
