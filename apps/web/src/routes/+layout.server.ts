import type { NotificationList } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async (event) => {
  const user = event.locals.user;
  if (user === null) return { user, unread: 0, latestNotificationId: null };
  // The badge is right before JavaScript runs; the newest id is where the live socket resumes.
  const res = await api<NotificationList>(event, 'GET', '/notifications?limit=1');
  const ok = res.status === 200;
  return {
    user,
    unread: ok ? res.data.unread : 0,
    latestNotificationId: ok ? (res.data.notifications[0]?.id ?? null) : null
  };
};
