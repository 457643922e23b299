import { error } from '@sveltejs/kit';
import type { TagPage } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import type { PageServerLoad } from './$types';
import { loadFailed } from '$lib/server/load-error.ts';
import { listQuery } from '$lib/sorts.ts';

export const load: PageServerLoad = async (event) => {
  const { sort, cursor, query } = listQuery(event.url);
  const res = await api<TagPage>(event, 'GET', `/tags/${encodeURIComponent(event.params.name)}/threads?${query}`);
  if (res.status === 404) error(404, 'No threads carry this tag');
  if (res.status === 400) error(400, 'That page link is no longer valid');
  if (res.status !== 200) loadFailed(res, 'The tag could not be loaded');
  return { ...res.data, sort, paged: cursor !== null };
};
