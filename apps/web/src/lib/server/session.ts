import type { Cookies } from '@sveltejs/kit';
import { PRODUCTION } from './config.ts';

export const SESSION_COOKIE = 'session';

/** Secure in production exactly like the API's cookies, and whenever the page came over HTTPS. */
export const secureCookie = (url: URL): boolean => PRODUCTION || url.protocol === 'https:';
const THIRTY_DAYS = 30 * 24 * 60 * 60;

export function setSessionCookie(cookies: Cookies, token: string, url: URL): void {
  cookies.set(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookie(url),
    maxAge: THIRTY_DAYS
  });
}

/** The API's device cookie (see apps/api/src/lib/login-devices.ts), kept by the browser for a year. */
export const DEVICE_COOKIE = 'device';

/** Device tokens in the API's Set-Cookie headers. */
export function deviceTokens(setCookies: string[]): string[] {
  return setCookies.flatMap((c) => {
    const match = /^device=([a-z2-7]{32});/.exec(c);
    return match === null ? [] : [match[1]!];
  });
}

export function setDeviceCookie(cookies: Cookies, token: string, url: URL): void {
  cookies.set(DEVICE_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookie(url), maxAge: 365 * 24 * 60 * 60 });
}

/** Deleted with the flags it was set with: a browser ignores a Secure deletion over plain HTTP. */
export function clearSessionCookie(cookies: Cookies, url: URL): void {
  cookies.delete(SESSION_COOKIE, { path: '/', secure: secureCookie(url) });
}

/** The token of a login whose second factor is still owed: only /login/two-factor reads it. */
export const PENDING_COOKIE = 'pending_login';

export function setPendingCookie(cookies: Cookies, token: string, url: URL): void {
  cookies.set(PENDING_COOKIE, token, { path: '/login', httpOnly: true, sameSite: 'lax', secure: secureCookie(url), maxAge: 10 * 60 });
}

export function clearPendingCookie(cookies: Cookies, url: URL): void {
  cookies.delete(PENDING_COOKIE, { path: '/login', secure: secureCookie(url) });
}
