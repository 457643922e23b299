import { fail } from '@sveltejs/kit';
import { toFormFailure } from '$lib/api-errors.ts';
import { api } from '$lib/server/api.ts';
import { field } from '$lib/server/form-field.ts';
import type { Actions, PageServerLoad } from './$types';

/** The page an e-mail's "stop these e-mails" link opens: a button, never an unsubscribe on GET. */
export const load: PageServerLoad = ({ url, locals }) => ({ token: url.searchParams.get('token') ?? '', signedIn: locals.user !== null });

export const actions: Actions = {
  default: async (event) => {
    const res = await api<{ list: 'notifications' | 'digest' }>(event, 'POST', '/email/unsubscribe', {
      token: field(await event.request.formData(), 'token')
    });
    if (res.status === 200) return { done: true as const, list: res.data.list };
    const { message } = toFormFailure(res.status, res.data, 'That did not work. Please try again.');
    return fail(res.status === 400 || res.status === 429 ? res.status : 502, { message });
  }
};
