import type { Board, SearchResults } from '@bmet/contracts';
import { api, isApiError } from '$lib/server/api.ts';
import { loadFailed } from '$lib/server/load-error.ts';
import { sentence } from '$lib/api-errors.ts';
import type { PageServerLoad } from './$types';

/** The filters a search URL may carry, in the API's names: a shared link is the whole search. */
const FILTERS = ['board', 'roleTag', 'solved', 'manufacturer', 'model', 'errorCode', 'tag'] as const;
type Filter = (typeof FILTERS)[number];

export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const q = (params.get('q') ?? '').trim();
  const filters: Partial<Record<Filter, string>> = {};
  for (const key of FILTERS) {
    const value = (params.get(key) ?? '').trim();
    if (value !== '') filters[key] = value;
  }
  const cursor = params.get('cursor');
  const boardsRes = await api<{ boards: Board[] }>(event, 'GET', '/boards');
  const boards = boardsRes.status === 200 ? boardsRes.data.boards.map((b) => ({ slug: b.slug, name: b.name })) : [];
  const base = { q, filters, boards, paged: cursor !== null };
  if (q === '') return { ...base, results: null, nextCursor: null, problem: null };
  const query = new URLSearchParams({ q, limit: '20', ...filters });
  if (cursor !== null) query.set('cursor', cursor);
  const res = await api<SearchResults>(event, 'GET', `/search?${query}`);
  if (res.status === 400 && isApiError(res.data)) {
    // A filter that names nothing, a query too long: said on the page, next to the form.
    return { ...base, results: null, nextCursor: null, problem: sentence(res.data.error.message) };
  }
  if (res.status !== 200) loadFailed(res, 'The search could not be run');
  return { ...base, results: res.data.results, nextCursor: res.data.nextCursor, problem: null };
};
