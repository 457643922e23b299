/** The filters a search URL may carry, in the API's names: a shared link is the whole search. */
export const SEARCH_FILTERS = ['board', 'roleTag', 'solved', 'manufacturer', 'model', 'errorCode', 'tag'] as const;
export type SearchFilter = (typeof SEARCH_FILTERS)[number];

/** The query and the filters that are set, from a URL's parameters. */
export function readSearch(params: URLSearchParams): { q: string; filters: Partial<Record<SearchFilter, string>> } {
  const filters: Partial<Record<SearchFilter, string>> = {};
  for (const key of SEARCH_FILTERS) {
    const value = (params.get(key) ?? '').trim();
    if (value !== '') filters[key] = value;
  }
  return { q: (params.get('q') ?? '').trim(), filters };
}

/** `q` and the filters as URL parameters (for links, feeds and the API). */
export function searchParams(q: string, filters: Partial<Record<SearchFilter, string>>): URLSearchParams {
  const params = new URLSearchParams({ q });
  for (const [key, value] of Object.entries(filters)) if (value !== undefined) params.set(key, value);
  return params;
}
