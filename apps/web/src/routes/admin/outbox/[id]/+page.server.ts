import { error, fail } from '@sveltejs/kit';
import type { OutboxMessage } from '@bmet/contracts';
import { toFormFailure } from '$lib/api-errors.ts';
import { api } from '$lib/server/api.ts';
import { requireAdmin, toLogin } from '../../../mod/guard.server.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  requireAdmin(event, 'read the outbox');
  const res = await api<OutboxMessage>(event, 'GET', `/admin/outbox/${encodeURIComponent(event.params.id)}`);
  if (res.status === 401) toLogin(event);
  if (res.status === 403) error(403, 'Only admins can read the outbox');
  if (res.status === 404) error(404, 'No such e-mail');
  if (res.status !== 200) error(502, 'The e-mail could not be loaded. Please try again shortly');
  event.setHeaders({ 'cache-control': 'no-store' });
  return { isAdmin: true, message: res.data.message };
};

export const actions: Actions = {
  resend: async (event) => {
    requireAdmin(event, 'send e-mails again');
    const res = await api(event, 'POST', `/admin/outbox/${encodeURIComponent(event.params.id)}/resend`);
    if (res.status === 202) return { resent: true as const };
    const { message } = toFormFailure(res.status, res.data, 'It could not be sent again. Please try again.');
    return fail(res.status === 409 || res.status === 404 ? res.status : 502, { message });
  }
};
