import type { Board } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { loadFailed } from '$lib/server/load-error.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const res = await api<{ boards: Board[] }>(event, 'GET', '/boards');
  if (res.status !== 200) loadFailed(res, 'The boards could not be loaded');
  return { boards: res.data.boards.filter((b) => b.archived !== true) };
};
