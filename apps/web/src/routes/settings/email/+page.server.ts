import { fail, redirect } from '@sveltejs/kit';
import type { EmailSettings } from '@bmet/contracts';
import { toFormFailure } from '$lib/api-errors.ts';
import { validTimeZone } from '$lib/format.ts';
import { api } from '$lib/server/api.ts';
import { field } from '$lib/server/form-field.ts';
import { setPageFlash, takePageFlash } from '$lib/server/flash.ts';
import type { Actions, PageServerLoad } from './$types';

const PATH = '/settings/email';
const login = `/login?next=${encodeURIComponent(PATH)}`;

/** Every zone the runtime knows, UTC first: what the select offers. */
const ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

export const load: PageServerLoad = async (event) => {
  if (event.locals.user === null) redirect(303, login);
  const res = await api<EmailSettings>(event, 'GET', '/me/email-settings');
  if (res.status === 401) redirect(303, login);
  return {
    settings: res.status === 200 ? res.data : null,
    zones: ZONES,
    /** What the browser says (the layout's cookie): offered when the saved zone differs. */
    browserZone: validTimeZone(event.cookies.get('tz')),
    flash: takePageFlash(event.cookies, event.url, PATH)
  };
};

export const actions: Actions = {
  default: async (event) => {
    if (event.locals.user === null) redirect(303, login);
    const form = await event.request.formData();
    const body = {
      notifications: field(form, 'notifications') === 'on',
      digest: field(form, 'digest') === 'on',
      timeZone: field(form, 'timeZone')
    };
    const res = await api<EmailSettings>(event, 'PATCH', '/me/email-settings', body);
    if (res.status === 200) {
      setPageFlash(event.cookies, event.url, PATH, 'Your e-mail settings are saved.');
      redirect(303, PATH);
    }
    const { message, fields } = toFormFailure(res.status, res.data, 'Your settings could not be saved. Please try again.');
    return fail(res.status === 400 || res.status === 429 ? res.status : 502, { message, fields });
  }
};
