import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ErrorBody,
  SEARCH_QUERY_MAX,
  SearchCounts,
  SearchQuery,
  SearchResults,
  SimilarQuery,
  SimilarThreads,
  SITEMAP_PAGE,
  SiteThreadsQuery,
  SitemapQuery,
  SitemapThreads,
  ThreadList,
  slugify
} from '@bmet/contracts';
import { and, asc, eq, gt, isNull, lte, sql } from 'drizzle-orm';
import type { Conn } from '@bmet/db/client';
import { boards, manufacturers, models, tags, threads } from '@bmet/db/schema';
import { invalid } from '../lib/http-error.ts';
import { foldCode, parseSearchQuery, type SearchQuery as ParsedQuery } from '../lib/search-query.ts';
import { search, searchCounts, similarThreads, type SearchFilters, type SearchTuning } from '../domain/search.ts';
import { toPost, toThread } from '../domain/serialize.ts';
import { listSiteThreads } from '../domain/threads.ts';
import { withNewReplies } from '../domain/reads.ts';

// Tabs and line breaks are spaces to a search; any other control character is not text.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function text(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (CONTROL.test(value)) throw invalid(field, `${field} must be text without control characters`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Manufacturer and model filters by name or slug: unknown ones answer 400, never an empty list. */
async function equipmentFilter(db: Conn, manufacturer: string | undefined, model: string | undefined) {
  let manufacturerId: number | undefined;
  if (manufacturer !== undefined) {
    const rows = await db
      .select({ id: manufacturers.id })
      .from(manufacturers)
      .where(eq(manufacturers.slug, slugify(manufacturer)))
      .limit(1);
    if (rows[0] === undefined) throw invalid('manufacturer', `no manufacturer is called ${manufacturer}`);
    manufacturerId = rows[0].id;
  }
  let modelIds: number[] | undefined;
  if (model !== undefined) {
    const rows = await db
      .select({ id: models.id })
      .from(models)
      .where(and(eq(models.slug, slugify(model)), manufacturerId === undefined ? undefined : eq(models.manufacturerId, manufacturerId)))
      .limit(50);
    if (rows.length === 0) throw invalid('model', `no model is called ${model}${manufacturer === undefined ? '' : ` by ${manufacturer}`}`);
    modelIds = rows.map((r) => r.id);
  }
  return { manufacturerId, modelIds };
}

/** The query and its filters, each filter resolved to ids: an unknown value answers 400. */
async function readSearch(db: Conn, query: SearchQuery): Promise<{ q: ParsedQuery; filters: SearchFilters }> {
  const q = text('q', query.q);
  if (q === undefined) throw invalid('q', 'enter something to search for');
  if (q.length > SEARCH_QUERY_MAX) throw invalid('q', `q must be at most ${SEARCH_QUERY_MAX} characters`);
  const filters: SearchFilters = {};
  const board = text('board', query.board);
  if (board !== undefined) {
    const rows = await db.select({ id: boards.id }).from(boards).where(eq(boards.slug, board.toLowerCase())).limit(1);
    if (rows[0] === undefined) throw invalid('board', `no board is called ${board}`);
    filters.boardId = rows[0].id;
  }
  if (query.roleTag !== undefined) filters.roleTag = query.roleTag;
  if (query.solved !== undefined) filters.solved = query.solved === 'true';
  const equipment = await equipmentFilter(db, text('manufacturer', query.manufacturer), text('model', query.model));
  if (equipment.manufacturerId !== undefined) filters.manufacturerId = equipment.manufacturerId;
  if (equipment.modelIds !== undefined) filters.modelIds = equipment.modelIds;
  const errorCode = text('errorCode', query.errorCode);
  if (errorCode !== undefined) {
    if (foldCode(errorCode) === '') throw invalid('errorCode', 'errorCode must hold letters or digits');
    filters.errorCode = errorCode;
  }
  const tag = text('tag', query.tag);
  if (tag !== undefined) {
    const rows = await db.select({ name: tags.name }).from(tags).where(eq(tags.name, tag.toLowerCase())).limit(1);
    if (rows[0] === undefined) throw invalid('tag', `no tag is called ${tag}`);
    filters.tag = rows[0].name;
  }
  return { q: parseSearchQuery(q), filters };
}

