import { error } from '@sveltejs/kit';
import { slugify, type ModLog } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { requireModerator, toLogin } from '../guard.server.ts';
import { postHref, targetNoun } from '../labels.ts';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 50;

export interface LogTarget {
  label: string;
  href: string | null;
}

type Entry = ModLog['entries'][number];

/** The API describes each target (title, thread, username, board): say it in words, linked. */
function describeTarget(e: Entry): LogTarget {
  const t = e.target;
  const noun = `${targetNoun[e.targetType] ?? 'Item'} #${e.targetId}`;
  switch (e.targetType) {
    case 'thread':
      return { label: t.label === null ? noun : `“${t.label}”`, href: `/t/${encodeURIComponent(e.targetId)}` };
    case 'post':
    case 'report':
      if (t.threadId === null || t.postId === null) return { label: noun, href: null };
      return {
        label: t.label === null ? noun : `${noun} ${e.targetType === 'report' ? 'on' : 'in'} “${t.label}”`,
        href: postHref(t.threadId, t.postId)
      };
    case 'user':
      return t.username === null ? { label: noun, href: null } : { label: `@${t.username}`, href: `/u/${encodeURIComponent(t.username)}` };
    case 'board':
      return t.boardSlug === null ? { label: noun, href: null } : { label: `Board “${t.label ?? t.boardSlug}”`, href: `/b/${t.boardSlug}` };
    case 'manufacturer':
      // A record's canonical name folds to its slug (slugify), so the name is the link.
      return t.label === null
        ? { label: noun, href: null }
        : { label: t.label, href: `/equipment/${encodeURIComponent(slugify(t.label))}` };
    case 'model':
      return { label: t.label ?? noun, href: null };
    default:
      return { label: noun, href: null };
  }
}

export const load: PageServerLoad = async (event) => {
  const { user } = await requireModerator(event);
  const cursor = event.url.searchParams.get('cursor');
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (cursor !== null) query.set('cursor', cursor);
  const res = await api<ModLog>(event, 'GET', `/mod/log?${query}`);
  if (res.status === 401) toLogin(event);
  if (res.status === 403) error(403, 'Only moderators and admins can read the moderation log');
  if (res.status === 400) error(400, 'That page link is no longer valid');
  const ok = res.status === 200;
  return {
    isAdmin: user.role === 'admin',
    failed: !ok,
    paged: cursor !== null,
    entries: ok ? res.data.entries.map((e) => ({ ...e, target: describeTarget(e) })) : [],
    nextCursor: ok ? res.data.nextCursor : null
  };
};
