import { redirect } from '@sveltejs/kit';
import { safeNext } from '$lib/format.ts';
import { authenticate } from '$lib/server/auth-action.ts';
import { takePageFlash } from '$lib/server/flash.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url, cookies }) => {
  if (locals.user !== null) redirect(303, safeNext(url.searchParams.get('next')));
  const expired =
    url.searchParams.get('expired') === '1' ? 'Two-factor sign-in takes the code within ten minutes of the password. Log in again.' : null;
  return { flash: takePageFlash(cookies, url, '/login') ?? expired };
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const login = String(form.get('login') ?? '');
    const password = String(form.get('password') ?? '');
    return authenticate(event, '/auth/login', { login, password }, { login }, 200);
  }
};
