import { error } from '@sveltejs/kit';
import type { Author, Board, ModLog, Report, ReportList } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { requireModerator, toLogin } from '../guard.server.ts';
import { postHref, targetNoun } from '../labels.ts';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 50;

export interface LogTarget {
  label: string;
  href: string | null;
}

/**
 * Log entries name their target by id only. The reports this moderator can see say which
 * thread a post or report belongs to and who the members are; boards are named by their
 * creation entry (its reason is the slug). Anything else stays "Post #12".
 */
function describeTargets(entries: ModLog['entries'], reports: Report[], boardNames: Map<string, string>) {
  const users = new Map<string, Author>();
  const posts = new Map<string, { threadId: string; title: string }>();
  const threads = new Map<string, string>();
  const byReport = new Map<string, { threadId: string; postId: string; title: string }>();
  for (const r of reports) {
    for (const a of [r.post.author, r.reporter, r.resolvedBy]) if (a !== null) users.set(a.id, a);
    posts.set(r.post.id, { threadId: r.thread.id, title: r.thread.title });
    threads.set(r.thread.id, r.thread.title);
    byReport.set(r.id, { threadId: r.thread.id, postId: r.post.id, title: r.thread.title });
  }
  const boards = new Map<string, string>();
  for (const e of entries) {
    users.set(e.actor.id, e.actor);
    if (e.action === 'board.create' && e.reason !== null && /^[a-z0-9][a-z0-9-]{0,62}$/.test(e.reason)) boards.set(e.targetId, e.reason);
  }
  const fallback = (e: ModLog['entries'][number]): LogTarget => ({ label: `${targetNoun[e.targetType] ?? 'Item'} #${e.targetId}`, href: null });

  const target = (e: ModLog['entries'][number]): LogTarget => {
    switch (e.targetType) {
      case 'thread': {
        const title = threads.get(e.targetId);
        return { label: title === undefined ? `Thread #${e.targetId}` : `“${title}”`, href: `/t/${encodeURIComponent(e.targetId)}` };
      }
      case 'post': {
        const p = posts.get(e.targetId);
        return p === undefined ? fallback(e) : { label: `Post #${e.targetId} in “${p.title}”`, href: postHref(p.threadId, e.targetId) };
      }
      case 'report': {
        const r = byReport.get(e.targetId);
        return r === undefined ? fallback(e) : { label: `Report #${e.targetId} on “${r.title}”`, href: postHref(r.threadId, r.postId) };
      }
      case 'user': {
        const u = users.get(e.targetId);
        return u === undefined ? fallback(e) : { label: `${u.displayName} (@${u.username})`, href: `/u/${encodeURIComponent(u.username)}` };
      }
      case 'board': {
        const slug = boards.get(e.targetId);
        if (slug === undefined) return fallback(e);
        const name = boardNames.get(slug);
        return { label: name === undefined ? `Board ${slug}` : `Board “${name}”`, href: `/b/${slug}` };
      }
      default:
        return fallback(e);
    }
  };

  /** "moderators: 3, 5" names members by id: say their usernames where known. */
  const reason = (e: ModLog['entries'][number]): string | null => {
    if (e.action !== 'board.moderators' || e.reason === null) return e.reason;
    return e.reason.replace(/^moderators: (.*)$/, (_all, list: string) =>
      `moderators: ${list
        .split(', ')
        .map((id) => (users.has(id) ? `@${users.get(id)!.username}` : id === 'none' ? 'none' : `member #${id}`))
        .join(', ')}`
    );
  };

  return entries.map((e) => ({ ...e, target: target(e), reason: reason(e) }));
}

export const load: PageServerLoad = async (event) => {
  const { user } = await requireModerator(event);
  const cursor = event.url.searchParams.get('cursor');
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (cursor !== null) query.set('cursor', cursor);
  // The reports are only read to name the targets; the log shows without them.
  const [res, open, resolved, boards] = await Promise.all([
    api<ModLog>(event, 'GET', `/mod/log?${query}`),
    api<ReportList>(event, 'GET', '/mod/reports?status=open&limit=200'),
    api<ReportList>(event, 'GET', '/mod/reports?status=resolved&limit=200'),
    api<{ boards: Board[] }>(event, 'GET', '/boards')
  ]);
  if (res.status === 401) toLogin(event);
  if (res.status === 403) error(403, 'Only moderators and admins can read the moderation log');
  if (res.status === 400) error(400, 'That page link is no longer valid');
  const reports = [open, resolved].flatMap((r) => (r.status === 200 ? r.data.reports : []));
  const boardNames = new Map(boards.status === 200 ? boards.data.boards.map((b) => [b.slug, b.name]) : []);
  const ok = res.status === 200;
  return {
    isAdmin: user.role === 'admin',
    failed: !ok,
    paged: cursor !== null,
    entries: ok ? describeTargets(res.data.entries, reports, boardNames) : [],
    nextCursor: ok ? res.data.nextCursor : null
  };
};
