import { error } from '@sveltejs/kit';
import type { Board, ThreadList, ThreadSort } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { takeBoardFlash } from '$lib/server/flash.ts';
import { formBoolean, loadWatches, setWatch } from '$lib/server/watches.ts';
import type { Actions, PageServerLoad } from './$types';
import { loadFailed } from '$lib/server/load-error.ts';

const SORTS: ThreadSort[] = ['latest', 'top', 'unanswered', 'solved'];

export const load: PageServerLoad = async (event) => {
  const { params, url } = event;
  const sortParam = url.searchParams.get('sort') ?? 'latest';
  const sort = (SORTS as string[]).includes(sortParam) ? (sortParam as ThreadSort) : 'latest';
  const cursor = url.searchParams.get('cursor');
  const query = new URLSearchParams({ sort, limit: '30' });
  if (cursor !== null) query.set('cursor', cursor);
  const slug = encodeURIComponent(params.slug);
  const [board, list, watches] = await Promise.all([
    api<{ board: Board }>(event, 'GET', `/boards/${slug}`),
    api<ThreadList>(event, 'GET', `/boards/${slug}/threads?${query}`),
    loadWatches(event)
  ]);
  if (board.status === 404) error(404, 'Board not found');
  if (board.status !== 200) loadFailed(board, 'The board could not be loaded');
  if (list.status === 400) error(400, 'That page link is no longer valid');
  if (list.status !== 200) loadFailed(list, 'The threads could not be loaded');
  const slugOf = board.data.board.slug;
  return {
    board: board.data.board,
    threads: list.data.threads,
    nextCursor: list.data.nextCursor,
    sort,
    paged: cursor !== null,
    /** Null when signed out or unknown: no toggle is shown. */
    watching: watches === null ? null : watches.boards.some((b) => b.slug === slugOf),
    /** Set once after a moderator deleted a thread here (see the thread page's deleteThread). */
    flash: takeBoardFlash(event.cookies, event.url, slugOf)
  };
};

export const actions: Actions = {
  watch: async (event) => {
    const form = await event.request.formData();
    return setWatch(event, `/boards/${encodeURIComponent(event.params.slug)}`, formBoolean(form.get('watching')), event.params.slug);
  }
};
