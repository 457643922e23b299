import { error, redirect } from '@sveltejs/kit';
import type { ThreadPage } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { loadFailed } from '$lib/server/load-error.ts';
import { isPanel } from '../../../panels.ts';
import type { PageServerLoad } from './$types';

/**
 * One post's reply, edit, delete or report form on a page of its own: where those links go
 * without JavaScript (with it, the form opens in the thread). The form posts to the thread
 * page's action, which returns to the thread at this post.
 */
export const load: PageServerLoad = async (event) => {
  const { params, url } = event;
  if (!isPanel(params.panel)) error(404, 'Not found');
  if (event.locals.user === null) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
  const query = new URLSearchParams({ limit: '1', subtree: params.postId });
  const res = await api<ThreadPage>(event, 'GET', `/threads/${encodeURIComponent(params.id)}?${query}`);
  if (res.status === 404) error(404, 'That post is not in this thread');
  if (res.status !== 200) loadFailed(res, 'The post could not be loaded');
  const post = res.data.posts[0];
  if (post === undefined || post.id !== params.postId) error(404, 'That post is not in this thread');
  return { thread: res.data.thread, post, panel: params.panel };
};
