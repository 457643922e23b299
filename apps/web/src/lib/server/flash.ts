import type { Cookies } from '@sveltejs/kit';
import { secureCookie } from './session.ts';

/**
 * A one-time message for the next page, carried by a short-lived cookie scoped to that page's
 * path: it survives the redirect after a form post (with or without JavaScript) and is gone
 * once shown.
 */
const COOKIE = 'flash';

/** Every flash cookie: for one page (and the ones below its path), unreadable to scripts, a minute at most. */
const options = (url: URL, path: string) => ({ path, httpOnly: true, sameSite: 'lax' as const, secure: secureCookie(url), maxAge: 60 });

/** What a board page can be told after a moderator deleted one of its threads. */
export interface BoardFlash {
  deleted: { id: string; title: string };
}

export function setBoardFlash(cookies: Cookies, url: URL, boardSlug: string, flash: BoardFlash): void {
  cookies.set(COOKIE, JSON.stringify(flash), options(url, `/b/${boardSlug}`));
}

/** The board's flash, once: it is cleared as it is read. */
export function takeBoardFlash(cookies: Cookies, url: URL, boardSlug: string): BoardFlash | null {
  const raw = cookies.get(COOKIE);
  if (raw === undefined) return null;
  cookies.delete(COOKIE, { path: `/b/${boardSlug}`, secure: secureCookie(url) });
  try {
    const value: unknown = JSON.parse(raw);
    const deleted = (value as { deleted?: { id?: unknown; title?: unknown } } | null)?.deleted;
    if (typeof deleted?.id !== 'string' || typeof deleted.title !== 'string') return null;
    return { deleted: { id: deleted.id, title: deleted.title } };
  } catch {
    return null;
  }
}

/**
 * What a thread page says after a form that stays on it (a report sent, a thread locked):
 * carried over the redirect that follows every such form, so the address is clean again and a
 * reload sends nothing twice (post/redirect/get, with or without JavaScript).
 */
export interface ThreadFlash {
  action: string;
  postId: string;
  done: string;
}
const THREAD_COOKIE = 'flash_t';
const threadPath = (threadId: string) => `/t/${encodeURIComponent(threadId)}`;

export function setThreadFlash(cookies: Cookies, url: URL, threadId: string, flash: ThreadFlash): void {
  cookies.set(THREAD_COOKIE, JSON.stringify(flash), options(url, threadPath(threadId)));
}

export function takeThreadFlash(cookies: Cookies, url: URL, threadId: string): ThreadFlash | null {
  const raw = cookies.get(THREAD_COOKIE);
  if (raw === undefined) return null;
  cookies.delete(THREAD_COOKIE, { path: threadPath(threadId), secure: secureCookie(url) });
  try {
    const value = JSON.parse(raw) as Partial<ThreadFlash> | null;
    if (typeof value?.action !== 'string' || typeof value.postId !== 'string' || typeof value.done !== 'string') return null;
    return { action: value.action, postId: value.postId, done: value.done.slice(0, 300) };
  } catch {
    return null;
  }
}

/**
 * A one-line message for the page at `path` after a form that redirected there (a merge). The
 * path is in the value too: a cookie scoped to /equipment/bd also reaches the pages below it,
 * which must not take it.
 */
const PAGE_COOKIE = 'flash_p';

export function setPageFlash(cookies: Cookies, url: URL, path: string, message: string): void {
  cookies.set(PAGE_COOKIE, JSON.stringify({ path, message: message.slice(0, 300) }), options(url, path));
}

export function takePageFlash(cookies: Cookies, url: URL, path: string): string | null {
  const raw = cookies.get(PAGE_COOKIE);
  if (raw === undefined) return null;
  try {
    const value = JSON.parse(raw) as { path?: unknown; message?: unknown } | null;
    if (value?.path !== path || typeof value.message !== 'string') return null;
    cookies.delete(PAGE_COOKIE, { path, secure: secureCookie(url) });
    return value.message.slice(0, 300);
  } catch {
    return null;
  }
}
