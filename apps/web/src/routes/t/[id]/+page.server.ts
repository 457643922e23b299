import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Board, MarkThreadReadResult, Post, PostResult, ThreadPage, ThreadResult, VoteResult } from '@bmet/contracts';
import { phiFindings, toFormFailure, type PhiFinding } from '$lib/api-errors.ts';
import { NOTE_MAX, isReportReason, reasonBody, startsMidThread } from '$lib/moderation.ts';
import { api } from '$lib/server/api.ts';
import { setBoardFlash, setThreadFlash, takeThreadFlash } from '$lib/server/flash.ts';
import { setThreadLevel } from '$lib/server/watches.ts';
import type { Level } from '$lib/watching.ts';
import type { Actions, PageServerLoad } from './$types';
import { loadFailed } from '$lib/server/load-error.ts';
import { plainExcerpt, qaPageJsonLd } from '$lib/seo.ts';

export const load: PageServerLoad = async (event) => {
  const { url, params } = event;
  const cursor = url.searchParams.get('cursor');
  const subtree = url.searchParams.get('subtree');
  const at = url.searchParams.get('at');
  const threadPath = `/threads/${encodeURIComponent(params.id)}`;
  const plain = `/t/${encodeURIComponent(params.id)}`;

  // "N new" links: find the first unread post and give it its own address, so the URL names
  // the post the page starts at (and scrolls to it). Nothing unread: the thread's start.
  if (at === 'unread') {
    if (event.locals.user === null) redirect(303, plain);
    const res = await api<ThreadPage>(event, 'GET', `${threadPath}?limit=1&at=unread`);
    if (res.status === 404) error(404, 'Thread not found');
    const start = res.status === 200 ? (res.data.startPostId ?? null) : null;
    redirect(303, start === null ? plain : `${plain}?at=${encodeURIComponent(start)}#p${start}`);
  }

  // 50 posts a page (the API's default), then "Load more replies": a phone renders and hydrates
  // what it shows (200 at a time cost 950 ms of blocking time in Lighthouse's mobile run).
  const query = new URLSearchParams({ limit: '50' });
  if (cursor !== null) query.set('cursor', cursor);
  if (subtree !== null) query.set('subtree', subtree);
  // `at` places the first page; a cursor continues from wherever that page ended.
  if (at !== null && cursor === null) query.set('at', at);
  // A later page of a subtree starts mid-branch: fetch its root too, so it can lead the page.
  const rootQuery = new URLSearchParams({ limit: '1', subtree: subtree ?? '' });
  // One call brings the thread, the page of posts, its board's name and, for a member, their
  // votes, read position and notification level. Only moderators also want every board (their
  // Move select).
  const staff = event.locals.user !== null && event.locals.user.role !== 'member';
  const [res, rootRes, boards] = await Promise.all([
    api<ThreadPage>(event, 'GET', `${threadPath}?${query}`),
    subtree !== null && cursor !== null ? api<ThreadPage>(event, 'GET', `${threadPath}?${rootQuery}`) : null,
    staff ? api<{ boards: Board[] }>(event, 'GET', '/boards') : null
  ]);
  // A post that is not (or no longer) in this thread: show the thread from its start.
  if (res.status === 404 && at !== null && subtree === null) redirect(303, plain);
  if (res.status === 404) error(404, subtree === null ? 'Thread not found' : 'That post is not in this thread');
  if (res.status === 400) error(400, 'That page link is no longer valid');
  if (res.status !== 200) loadFailed(res, 'The thread could not be loaded');
  let posts = res.data.posts;
  const root: Post | undefined = subtree === null ? undefined : rootRes?.status === 200 ? rootRes.data.posts[0] : posts[0];
  if (root !== undefined && posts[0]?.id !== root.id) posts = [root, ...posts];

  // A page shown in full (not a preload, not a client-side navigation) counts as read here;
  // the browser marks the pages it navigates to once they are on screen. Forward only, and a
  // failure costs nothing but a badge.
  const readState = res.data.readState;
  let unreadNotifications: number | null = null;
  // Nothing to mark when every post on the page had been read before and no unread notification
  // is about this thread (reading clears only those): a second look at a page writes nothing.
  const nothingNew =
    readState !== undefined && readState.lastReadSeq >= 0 && !readState.unseenNotifications && posts.every((p) => p.unread !== true);
  if (readState !== undefined && !event.isDataRequest && !nothingNew) {
    const read = await api<MarkThreadReadResult>(event, 'POST', `${threadPath}/read`, { mark: readState.mark });
    // Reading cleared the notifications about these posts: the bell follows.
    if (read.status === 200) unreadNotifications = read.data.unreadNotifications;
  }

  // Closed as a duplicate: the original's title for the banner that sends readers there.
  const originalId = res.data.thread.duplicateOf;
  const original =
    originalId === undefined ? null : await api<ThreadPage>(event, 'GET', `/threads/${encodeURIComponent(originalId)}?limit=1`);

  const allBoards = boards?.status === 200 ? boards.data.boards : [];
  const board = res.data.board;
  // The page's description and search engines' Q&A card, made here from the markdown; then each
  // post carries its markdown only where this reader may edit it (the edit form starts from it):
  // the hydration data holds every body once, as HTML.
  const opening = posts.find((p) => p.depth === 0 && p.parentId === null && !p.deleted);
  const thread = res.data.thread;
  const description =
    opening !== undefined
      ? plainExcerpt(opening.bodyMarkdown)
      : `${thread.kind === 'question' ? (thread.solved ? 'Solved question' : 'Question') : 'Discussion'} on BMET Forum: ${thread.title}`;
  const jsonLd = qaPageJsonLd(
    url.origin,
    thread,
    opening,
    posts.find((p) => p.isSolution && !p.deleted)
  );
  const viewer = event.locals.user;
  const mayEdit = (p: Post) => viewer !== null && (viewer.role !== 'member' || p.author.id === viewer.id);
  posts = posts.map((p) => (p.bodyMarkdown === '' || mayEdit(p) ? p : { ...p, bodyMarkdown: '' }));
  return {
    thread,
    posts,
    description,
    jsonLd,
    nextCursor: res.data.nextCursor,
    boardName: board?.name ?? res.data.thread.boardSlug,
    /** Archived boards take no new replies from members. */
    archived: board?.archived === true,
    paged: cursor !== null,
    /** The thread this one duplicates, when a moderator closed it so. */
    duplicateOf:
      originalId === undefined
        ? null
        : {
            id: originalId,
            title: original?.status === 200 ? original.data.thread.title : null,
            solved: original?.status === 200 && original.data.thread.solved
          },
    subtree: root ?? null,
    /** The post the page starts at when the URL named one (`at`), else null. */
    startPostId: subtree === null ? (res.data.startPostId ?? null) : null,
    /** The page does not start at the opening post: offer the way back to it. */
    midThread: subtree === null && startsMidThread(posts, cursor !== null),
    /** Handed back by the browser after a client-side navigation, to mark this page read. */
    readMark: readState?.mark ?? null,
    /** The reader's unread notifications after this page was marked read (null: not marked here). */
    unreadNotifications,
    /** Null when signed out (or when the level could not be read): no control is shown. */
    level: event.locals.user === null ? null : ((res.data.subscription as Level | undefined) ?? null),
    /** What the last form that stayed on this thread did (a report sent, a lock), once. */
    flash: takeThreadFlash(event.cookies, event.url, params.id) as ActionDone | null,
    /** For the moderators' Move select; members get none. */
    boards: staff ? allBoards.map((b) => ({ slug: b.slug, name: b.name, ...(b.archived ? { archived: true } : {}) })) : []
  };
};

