import { fail, redirect } from '@sveltejs/kit';
import type { AuthResult } from '@bmet/contracts';
import { toFormFailure } from '$lib/api-errors.ts';
import { safeNext } from '$lib/format.ts';
import { apiWithToken } from '$lib/server/api.ts';
import { field } from '$lib/server/form-field.ts';
import { PENDING_COOKIE, clearPendingCookie, setSessionCookie } from '$lib/server/session.ts';
import type { Actions, PageServerLoad } from './$types';

const startAgain = (next: string) => `/login?expired=1&next=${encodeURIComponent(next)}`;

export const load: PageServerLoad = ({ locals, url, cookies }) => {
  const next = safeNext(url.searchParams.get('next'));
  if (locals.user !== null) redirect(303, next);
  // No password was given in the last ten minutes: there is nothing to finish.
  if (cookies.get(PENDING_COOKIE) === undefined) redirect(303, startAgain(next));
  return {};
};

export const actions: Actions = {
  default: async (event) => {
    const next = safeNext(event.url.searchParams.get('next'));
    const pending = event.cookies.get(PENDING_COOKIE);
    if (pending === undefined) redirect(303, startAgain(next));
    const form = await event.request.formData();
    const res = await apiWithToken<AuthResult>(event, pending, 'POST', '/auth/two-factor', { code: field(form, 'code') });
    if (res.status === 200) {
      clearPendingCookie(event.cookies, event.url);
      setSessionCookie(event.cookies, res.data.token, event.url);
      redirect(303, next);
    }
    if (res.status === 401) {
      // The half-signed-in session ended (ten minutes passed): the password again.
      clearPendingCookie(event.cookies, event.url);
      redirect(303, startAgain(next));
    }
    const failure = toFormFailure(res.status, res.data, 'That did not work. Please try again.');
    const message = res.status === 400 ? 'That code is not right. Type the code your app shows now, or a recovery code.' : failure.message;
    return fail(res.status === 400 || res.status === 429 ? res.status : 502, { message });
  }
};
