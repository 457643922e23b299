import { fail, redirect } from '@sveltejs/kit';
import { toFormFailure } from '$lib/api-errors.ts';
import { api } from '$lib/server/api.ts';
import { field } from '$lib/server/form-field.ts';
import { clearSessionCookie } from '$lib/server/session.ts';
import type { Actions, PageServerLoad } from './$types';

const login = `/login?next=${encodeURIComponent('/settings/close')}`;

export const load: PageServerLoad = ({ locals }) => {
  if (locals.user === null) redirect(303, login);
  return { username: locals.user.username };
};

export const actions: Actions = {
  default: async (event) => {
    if (event.locals.user === null) redirect(303, login);
    const form = await event.request.formData();
    if (field(form, 'confirm') !== 'yes') {
      return fail(400, { message: null, fields: { confirm: 'Tick the box to say you mean it' } });
    }
    const res = await api(event, 'DELETE', '/me', { password: field(form, 'password') });
    if (res.status === 204) {
      clearSessionCookie(event.cookies, event.url);
      redirect(303, '/goodbye');
    }
    const f = toFormFailure(res.status, res.data, 'Your account could not be closed. Please try again.');
    const fields = f.fields.password === undefined ? {} : { password: 'That is not your password' };
    return fail(res.status === 400 || res.status === 403 || res.status === 429 ? res.status : 502, {
      message: Object.keys(fields).length === 0 ? f.message : null,
      fields
    });
  }
};
