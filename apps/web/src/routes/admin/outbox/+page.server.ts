import { error } from '@sveltejs/kit';
import type { OutboxList } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { requireAdmin, toLogin } from '../../mod/guard.server.ts';
import type { PageServerLoad } from './$types';

const STATUSES = ['all', 'held', 'queued', 'failed', 'sent'] as const;
type Status = (typeof STATUSES)[number];

export const load: PageServerLoad = async (event) => {
  requireAdmin(event, 'read the outbox');
  const asked = event.url.searchParams.get('status') ?? 'all';
  const status: Status = (STATUSES as readonly string[]).includes(asked) ? (asked as Status) : 'all';
  const cursor = event.url.searchParams.get('cursor');
  const query = new URLSearchParams({ status, limit: '50', ...(cursor === null ? {} : { cursor }) });
  const res = await api<OutboxList>(event, 'GET', `/admin/outbox?${query}`);
  if (res.status === 401) toLogin(event);
  if (res.status === 403) error(403, 'Only admins can read the outbox');
  if (res.status === 400) error(400, 'That page of the outbox does not exist');
  return { isAdmin: true, status, statuses: STATUSES, list: res.status === 200 ? res.data : null };
};
