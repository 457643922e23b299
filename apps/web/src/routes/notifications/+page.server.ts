import { fail, redirect } from '@sveltejs/kit';
import type { NotificationList } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  if (event.locals.user === null) redirect(303, `/login?next=${encodeURIComponent('/notifications')}`);
  const cursor = event.url.searchParams.get('cursor');
  const query = new URLSearchParams({ limit: '30' });
  if (cursor !== null) query.set('cursor', cursor);
  const res = await api<NotificationList>(event, 'GET', `/notifications?${query}`);
  if (res.status !== 200) return { notifications: [], unread: 0, nextCursor: null, paged: cursor !== null, failed: true };
  return { ...res.data, paged: cursor !== null, failed: false };
};

async function markRead(event: Parameters<Actions[string]>[0], body: { ids: string[] } | { all: true }) {
  if (event.locals.user === null) redirect(303, `/login?next=${encodeURIComponent('/notifications')}`);
  const res = await api<{ unread: number }>(event, 'POST', '/notifications/read', body);
  if (res.status !== 200)
    return fail(res.status === 400 ? 400 : 502, { message: 'The notifications could not be marked read. Please try again.' });
  return { unread: res.data.unread };
}

export const actions: Actions = {
  read: async (event) => {
    const id = (await event.request.formData()).get('id');
    if (typeof id !== 'string' || !/^\d{1,20}$/.test(id)) return fail(400, { message: 'That notification does not exist.' });
    return markRead(event, { ids: [id] });
  },
  readAll: async (event) => markRead(event, { all: true })
};
