import type { Handle } from '@sveltejs/kit';
import type { MeResult } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { SESSION_COOKIE, clearSessionCookie, setSessionCookie } from '$lib/server/session.ts';

export const handle: Handle = async ({ event, resolve }) => {
  event.locals.user = null;
  event.locals.suspension = null;
  event.locals.boardSuspensions = [];
  event.locals.token = event.cookies.get(SESSION_COOKIE) ?? null;
  if (event.locals.token !== null) {
    const res = await api<MeResult>(event, 'GET', '/me');
    if (res.status === 200) {
      event.locals.user = res.data.user;
      // Present only while suspended: the layout says so, and the pages leave out their write forms.
      event.locals.suspension = res.data.suspension ?? null;
      event.locals.boardSuspensions = res.data.boardSuspensions ?? [];
      // Sliding expiry: the API renews the session on use; keep the cookie in step.
      setSessionCookie(event.cookies, event.locals.token, event.url);
    } else if (res.status === 401) {
      event.locals.token = null;
      clearSessionCookie(event.cookies);
    }
    // Any other answer (API restarting, rate limit): keep the cookie, show the page signed out.
  }
  const response = await resolve(event);
  response.headers.set('x-frame-options', 'DENY');
  response.headers.set('referrer-policy', 'strict-origin-when-cross-origin');
  response.headers.set('x-content-type-options', 'nosniff');
  return response;
};
