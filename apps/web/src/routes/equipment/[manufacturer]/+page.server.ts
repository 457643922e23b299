import { error } from '@sveltejs/kit';
import type { ManufacturerPage } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { loadFailed } from '$lib/server/load-error.ts';
import { listQuery } from '$lib/sorts.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { sort, cursor, query } = listQuery(event.url);
  const res = await api<ManufacturerPage>(
    event,
    'GET',
    `/equipment/manufacturers/${encodeURIComponent(event.params.manufacturer)}?${query}`
  );
  if (res.status === 404) error(404, 'We do not know this manufacturer yet');
  if (res.status === 400) error(400, 'That page link is no longer valid');
  if (res.status !== 200) loadFailed(res, 'The manufacturer could not be loaded');
  return { ...res.data, sort, paged: cursor !== null };
};
