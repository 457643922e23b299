import type { ModScope, NotificationList } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { validTimeZone } from '$lib/format.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async (event) => {
  const user = event.locals.user;
  const suspension = event.locals.suspension;
  const boardSuspensions = event.locals.boardSuspensions;
  // The reader's time zone, told by their browser (a cookie set by the layout); UTC until then.
  const timeZone = validTimeZone(event.cookies.get('tz')) ?? 'UTC';
  const chosen = event.cookies.get('theme');
  const theme: 'light' | 'dark' | 'system' = chosen === 'light' || chosen === 'dark' ? chosen : 'system';
  const twoFactorSetupRequired = event.locals.twoFactorSetupRequired;
  if (user === null)
    return {
      user,
      unread: 0,
      latestNotificationId: null,
      suspension: null,
      boardSuspensions,
      modScope: null,
      timeZone,
      theme,
      twoFactorSetupRequired: false
    };
  // The badge is right before JavaScript runs; the newest id is where the live socket resumes.
  // Both came with /me at the start of the request (hooks.server.ts). What the user moderates is
  // asked only for moderators and admins: members moderate nothing.
  const [scope, asked] = await Promise.all([
    user.role === 'member' ? null : api<ModScope>(event, 'GET', '/me/moderation'),
    // After a form action's write (api.ts clears what /me said): asked again.
    event.locals.notifications === null ? api<NotificationList>(event, 'GET', '/notifications?limit=1') : null
  ]);
  const bell =
    asked === null
      ? event.locals.notifications
      : asked.status === 200
        ? { unread: asked.data.unread, latestId: asked.data.notifications[0]?.id ?? null }
        : null;
  return {
    user,
    unread: bell?.unread ?? 0,
    latestNotificationId: bell?.latestId ?? null,
    suspension,
    boardSuspensions,
    /** Null for members (and when the API did not answer): no moderator tools are shown. */
    modScope: scope?.status === 200 ? scope.data : null,
    timeZone,
    theme,
    twoFactorSetupRequired
  };
};
