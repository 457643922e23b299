import { fail, redirect } from '@sveltejs/kit';
import type { MeResult, UserResult } from '@bmet/contracts';
import { toFormFailure } from '$lib/api-errors.ts';
import { api } from '$lib/server/api.ts';
import { field } from '$lib/server/form-field.ts';
import { setPageFlash, takePageFlash } from '$lib/server/flash.ts';
import type { Actions, PageServerLoad } from './$types';

const PATH = '/settings/account';
const login = `/login?next=${encodeURIComponent(PATH)}`;

/** The API names its fields ("newPassword must be…"); the form says it in words. */
const names: [RegExp, string][] = [
  [/^currentPassword is not the password of this account/i, 'That is not your current password'],
  [/^password is not the password of this account/i, 'That is not your password'],
  [/^that email is already taken/i, 'Another account uses that address'],
  [/^that is already your address/i, 'That is the address you have now'],
  [/^email must be a valid address/i, 'Type the whole address, like name@hospital.org'],
  [/^currentPassword/i, 'Your current password'],
  [/^newPassword/i, 'The new password'],
  [/^displayName/i, 'The display name'],
  [/^bio/i, 'The bio'],
  [/^profession/i, 'The profession']
];
function inWords(failure: { message: string; fields: Record<string, string> }) {
  const say = (m: string) => names.reduce((out, [pattern, words]) => out.replace(pattern, words), m);
  return { message: say(failure.message), fields: Object.fromEntries(Object.entries(failure.fields).map(([k, v]) => [k, say(v)])) };
}

export const load: PageServerLoad = async (event) => {
  if (event.locals.user === null) redirect(303, login);
  const res = await api<MeResult>(event, 'GET', '/me');
  if (res.status === 401) redirect(303, login);
  return { me: res.status === 200 ? res.data.user : null, flash: takePageFlash(event.cookies, event.url, PATH) };
};

export const actions: Actions = {
  profile: async (event) => {
    if (event.locals.user === null) redirect(303, login);
    const form = await event.request.formData();
    const values = { displayName: field(form, 'displayName').trim(), profession: field(form, 'profession'), bio: field(form, 'bio') };
    const res = await api<UserResult>(event, 'PATCH', '/me', { ...values, bio: values.bio.trim() === '' ? null : values.bio });
    if (res.status === 200) {
      setPageFlash(event.cookies, event.url, PATH, 'Your profile is saved.');
      redirect(303, PATH);
    }
    const { message, fields } = inWords(toFormFailure(res.status, res.data, 'Your profile could not be saved. Please try again.'));
    return fail(res.status === 400 || res.status === 403 ? res.status : 502, { form: 'profile' as const, message, fields, values });
  },
  password: async (event) => {
    if (event.locals.user === null) redirect(303, login);
    const form = await event.request.formData();
    const res = await api<UserResult>(event, 'POST', '/me/password', {
      currentPassword: field(form, 'currentPassword'),
      newPassword: field(form, 'newPassword')
    });
    if (res.status === 200) {
      setPageFlash(event.cookies, event.url, PATH, 'Your password is changed. Every other session has been signed out.');
      redirect(303, PATH);
    }
    const { message, fields } = inWords(toFormFailure(res.status, res.data, 'Your password could not be changed. Please try again.'));
    // The passwords are never sent back to the page.
    return fail(res.status === 400 || res.status === 429 ? res.status : 502, { form: 'password' as const, message, fields, values: {} });
  },
  email: async (event) => {
    if (event.locals.user === null) redirect(303, login);
    const form = await event.request.formData();
    const email = field(form, 'email').trim();
    const res = await api<{ pendingEmail: string }>(event, 'POST', '/me/email', { email, password: field(form, 'password') });
    if (res.status === 202) {
      setPageFlash(
        event.cookies,
        event.url,
        PATH,
        `We sent a link to ${res.data.pendingEmail}. Your address changes when you open it and confirm.`
      );
      redirect(303, PATH);
    }
    const { message, fields } = inWords(toFormFailure(res.status, res.data, 'Your address could not be changed. Please try again.'));
    return fail([400, 409, 429].includes(res.status) ? res.status : 502, { form: 'email' as const, message, fields, values: { email } });
  },
  resend: async (event) => {
    if (event.locals.user === null) redirect(303, login);
    const res = await api(event, 'POST', '/me/email/verification');
    if (res.status === 202) {
      setPageFlash(event.cookies, event.url, PATH, 'A new link is on its way to your address. It works for 48 hours.');
      redirect(303, PATH);
    }
    const { message } = inWords(toFormFailure(res.status, res.data, 'The link could not be sent. Please try again.'));
    return fail([400, 429].includes(res.status) ? res.status : 502, { form: 'resend' as const, message, fields: {}, values: {} });
  }
};
