import { error, redirect } from '@sveltejs/kit';
import type { ModelPage, ModelResult } from '@bmet/contracts';
import { takePageFlash } from '$lib/server/flash.ts';
import { mergeAction } from '$lib/server/merge.ts';
import { api } from '$lib/server/api.ts';
import { formBoolean, loadWatches, setWatch } from '$lib/server/watches.ts';
import type { Actions, PageServerLoad } from './$types';
import { loadFailed } from '$lib/server/load-error.ts';
import { listQuery } from '$lib/sorts.ts';

const modelPath = (manufacturer: string, model: string) =>
  `/equipment/models/${encodeURIComponent(manufacturer)}/${encodeURIComponent(model)}`;

const modelPage = (m: { slug: string; manufacturer: { slug: string } }) =>
  `/equipment/${encodeURIComponent(m.manufacturer.slug)}/${encodeURIComponent(m.slug)}`;

export const load: PageServerLoad = async (event) => {
  const { manufacturer, model } = event.params;
  const { sort, cursor, query } = listQuery(event.url);
  const [res, watches] = await Promise.all([
    api<ModelPage>(event, 'GET', `${modelPath(manufacturer, model)}?${query}`),
    loadWatches(event)
  ]);
  if (res.status === 404) error(404, 'We do not know this model yet');
  if (res.status === 400) error(400, 'That page link is no longer valid');
  if (res.status !== 200) loadFailed(res, 'The model could not be loaded');
  const m = res.data.model;
  if (m.slug !== model || m.manufacturer.slug !== manufacturer) redirect(301, `${modelPage(m)}${event.url.search}`);
  return {
    ...res.data,
    flash: takePageFlash(event.cookies, event.url, modelPage(m)),
    sort,
    paged: cursor !== null,
    /** Null when signed out or unknown: no toggle is shown. */
    watching: watches === null ? null : watches.models.some((w) => w.manufacturerSlug === m.manufacturer.slug && w.slug === m.slug)
  };
};

export const actions: Actions = {
  watch: async (event) => {
    const { manufacturer, model } = event.params;
    const form = await event.request.formData();
    return setWatch(event, modelPath(manufacturer, model), formBoolean(form.get('watching')), `${manufacturer}/${model}`);
  },
  merge: (event) =>
    mergeAction(event, `${modelPath(event.params.manufacturer, event.params.model)}/merge`, 'model', (data) => {
      const { model } = data as ModelResult;
      return { path: modelPage(model), name: `${model.manufacturer.name} ${model.name}` };
    })
};
