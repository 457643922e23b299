import { error, fail } from '@sveltejs/kit';
import type { SiteSettingsView } from '@bmet/contracts';
import { toFormFailure } from '$lib/api-errors.ts';
import { api } from '$lib/server/api.ts';
import { field, requireAdmin, toLogin } from '../../mod/guard.server.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  requireAdmin(event, 'change site settings');
  const res = await api<SiteSettingsView>(event, 'GET', '/admin/settings');
  if (res.status === 401) toLogin(event);
  if (res.status === 403)
    error(403, (res.data as unknown as { error?: { message?: string } }).error?.message ?? 'Only admins can change site settings');
  return { isAdmin: true, settings: res.status === 200 ? res.data : null };
};

export const actions: Actions = {
  default: async (event) => {
    requireAdmin(event, 'change site settings');
    const form = await event.request.formData();
    const res = await api<SiteSettingsView>(event, 'PUT', '/admin/settings', {
      requireTwoFactorForModerators: field(form, 'requireTwoFactorForModerators') === 'on'
    });
    if (res.status === 200) return { saved: true as const };
    const { message } = toFormFailure(res.status, res.data, 'The settings could not be saved. Please try again.');
    const says = /own account first/.test(message)
      ? 'Turn on two-factor sign-in for your own account first (Settings, Two-factor).'
      : message;
    return fail(res.status === 400 || res.status === 403 ? res.status : 502, { message: says });
  }
};
