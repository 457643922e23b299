import { error } from '@sveltejs/kit';
import type { Profile } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const res = await api<Profile>(event, 'GET', `/users/${encodeURIComponent(event.params.username)}`);
  if (res.status === 404) error(404, 'No member has this username');
  if (res.status !== 200) error(502, 'The profile could not be loaded');
  return res.data;
};
