import type { Board, SearchCounts, SearchResults } from '@bmet/contracts';
import { api, isApiError } from '$lib/server/api.ts';
import { loadFailed } from '$lib/server/load-error.ts';
import { sentence } from '$lib/api-errors.ts';
import { readSearch, searchParams } from '$lib/search.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { q, filters } = readSearch(event.url.searchParams);
  const cursor = event.url.searchParams.get('cursor');
  const boardsRes = await api<{ boards: Board[] }>(event, 'GET', '/boards');
  const boards = boardsRes.status === 200 ? boardsRes.data.boards.map((b) => ({ slug: b.slug, name: b.name })) : [];
  const base = { q, filters, boards, paged: cursor !== null };
  if (q === '') return { ...base, results: null, nextCursor: null, counts: null, problem: null };
  const query = searchParams(q, filters);
  // The counts beside the filters, for the first page only (a later page keeps the same search).
  const [res, counts] = await Promise.all([
    api<SearchResults>(event, 'GET', `/search?${query}&${new URLSearchParams({ limit: '20', ...(cursor === null ? {} : { cursor }) })}`),
    cursor === null ? api<SearchCounts>(event, 'GET', `/search/counts?${query}`) : null
  ]);
  if (res.status === 400 && isApiError(res.data)) {
    // A filter that names nothing, a query too long: said on the page, next to the form.
    return { ...base, results: null, nextCursor: null, counts: null, problem: sentence(res.data.error.message) };
  }
  if (res.status !== 200) loadFailed(res, 'The search could not be run');
  return {
    ...base,
    results: res.data.results,
    nextCursor: res.data.nextCursor,
    // Counts are a help, not the page: without them the results still show.
    counts: counts?.status === 200 ? counts.data : null,
    problem: null
  };
};