/** The page the action was posted from (subtree, cursor and start kept), to return to after it. */
function backTo(url: URL, hash = ''): string {
  const q = new URLSearchParams();
  for (const key of ['subtree', 'cursor', 'at']) {
    const value = url.searchParams.get(key);
    if (value !== null) q.set(key, value);
  }
  const search = q.toString();
  return `${url.pathname}${search === '' ? '' : `?${search}`}${hash}`;
}

export type ActionName =
  | 'reply'
  | 'edit'
  | 'vote'
  | 'accept'
  | 'delete'
  | 'report'
  | 'restorePost'
  | 'lock'
  | 'pin'
  | 'move'
  | 'duplicate'
  | 'deleteThread'
  | 'restoreThread';
export interface ActionFailure {
  action: ActionName;
  /** The post the form belonged to; '' for the thread-wide forms (the reply box, the moderator tools). */
  postId: string;
  message: string;
  body?: string;
  phi?: PhiFinding[];
}
/** A form that went through and stays on the page: what it did, said in a status message. */
export interface ActionDone {
  action: ActionName;
  postId: string;
  done: string;
}

async function start(event: RequestEvent) {
  if (event.locals.user === null) redirect(303, `/login?next=${encodeURIComponent(backTo(event.url))}`);
  const form = await event.request.formData();
  const get = (name: string) => String(form.get(name) ?? '');
  return { form, get, confirmed: get('confirmNoPhi') === 'true', js: get('js') === '1' };
}

