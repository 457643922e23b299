import { fail, redirect } from '@sveltejs/kit';
import { toFormFailure } from '$lib/api-errors.ts';
import { api } from '$lib/server/api.ts';
import { field } from '$lib/server/form-field.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (locals.user !== null) redirect(303, '/settings/account');
  return {};
};

export const actions: Actions = {
  default: async (event) => {
    const email = field(await event.request.formData(), 'email').trim();
    const res = await api(event, 'POST', '/auth/password/forgot', { email });
    // The same answer whether the address has an account or not.
    if (res.status === 202) return { sent: true as const, email };
    const { message, fields } = toFormFailure(res.status, res.data, 'The request could not be sent. Please try again.');
    const says = fields.email === undefined ? message : 'Type the whole address, like name@hospital.org';
    return fail(res.status === 400 || res.status === 429 ? res.status : 502, { message: says, email });
  }
};
