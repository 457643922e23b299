import type { SearchResults } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { atomFeed, feedFailure } from '$lib/server/atom.ts';
import { readSearch, searchParams } from '$lib/search.ts';
import type { RequestHandler } from './$types';

const unmark = (html: string) =>
  html
    .replace(/<\/?mark>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** A saved search as Atom: its matches, newest first, so a reader hears of a new fix for it. */
export const GET: RequestHandler = async (event) => {
  const { q, filters } = readSearch(event.url.searchParams);
  if (q === '') return feedFailure(400);
  const query = searchParams(q, filters);
  query.set('limit', '30');
  const res = await api<SearchResults>(event, 'GET', `/search?${query}`);
  if (res.status !== 200) return feedFailure(res.status);
  query.delete('limit');
  return atomFeed(
    event,
    { title: `Search: ${q} · BMET Forum`, alternatePath: `/search?${query}` },
    res.data.results.map((r) => ({
      thread: r.thread,
      summary: unmark(r.snippetHtml),
      updated: r.post.editedAt !== null && r.post.editedAt > r.post.createdAt ? r.post.editedAt : r.post.createdAt
    }))
  );
};
