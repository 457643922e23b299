import { fail, redirect } from '@sveltejs/kit';
import { toFormFailure } from '$lib/api-errors.ts';
import { api } from '$lib/server/api.ts';
import { field } from '$lib/server/form-field.ts';
import { setPageFlash } from '$lib/server/flash.ts';
import type { Actions, PageServerLoad } from './$types';

/** The link's token, shown to the form only (a GET never uses it: mail scanners follow links). */
export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

const LINK_CODES = new Set(['token_invalid', 'token_used', 'token_expired']);

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const token = field(form, 'token');
    const password = field(form, 'password');
    if (password !== field(form, 'confirm')) {
      return fail(400, { message: null, fields: { confirm: 'The two passwords are not the same' }, link: false });
    }
    const res = await api(event, 'POST', '/auth/password/reset', { token, password });
    if (res.status === 200) {
      setPageFlash(
        event.cookies,
        event.url,
        '/login',
        'Your password is changed and every device was signed out. Log in with the new one.'
      );
      redirect(303, '/login');
    }
    const code = (res.data as { error?: { code?: string } } | null)?.error?.code ?? '';
    const { message, fields } = toFormFailure(res.status, res.data, 'Your password could not be changed. Please try again.');
    // A link that is wrong, spent or old cannot be mended on this page: a new one is needed.
    return fail(res.status === 400 || res.status === 429 ? res.status : 502, {
      message: fields.password === undefined ? message : null,
      fields: fields.password === undefined ? {} : { password: fields.password.replace(/^Password/, 'The password') },
      link: LINK_CODES.has(code)
    });
  }
};
