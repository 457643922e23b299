import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Watches } from '@bmet/contracts';
import { toFormFailure } from '$lib/api-errors.ts';
import { isLevel, type Level } from '$lib/watching.ts';
import { api } from './api.ts';

type Event = Pick<RequestEvent, 'locals' | 'getClientAddress' | 'request' | 'url'>;

/** What the signed-in user watches; null when signed out or when the API did not answer. */
export async function loadWatches(event: Event): Promise<Watches | null> {
  if (event.locals.user === null) return null;
  const res = await api<Watches>(event, 'GET', '/me/watches');
  return res.status === 200 ? res.data : null;
}

/** The page to come back to after logging in: the one the form was posted from. */
export function loginRedirect(url: URL): never {
  redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search.replace(/[?&]\/[^&]*$/, ''))}`);
}

/** A watch action that failed: what the page shows beside the control it came from. */
export interface WatchFailure {
  watchError: string;
  /** Which control failed: a board slug, a model path or a thread id. */
  target: string;
}

function failure(url: URL, status: number, data: unknown, fallback: string, target: string) {
  if (status === 401) loginRedirect(url);
  const { message } = toFormFailure(status, data, fallback);
  return fail(status === 404 ? 404 : status === 400 ? 400 : 502, { watchError: message, target } satisfies WatchFailure);
}

/** `watching` from a toggle form: "true" or "false", anything else is refused. */
export function formBoolean(value: FormDataEntryValue | null): boolean | null {
  return value === 'true' ? true : value === 'false' ? false : null;
}

/** PUT one board or model watch (`path` is the API path before `/watch`). */
export async function setWatch(event: Event, path: string, watching: boolean | null, target: string) {
  if (event.locals.user === null) loginRedirect(event.url);
  if (watching === null) return fail(400, { watchError: 'That did not work. Please try again.', target } satisfies WatchFailure);
  const res = await api<{ watching: boolean }>(event, 'PUT', `${path}/watch`, { watching });
  if (res.status === 200) return { watching: res.data.watching, target };
  return failure(event.url, res.status, res.data, 'Watching could not be changed. Please try again.', target);
}

/** PUT one thread's notification level. */
export async function setThreadLevel(event: Event, threadId: string, level: FormDataEntryValue | null) {
  if (event.locals.user === null) loginRedirect(event.url);
  if (!isLevel(level)) return fail(400, { watchError: 'Choose Watching, Normal or Muted.', target: threadId } satisfies WatchFailure);
  const res = await api<{ level: Level }>(event, 'PUT', `/threads/${encodeURIComponent(threadId)}/subscription`, { level });
  if (res.status === 200) return { level: res.data.level, target: threadId };
  return failure(event.url, res.status, res.data, 'The notification level could not be changed. Please try again.', threadId);
}
