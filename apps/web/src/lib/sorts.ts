import { equipmentSorts, type EquipmentSort } from '@bmet/contracts/pure';

/** The tabs of a model's, a manufacturer's and a tag's lists. */
export const listSorts: { key: EquipmentSort; label: string }[] = [
  { key: 'latest', label: 'Latest' },
  { key: 'unanswered', label: 'Unanswered' },
  { key: 'solved', label: 'Solved' }
];

/** The list's ?sort= and ?cursor=, as the API query that fetches that page (30 threads). */
export function listQuery(url: URL): { sort: EquipmentSort; cursor: string | null; query: URLSearchParams } {
  const raw = url.searchParams.get('sort') ?? 'latest';
  const sort = (equipmentSorts as readonly string[]).includes(raw) ? (raw as EquipmentSort) : 'latest';
  const cursor = url.searchParams.get('cursor');
  const query = new URLSearchParams({ sort, limit: '30' });
  if (cursor !== null) query.set('cursor', cursor);
  return { sort, cursor, query };
}
