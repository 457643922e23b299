import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DraftBody, DraftParams, DraftResult, ErrorBody } from '@bmet/contracts';
import type { DraftRow } from '@bmet/db/schema';
import { Type } from 'typebox';
import { invalid, notFound } from '../lib/http-error.ts';
import { requireUser } from '../plugins/auth.ts';
import { deleteDraft, getDraft, saveDraft } from '../domain/drafts.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 429: ErrorBody };
const FIELD = /^[a-zA-Z]{1,32}$/;
const toDraft = (row: DraftRow) => ({ key: row.key, fields: row.fields, updatedAt: row.updatedAt.toISOString() });

/**
 * Drafts: what a signed-in member is typing, kept on the server so that it follows them to
 * another device (Discourse does the same). Private to the member; suspended members keep
 * theirs (they can post again later). Never rendered: the text is the member's own.
 */
export const draftRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/drafts/:key',
    { schema: { tags: ['drafts'], params: DraftParams, response: { 200: DraftResult, ...errors } } },
    async (request, reply) => {
      const user = requireUser(request);
      void reply.header('cache-control', 'private, no-store');
      const row = await getDraft(app.db, user.id, request.params.key);
      if (row === null) throw notFound('draft');
      return { draft: toDraft(row) };
    }
  );

  app.put(
    '/drafts/:key',
    { schema: { tags: ['drafts'], params: DraftParams, body: DraftBody, response: { 200: DraftResult, 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const user = requireUser(request);
      // The schema's key pattern is not enforced by every validator setup: checked here too.
      if (Object.keys(request.body.fields).some((name) => !FIELD.test(name))) {
        throw invalid('fields', 'field names are 1 to 32 letters');
      }
      await app.limit(request, 'draft');
      const row = await saveDraft(app.db, user.id, request.params.key, request.body.fields);
      if (row === null) return reply.code(204).send(null);
      return { draft: toDraft(row) };
    }
  );

  app.delete(
    '/drafts/:key',
    { schema: { tags: ['drafts'], params: DraftParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const user = requireUser(request);
      await deleteDraft(app.db, user.id, request.params.key);
      return reply.code(204).send(null);
    }
  );
};
