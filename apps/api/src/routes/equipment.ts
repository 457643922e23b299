import { withNewReplies } from '../domain/reads.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  CategoryList,
  EquipmentIndex,
  ErrorBody,
  ListQuery,
  ManufacturerList,
  ManufacturerPage,
  ManufacturerResult,
  MergeManufacturerBody,
  MergeModelBody,
  ModelList,
  ModelResult,
  ModelPage,
  PageQuery,
  SuggestQuery,
  TagIndexQuery,
  TagList,
  TagPage,
  slugify
} from '@bmet/contracts';
import { Type } from 'typebox';
import { forbidden, invalid, notFound } from '../lib/http-error.ts';
import { requireUser } from '../plugins/auth.ts';
import { moderationScope, reasonFrom } from '../domain/moderation.ts';
import { manufacturerIdBySlug, mergeManufacturers, mergeModels, modelIdBySlugs } from '../domain/equipment-merge.ts';
import {
  equipmentIndex,
  errorCodesForModel,
  getManufacturer,
  getModel,
  listCategories,
  listEquipmentThreads,
  modelsOfManufacturer,
  suggestManufacturers,
  suggestModels,
  type ModelWithRefs
} from '../domain/equipment.ts';
import { getTag, listTagThreads, suggestTags } from '../domain/tags.ts';
import { loadAuthors } from '../domain/threads.ts';
import { toThread } from '../domain/serialize.ts';
import type { ManufacturerRow, ThreadRow } from '@bmet/db/schema';
import type { Conn } from '@bmet/db/client';

const toModel = (m: ModelWithRefs) => ({
  id: String(m.model.id),
  slug: m.model.slug,
  name: m.model.name,
  manufacturer: { id: String(m.manufacturer.id), slug: m.manufacturer.slug, name: m.manufacturer.name },
  category: m.category,
  threadCount: m.model.threadCount,
  solvedCount: m.model.solvedCount
});

const toManufacturer = (m: ManufacturerRow) => ({
  id: String(m.id),
  slug: m.slug,
  name: m.name,
  modelCount: m.modelCount,
  threadCount: m.threadCount,
  solvedCount: m.solvedCount
});

/** Threads with their board slugs, plus their authors in one lookup. */
async function withAuthors(db: Conn, rows: { thread: ThreadRow; boardSlug: string }[], userId: number | null) {
  const authors = await loadAuthors(
    db,
    rows.map((r) => r.thread.authorId)
  );
  const out = rows.map((r) => toThread(r.thread, r.boardSlug, authors.get(r.thread.authorId)!));
  return withNewReplies(
    db,
    userId,
    rows.map((r) => r.thread),
    out
  );
}

const Q = Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) });