function failure(event: RequestEvent, action: ActionName, postId: string, status: number, data: unknown, fallback: string, body?: string) {
  if (status === 401) redirect(303, `/login?next=${encodeURIComponent(backTo(event.url))}`);
  const { message, fields } = toFormFailure(status, data, fallback);
  const result: ActionFailure = { action, postId, message: fields.body ?? fields.boardSlug ?? fields.of ?? fields.note ?? message };
  if (body !== undefined) {
    result.body = body;
    result.phi = phiFindings(status, data);
  }
  return fail(status, result);
}

const refused = (action: ActionName, postId: string, message: string) => fail(400, { action, postId, message } satisfies ActionFailure);
/** A form that went through and stays on this thread: said once after the redirect back (PRG). */
function done(event: RequestEvent, action: ActionName, postId: string, text: string): never {
  setThreadFlash(event.cookies, event.url, event.params.id ?? '', { action, postId, done: text });
  redirect(303, backTo(event.url, postId === '' ? '' : `#p${postId}`));
}

const postPath = (id: string) => `/posts/${encodeURIComponent(id)}`;
const threadPath = (event: RequestEvent) => `/threads/${encodeURIComponent(event.params.id ?? '')}`;

/** Lock and pin: the same form, a flag and an optional reason. */
async function setFlag(event: RequestEvent, action: 'lock' | 'pin') {
  const { form, get } = await start(event);
  const reason = reasonBody(form.get('reason'));
  if ('error' in reason) return refused(action, '', reason.error);
  const on = get('value') === 'true';
  const key = action === 'lock' ? 'locked' : 'pinned';
  const res = await api<ThreadResult>(event, 'POST', `${threadPath(event)}/${action}`, { [key]: on, ...reason });
  if (res.status === 200) {
    const what = action === 'lock' ? (on ? 'locked' : 'unlocked') : on ? 'pinned' : 'unpinned';
    return done(event, action, '', `Thread ${what}.`);
  }
  return failure(
    event,
    action,
    '',
    res.status,
    res.data,
    `The thread could not be ${action === 'lock' ? 'locked or unlocked' : 'pinned or unpinned'}.`
  );
}

