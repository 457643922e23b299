import { error, fail, redirect } from '@sveltejs/kit';
import type { Board, Category, CreateThreadResult } from '@bmet/contracts';
import { phiFindings, toFormFailure } from '$lib/api-errors.ts';
import { parseTags } from '$lib/format.ts';
import { api } from '$lib/server/api.ts';
import type { Actions, PageServerLoad } from './$types';
import { loadFailed } from '$lib/server/load-error.ts';

/** The category select's value for "none of these": the free-text field applies. */
const OTHER = '__other';

export const load: PageServerLoad = async (event) => {
  if (event.locals.user === null) redirect(303, `/login?next=${encodeURIComponent(event.url.pathname)}`);
  const [res, cats] = await Promise.all([
    api<{ board: Board }>(event, 'GET', `/boards/${encodeURIComponent(event.params.slug)}`),
    api<{ categories: Category[] }>(event, 'GET', '/equipment/categories')
  ]);
  if (res.status === 404) error(404, 'Board not found');
  if (res.status !== 200) loadFailed(res, 'The board could not be loaded');
  // Without the list the form still works: "Other" with free text.
  return { board: res.data.board, categories: cats.status === 200 ? cats.data.categories : [], other: OTHER };
};

const text = (form: FormData, name: string) => String(form.get(name) ?? '');
const optional = (value: string) => (value.trim() === '' ? null : value.trim());

export const actions: Actions = {
  default: async (event) => {
    if (event.locals.user === null) redirect(303, `/login?next=${encodeURIComponent(event.url.pathname)}`);
    const form = await event.request.formData();
    const values = {
      title: text(form, 'title'),
      body: text(form, 'body'),
      kind: text(form, 'kind') === 'discussion' ? 'discussion' : 'question',
      manufacturer: text(form, 'manufacturer'),
      model: text(form, 'model'),
      category: text(form, 'category'),
      categoryOther: text(form, 'categoryOther'),
      errorCode: text(form, 'errorCode'),
      tags: text(form, 'tags')
    };
    const equipment = {
      manufacturer: optional(values.manufacturer),
      model: optional(values.model),
      category: optional(values.category === OTHER ? values.categoryOther : values.category),
      errorCode: optional(values.errorCode)
    };
    const res = await api<CreateThreadResult>(event, 'POST', `/boards/${encodeURIComponent(event.params.slug)}/threads`, {
      title: values.title,
      body: values.body,
      kind: values.kind,
      // No equipment at all is null, not an object of nulls.
      equipment: Object.values(equipment).some((v) => v !== null) ? equipment : null,
      tags: parseTags(values.tags),
      ...(text(form, 'confirmNoPhi') === 'true' ? { confirmNoPhi: true } : {})
    });
    if (res.status === 201) redirect(303, `/t/${res.data.thread.id}`);
    const { message, fields } = toFormFailure(res.status, res.data, 'The thread could not be saved. Please try again.');
    if (fields.category !== undefined && values.category === OTHER) fields.categoryOther = fields.category;
    return fail(res.status, { message, fields, values, phi: phiFindings(res.status, res.data) });
  }
};
