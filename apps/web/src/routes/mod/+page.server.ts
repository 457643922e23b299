import { error, fail } from '@sveltejs/kit';
import type { Board, Report, ReportList } from '@bmet/contracts';
import { reportResolutions } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { DAY_MS, field, formFailure, localInputValue, requireModerator, toLogin, utcFromLocalInput } from './guard.server.ts';
import type { Actions, PageServerLoad } from './$types';

const PAGE_SIZE = 20;

type Resolution = (typeof reportResolutions)[number];
const isResolution = (value: string): value is Resolution => (reportResolutions as readonly string[]).includes(value);

export const load: PageServerLoad = async (event) => {
  const { user, scope } = await requireModerator(event);
  const status: 'open' | 'resolved' = event.url.searchParams.get('status') === 'resolved' ? 'resolved' : 'open';
  const cursor = event.url.searchParams.get('cursor');
  const query = new URLSearchParams({ status, limit: String(PAGE_SIZE) });
  if (cursor !== null) query.set('cursor', cursor);
  const [res, boards] = await Promise.all([
    api<ReportList>(event, 'GET', `/mod/reports?${query}`),
    api<{ boards: Board[] }>(event, 'GET', '/boards')
  ]);
  if (res.status === 401) toLogin(event);
  if (res.status === 403) error(403, 'Only moderators and admins can open the report queue');
  if (res.status === 400) error(400, 'That page link is no longer valid');
  const names = new Map(boards.status === 200 ? boards.data.boards.map((b) => [b.slug, b.name]) : []);
  const now = Date.now();
  return {
    me: user.id,
    isAdmin: user.role === 'admin',
    scope: { all: scope.all, boards: scope.boards.map((slug) => ({ slug, name: names.get(slug) ?? slug })) },
    /** Board names by slug, for "in Imaging equipment" (the slug when the list did not load). */
    boardNames: Object.fromEntries(names) as Record<string, string>,
    status,
    paged: cursor !== null,
    failed: res.status !== 200,
    reports: res.status === 200 ? res.data.reports : ([] as Report[]),
    nextCursor: res.status === 200 ? res.data.nextCursor : null,
    /** The suspension field's default (a week from now) and earliest value, as `datetime-local` in UTC. */
    defaultUntil: localInputValue(new Date(now + 7 * DAY_MS)),
    minUntil: localInputValue(new Date(now + 60_000))
  };
};

export const actions: Actions = {
  deleteFile: async (event) => {
    if (event.locals.user === null) toLogin(event);
    const form = await event.request.formData();
    const fileId = field(form, 'fileId');
    const filename = field(form, 'filename').slice(0, 255);
    if (!/^[A-Za-z0-9_-]{24}$/.test(fileId)) return fail(404, { reportId: null, message: 'That file does not exist.' });
    const res = await api(event, 'DELETE', `/uploads/${fileId}`);
    if (res.status === 401) toLogin(event);
    if (res.status === 204) return { fileDeleted: filename };
    if (res.status === 404) return fail(404, { reportId: null, message: 'That file was deleted already.' });
    const { message } = formFailure(res.status, res.data, 'The file could not be deleted. Please try again.');
    return fail(res.status, { reportId: null, message });
  },
  resolve: async (event) => {
    if (event.locals.user === null) toLogin(event);
    const form = await event.request.formData();
    const reportId = field(form, 'reportId');
    const resolution = field(form, 'resolution');
    const values = { reason: field(form, 'reason'), until: field(form, 'until') };
    const refuse = (status: number, message: string, fields: Record<string, string> = {}) =>
      fail(status, { reportId, resolution, message, fields, values });
    if (!/^\d{1,20}$/.test(reportId)) return fail(404, { reportId: null, message: 'That report does not exist.' });
    if (!isResolution(resolution)) return refuse(400, 'Choose Dismiss, Delete post or Suspend author.');
    const reason = values.reason.trim();
    if (reason.length > 500) return refuse(400, 'Check the highlighted field.', { reason: 'Reason must be at most 500 characters' });
    const body: { resolution: Resolution; reason?: string; until?: string } = { resolution };
    if (reason !== '') body.reason = reason;
    if (resolution === 'suspend_author' && values.until.trim() !== '') {
      const until = utcFromLocalInput(values.until);
      if (until === null) return refuse(400, 'Check the highlighted field.', { until: 'Enter a date and time' });
      if (until.getTime() <= Date.now())
        return refuse(400, 'Check the highlighted field.', { until: 'Choose a date and time in the future' });
      body.until = until.toISOString();
    }

    const res = await api<{ report: Report }>(event, 'POST', `/mod/reports/${reportId}/resolve`, body);
    if (res.status === 401) toLogin(event);
    if (res.status === 200) {
      const r = res.data.report;
      return {
        resolved: { id: r.id, resolution: r.resolution ?? resolution, threadTitle: r.thread.title, author: r.post.author.displayName }
      };
    }
    // Gone from the queue (resolved meanwhile, or not on a board this moderator has): said at the top.
    if (res.status === 409) return fail(409, { reportId: null, message: 'Another moderator resolved this report already.' });
    if (res.status === 404) return fail(404, { reportId: null, message: 'That report is no longer in your queue.' });
    const { message, fields } = formFailure(res.status, res.data, 'The report could not be resolved. Please try again.');
    return refuse(res.status, message, fields);
  }
};
