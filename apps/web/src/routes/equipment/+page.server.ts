import { error } from '@sveltejs/kit';
import type { EquipmentIndex } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { loadFailed } from '$lib/server/load-error.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const cursor = event.url.searchParams.get('cursor');
  const query = new URLSearchParams({ limit: '100' });
  if (cursor !== null) query.set('cursor', cursor);
  const res = await api<EquipmentIndex>(event, 'GET', `/equipment?${query}`);
  if (res.status === 400) error(400, 'That page link is no longer valid');
  if (res.status !== 200) loadFailed(res, 'The equipment index could not be loaded');
  return { ...res.data, paged: cursor !== null };
};
