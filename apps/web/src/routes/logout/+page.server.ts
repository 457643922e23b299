import { redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api.ts';
import { clearSessionCookie } from '$lib/server/session.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
  default: async (event) => {
    if (event.locals.token !== null) await api(event, 'POST', '/auth/logout');
    clearSessionCookie(event.cookies, event.url);
    redirect(303, '/');
  }
};
