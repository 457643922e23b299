import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EditPostBody, ErrorBody, PostResult, RevisionList, VoteBody, VoteResult } from '@bmet/contracts';
import { extractMentions, renderMarkdown } from '@bmet/markdown/server';
import { Type } from 'typebox';
import { HttpError, forbidden, invalid, notFound } from '../lib/http-error.ts';
import { parseId } from '../lib/ids.ts';
import { checkPhi } from '../lib/phi-guard.ts';
import { requireUser, requireNotBoardSuspended } from '../plugins/auth.ts';
import { notificationEvents } from '../plugins/live.ts';
import { castVote, editPost, getPostContext, listRevisions, softDeletePost } from '../domain/posts.ts';
import { canModerate, moderatorDeletePost, reasonFrom } from '../domain/moderation.ts';
import { toAuthor, toPost } from '../domain/serialize.ts';
import type { Db } from '@bmet/db/client';

const IdParams = Type.Object({ id: Type.String() });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 422: ErrorBody };

async function loadPost(db: Db, rawId: string) {
  const id = parseId(rawId);
  const ctx = id === null ? null : await getPostContext(db, id);
  if (ctx === null) throw notFound('post');
  return ctx;
}

export const postRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.patch(
    '/posts/:id',
    { schema: { tags: ['posts'], params: IdParams, body: EditPostBody, response: { 200: PostResult, ...errors } } },
    async (request) => {
      const user = requireUser(request);
      const ctx = await loadPost(app.db, request.params.id);
      const moderator = await canModerate(app.db, user, ctx.thread.boardId);
      if (ctx.post.authorId !== user.id && !moderator) throw forbidden('only the author or a moderator may edit this post');
      await requireNotBoardSuspended(app.db, user, ctx.thread.boardId);
      if (ctx.post.deletedAt !== null) throw notFound('post');
      if (ctx.thread.locked && !moderator) throw new HttpError(403, 'thread_locked', 'this thread is locked');
      const body = request.body.body;
      if (body.trim() === '') throw invalid('body', 'body must not be empty');
      const phi = checkPhi({ title: null, body }, request.body.confirmNoPhi === true);
      if (body === ctx.post.bodyMarkdown) {
        return { post: toPost(ctx.post, ctx.author, ctx.thread.solutionPostId) };
      }
      const edited = await editPost(app.db, {
        postId: ctx.post.id,
        editorId: user.id,
        bodyMarkdown: body,
        bodyHtml: renderMarkdown(body),
        phi,
        mentions: extractMentions(body),
        ...(ctx.post.authorId === user.id ? {} : { moderatorLog: { boardId: ctx.thread.boardId } })
      });
      if (edited === null) throw notFound('post');
      app.publish(notificationEvents(edited.notifications));
      return { post: toPost(edited.post, ctx.author, ctx.thread.solutionPostId) };
    }
  );

  app.get(
    '/posts/:id/revisions',
    { schema: { tags: ['posts'], params: IdParams, response: { 200: RevisionList, 404: ErrorBody } } },
    async (request) => {
      const ctx = await loadPost(app.db, request.params.id);
      // A deleted post's history is as hidden as its body, except from moderators.
      if (ctx.post.deletedAt !== null && !(await canModerate(app.db, request.user, ctx.thread.boardId))) throw notFound('post');
      const rows = await listRevisions(app.db, ctx.post.id);
      return {
        revisions: rows.map((r) => ({ bodyMarkdown: r.bodyMarkdown, editedAt: r.editedAt.toISOString(), editor: toAuthor(r.editor) }))
      };
    }
  );

  app.delete(
    '/posts/:id',
    { schema: { tags: ['posts'], params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const user = requireUser(request);
      const ctx = await loadPost(app.db, request.params.id);
      const own = ctx.post.authorId === user.id;
      if (!own && !(await canModerate(app.db, user, ctx.thread.boardId))) {
        throw forbidden('only the author or a moderator may delete this post');
      }
      if (ctx.post.deletedAt !== null) throw notFound('post');
      await requireNotBoardSuspended(app.db, user, ctx.thread.boardId);
      if (own) {
        await softDeletePost(app.db, ctx);
        return reply.code(204).send(null);
      }
      // A moderator removing someone else's post: logged, and the author is told.
      const reason = reasonFrom(request.body);
      const sent = await app.db.transaction((tx) => moderatorDeletePost(tx, { ctx, actorId: user.id, reason, purge: false }));
      app.publish(notificationEvents(sent));
      return reply.code(204).send(null);
    }
  );

  app.post(
    '/posts/:id/vote',
    { schema: { tags: ['posts'], params: IdParams, body: VoteBody, response: { 200: VoteResult, ...errors } } },
    async (request) => {
      const user = requireUser(request);
      const ctx = await loadPost(app.db, request.params.id);
      if (ctx.post.deletedAt !== null) throw notFound('post');
      if (ctx.post.authorId === user.id) throw forbidden('you cannot vote on your own post');
      await requireNotBoardSuspended(app.db, user, ctx.thread.boardId);
      await app.limit(request, 'vote');
      const result = await castVote(app.db, { postId: ctx.post.id, userId: user.id, value: request.body.value as -1 | 0 | 1 });
      if (result === null) throw notFound('post');
      return result;
    }
  );
};
