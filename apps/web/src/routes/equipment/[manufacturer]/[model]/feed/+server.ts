import type { ModelPage } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { atomFeed, feedFailure, threadSummary } from '$lib/server/atom.ts';
import type { RequestHandler } from './$types';

/** A model's newest threads, as Atom. */
export const GET: RequestHandler = async (event) => {
  const { manufacturer, model } = event.params;
  const res = await api<ModelPage>(
    event,
    'GET',
    `/equipment/models/${encodeURIComponent(manufacturer)}/${encodeURIComponent(model)}?limit=30`
  );
  if (res.status !== 200) return feedFailure(res.status);
  const m = res.data.model;
  return atomFeed(
    event,
    { title: `${m.manufacturer.name} ${m.name} · BMET Forum`, alternatePath: `/equipment/${m.manufacturer.slug}/${m.slug}` },
    res.data.threads.map((t) => ({ thread: t, summary: threadSummary(t), updated: t.lastPostAt }))
  );
};
