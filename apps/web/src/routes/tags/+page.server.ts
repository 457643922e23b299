import type { TagList } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { loadFailed } from '$lib/server/load-error.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const q = (event.url.searchParams.get('q') ?? '').trim().slice(0, 100);
  const query = new URLSearchParams({ limit: '300' });
  if (q !== '') query.set('q', q);
  const res = await api<TagList>(event, 'GET', `/tags?${query}`);
  if (res.status !== 200) loadFailed(res, 'The tags could not be loaded');
  return { tags: res.data.tags, q };
};