export const actions: Actions = {
  reply: async (event) => {
    const { get, confirmed } = await start(event);
    const body = get('body');
    const parentId = get('parentId');
    const res = await api<PostResult>(event, 'POST', `${threadPath(event)}/posts`, {
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
    // The button carries `<post>:<value>` (no hidden field in every post).
    const [postId = '', raw = ''] = get('vote').split(':');
    const value = Number(raw);
    if (!/^\d{1,20}$/.test(postId) || ![1, 0, -1].includes(value)) return refused('vote', postId, 'That vote is not valid.');
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
    // `set:<post>` accepts that post, `clear:<post>` unaccepts it (the button names both).
    const [verb, target = ''] = get('accept').split(':');
    if ((verb !== 'set' && verb !== 'clear') || !/^\d{1,20}$/.test(target))
      return refused('accept', target, 'Choose the answer to accept.');
    const postId = verb === 'set' ? target : '';
    const res = await api<ThreadResult>(event, 'POST', `${threadPath(event)}/solution`, {
      postId: postId === '' ? null : postId
    });
    if (res.status === 200) redirect(303, backTo(event.url, `#p${target}`));
    return failure(event, 'accept', target, res.status, res.data, 'The accepted answer could not be changed.');
  },

  /** The notification level (watching, none, muted): the page reloads its data either way. */
  level: async (event) => {
    const form = await event.request.formData();
    return setThreadLevel(event, event.params.id, form.get('level'));
  },

  /**
   * Marks what a page showed as read (its `readState.mark`). Posted by the browser with fetch
   * after a client-side navigation; a full page load marks in `load` instead.
   */
  read: async (event) => {
    if (event.locals.user === null) return fail(401, { readError: 'Not signed in' });
    const mark = (await event.request.formData()).get('mark');
    if (typeof mark !== 'string' || mark === '') return fail(400, { readError: 'No mark' });
    const res = await api<MarkThreadReadResult>(event, 'POST', `${threadPath(event)}/read`, { mark });
    if (res.status === 200) return { read: res.data };
    return fail(res.status === 400 ? 400 : 502, { readError: 'The read position could not be saved' });
  },

  delete: async (event) => {
    const { form, get } = await start(event);
    const postId = get('postId');
    // A moderator removing someone else's post may say why (the moderation log keeps it).
    const reason = reasonBody(form.get('reason'));
    if ('error' in reason) return refused('delete', postId, reason.error);
    const res = await api(event, 'DELETE', postPath(postId), 'reason' in reason ? reason : undefined);
    if (res.status === 204) redirect(303, backTo(event.url, `#p${postId}`));
    return failure(event, 'delete', postId, res.status, res.data, 'The post could not be deleted. Please try again.');
  },

  restorePost: async (event) => {
    const { form, get } = await start(event);
    const postId = get('postId');
    const reason = reasonBody(form.get('reason'));
    if ('error' in reason) return refused('restorePost', postId, reason.error);
    const res = await api<PostResult>(event, 'POST', `${postPath(postId)}/restore`, reason);
    if (res.status === 200) redirect(303, backTo(event.url, `#p${postId}`));
    return failure(event, 'restorePost', postId, res.status, res.data, 'The post could not be restored. Please try again.');
  },

  report: async (event) => {
    const { get } = await start(event);
    const postId = get('postId');
    const reason = get('reason');
    const note = get('note').trim();
    if (!isReportReason(reason)) return refused('report', postId, 'Choose what is wrong with the post.');
    if (note.length > NOTE_MAX) return refused('report', postId, `The note must be at most ${NOTE_MAX} characters.`);
    const res = await api(event, 'POST', `${postPath(postId)}/report`, { reason, ...(note === '' ? {} : { note }) });
    if (res.status === 201) return done(event, 'report', postId, 'Reported. A moderator will look at it.');
    return failure(event, 'report', postId, res.status, res.data, 'The report could not be sent. Please try again.');
  },

  lock: (event) => setFlag(event, 'lock'),
  pin: (event) => setFlag(event, 'pin'),

  move: async (event) => {
    const { form, get } = await start(event);
    const boardSlug = get('boardSlug');
    const reason = reasonBody(form.get('reason'));
    if (boardSlug === '') return refused('move', '', 'Choose the board to move the thread to.');
    if ('error' in reason) return refused('move', '', reason.error);
    const res = await api<ThreadResult>(event, 'POST', `${threadPath(event)}/move`, { boardSlug, ...reason });
    if (res.status === 200) {
      const board = await api<{ board: Board }>(event, 'GET', `/boards/${encodeURIComponent(res.data.thread.boardSlug)}`);
      return done(event, 'move', '', `Thread moved to ${board.status === 200 ? board.data.board.name : res.data.thread.boardSlug}.`);
    }
    return failure(event, 'move', '', res.status, res.data, 'The thread could not be moved. Please try again.');
  },

  duplicate: async (event) => {
    const { form, get } = await start(event);
    const reason = reasonBody(form.get('reason'));
    if ('error' in reason) return refused('duplicate', '', reason.error);
    const reopen = get('value') === 'reopen';
    // A thread's number or its address (/t/123, a full URL, /t/123?at=9#p9).
    const typed = get('original').trim();
    const original = /^(?:.*\/t\/)?(\d{1,18})(?:[/?#].*)?$/.exec(typed)?.[1];
    if (!reopen && original === undefined) return refused('duplicate', '', 'Give the original thread: its address or its number.');
    const res = await api<ThreadResult>(event, 'POST', `${threadPath(event)}/duplicate`, { of: reopen ? null : original, ...reason });
    if (res.status === 200) {
      done(
        event,
        'duplicate',
        '',
        reopen ? 'Reopened: no longer marked as a duplicate (still locked until you unlock it).' : 'Closed as a duplicate and locked.'
      );
    }
    return failure(event, 'duplicate', '', res.status, res.data, 'The thread could not be closed as a duplicate. Please try again.');
  },

  deleteThread: async (event) => {
    const { form } = await start(event);
    const reason = reasonBody(form.get('reason'));
    if ('error' in reason) return refused('deleteThread', '', reason.error);
    // Its board and title, for the way back and the message there.
    const before = await api<ThreadPage>(event, 'GET', `${threadPath(event)}?limit=1`);
    const res = await api(event, 'DELETE', threadPath(event), reason);
    if (res.status === 204) {
      if (before.status !== 200) redirect(303, '/');
      const { thread } = before.data;
      // The board says so once, with a way back to the thread (moderators can still open it).
      setBoardFlash(event.cookies, event.url, thread.boardSlug, { deleted: { id: thread.id, title: thread.title } });
      redirect(303, `/b/${encodeURIComponent(thread.boardSlug)}`);
    }
    return failure(event, 'deleteThread', '', res.status, res.data, 'The thread could not be deleted. Please try again.');
  },

  restoreThread: async (event) => {
    const { form } = await start(event);
    const reason = reasonBody(form.get('reason'));
    if ('error' in reason) return refused('restoreThread', '', reason.error);
    const res = await api<ThreadResult>(event, 'POST', `${threadPath(event)}/restore`, reason);
    if (res.status === 200) return done(event, 'restoreThread', '', 'Thread restored. Everyone can see it again.');
    return failure(event, 'restoreThread', '', res.status, res.data, 'The thread could not be restored. Please try again.');
  }
};
