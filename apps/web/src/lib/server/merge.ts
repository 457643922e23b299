import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { toFormFailure } from '$lib/api-errors.ts';
import { api } from './api.ts';
import { field } from './form-field.ts';
import { setPageFlash } from './flash.ts';
import { loginRedirect } from './watches.ts';

const text = (form: FormData, name: string) => field(form, name).trim();

/**
 * A moderator's merge form, posted to the API (`apiPath` ends in /merge): on success the
 * surviving record's page, told what happened; on a refusal the form again with the API's
 * reason and what was typed.
 */
export async function mergeAction(
  event: RequestEvent,
  apiPath: string,
  kind: 'manufacturer' | 'model',
  survivor: (data: unknown) => { path: string; name: string }
) {
  if (event.locals.user === null) loginRedirect(event.url);
  const form = await event.request.formData();
  const reason = text(form, 'reason');
  const typed =
    kind === 'manufacturer'
      ? { into: text(form, 'into') }
      : { intoManufacturer: text(form, 'intoManufacturer'), intoModel: text(form, 'intoModel') };
  const body = {
    into: 'into' in typed ? typed.into : { manufacturer: typed.intoManufacturer, model: typed.intoModel },
    reason: reason === '' ? null : reason
  };
  const res = await api(event, 'POST', apiPath, body);
  if (res.status === 200) {
    const { path, name } = survivor(res.data);
    setPageFlash(event.cookies, event.url, path, `Merged into ${name}. Links to the old record lead here.`);
    redirect(303, path);
  }
  if (res.status === 401) loginRedirect(event.url);
  const { message, fields } = toFormFailure(res.status, res.data, 'The records could not be merged. Please try again.');
  const status = [400, 403, 404, 429, 503].includes(res.status) ? res.status : 502;
  return fail(status, { mergeError: fieldMessage(kind, fields) ?? message, reason, ...typed });
}

/** The API names the field ("into must name…"); the form says it in the moderator's words. */
function fieldMessage(kind: 'manufacturer' | 'model', fields: Record<string, string>): string | null {
  const into = fields.into ?? fields['into.model'] ?? fields['into.manufacturer'];
  if (into === undefined) return null;
  if (/same/.test(into)) return `That is this same ${kind}: name the other one.`;
  if (/knows/.test(into))
    return kind === 'manufacturer'
      ? 'The forum knows no manufacturer by that name. Pick one from the suggestions.'
      : 'The forum knows no such model. Pick the manufacturer and the model from the suggestions.';
  return `Name the other ${kind}: up to 100 characters.`;
}
