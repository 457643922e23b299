import type { Board, ThreadList } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import type { PageServerLoad } from './$types';
import { loadFailed } from '$lib/server/load-error.ts';

export const load: PageServerLoad = async (event) => {
  const [res, latest, unanswered] = await Promise.all([
    api<{ boards: Board[] }>(event, 'GET', '/boards'),
    api<ThreadList>(event, 'GET', '/threads?sort=latest&limit=8'),
    api<ThreadList>(event, 'GET', '/threads?sort=unanswered&limit=5')
  ]);
  if (res.status !== 200) loadFailed(res, 'The boards could not be loaded');
  // The boards are the page; the lists beside them are a bonus that may be missing for a moment.
  return {
    boards: res.data.boards,
    latest: latest.status === 200 ? latest.data.threads : null,
    unanswered: unanswered.status === 200 ? unanswered.data.threads : null
  };
};
