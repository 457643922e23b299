import { redirect } from '@sveltejs/kit';
import { safeNext } from '$lib/format.ts';
import { secureCookie } from '$lib/server/session.ts';
import type { Actions, PageServerLoad } from './$types';

/** Nothing to show: the switch posts here without JavaScript. */
export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
  /** The header's colour scheme switch: light, dark or system (no cookie), then back where it was. */
  default: async (event) => {
    const form = await event.request.formData();
    const theme = String(form.get('theme') ?? '');
    if (theme === 'light' || theme === 'dark') {
      event.cookies.set('theme', theme, {
        path: '/',
        maxAge: 31_536_000,
        sameSite: 'lax',
        httpOnly: false,
        secure: secureCookie(event.url)
      });
    } else {
      event.cookies.delete('theme', { path: '/', secure: secureCookie(event.url) });
    }
    redirect(303, safeNext(String(form.get('next') ?? '/')));
  }
};
