import { fail } from '@sveltejs/kit';
import { toFormFailure } from '$lib/api-errors.ts';
import { api } from '$lib/server/api.ts';
import { field } from '$lib/server/form-field.ts';
import type { Actions, PageServerLoad } from './$types';

/** The page the e-mail's link opens: it shows a button; only the button's POST confirms (mail scanners follow links). */
export const load: PageServerLoad = ({ url, locals }) => ({ token: url.searchParams.get('token') ?? '', signedIn: locals.user !== null });

export const actions: Actions = {
  default: async (event) => {
    const res = await api<{ email: string; changed: boolean }>(event, 'POST', '/auth/verify-email', {
      token: field(await event.request.formData(), 'token')
    });
    if (res.status === 200) return { done: true as const, email: res.data.email, changed: res.data.changed };
    const { message } = toFormFailure(res.status, res.data, 'Your address could not be confirmed. Please try again.');
    return fail(res.status === 400 || res.status === 409 || res.status === 429 ? res.status : 502, { message });
  }
};
