import { redirect } from '@sveltejs/kit';
import { safeNext } from '$lib/format.ts';
import { authenticate } from '$lib/server/auth-action.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.user !== null) redirect(303, safeNext(url.searchParams.get('next')));
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const values = {
      username: String(form.get('username') ?? '').trim(),
      displayName: String(form.get('displayName') ?? '').trim(),
      email: String(form.get('email') ?? '').trim(),
      profession: String(form.get('profession') ?? '')
    };
    const body: Record<string, string> = {
      username: values.username,
      email: values.email,
      password: String(form.get('password') ?? ''),
      profession: values.profession
    };
    if (values.displayName !== '') body.displayName = values.displayName;
    return authenticate(event, '/auth/register', body, values, 201);
  }
};
