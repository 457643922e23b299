import { fail, redirect } from '@sveltejs/kit';
import type { Board, Watches } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import { formBoolean, setThreadLevel, setWatch } from '$lib/server/watches.ts';
import type { Actions, PageServerLoad } from './$types';

const login = `/login?next=${encodeURIComponent('/settings')}`;
/** Slugs are the API's to judge (they may hold any letters); only empty or oversized ones are refused here. */
const isSlug = (s: string) => s !== '' && s.length <= 200;

export const load: PageServerLoad = async (event) => {
  if (event.locals.user === null) redirect(303, login);
  // Every board (to offer a toggle each) beside what the user watches.
  const [watches, boards] = await Promise.all([
    api<Watches>(event, 'GET', '/me/watches'),
    api<{ boards: Board[] }>(event, 'GET', '/boards')
  ]);
  if (watches.status === 401) redirect(303, login);
  const ok = watches.status === 200;
  const watched = new Set(ok ? watches.data.boards.map((b) => b.slug) : []);
  return {
    /** Nothing can be shown as watched or not when the watches did not load. */
    failed: !ok,
    boards:
      ok && boards.status === 200
        ? boards.data.boards.map((b) => ({ slug: b.slug, name: b.name, roleTag: b.roleTag, watching: watched.has(b.slug) }))
        : [],
    boardsFailed: !ok || boards.status !== 200,
    models: ok ? watches.data.models : [],
    threads: ok ? watches.data.threads : []
  };
};

const refused = (target: string) => fail(400, { watchError: 'That did not work. Please try again.', target });

export const actions: Actions = {
  board: async (event) => {
    const form = await event.request.formData();
    const slug = String(form.get('slug') ?? '');
    if (!isSlug(slug)) return refused(slug);
    return setWatch(event, `/boards/${encodeURIComponent(slug)}`, formBoolean(form.get('watching')), slug);
  },
  model: async (event) => {
    const form = await event.request.formData();
    const manufacturer = String(form.get('manufacturer') ?? '');
    const model = String(form.get('model') ?? '');
    const target = `${manufacturer}/${model}`;
    if (!isSlug(manufacturer) || !isSlug(model)) return refused(target);
    const path = `/equipment/models/${encodeURIComponent(manufacturer)}/${encodeURIComponent(model)}`;
    return setWatch(event, path, formBoolean(form.get('watching')), target);
  },
  thread: async (event) => {
    const form = await event.request.formData();
    const id = String(form.get('threadId') ?? '');
    if (!/^\d{1,20}$/.test(id)) return refused(id);
    return setThreadLevel(event, id, form.get('level'));
  }
};