export const equipmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /**
   * A manufacturer by its slug or by a slug it was merged under (the answer then carries the
   * survivor's own slug, and the web page redirects to it); 404 when neither.
   */
  async function manufacturerOr404(slug: string) {
    const maker = await getManufacturer(app.db, slug);
    if (maker === null) throw notFound('manufacturer');
    return maker;
  }
  async function modelOr404(manufacturer: string, model: string) {
    const found = await getModel(app.db, { manufacturer, model });
    if (found === null) throw notFound('model');
    return found;
  }
  /** Equipment records are site-wide: merging them is for global moderators and admins. */
  async function requireGlobalModerator(request: FastifyRequest) {
    const user = requireUser(request);
    if ((await moderationScope(app.db, user)) !== 'all') throw forbidden('only a global moderator or an admin may merge equipment records');
    return user;
  }

  app.post(
    '/equipment/manufacturers/:manufacturer/merge',
    {
      schema: {
        tags: ['equipment', 'moderation'],
        summary: 'Merge this manufacturer into another: its models, threads and watches move, its slug becomes an alias',
        params: Type.Object({ manufacturer: Type.String() }),
        body: MergeManufacturerBody,
        response: { 200: ManufacturerResult, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }
      }
    },
    async (request) => {
      const user = await requireGlobalModerator(request);
      const from = await manufacturerOr404(request.params.manufacturer);
      const intoId = await manufacturerIdBySlug(app.db, slugify(request.body.into));
      if (intoId === null) throw invalid('into', 'into must name a manufacturer the forum knows');
      if (intoId === from.id) throw invalid('into', 'into names this same manufacturer');
      const outcome = await mergeManufacturers(app.db, { fromId: from.id, intoId, actorId: user.id, reason: reasonFrom(request.body) });
      if (outcome === 'not_found') throw notFound('manufacturer');
      const into = await getManufacturer(app.db, intoId);
      if (into === null) throw notFound('manufacturer');
      return { manufacturer: toManufacturer(into) };
    }
  );

  app.post(
    '/equipment/models/:manufacturer/:model/merge',
    {
      schema: {
        tags: ['equipment', 'moderation'],
        summary: 'Merge this model into another (of any manufacturer): its threads and watches move, its slug becomes an alias',
        params: Type.Object({ manufacturer: Type.String(), model: Type.String() }),
        body: MergeModelBody,
        response: { 200: ModelResult, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }
      }
    },
    async (request) => {
      const user = await requireGlobalModerator(request);
      const from = await modelOr404(request.params.manufacturer, request.params.model);
      const intoId = await modelIdBySlugs(app.db, slugify(request.body.into.manufacturer), slugify(request.body.into.model));
      if (intoId === null) throw invalid('into', 'into must name a model the forum knows');
      if (intoId === from.model.id) throw invalid('into', 'into names this same model');
      const outcome = await mergeModels(app.db, { fromId: from.model.id, intoId, actorId: user.id, reason: reasonFrom(request.body) });
      if (outcome === 'not_found') throw notFound('model');
      const into = await getModel(app.db, intoId);
      if (into === null) throw notFound('model');
      return { model: toModel(into) };
    }
  );
  app.get('/equipment/categories', { schema: { tags: ['equipment'], response: { 200: CategoryList } } }, async () => ({
    categories: await listCategories(app.db)
  }));

  app.get(
    '/equipment/manufacturers',
    { schema: { tags: ['equipment'], querystring: Q, response: { 200: ManufacturerList, 400: ErrorBody } } },
    async (request) => {
      const rows = await suggestManufacturers(app.db, request.query.q ?? '');
      return { manufacturers: rows.map(toManufacturer) };
    }
  );

  app.get(
    '/equipment',
    {
      schema: {
        tags: ['equipment'],
        summary: 'The equipment index: manufacturers by name with thread and solved counts, each with its most discussed models',
        querystring: PageQuery,
        response: { 200: EquipmentIndex, 400: ErrorBody }
      }
    },
    async (request) => {
      const found = await equipmentIndex(app.db, request.query.limit ?? 100, request.query.cursor);
      if (found === 'bad_cursor') throw invalid('cursor', 'cursor is not valid for this list');
      return {
        manufacturers: found.manufacturers.map((m) => ({ ...toManufacturer(m.manufacturer), models: m.models.map(toModel) })),
        nextCursor: found.nextCursor
      };
    }
  );

  app.get(
    '/equipment/manufacturers/:manufacturer',
    {
      schema: {
        tags: ['equipment'],
        summary: 'A manufacturer, its models and its threads (latest, unanswered or solved)',
        params: Type.Object({ manufacturer: Type.String() }),
        querystring: ListQuery,
        response: { 200: ManufacturerPage, 400: ErrorBody, 404: ErrorBody }
      }
    },
    async (request) => {
      const maker = await manufacturerOr404(request.params.manufacturer);
      const { limit = 50, cursor, sort = 'latest' } = request.query;
      const [page, list] = await Promise.all([
        listEquipmentThreads(app.db, { manufacturerId: maker.id }, sort, limit, cursor),
        modelsOfManufacturer(app.db, maker.id)
      ]);
      if (page === 'bad_cursor') throw invalid('cursor', 'cursor is not valid for this list');
      return {
        manufacturer: toManufacturer(maker),
        models: list.map(toModel),
        threads: await withAuthors(app.db, page.rows, request.user?.id ?? null),
        nextCursor: page.nextCursor
      };
    }
  );

  app.get(
    '/equipment/models',
    { schema: { tags: ['equipment'], querystring: SuggestQuery, response: { 200: ModelList, 400: ErrorBody } } },
    async (request) => {
      const rows = await suggestModels(app.db, request.query.q ?? '', request.query.manufacturer);
      return { models: rows.map(toModel) };
    }
  );

  app.get(
    '/equipment/models/:manufacturer/:model',
    {
      schema: {
        tags: ['equipment'],
        params: Type.Object({ manufacturer: Type.String(), model: Type.String() }),
        querystring: ListQuery,
        response: { 200: ModelPage, 400: ErrorBody, 404: ErrorBody }
      }
    },
    async (request) => {
      const found = await modelOr404(request.params.manufacturer, request.params.model);
      const { limit = 50, cursor, sort = 'latest' } = request.query;
      const [page, errorCodes] = await Promise.all([
        listEquipmentThreads(app.db, { modelId: found.model.id }, sort, limit, cursor),
        errorCodesForModel(app.db, found.model.id)
      ]);
      if (page === 'bad_cursor') throw invalid('cursor', 'cursor is not valid for this list');
      return {
        model: toModel(found),
        errorCodes,
        threads: await withAuthors(app.db, page.rows, request.user?.id ?? null),
        nextCursor: page.nextCursor
      };
    }
  );

  app.get(
    '/tags',
    {
      schema: {
        tags: ['tags'],
        summary: 'Tags in use, most used first; q narrows to a prefix (the composer), limit up to 500 (the tag index)',
        querystring: TagIndexQuery,
        response: { 200: TagList, 400: ErrorBody }
      }
    },
    async (request) => ({
      tags: await suggestTags(app.db, request.query.q ?? '', request.query.limit ?? 20)
    })
  );

  app.get(
    '/tags/:name/threads',
    {
      schema: {
        tags: ['tags'],
        params: Type.Object({ name: Type.String() }),
        querystring: ListQuery,
        response: { 200: TagPage, 400: ErrorBody, 404: ErrorBody }
      }
    },
    async (request) => {
      const tag = await getTag(app.db, request.params.name.toLowerCase());
      if (tag === null) throw notFound('tag');
      const { limit = 50, cursor, sort = 'latest' } = request.query;
      const page = await listTagThreads(app.db, tag.name, sort, limit, cursor);
      if (page === 'bad_cursor') throw invalid('cursor', 'cursor is not valid for this list');
      return { tag, threads: await withAuthors(app.db, page.rows, request.user?.id ?? null), nextCursor: page.nextCursor };
    }
  );
};
