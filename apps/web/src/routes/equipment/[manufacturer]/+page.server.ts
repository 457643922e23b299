import { error, redirect } from '@sveltejs/kit';
import type { ManufacturerPage, ManufacturerResult } from '@bmet/contracts';
import { takePageFlash } from '$lib/server/flash.ts';
import { mergeAction } from '$lib/server/merge.ts';
import { api } from '$lib/server/api.ts';
import { loadFailed } from '$lib/server/load-error.ts';
import { listQuery } from '$lib/sorts.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { sort, cursor, query } = listQuery(event.url);
  const res = await api<ManufacturerPage>(
    event,
    'GET',
    `/equipment/manufacturers/${encodeURIComponent(event.params.manufacturer)}?${query}`
  );
  if (res.status === 404) error(404, 'We do not know this manufacturer yet');
  if (res.status === 400) error(400, 'That page link is no longer valid');
  if (res.status !== 200) loadFailed(res, 'The manufacturer could not be loaded');
  // A slug that was merged into another record (or folded anew) answers with the survivor: go there.
  const slug = res.data.manufacturer.slug;
  if (slug !== event.params.manufacturer) redirect(301, `/equipment/${encodeURIComponent(slug)}${event.url.search}`);
  return {
    ...res.data,
    sort,
    paged: cursor !== null,
    flash: takePageFlash(event.cookies, event.url, `/equipment/${encodeURIComponent(slug)}`)
  };
};

export const actions: Actions = {
  merge: (event) =>
    mergeAction(event, `/equipment/manufacturers/${encodeURIComponent(event.params.manufacturer)}/merge`, 'manufacturer', (data) => {
      const { manufacturer } = data as ManufacturerResult;
      return { path: `/equipment/${encodeURIComponent(manufacturer.slug)}`, name: manufacturer.name };
    })
};
