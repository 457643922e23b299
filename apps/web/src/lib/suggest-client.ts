import type { Manufacturer, Model, Tag } from '@bmet/contracts';
import { splitLastTerm, withLastTerm } from './suggest.ts';

/** Same-origin, public endpoints: no credentials are sent or needed. */
async function getJson<T>(path: string, signal: AbortSignal): Promise<T> {
  const res = await fetch(`/api/v1${path}`, { signal, credentials: 'omit', headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`suggestions answered ${res.status}`);
  return (await res.json()) as T;
}

export async function suggestManufacturers(q: string, signal: AbortSignal): Promise<string[]> {
  if (q.trim() === '') return [];
  const { manufacturers } = await getJson<{ manufacturers: Manufacturer[] }>(
    `/equipment/manufacturers?${new URLSearchParams({ q: q.trim() })}`,
    signal
  );
  return manufacturers.map((m) => m.name);
}

export async function suggestModels(q: string, manufacturer: string, signal: AbortSignal): Promise<string[]> {
  if (q.trim() === '' && manufacturer.trim() === '') return [];
  const params = new URLSearchParams({ q: q.trim() });
  if (manufacturer.trim() !== '') params.set('manufacturer', manufacturer.trim());
  const { models } = await getJson<{ models: Model[] }>(`/equipment/models?${params}`, signal);
  return [...new Set(models.map((m) => m.name))];
}

export async function suggestTags(input: string, signal: AbortSignal): Promise<string[]> {
  const { term } = splitLastTerm(input);
  const typed = term.replace(/^#+/, '');
  if (typed === '') return [];
  const { tags } = await getJson<{ tags: Tag[] }>(`/tags?${new URLSearchParams({ q: typed })}`, signal);
  return tags.map((t) => withLastTerm(input, t.name));
}
