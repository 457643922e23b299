import { fail, redirect } from '@sveltejs/kit';
import type { SessionList } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { clearSessionCookie } from '$lib/server/session.ts';
import { setPageFlash, takePageFlash } from '$lib/server/flash.ts';
import type { Actions, PageServerLoad } from './$types';

const PATH = '/settings/sessions';
const login = `/login?next=${encodeURIComponent(PATH)}`;

export const load: PageServerLoad = async (event) => {
  if (event.locals.user === null) redirect(303, login);
  const res = await api<SessionList>(event, 'GET', '/me/sessions');
  if (res.status === 401) redirect(303, login);
  return { sessions: res.status === 200 ? res.data.sessions : null, flash: takePageFlash(event.cookies, event.url, PATH) };
};

export const actions: Actions = {
  end: async (event) => {
    if (event.locals.user === null) redirect(303, login);
    const form = await event.request.formData();
    const id = form.get('id');
    const current = form.get('current') === 'true';
    if (typeof id !== 'string' || id === '' || id.length > 64)
      return fail(400, { endError: 'That did not work. Please try again.', id: '' });
    const res = await api(event, 'DELETE', `/me/sessions/${encodeURIComponent(id)}`);
    if (res.status === 204 || res.status === 404) {
      // Ending this very session is logging out.
      if (current) {
        clearSessionCookie(event.cookies, event.url);
        redirect(303, '/login');
      }
      setPageFlash(event.cookies, event.url, PATH, res.status === 204 ? 'That session is signed out.' : 'That session had already ended.');
      redirect(303, PATH);
    }
    return fail(502, { endError: 'The session could not be ended. Please try again.', id });
  }
};
