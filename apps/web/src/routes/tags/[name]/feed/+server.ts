import type { TagPage } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { atomFeed, feedFailure, threadSummary } from '$lib/server/atom.ts';
import type { RequestHandler } from './$types';

/** The newest threads carrying a tag, as Atom. */
export const GET: RequestHandler = async (event) => {
  const res = await api<TagPage>(event, 'GET', `/tags/${encodeURIComponent(event.params.name)}/threads?limit=30`);
  if (res.status !== 200) return feedFailure(res.status);
  const tag = res.data.tag.name;
  return atomFeed(
    event,
    { title: `#${tag} · BMET Forum`, alternatePath: `/tags/${encodeURIComponent(tag)}` },
    res.data.threads.map((t) => ({ thread: t, summary: threadSummary(t), updated: t.lastPostAt }))
  );
};
