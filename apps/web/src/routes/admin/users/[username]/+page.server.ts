import { error, fail } from '@sveltejs/kit';
import type { AdminUserView } from '@bmet/contracts';
import { toFormFailure } from '$lib/api-errors.ts';
import { api } from '$lib/server/api.ts';
import { field, requireAdmin, toLogin } from '../../../mod/guard.server.ts';
import type { Actions, PageServerLoad } from './$types';

const path = (username: string) => `/admin/users/${encodeURIComponent(username)}`;

export const load: PageServerLoad = async (event) => {
  requireAdmin(event, 'see members’ accounts');
  const res = await api<AdminUserView>(event, 'GET', path(event.params.username));
  if (res.status === 401) toLogin(event);
  if (res.status === 403) error(403, 'Only admins can see members’ accounts');
  if (res.status === 404) error(404, 'No such member');
  if (res.status !== 200) error(502, 'The account could not be loaded. Please try again shortly');
  return { isAdmin: true, user: res.data.user };
};

export const actions: Actions = {
  resend: async (event) => {
    requireAdmin(event, 'send verification links');
    const res = await api(event, 'POST', `${path(event.params.username)}/verification`);
    if (res.status === 202) return { done: 'A new verification link is in the outbox.' };
    const { message } = toFormFailure(res.status, res.data, 'The link could not be sent. Please try again.');
    return fail(res.status === 400 || res.status === 404 ? res.status : 502, { message });
  },
  verified: async (event) => {
    requireAdmin(event, 'confirm addresses');
    const verified = field(await event.request.formData(), 'verified') === 'true';
    const res = await api<AdminUserView>(event, 'PUT', `${path(event.params.username)}/email-verified`, { verified });
    if (res.status === 200) return { done: verified ? 'The address is marked confirmed.' : 'The address is marked not confirmed.' };
    const { message } = toFormFailure(res.status, res.data, 'That did not work. Please try again.');
    return fail(res.status === 400 || res.status === 404 ? res.status : 502, { message });
  }
};
