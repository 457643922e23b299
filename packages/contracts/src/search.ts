import { Type, type Static } from 'typebox';
import { NullableString, PageQuery } from './common.ts';
import { Post, Thread } from './threads.ts';

export const SEARCH_QUERY_MAX = 200;

export const SearchQuery = Type.Object({
  q: Type.String({ maxLength: 2000 }),
  board: Type.Optional(Type.String({ maxLength: 100 })),
  roleTag: Type.Optional(
    Type.Union([Type.Literal('BME'), Type.Literal('CE'), Type.Literal('BMET')], { 'x-message': 'roleTag must be BME, CE or BMET' })
  ),
  solved: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { 'x-message': 'solved must be true or false' })),
  manufacturer: Type.Optional(Type.String({ maxLength: 100 })),
  model: Type.Optional(Type.String({ maxLength: 100 })),
  errorCode: Type.Optional(Type.String({ maxLength: 100 })),
  tag: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, 'x-message': 'limit must be 1 to 200' })),
  cursor: Type.Optional(Type.String({ maxLength: 2000 }))
});
export type SearchQuery = Static<typeof SearchQuery>;

export const SearchResult = Type.Object({
  thread: Thread,
  /** The thread's best-matching post. */
  post: Post,
  /** Escaped text of the post around the match, the matched words in `<mark>`. */
  snippetHtml: Type.String(),
  rank: Type.Number()
});
export type SearchResult = Static<typeof SearchResult>;

export const SearchResults = Type.Object({ results: Type.Array(SearchResult), nextCursor: NullableString });
export type SearchResults = Static<typeof SearchResults>;

/**
 * How the matches of a search fall: threads per board and solved or not, under all of the
 * search's filters, counted over the search's own candidates: `capped` says the query matched
 * more posts than the search ranks, so the counts are "at least".
 */
export const SearchCounts = Type.Object({
  total: Type.Integer(),
  capped: Type.Boolean(),
  boards: Type.Array(Type.Object({ slug: Type.String(), count: Type.Integer() })),
  solved: Type.Object({ solved: Type.Integer(), unsolved: Type.Integer() })
});
export type SearchCounts = Static<typeof SearchCounts>;

export const SimilarQuery = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 300 })),
  model: Type.Optional(Type.String({ maxLength: 100 })),
  manufacturer: Type.Optional(Type.String({ maxLength: 100 })),
  errorCode: Type.Optional(Type.String({ maxLength: 100 }))
});
export type SimilarQuery = Static<typeof SimilarQuery>;

export const SimilarThreads = Type.Object({ threads: Type.Array(Thread) });
export type SimilarThreads = Static<typeof SimilarThreads>;

export const SiteThreadsQuery = Type.Object({
  sort: Type.Optional(
    Type.Union([Type.Literal('latest'), Type.Literal('unanswered')], { 'x-message': 'sort must be latest or unanswered' })
  ),
  ...PageQuery.properties
});
export type SiteThreadsQuery = Static<typeof SiteThreadsQuery>;

/** Threads per sitemap page: the sitemap protocol's limit of 50,000 URLs per file. */
export const SITEMAP_PAGE = 50_000;
export const SitemapQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000, 'x-message': 'page must be a whole number' }))
});
export const SitemapThreads = Type.Object({
  /** How many pages there are (ids are paged in blocks of SITEMAP_PAGE). */
  pages: Type.Integer(),
  threads: Type.Array(Type.Object({ id: Type.String(), lastPostAt: Type.String() }))
});
export type SitemapThreads = Static<typeof SitemapThreads>;
