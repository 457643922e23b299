import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { AuthResult } from '@bmet/contracts';
import { toFormFailure } from '$lib/api-errors.ts';
import { safeNext } from '$lib/format.ts';
import { api } from './api.ts';
import { DEVICE_COOKIE, deviceTokens, setDeviceCookie, setSessionCookie } from './session.ts';

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
  const res = await api<AuthResult>(event, 'POST', path, body, device === undefined ? undefined : `${DEVICE_COOKIE}=${device}`);
  for (const token of deviceTokens(res.setCookies)) setDeviceCookie(event.cookies, token, event.url);
  if (res.status === success) {
    setSessionCookie(event.cookies, res.data.token, event.url);
    redirect(303, safeNext(event.url.searchParams.get('next')));
  }
  const { message, fields } = toFormFailure(res.status, res.data, 'Something went wrong. Please try again.');
  return fail(res.status, { message, fields, values });
}
