import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Board, Post, PostResult, ThreadPage, ThreadResult, VoteResult } from '@bmet/contracts';
import { phiFindings, toFormFailure, type PhiFinding } from '$lib/api-errors.ts';
import { api } from '$lib/server/api.ts';
import { setThreadLevel } from '$lib/server/watches.ts';
import type { Level } from '$lib/watching.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { url, params } = event;
  const cursor = url.searchParams.get('cursor');
  const subtree = url.searchParams.get('subtree');
  const threadPath = `/threads/${encodeURIComponent(params.id)}`;
  const query = new URLSearchParams({ limit: '200' });
  if (cursor !== null) query.set('cursor', cursor);
  if (subtree !== null) query.set('subtree', subtree);
  // A later page of a subtree starts mid-branch: fetch its root too, so it can lead the page.
  const rootQuery = new URLSearchParams({ limit: '1', subtree: subtree ?? '' });
  // The boards list (for the breadcrumb's name) and the signed-in user's notification level
  // are fetched beside the thread, not after it.
  const [res, rootRes, boards, subscription] = await Promise.all([
    api<ThreadPage>(event, 'GET', `${threadPath}?${query}`),
    subtree !== null && cursor !== null ? api<ThreadPage>(event, 'GET', `${threadPath}?${rootQuery}`) : null,
    api<{ boards: Board[] }>(event, 'GET', '/boards'),
    event.locals.user === null ? null : api<{ level: Level }>(event, 'GET', `${threadPath}/subscription`)
  ]);
  if (res.status === 404) error(404, subtree === null ? 'Thread not found' : 'That post is not in this thread');
  if (res.status === 400) error(400, 'That page link is no longer valid');
  if (res.status !== 200) error(502, 'The thread could not be loaded');
  let posts = res.data.posts;
  const root: Post | undefined = subtree === null ? undefined : (rootRes?.status === 200 ? rootRes.data.posts[0] : posts[0]);
  if (root !== undefined && posts[0]?.id !== root.id) posts = [root, ...posts];
  // Only for the breadcrumb: a missing board name (an archived board) falls back to the slug.
  const board = boards.status === 200 ? boards.data.boards.find((b) => b.slug === res.data.thread.boardSlug) : undefined;
  return {
    thread: res.data.thread,
    posts,
    nextCursor: res.data.nextCursor,
    boardName: board?.name ?? res.data.thread.boardSlug,
    paged: cursor !== null,
    subtree: root ?? null,
    /** Null when signed out (or when the level could not be read): no control is shown. */
    level: subscription?.status === 200 ? subscription.data.level : null
  };
};

/** The page the action was posted from (subtree and cursor kept), to return to after it. */
function backTo(url: URL, hash = ''): string {
  const q = new URLSearchParams();
  for (const key of ['subtree', 'cursor']) {
    const value = url.searchParams.get(key);
    if (value !== null) q.set(key, value);
  }
  const search = q.toString();
  return `${url.pathname}${search === '' ? '' : `?${search}`}${hash}`;
}

type ActionName = 'reply' | 'edit' | 'vote' | 'accept' | 'delete';
export interface ActionFailure {
  action: ActionName;
  postId: string;
  message: string;
  body?: string;
  phi?: PhiFinding[];
}

async function start(event: RequestEvent) {
  if (event.locals.user === null) redirect(303, `/login?next=${encodeURIComponent(backTo(event.url))}`);
  const form = await event.request.formData();
  const get = (name: string) => String(form.get(name) ?? '');
  return { get, confirmed: get('confirmNoPhi') === 'true', js: get('js') === '1' };
}

function failure(event: RequestEvent, action: ActionName, postId: string, status: number, data: unknown, fallback: string, body?: string) {
  if (status === 401) redirect(303, `/login?next=${encodeURIComponent(backTo(event.url))}`);
  const { message, fields } = toFormFailure(status, data, fallback);
  const result: ActionFailure = { action, postId, message: fields.body ?? message };
  if (body !== undefined) {
    result.body = body;
    result.phi = phiFindings(status, data);
  }
  return fail(status, result);
}

const postPath = (id: string) => `/posts/${encodeURIComponent(id)}`;

export const actions: Actions = {
  reply: async (event) => {
    const { get, confirmed } = await start(event);
    const body = get('body');
    const parentId = get('parentId');
    const res = await api<PostResult>(event, 'POST', `/threads/${encodeURIComponent(event.params.id)}/posts`, {
      body,
      ...(parentId === '' ? {} : { parentId }),
      ...(confirmed ? { confirmNoPhi: true } : {})
    });
    if (res.status === 201) {
      // An answer to the whole thread is not part of a branch view: show it in the thread.
      const to = parentId === '' ? `${event.url.pathname}#p${res.data.post.id}` : backTo(event.url, `#p${res.data.post.id}`);
      redirect(303, to);
    }
    return failure(event, 'reply', parentId, res.status, res.data, 'The reply could not be saved. Please try again.', body);
  },

  edit: async (event) => {
    const { get, confirmed } = await start(event);
    const postId = get('postId');
    const body = get('body');
    const res = await api<PostResult>(event, 'PATCH', postPath(postId), { body, ...(confirmed ? { confirmNoPhi: true } : {}) });
    if (res.status === 200) redirect(303, backTo(event.url, `#p${postId}`));
    return failure(event, 'edit', postId, res.status, res.data, 'The edit could not be saved. Please try again.', body);
  },

  vote: async (event) => {
    const { get, js } = await start(event);
    const postId = get('postId');
    const value = Number(get('value'));
    const res = await api<VoteResult>(event, 'POST', `${postPath(postId)}/vote`, { value });
    if (res.status === 200) {
      // With JavaScript the page updates the one score in place; without, it reloads at the post.
      if (js) return { action: 'vote' as const, postId, vote: res.data };
      redirect(303, backTo(event.url, `#p${postId}`));
    }
    return failure(event, 'vote', postId, res.status, res.data, 'The vote could not be counted. Please try again.');
  },

  accept: async (event) => {
    const { get } = await start(event);
    const postId = get('postId');
    const res = await api<ThreadResult>(event, 'POST', `/threads/${encodeURIComponent(event.params.id)}/solution`, {
      postId: postId === '' ? null : postId
    });
    if (res.status === 200) redirect(303, backTo(event.url, postId === '' ? '' : `#p${postId}`));
    return failure(event, 'accept', get('target') || postId, res.status, res.data, 'The accepted answer could not be changed.');
  },

  /** The notification level (watching, none, muted): the page reloads its data either way. */
  level: async (event) => {
    const form = await event.request.formData();
    return setThreadLevel(event, event.params.id, form.get('level'));
  },

  delete: async (event) => {
    const { get } = await start(event);
    const postId = get('postId');
    const res = await api(event, 'DELETE', postPath(postId));
    if (res.status === 204) redirect(303, backTo(event.url, `#p${postId}`));
    return failure(event, 'delete', postId, res.status, res.data, 'The post could not be deleted. Please try again.');
  }
};
