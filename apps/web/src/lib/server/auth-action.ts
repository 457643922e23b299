import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { AuthResult } from '@bmet/contracts';
import { toFormFailure } from '$lib/api-errors.ts';
import { safeNext } from '$lib/format.ts';
import { api } from './api.ts';
import { validTimeZone } from '$lib/format.ts';
import { DEVICE_COOKIE, deviceTokens, setDeviceCookie, setPendingCookie, setSessionCookie } from './session.ts';

/**
 * Shared by login and register: call the API, set the cookie, go back where the user was.
 * `values` is what the form shows again on failure, so it never holds the password.
 */
export async function authenticate(
  event: RequestEvent,
  path: '/auth/login' | '/auth/register',
  body: Record<string, string>,
  values: Record<string, string>,
  success: 200 | 201
) {
  // The browser's device cookie (it signed in to this account before): its failed logins count
  // against it alone, so guesses from elsewhere cannot lock its owner out.
  const device = event.cookies.get(DEVICE_COOKIE);
  // A new member's digest comes in their morning: the zone their browser told the layout.
  const zone = path === '/auth/register' ? validTimeZone(event.cookies.get('tz')) : null;
  const sent = zone === null ? body : { ...body, timeZone: zone };
  const res = await api<AuthResult>(event, 'POST', path, sent, device === undefined ? undefined : `${DEVICE_COOKIE}=${device}`);
  for (const token of deviceTokens(res.setCookies)) setDeviceCookie(event.cookies, token, event.url);
  const next = safeNext(event.url.searchParams.get('next'));
  if (res.status === success && res.data.twoFactorRequired === true) {
    // The password was right; the second factor is still owed. The half-signed-in token waits
    // in a cookie of its own (minutes long) so no page treats it as a session.
    setPendingCookie(event.cookies, res.data.token, event.url);
    redirect(303, `/login/two-factor?next=${encodeURIComponent(next)}`);
  }
  if (res.status === success) {
    setSessionCookie(event.cookies, res.data.token, event.url);
    redirect(303, next);
  }
  const { message, fields } = toFormFailure(res.status, res.data, 'Something went wrong. Please try again.');
  return fail(res.status, { message, fields, values });
}
