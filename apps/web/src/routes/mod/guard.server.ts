import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import type { ModScope, User } from '@bmet/contracts';
import { toFormFailure } from '$lib/api-errors.ts';
import { api } from '$lib/server/api.ts';

type Event = Pick<RequestEvent, 'locals' | 'getClientAddress' | 'request' | 'url'>;

/** To the login page, back here afterwards (the page, not an action's `?/name`). */
export function toLogin(event: Pick<RequestEvent, 'url'>, keepQuery = true): never {
  const query = new URLSearchParams(keepQuery ? event.url.search : '');
  for (const key of [...query.keys()]) if (key.startsWith('/')) query.delete(key);
  const search = query.toString();
  redirect(303, `/login?next=${encodeURIComponent(event.url.pathname + (search === '' ? '' : `?${search}`))}`);
}

/**
 * The signed-in moderator or admin and what they moderate. Anonymous visitors go to the login
 * page; members (and moderators left without a board) get a 403 page.
 */
export async function requireModerator(event: Event): Promise<{ user: User; scope: ModScope }> {
  const user = event.locals.user;
  if (user === null) toLogin(event);
  if (user.role === 'member') error(403, 'Only moderators and admins can open the moderation tools');
  const res = await api<ModScope>(event, 'GET', '/me/moderation');
  if (res.status === 401) toLogin(event);
  if (res.status !== 200) error(502, 'Your moderation rights could not be checked. Please try again shortly');
  if (!res.data.all && res.data.boards.length === 0) error(403, 'You do not moderate any board');
  return { user, scope: res.data };
}

/** The signed-in admin; anonymous visitors go to the login page, everyone else gets a 403 page. */
export function requireAdmin(event: Pick<RequestEvent, 'locals' | 'url'>, what = 'manage boards'): User {
  const user = event.locals.user;
  if (user === null) toLogin(event);
  if (user.role !== 'admin') error(403, `Only admins can ${what}`);
  return user;
}

export { field } from '$lib/server/form-field.ts';

const LOCAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A `datetime-local` value read as UTC (the forms say so; every time on the site is shown in
 * UTC), or null when it is not one.
 */
export function utcFromLocalInput(value: string): Date | null {
  const m = LOCAL_DATETIME.exec(value.trim());
  if (m === null) return null;
  const at = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** A `datetime-local` value (UTC) for an instant: "2025-03-14T09:30". */
export function localInputValue(at: Date): string {
  return at.toISOString().slice(0, 16);
}

export const DAY_MS = 24 * 60 * 60_000;

/**
 * An API refusal for a form: per-field messages, and a top message that does not repeat them
 * (the API's message for a field error is that field's message).
 */
export function formFailure(status: number, data: unknown, fallback: string): { message: string; fields: Record<string, string> } {
  const failure = toFormFailure(status, data, fallback);
  const count = Object.keys(failure.fields).length;
  if (count > 0 && Object.values(failure.fields).includes(failure.message)) {
    failure.message = count === 1 ? 'Check the highlighted field.' : 'Check the highlighted fields.';
  }
  return failure;
}

/** The top message of a form refused before asking the API. */
export const checkFields = (fields: Record<string, string>): string =>
  Object.keys(fields).length === 1 ? 'Check the highlighted field.' : 'Check the highlighted fields.';