export const searchRoutes: FastifyPluginAsyncTypebox<{ tuning: SearchTuning }> = async (app, { tuning }) => {
  app.get(
    '/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Full-text search of threads and posts: words (stemmed, "phrases", -exclusions) and codes as typed',
        querystring: SearchQuery,
        response: { 200: SearchResults, 400: ErrorBody }
      }
    },
    async (request) => {
      const query = request.query;
      const { q, filters } = await readSearch(app.db, query);
      const result = await search(app.db, q, filters, query.limit ?? 50, query.cursor, tuning);
      if (result === 'bad_cursor') throw invalid('cursor', 'cursor is not valid for this search');
      return {
        results: result.hits.map((h) => ({
          thread: toThread(h.thread, h.boardSlug, h.threadAuthor),
          post: toPost(h.post, h.postAuthor, h.thread.solutionPostId),
          snippetHtml: h.snippetHtml,
          rank: h.rank
        })),
        nextCursor: result.nextCursor
      };
    }
  );

  app.get(
    '/search/counts',
    {
      schema: {
        tags: ['search'],
        summary: "How a search's matching threads (its own, under all its filters) fall by board and by solved",
        querystring: SearchQuery,
        response: { 200: SearchCounts, 400: ErrorBody }
      }
    },
    async (request) => {
      const { q, filters } = await readSearch(app.db, request.query);
      const [{ rows, capped }, allBoards] = await Promise.all([
        searchCounts(app.db, q, filters, tuning),
        app.db.select({ id: boards.id, slug: boards.slug, roleTag: boards.roleTag }).from(boards)
      ]);
      const boardById = new Map(allBoards.map((b) => [b.id, b]));
      const perBoard = new Map<number, number>();
      const solved = { solved: 0, unsolved: 0 };
      let total = 0;
      for (const r of rows) {
        perBoard.set(r.boardId, (perBoard.get(r.boardId) ?? 0) + r.threads);
        solved[r.solved ? 'solved' : 'unsolved'] += r.threads;
        total += r.threads;
      }
      return {
        total,
        capped,
        boards: [...perBoard]
          .map(([id, count]) => ({ slug: boardById.get(id)?.slug ?? String(id), count }))
          .sort((a, b) => b.count - a.count || a.slug.localeCompare(b.slug)),
        solved
      };
    }
  );

  app.get(
    '/threads',
    {
      schema: {
        tags: ['threads'],
        summary: 'Threads across every board: latest activity, or questions nobody has answered yet',
        querystring: SiteThreadsQuery,
        response: { 200: ThreadList, 400: ErrorBody }
      }
    },
    async (request) => {
      const { sort = 'latest', limit = 50, cursor } = request.query;
      const page = await listSiteThreads(app.db, sort, limit, cursor);
      if (page === 'bad_cursor') throw invalid('cursor', 'cursor is not valid for this list');
      return {
        threads: await withNewReplies(
          app.db,
          request.user?.id ?? null,
          page.rows.map((r) => r.thread),
          page.rows.map((r) => toThread(r.thread, r.boardSlug, r.author))
        ),
        nextCursor: page.nextCursor
      };
    }
  );

  app.get(
    '/sitemap/threads',
    {
      schema: {
        tags: ['search'],
        summary: 'Every visible thread, for sitemap.xml: one block of 50,000 ids per page',
        querystring: SitemapQuery,
        response: { 200: SitemapThreads, 400: ErrorBody }
      }
    },
    async (request) => {
      const page = request.query.page ?? 0;
      const [top] = await app.db.select({ max: sql<string | number | null>`max(${threads.id})` }).from(threads);
      const pages = Math.max(1, Math.ceil(Number(top?.max ?? 0) / SITEMAP_PAGE));
      const rows =
        page >= pages
          ? []
          : await app.db
              .select({ id: threads.id, lastPostAt: threads.lastPostAt })
              .from(threads)
              .where(and(gt(threads.id, page * SITEMAP_PAGE), lte(threads.id, (page + 1) * SITEMAP_PAGE), isNull(threads.deletedAt)))
              .orderBy(asc(threads.id));
      return { pages, threads: rows.map((r) => ({ id: String(r.id), lastPostAt: r.lastPostAt.toISOString() })) };
    }
  );

  app.get(
    '/threads/similar',
    {
      schema: {
        tags: ['search'],
        summary: 'Likely duplicates of a question being written (up to five, solved ones first)',
        querystring: SimilarQuery,
        response: { 200: SimilarThreads, 400: ErrorBody }
      }
    },
    async (request) => {
      const title = text('title', request.query.title) ?? '';
      const model = text('model', request.query.model);
      const manufacturer = text('manufacturer', request.query.manufacturer);
      const errorCode = text('errorCode', request.query.errorCode) ?? '';
      let modelIds: number[] = [];
      if (model !== undefined) {
        // An unknown model is simply new to the forum here: nothing to match on, not an error.
        const rows = await app.db
          .select({ id: models.id })
          .from(models)
          .innerJoin(manufacturers, eq(manufacturers.id, models.manufacturerId))
          .where(
            and(eq(models.slug, slugify(model)), manufacturer === undefined ? undefined : eq(manufacturers.slug, slugify(manufacturer)))
          )
          .limit(50);
        modelIds = rows.map((r) => r.id);
      }
      if (title.length < 3 && modelIds.length === 0 && foldCode(errorCode) === '') return { threads: [] };
      const rows = await similarThreads(app.db, { title, modelIds, errorCode });
      return { threads: rows.map((r) => toThread(r.thread, r.boardSlug, r.author)) };
    }
  );
};
