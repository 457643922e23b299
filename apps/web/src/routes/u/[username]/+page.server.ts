import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Profile, ReportList, SuspensionResult, User, UserPosts } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { DAY_MS, checkFields, field, formFailure, localInputValue, utcFromLocalInput } from '../../mod/guard.server.ts';
import type { Actions, PageServerLoad } from './$types';
import { loadFailed } from '$lib/server/load-error.ts';

const isModerator = (user: User | null): user is User => user !== null && (user.role === 'moderator' || user.role === 'admin');

/**
 * Why the viewer may not suspend (or lift the suspension of) this member, or null when they
 * may: moderators act on members, only admins on moderators, nobody on an admin or themself.
 * The API decides the same; this only spares offering a form that would be refused.
 */
function refusal(viewer: User, target: User): string | null {
  if (viewer.id === target.id) return 'You cannot suspend yourself.';
  if (target.role === 'admin') return 'Admins cannot be suspended.';
  if (target.role === 'moderator' && viewer.role !== 'admin') return 'Only an admin can suspend a moderator.';
  return null;
}

/**
 * The suspension the panel shows: the site-wide one (boards null), or else the member's board
 * suspensions as far as the viewer moderates, told as one (the latest end, the boards named).
 */
function shownSuspension(result: SuspensionResult): { until: string; reason: string; boards: string[] | null } | null {
  if (result.suspension !== null) return { ...result.suspension, boards: null };
  const rows = result.boardSuspensions;
  if (rows.length === 0) return null;
  const latest = rows.reduce((a, b) => (b.until > a.until ? b : a));
  return { until: latest.until, reason: latest.reason, boards: rows.map((r) => r.boardSlug) };
}

export const load: PageServerLoad = async (event) => {
  const path = `/users/${encodeURIComponent(event.params.username)}`;
  const viewer = event.locals.user;
  const mod = isModerator(viewer);
  const [res, suspension, posts, reports] = await Promise.all([
    api<Profile>(event, 'GET', path),
    // Moderators and admins see the member's suspension, recent posts and the reports on them;
    // nobody else asks.
    mod ? api<SuspensionResult>(event, 'GET', `${path}/suspension`) : null,
    mod ? api<UserPosts>(event, 'GET', `${path}/posts?limit=10`) : null,
    mod ? api<ReportList>(event, 'GET', `/mod/reports?status=all&limit=10&author=${encodeURIComponent(event.params.username)}`) : null
  ]);
  if (res.status === 404) error(404, 'No member has this username');
  if (res.status !== 200) loadFailed(res, 'The profile could not be loaded');
  const now = Date.now();
  const moderation = isModerator(viewer)
    ? {
        failed: suspension?.status !== 200,
        suspension: suspension?.status === 200 ? shownSuspension(suspension.data) : null,
        refusal: refusal(viewer, res.data.user),
        recentPosts: posts?.status === 200 ? posts.data.posts : [],
        reports: reports?.status === 200 ? reports.data.reports : [],
        defaultUntil: localInputValue(new Date(now + 7 * DAY_MS)),
        minUntil: localInputValue(new Date(now + 60_000))
      }
    : null;
  return { ...res.data, moderation, viewerIsAdmin: viewer?.role === 'admin' };
};

async function start(event: RequestEvent) {
  if (event.locals.user === null) redirect(303, `/login?next=${encodeURIComponent(event.url.pathname)}`);
  return event.request.formData();
}

const suspendPath = (event: RequestEvent) => `/users/${encodeURIComponent(event.params.username ?? '')}/suspend`;

export const actions: Actions = {
  suspend: async (event) => {
    const form = await start(event);
    const values = { until: field(form, 'until'), reason: field(form, 'reason') };
    const fields: Record<string, string> = {};
    const until = utcFromLocalInput(values.until);
    if (until === null) fields.until = 'Enter the date and time the suspension ends';
    else if (until.getTime() <= Date.now()) fields.until = 'Choose a date and time in the future';
    const reason = values.reason.trim();
    if (reason === '') fields.reason = 'Say why: the member is shown this reason';
    else if (reason.length > 500) fields.reason = 'Reason must be at most 500 characters';
    if (until === null || Object.keys(fields).length > 0) {
      return fail(400, { action: 'suspend' as const, message: checkFields(fields), fields, values });
    }
    const res = await api<SuspensionResult>(event, 'POST', suspendPath(event), { until: until.toISOString(), reason });
    if (res.status === 401) redirect(303, `/login?next=${encodeURIComponent(event.url.pathname)}`);
    if (res.status === 200) {
      const where = res.data.suspension === null ? ` from ${res.data.boardSuspensions.map((b) => b.boardSlug).join(', ')}` : '';
      return { action: 'suspend' as const, done: `${res.data.user.displayName} is suspended${where}.` };
    }
    const failure = formFailure(res.status, res.data, 'The member could not be suspended. Please try again.');
    return fail(res.status, { action: 'suspend' as const, ...failure, values });
  },

  lift: async (event) => {
    const form = await start(event);
    const values = { reason: field(form, 'reason') };
    const reason = values.reason.trim();
    if (reason.length > 500) {
      return fail(400, {
        action: 'lift' as const,
        message: 'Check the reason.',
        fields: { reason: 'Reason must be at most 500 characters' },
        values
      });
    }
    const res = await api<SuspensionResult>(event, 'DELETE', suspendPath(event), reason === '' ? {} : { reason });
    if (res.status === 401) redirect(303, `/login?next=${encodeURIComponent(event.url.pathname)}`);
    if (res.status === 200) return { action: 'lift' as const, done: `The suspension of ${res.data.user.displayName} is lifted.` };
    const failure = formFailure(res.status, res.data, 'The suspension could not be lifted. Please try again.');
    return fail(res.status, { action: 'lift' as const, ...failure, values });
  }
};
