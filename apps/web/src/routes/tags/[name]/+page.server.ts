import { error } from '@sveltejs/kit';
import type { TagPage } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import type { PageServerLoad } from './$types';
import { loadFailed } from '$lib/server/load-error.ts';

export const load: PageServerLoad = async (event) => {
  const cursor = event.url.searchParams.get('cursor');
  const query = new URLSearchParams({ limit: '30' });
  if (cursor !== null) query.set('cursor', cursor);
  const res = await api<TagPage>(event, 'GET', `/tags/${encodeURIComponent(event.params.name)}/threads?${query}`);
  if (res.status === 404) error(404, 'No threads carry this tag');
  if (res.status === 400) error(400, 'That page link is no longer valid');
  if (res.status !== 200) loadFailed(res, 'The tag could not be loaded');
  return { ...res.data, paged: cursor !== null };
};
