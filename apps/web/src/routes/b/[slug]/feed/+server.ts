import type { Board, ThreadList } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { atomFeed, feedFailure, threadSummary } from '$lib/server/atom.ts';
import type { RequestHandler } from './$types';

/** A board's newest threads as Atom. */
export const GET: RequestHandler = async (event) => {
  const slug = encodeURIComponent(event.params.slug);
  const [board, list] = await Promise.all([
    api<{ board: Board }>(event, 'GET', `/boards/${slug}`),
    api<ThreadList>(event, 'GET', `/boards/${slug}/threads?sort=latest&limit=30`)
  ]);
  if (board.status !== 200) return feedFailure(board.status);
  if (list.status !== 200) return feedFailure(list.status);
  const b = board.data.board;
  return atomFeed(
    event,
    { title: `${b.name} · BMET Forum`, subtitle: b.description, alternatePath: `/b/${b.slug}` },
    list.data.threads.map((t) => ({ thread: t, summary: threadSummary(t), updated: t.lastPostAt }))
  );
};
