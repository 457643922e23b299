import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, SubscriptionBody, SubscriptionResult, WatchBody, WatchResult, Watches } from '@bmet/contracts';
import { Type } from 'typebox';
import { notFound } from '../lib/http-error.ts';
import { requireUser } from '../plugins/auth.ts';
import { getBoardBySlug } from '../domain/boards.ts';
import { modelIdBySlugs } from '../domain/equipment-merge.ts';
import { loadThread } from './threads.ts';
import { listWatches, setBoardWatch, setModelWatch, setThreadLevel, threadLevel } from '../domain/watches.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const IdParams = Type.Object({ id: Type.String() });

export const watchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const thread = async (raw: string) => (await loadThread(app.db, raw)).thread.id;

  app.get(
    '/threads/:id/subscription',
    { schema: { tags: ['watching'], params: IdParams, response: { 200: SubscriptionResult, ...errors } } },
    async (request) => {
      const user = requireUser(request);
      return { level: await threadLevel(app.db, user.id, await thread(request.params.id)) };
    }
  );

  app.put(
    '/threads/:id/subscription',
    { schema: { tags: ['watching'], params: IdParams, body: SubscriptionBody, response: { 200: SubscriptionResult, ...errors } } },
    async (request) => {
      const user = requireUser(request);
      await setThreadLevel(app.db, user.id, await thread(request.params.id), request.body.level);
      return { level: request.body.level };
    }
  );

  app.put(
    '/boards/:slug/watch',
    {
      schema: {
        tags: ['watching'],
        params: Type.Object({ slug: Type.String() }),
        body: WatchBody,
        response: { 200: WatchResult, ...errors }
      }
    },
    async (request) => {
      const user = requireUser(request);
      const board = await getBoardBySlug(app.db, request.params.slug);
      if (board === null) throw notFound('board');
      await setBoardWatch(app.db, user.id, board.id, request.body.watching);
      return { watching: request.body.watching };
    }
  );

  app.put(
    '/equipment/models/:manufacturer/:model/watch',
    {
      schema: {
        tags: ['watching'],
        params: Type.Object({ manufacturer: Type.String(), model: Type.String() }),
        body: WatchBody,
        response: { 200: WatchResult, ...errors }
      }
    },
    async (request) => {
      const user = requireUser(request);
      const modelId = await modelIdBySlugs(app.db, request.params.manufacturer, request.params.model);
      if (modelId === null) throw notFound('model');
      await setModelWatch(app.db, user.id, modelId, request.body.watching);
      return { watching: request.body.watching };
    }
  );

  app.get('/me/watches', { schema: { tags: ['watching'], response: { 200: Watches, 401: ErrorBody } } }, async (request) => {
    const user = requireUser(request);
    return listWatches(app.db, user.id);
  });
};
