import { error } from '@sveltejs/kit';
import type { RevisionList, ThreadPage } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { id, postId } = event.params;
  const [page, history] = await Promise.all([
    // The post itself (first of its own subtree) carries the current body.
    api<ThreadPage>(event, 'GET', `/threads/${encodeURIComponent(id)}?subtree=${encodeURIComponent(postId)}&limit=1`),
    api<RevisionList>(event, 'GET', `/posts/${encodeURIComponent(postId)}/revisions`)
  ]);
  const post = page.status === 200 ? page.data.posts[0] : undefined;
  if (page.status === 404 || history.status === 404 || (page.status === 200 && post?.id !== postId)) error(404, 'Post not found');
  if (page.status !== 200 || history.status !== 200 || post === undefined) error(502, 'The history could not be loaded');
  return { thread: page.data.thread, post, revisions: history.data.revisions };
};
