import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  DuplicateBody,
  ErrorBody,
  LockBody,
  ModLog,
  ModScope,
  MoveBody,
  PinBody,
  ReportBody,
  ReportList,
  ReportQuery,
  ReportResult,
  ResolveBody,
  SuspendBody,
  SuspensionResult,
  ThreadResult,
  PostResult,
  PageQuery
} from '@bmet/contracts';
import { boards, type UserRow } from '@bmet/db/schema';
import { asc, inArray } from 'drizzle-orm';
import { Type } from 'typebox';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { HttpError, forbidden, invalid, notFound } from '../lib/http-error.ts';
import { parseId } from '../lib/ids.ts';
import { cleanText } from '../lib/clean.ts';
import { requireUser, requireNotBoardSuspended } from '../plugins/auth.ts';
import { notificationEvents } from '../plugins/live.ts';
import { getBoardBySlug } from '../domain/boards.ts';
import { getPostContext } from '../domain/posts.ts';
import {
  boardSuspensionsOf,
  describeTargets,
  liftSuspension,
  type LogTarget,
  reasonFrom,
  listModLog,
  moderationScope,
  moveThread,
  restorePost,
  scopeCovers,
  setThreadDeleted,
  setThreadDuplicate,
  setThreadFlag,
  suspendUser,
  type Scope
} from '../domain/moderation.ts';
import { findUserByUsername } from '../domain/users.ts';
import { thumbnailUrl, uploadUrl } from '../domain/uploads.ts';
import { createReport, listReports, mayActOnRole, resolveReport, type ReportView } from '../domain/reports.ts';
import { getThreadAnyState } from '../domain/threads.ts';
import { toAuthor, toPost, toThread, toUser } from '../domain/serialize.ts';

const IdParams = Type.Object({ id: Type.String() });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const DAY = 24 * 60 * 60_000;
const MAX_SUSPENSION_MS = 10 * 365 * DAY;

export function toReport(v: ReportView) {
  return {
    id: String(v.report.id),
    post: toPost(v.post, v.author, v.thread.solutionPostId),
    thread: { id: String(v.thread.id), title: v.thread.title, boardSlug: v.thread.boardSlug },
    reason: v.report.reason,
    note: v.report.note,
    reporter: v.reporter === null ? null : toAuthor(v.reporter),
    status: v.report.status,
    createdAt: v.report.createdAt.toISOString(),
    resolvedBy: v.resolver === null ? null : toAuthor(v.resolver),
    resolution: v.report.resolution ?? null,
    resolvedAt: v.report.resolvedAt === null ? null : v.report.resolvedAt.toISOString(),
    files: v.files.map((f) => ({
      id: f.key,
      url: uploadUrl(f.key),
      thumbnailUrl: f.kind === 'image' ? thumbnailUrl(f.key) : null,
      contentType: f.contentType,
      kind: f.kind,
      filename: f.filename,
      bytes: f.bytes,
      phiKinds: f.phiKinds
    }))
  };
}

/** A future instant, at most ten years out, or a 400 naming the field. */
function futureDate(raw: string, field: string): Date {
  const at = new Date(raw);
  const now = Date.now();
  if (Number.isNaN(at.getTime()) || at.getTime() <= now || at.getTime() - now > MAX_SUSPENSION_MS) {
    throw invalid(field, `${field} must be a date and time in the future, at most ten years away`);
  }
  return at;
}

const toLogTarget = (t: LogTarget | undefined) => ({
  label: t?.label ?? null,
  threadId: t?.threadId == null ? null : String(t.threadId),
  postId: t?.postId == null ? null : String(t.postId),
  username: t?.username ?? null,
  boardSlug: t?.boardSlug ?? null
});

/** The (createdAt, id) position a newest-first page continues after, or 400 for a foreign cursor. */
function timeIdCursor(cursor: string | undefined): { at: Date; id: number } | null {
  if (cursor === undefined) return null;
  const values = decodeCursor(cursor, ['time', 'int']);
  if (values === null) throw invalid('cursor', 'cursor is not valid for this list');
  return { at: new Date(values[0] as string), id: values[1] as number };
}

