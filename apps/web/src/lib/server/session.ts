import type { Cookies } from '@sveltejs/kit';

export const SESSION_COOKIE = 'session';
const THIRTY_DAYS = 30 * 24 * 60 * 60;

export function setSessionCookie(cookies: Cookies, token: string, url: URL): void {
  cookies.set(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: url.protocol === 'https:',
    maxAge: THIRTY_DAYS
  });
}

export function clearSessionCookie(cookies: Cookies): void {
  cookies.delete(SESSION_COOKIE, { path: '/' });
}
