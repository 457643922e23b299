import { fail, redirect } from '@sveltejs/kit';
import type { PasskeyList, RecoveryCodes, TwoFactorSetup, TwoFactorStatus } from '@bmet/contracts';
import { renderSVG } from 'uqr';
import { toFormFailure } from '$lib/api-errors.ts';
import { api } from '$lib/server/api.ts';
import { field } from '$lib/server/form-field.ts';
import { setPageFlash, takePageFlash } from '$lib/server/flash.ts';
import type { Actions, PageServerLoad } from './$types';

const PATH = '/settings/security';
const login = `/login?next=${encodeURIComponent(PATH)}`;

const names: [RegExp, string][] = [
  [/^password is not the password of this account/i, 'That is not your password'],
  [/^that code does not match.*/i, 'That code does not match: type the 6 digits the app shows now'],
  [/^that code is not right.*/i, 'That code is not right: use the code your app shows now, or a recovery code']
];
const inWords = (m: string) => names.reduce((out, [pattern, words]) => out.replace(pattern, words), m);
function failure(status: number, data: unknown, fallback: string, which: 'enable' | 'disable' | 'codes' | 'passkey') {
  const f = toFormFailure(status, data, fallback);
  const fields = Object.fromEntries(Object.entries(f.fields).map(([k, v]) => [k, inWords(v)]));
  return fail(status === 400 || status === 409 || status === 429 ? status : 502, { which, message: inWords(f.message), fields });
}

export const load: PageServerLoad = async (event) => {
  if (event.locals.user === null) redirect(303, login);
  const res = await api<TwoFactorStatus>(event, 'GET', '/me/two-factor');
  if (res.status === 401) redirect(303, login);
  const status = res.status === 200 ? res.data : null;
  // No app yet: a fresh key to scan (nothing is stored until a code from it is confirmed).
  let setup: (TwoFactorSetup & { qr: string }) | null = null;
  const [made, keys] = await Promise.all([
    status !== null && !status.totp ? api<TwoFactorSetup>(event, 'POST', '/me/two-factor/setup') : null,
    status?.passkeysAvailable ? api<PasskeyList>(event, 'GET', '/me/passkeys') : null
  ]);
  if (made?.status === 200) setup = { ...made.data, qr: renderSVG(made.data.uri, { border: 2 }) };
  return {
    status,
    setup,
    passkeys: keys?.status === 200 ? keys.data.passkeys : [],
    username: event.locals.user.username,
    flash: takePageFlash(event.cookies, event.url, PATH)
  };
};

export const actions: Actions = {
  enable: async (event) => {
    if (event.locals.user === null) redirect(303, login);
    const form = await event.request.formData();
    const res = await api<RecoveryCodes>(event, 'POST', '/me/two-factor', {
      key: field(form, 'key'),
      code: field(form, 'code'),
      password: field(form, 'password')
    });
    // The recovery codes are shown once, here, and never again.
    if (res.status === 200) return { which: 'enable' as const, recoveryCodes: res.data.recoveryCodes };
    return failure(res.status, res.data, 'Two-factor sign-in could not be turned on. Please try again.', 'enable');
  },
  codes: async (event) => {
    if (event.locals.user === null) redirect(303, login);
    const form = await event.request.formData();
    const res = await api<RecoveryCodes>(event, 'POST', '/me/two-factor/recovery-codes', { password: field(form, 'password') });
    if (res.status === 200) return { which: 'codes' as const, recoveryCodes: res.data.recoveryCodes };
    return failure(res.status, res.data, 'New codes could not be made. Please try again.', 'codes');
  },
  removePasskey: async (event) => {
    if (event.locals.user === null) redirect(303, login);
    const form = await event.request.formData();
    const id = field(form, 'id');
    const res = await api(event, 'DELETE', `/me/passkeys/${encodeURIComponent(id)}`, { password: field(form, 'password') });
    if (res.status === 204) {
      setPageFlash(event.cookies, event.url, PATH, 'The passkey is removed.');
      redirect(303, PATH);
    }
    return failure(res.status === 404 ? 400 : res.status, res.data, 'The passkey could not be removed. Please try again.', 'passkey');
  },
  disable: async (event) => {
    if (event.locals.user === null) redirect(303, login);
    const form = await event.request.formData();
    const res = await api(event, 'DELETE', '/me/two-factor', { password: field(form, 'password'), code: field(form, 'code') });
    if (res.status === 204) {
      setPageFlash(event.cookies, event.url, PATH, 'Two-factor sign-in is off. Signing in takes only your password now.');
      redirect(303, PATH);
    }
    return failure(res.status, res.data, 'Two-factor sign-in could not be turned off. Please try again.', 'disable');
  }
};