export const moderationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** The caller's moderation scope, or 403 when it does not cover this board. */
  async function requireModerator(
    request: FastifyRequest,
    boardId: number | null
  ): Promise<{ user: UserRow; scope: Exclude<Scope, null> }> {
    const user = requireUser(request);
    if (request.twoFactorSetupRequired) throw new HttpError(403, 'two_factor_required', 'set up two-factor sign-in to moderate');
    const scope = await moderationScope(app.db, user);
    if (scope === null || (boardId !== null && !scopeCovers(scope, boardId))) {
      throw forbidden('only a moderator of this board or an admin may do this');
    }
    return { user, scope };
  }

  /** The thread (deleted ones too, for moderators) or 404. */
  async function threadOr404(rawId: string) {
    const id = parseId(rawId);
    const found = id === null ? null : await getThreadAnyState(app.db, id);
    if (found === null) throw notFound('thread');
    return found;
  }

  const threadOut = (found: Awaited<ReturnType<typeof threadOr404>>, row = found.thread, boardSlug = found.boardSlug) => ({
    thread: { ...toThread(row, boardSlug, found.author), ...(row.deletedAt === null ? {} : { deleted: true }) }
  });

  for (const flag of ['lock', 'pin'] as const) {
    app.post(
      `/threads/:id/${flag}`,
      {
        schema: {
          tags: ['moderation'],
          params: IdParams,
          body: flag === 'lock' ? LockBody : PinBody,
          response: { 200: ThreadResult, ...errors }
        }
      },
      async (request) => {
        const found = await threadOr404(request.params.id);
        const { user } = await requireModerator(request, found.thread.boardId);
        const body = request.body as { locked?: boolean; pinned?: boolean; reason?: string | null };
        const thread = await setThreadFlag(app.db, {
          threadId: found.thread.id,
          actorId: user.id,
          flag: flag === 'lock' ? 'locked' : 'pinned',
          value: (flag === 'lock' ? body.locked : body.pinned) === true,
          reason: reasonFrom(body)
        });
        if (thread === null) throw notFound('thread');
        return threadOut(found, thread);
      }
    );
  }

  app.post(
    '/threads/:id/duplicate',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Close a thread as a duplicate of another (locked, linking to the original), or reopen it with of: null',
        params: IdParams,
        body: DuplicateBody,
        response: { 200: ThreadResult, ...errors }
      }
    },
    async (request) => {
      const found = await threadOr404(request.params.id);
      const { user } = await requireModerator(request, found.thread.boardId);
      let originalId: number | null = null;
      if (request.body.of !== null) {
        originalId = parseId(request.body.of);
        if (originalId === null) throw invalid('of', 'of must be a thread id or null');
      }
      const result = await setThreadDuplicate(app.db, {
        threadId: found.thread.id,
        actorId: user.id,
        originalId,
        reason: reasonFrom(request.body)
      });
      if (result === 'not_found') throw notFound('thread');
      if (result === 'bad_original') throw invalid('of', 'of must name a thread that exists');
      if (result === 'same_thread') throw invalid('of', 'a thread cannot be a duplicate of itself');
      app.publish(notificationEvents(result.notifications));
      return threadOut(found, result.thread);
    }
  );

  app.post(
    '/threads/:id/move',
    { schema: { tags: ['moderation'], params: IdParams, body: MoveBody, response: { 200: ThreadResult, ...errors } } },
    async (request) => {
      const found = await threadOr404(request.params.id);
      const { user, scope } = await requireModerator(request, found.thread.boardId);
      const target = await getBoardBySlug(app.db, request.body.boardSlug);
      if (target === null) throw invalid('boardSlug', 'boardSlug must name an existing board');
      if (!scopeCovers(scope, target.id)) throw forbidden('you do not moderate the board you are moving to');
      if (target.archived) throw invalid('boardSlug', 'that board is archived');
      const result = await moveThread(app.db, {
        threadId: found.thread.id,
        actorId: user.id,
        toBoardId: target.id,
        reason: reasonFrom(request.body)
      });
      if (result === null) throw notFound('thread');
      app.publish(notificationEvents(result.notifications));
      return threadOut(found, result.thread, target.slug);
    }
  );

  app.delete(
    '/threads/:id',
    { schema: { tags: ['moderation'], params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const user = requireUser(request);
      const found = await threadOr404(request.params.id);
      const scope = await moderationScope(app.db, user);
      const moderator = scopeCovers(scope, found.thread.boardId);
      if (found.thread.deletedAt !== null) throw notFound('thread');
      if (!moderator) {
        await requireNotBoardSuspended(app.db, user, found.thread.boardId);
        if (found.thread.authorId !== user.id) throw forbidden('only the author or a moderator may delete this thread');
        if (found.thread.replyCount > 0) throw forbidden('a thread with replies can only be deleted by a moderator');
      }
      const result = await setThreadDeleted(app.db, {
        threadId: found.thread.id,
        actorId: user.id,
        deleted: true,
        reason: reasonFrom(request.body),
        byModerator: moderator && found.thread.authorId !== user.id
      });
      if (result === null) throw notFound('thread');
      app.publish(notificationEvents(result.notifications));
      return reply.code(204).send(null);
    }
  );

  app.post(
    '/threads/:id/restore',
    { schema: { tags: ['moderation'], params: IdParams, response: { 200: ThreadResult, ...errors } } },
    async (request) => {
      const found = await threadOr404(request.params.id);
      const { user } = await requireModerator(request, found.thread.boardId);
      if (found.thread.deletedAt === null) throw new HttpError(409, 'conflict', 'this thread is not deleted');
      const result = await setThreadDeleted(app.db, {
        threadId: found.thread.id,
        actorId: user.id,
        deleted: false,
        reason: reasonFrom(request.body),
        byModerator: true
      });
      if (result === null) throw notFound('thread');
      app.publish(notificationEvents(result.notifications));
      return threadOut(found, result.thread);
    }
  );

  app.post(
    '/posts/:id/restore',
    { schema: { tags: ['moderation'], params: IdParams, response: { 200: PostResult, ...errors } } },
    async (request) => {
      const id = parseId(request.params.id);
      const ctx = id === null ? null : await getPostContext(app.db, id);
      if (ctx === null) throw notFound('post');
      const { user } = await requireModerator(request, ctx.thread.boardId);
      if (ctx.post.deletedAt === null) throw new HttpError(409, 'conflict', 'this post is not deleted');
      const result = await restorePost(app.db, { ctx, actorId: user.id, reason: reasonFrom(request.body) });
      if (!result.restored) throw new HttpError(409, 'conflict', 'this post is not deleted');
      app.publish(notificationEvents(result.notifications));
      const fresh = await getPostContext(app.db, ctx.post.id);
      if (fresh === null) throw notFound('post');
      return { post: toPost(fresh.post, fresh.author, fresh.thread.solutionPostId) };
    }
  );

  app.post(
    '/posts/:id/report',
    { schema: { tags: ['moderation'], params: IdParams, body: ReportBody, response: { 201: ReportResult, ...errors } } },
    async (request, reply) => {
      const user = requireUser(request);
      const id = parseId(request.params.id);
      const ctx = id === null ? null : await getPostContext(app.db, id);
      if (ctx === null || ctx.post.deletedAt !== null) throw notFound('post');
      if (ctx.post.authorId === user.id) throw forbidden('you cannot report your own post');
      await requireNotBoardSuspended(app.db, user, ctx.thread.boardId);
      await app.limit(request, 'report');
      const note = request.body.note === undefined || request.body.note === null ? null : cleanText(request.body.note) || null;
      const report = await createReport(app.db, { postId: ctx.post.id, reporterId: user.id, reason: request.body.reason, note });
      if (report === null) throw new HttpError(409, 'conflict', 'you have already reported this post');
      const [view] = await listReports(app.db, { status: 'open', scope: 'all', limit: 1, before: null, ids: [report.id] });
      if (view === undefined) throw notFound('post');
      return reply.code(201).send({ report: toReport(view) });
    }
  );

  app.get(
    '/mod/reports',
    { schema: { tags: ['moderation'], querystring: ReportQuery, response: { 200: ReportList, ...errors } } },
    async (request) => {
      const { scope } = await requireModerator(request, null);
      const { status = 'open', limit = 50, cursor, author } = request.query;
      const before = timeIdCursor(cursor);
      let authorId: number | undefined;
      if (author !== undefined) {
        const row = await findUserByUsername(app.db, author);
        if (row === null) throw invalid('author', 'author must be a username');
        authorId = row.id;
      }
      const rows = await listReports(app.db, { status, scope, limit, before, ...(authorId === undefined ? {} : { authorId }) });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        reports: page.map(toReport),
        nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.report.createdAt.toISOString(), last.report.id]) : null
      };
    }
  );

  app.post(
    '/mod/reports/:id/resolve',
    { schema: { tags: ['moderation'], params: IdParams, body: ResolveBody, response: { 200: ReportResult, ...errors } } },
    async (request) => {
      const { user, scope } = await requireModerator(request, null);
      const id = parseId(request.params.id);
      // A report on a board the caller does not moderate is as unknown to them as a missing one.
      const [view] = id === null ? [] : await listReports(app.db, { status: 'open', scope, limit: 1, before: null, ids: [id] });
      if (view === undefined || id === null) throw notFound('report');
      const until = request.body.until === undefined ? new Date(Date.now() + 7 * DAY) : futureDate(request.body.until, 'until');
      const result = await resolveReport(app.db, {
        reportId: id,
        actor: user,
        scope,
        resolution: request.body.resolution,
        until,
        reason: reasonFrom(request.body)
      });
      if (!result.ok) {
        if (result.error === 'already_resolved') throw new HttpError(409, 'conflict', 'this report is already resolved');
        if (result.error === 'cannot_suspend') throw forbidden('you may not suspend this author');
        throw notFound('report');
      }
      app.publish(notificationEvents(result.notifications));
      const [fresh] = await listReports(app.db, { status: 'resolved', scope: 'all', limit: 1, before: null, ids: [id] });
      if (fresh === undefined) throw notFound('report');
      return { report: toReport(fresh) };
    }
  );

  const UserParams = Type.Object({ username: Type.String({ maxLength: 64 }) });
  const userByName = async (username: string) => {
    const row = await findUserByUsername(app.db, username);
    if (row === null) throw notFound('user');
    return row;
  };
  const suspensionOf = (u: UserRow) =>
    u.suspendedUntil !== null && u.suspendedUntil > new Date()
      ? { until: u.suspendedUntil.toISOString(), reason: u.suspensionReason ?? '' }
      : null;
  /** A member's suspensions as far as the caller moderates. */
  const suspensionResult = async (target: UserRow, scope: Exclude<Scope, null>) => ({
    user: toUser(target),
    suspension: suspensionOf(target),
    boardSuspensions: (await boardSuspensionsOf(app.db, target.id, scope)).map((b) => ({
      boardSlug: b.boardSlug,
      until: b.until.toISOString(),
      reason: b.reason
    }))
  });

  app.post(
    '/users/:username/suspend',
    { schema: { tags: ['moderation'], params: UserParams, body: SuspendBody, response: { 200: SuspensionResult, ...errors } } },
    async (request) => {
      const { user, scope } = await requireModerator(request, null);
      const target = await userByName(request.params.username);
      if (target.id === user.id) throw forbidden('you cannot suspend yourself');
      if (!mayActOnRole(user.role, target.role)) {
        throw forbidden(target.role === 'admin' ? 'an admin cannot be suspended' : 'only an admin may suspend a moderator');
      }
      const until = futureDate(request.body.until, 'until');
      const reason = cleanText(request.body.reason);
      if (reason === '') throw invalid('reason', 'reason must be 1 to 500 characters');
      // A global moderator or an admin suspends site-wide; a board moderator from their boards.
      const updated = await app.db.transaction((tx) => suspendUser(tx, { userId: target.id, actorId: user.id, until, reason, scope }));
      if (updated === null) throw notFound('user');
      return suspensionResult(updated, scope);
    }
  );

  app.delete(
    '/users/:username/suspend',
    { schema: { tags: ['moderation'], params: UserParams, response: { 200: SuspensionResult, ...errors } } },
    async (request) => {
      const { user, scope } = await requireModerator(request, null);
      const target = await userByName(request.params.username);
      if (!mayActOnRole(user.role, target.role) && target.role !== 'admin')
        throw forbidden('only an admin may lift a moderator’s suspension');
      const result = await liftSuspension(app.db, { userId: target.id, actorId: user.id, reason: reasonFrom(request.body), scope });
      if (result === null) throw notFound('user');
      if (!result.lifted) throw new HttpError(409, 'conflict', 'this user is not suspended where you moderate');
      return suspensionResult(result.user, scope);
    }
  );

  app.get(
    '/users/:username/suspension',
    { schema: { tags: ['moderation'], params: UserParams, response: { 200: SuspensionResult, ...errors } } },
    async (request) => {
      const { scope } = await requireModerator(request, null);
      return suspensionResult(await userByName(request.params.username), scope);
    }
  );

  app.get(
    '/mod/log',
    { schema: { tags: ['moderation'], querystring: PageQuery, response: { 200: ModLog, ...errors } } },
    async (request) => {
      // A board moderator reads their boards' entries; admins and global moderators read everything.
      const { scope } = await requireModerator(request, null);
      const { limit = 50, cursor } = request.query;
      const before = timeIdCursor(cursor);
      const rows = await listModLog(app.db, scope, limit, before);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const targets = await describeTargets(
        app.db,
        page.map((r) => r.entry)
      );
      return {
        entries: page.map(({ entry, actor, boardSlug }) => ({
          boardSlug,
          target: toLogTarget(targets.get(entry.id)),
          id: String(entry.id),
          actor: toAuthor(actor),
          action: entry.action,
          targetType: entry.targetType,
          targetId: entry.targetId,
          reason: entry.reason,
          createdAt: entry.createdAt.toISOString()
        })),
        nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.entry.createdAt.toISOString(), last.entry.id]) : null
      };
    }
  );

  app.get('/me/moderation', { schema: { tags: ['moderation'], response: { 200: ModScope, 401: ErrorBody } } }, async (request) => {
    const user = requireUser(request);
    if (request.twoFactorSetupRequired) throw new HttpError(403, 'two_factor_required', 'set up two-factor sign-in to moderate');
    const scope = await moderationScope(app.db, user);
    if (scope === null || scope === 'all') return { all: scope === 'all', boards: [] };
    const rows = await app.db
      .select({ slug: boards.slug })
      .from(boards)
      .where(inArray(boards.id, [...scope]))
      .orderBy(asc(boards.position), asc(boards.id));
    return { all: false, boards: rows.map((r) => r.slug) };
  });
};
