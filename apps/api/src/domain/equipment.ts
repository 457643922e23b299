import { and, asc, desc, eq, gt, ilike, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Conn } from '@bmet/db/client';
import {
  boards,
  deviceCategories,
  manufacturerAliases,
  manufacturers,
  modelAliases,
  models,
  threads,
  type DeviceCategoryRow,
  type ThreadRow
} from '@bmet/db/schema';
import { foldName, slugify, type Equipment, type EquipmentSort } from '@bmet/contracts';
import { decodeCursor, encodeCursor, olderThan } from '../lib/cursor.ts';
import { sortFilter } from './threads.ts';
import { escapeLike } from '../lib/clean.ts';

export interface ResolvedEquipment {
  equipment: Equipment | null;
  manufacturerId: number | null;
  modelId: number | null;
}

/**
 * The id of the manufacturer a slug names today: its own record, else the one it was merged
 * into (`manufacturer_aliases`); null when neither. A scalar subquery, so a lookup by slug is
 * one statement wherever it is used (pages, the thread upsert, merges, watches).
 */
export const manufacturerIdOf = (slug: string): SQL => sql`(
  select id from (
    select id, 0 as alias from ${manufacturers} where slug = ${slug}
    union all
    select manufacturer_id, 1 from ${manufacturerAliases} where slug = ${slug}
    order by alias limit 1
  ) as named)`;

/** The same for a model of a manufacturer (an id or a manufacturerIdOf subquery). */
export const modelIdOf = (makerId: number | SQL, slug: string): SQL => sql`(
  select id from (
    select id, 0 as alias from ${models} where manufacturer_id = ${makerId} and slug = ${slug}
    union all
    select model_id, 1 from ${modelAliases} where manufacturer_id = ${makerId} and slug = ${slug}
    order by alias limit 1
  ) as named)`;

/** A category given as text: one of the known ones (by slug or folded name), or null. */
async function findCategory(tx: Conn, text: string): Promise<DeviceCategoryRow | null> {
  const slug = slugify(text);
  const rows = await tx
    .select()
    .from(deviceCategories)
    .where(or(eq(deviceCategories.slug, slug), eq(sql`lower(${deviceCategories.name})`, foldName(text))))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Turns the composer's equipment text into records: the manufacturer and model are found by
 * slug (case, spacing and punctuation folded) or created, and the thread keeps their canonical
 * names. A model needs its manufacturer; without one the text is kept as it is.
 */
export async function resolveEquipment(tx: Conn, input: Equipment | null): Promise<ResolvedEquipment> {
  if (input === null) return { equipment: null, manufacturerId: null, modelId: null };
  const category = input.category === null ? null : await findCategory(tx, input.category);
  const equipment: Equipment = { ...input, category: category?.name ?? input.category };
  if (input.manufacturer === null) return { equipment, manufacturerId: null, modelId: null };

  // One statement each: the record this slug names (its own or, merged, the survivor), else a
  // new one. The insert is skipped when one exists and is safe against a concurrent insert of
  // the same slug (on conflict answers the row that won).
  const makerSlug = slugify(input.manufacturer);
  const makerRows = (await tx.execute(sql`
    with found as (select id, name from ${manufacturers} where id = ${manufacturerIdOf(makerSlug)}),
    made as (
      insert into ${manufacturers} (slug, name) select ${makerSlug}, ${input.manufacturer}
      where not exists (select 1 from found)
      on conflict (slug) do update set slug = excluded.slug
      returning id, name
    )
    select id, name from found union all select id, name from made`)) as unknown as {
    rows: { id: number | string; name: string }[];
  };
  const maker = makerRows.rows[0];
  if (maker === undefined) throw new Error('manufacturer upsert returned nothing');
  const makerId = Number(maker.id);
  equipment.manufacturer = maker.name;
  if (input.model === null) return { equipment, manufacturerId: makerId, modelId: null };

  const modelSlug = slugify(input.model);
  const categoryId = category?.id ?? null;
  const modelRows = (await tx.execute(sql`
    with found as (select id, name from ${models} where id = ${modelIdOf(makerId, modelSlug)}),
    made as (
      insert into ${models} (manufacturer_id, slug, name, category_id)
      select ${makerId}, ${modelSlug}, ${input.model}, ${categoryId}::bigint
      where not exists (select 1 from found)
      on conflict (manufacturer_id, slug) do update set category_id = coalesce(${models}.category_id, excluded.category_id)
      returning id, name, (xmax = 0) as inserted
    ),
    -- A known model without a category takes the one this thread gives.
    kept as (
      update ${models} set category_id = ${categoryId}::bigint
      where id = (select id from found) and category_id is null and ${categoryId}::bigint is not null
    )
    select id, name, false as inserted from found union all select id, name, inserted from made`)) as unknown as {
    rows: { id: number | string; name: string; inserted: boolean }[];
  };
  const model = modelRows.rows[0];
  if (model === undefined) throw new Error('model upsert returned nothing');
  const modelId = Number(model.id);
  if (model.inserted) {
    await tx
      .update(manufacturers)
      .set({ modelCount: sql`${manufacturers.modelCount} + 1` })
      .where(eq(manufacturers.id, makerId));
  }
  equipment.model = model.name;
  return { equipment, manufacturerId: makerId, modelId };
}

/** A new thread counts for its model and its manufacturer, inside the thread's transaction. */
export async function countEquipmentThread(tx: Conn, manufacturerId: number | null, modelId: number | null): Promise<void> {
  if (modelId !== null) {
    await tx
      .update(models)
      .set({ threadCount: sql`${models.threadCount} + 1` })
      .where(eq(models.id, modelId));
  }
  if (manufacturerId !== null) {
    await tx
      .update(manufacturers)
      .set({ threadCount: sql`${manufacturers.threadCount} + 1` })
      .where(eq(manufacturers.id, manufacturerId));
  }
}

/** Moves a model's and manufacturer's solved counts when their thread goes from unsolved to solved or back. */
export async function countEquipmentSolved(tx: Conn, threadId: number, by: 1 | -1): Promise<void> {
  await tx
    .update(models)
    .set({ solvedCount: sql`${models.solvedCount} + ${by}` })
    .where(eq(models.id, sql`(select ${threads.modelId} from ${threads} where ${threads.id} = ${threadId})`));
  await tx
    .update(manufacturers)
    .set({ solvedCount: sql`${manufacturers.solvedCount} + ${by}` })
    .where(eq(manufacturers.id, sql`(select ${threads.manufacturerId} from ${threads} where ${threads.id} = ${threadId})`));
}

/** A thread deleted (-1) or restored (1) moves its model's and manufacturer's counts. */
export async function countEquipmentPresence(tx: Conn, thread: ThreadRow, by: 1 | -1): Promise<void> {
  const solved = thread.solutionPostId === null ? 0 : by;
  if (thread.modelId !== null) {
    await tx
      .update(models)
      .set({ threadCount: sql`${models.threadCount} + ${by}`, solvedCount: sql`${models.solvedCount} + ${solved}` })
      .where(eq(models.id, thread.modelId));
  }
  if (thread.manufacturerId !== null) {
    await tx
      .update(manufacturers)
      .set({ threadCount: sql`${manufacturers.threadCount} + ${by}`, solvedCount: sql`${manufacturers.solvedCount} + ${solved}` })
      .where(eq(manufacturers.id, thread.manufacturerId));
  }
}

export function listCategories(db: Conn) {
  return db.select({ slug: deviceCategories.slug, name: deviceCategories.name }).from(deviceCategories).orderBy(asc(deviceCategories.id));
}

/** Manufacturers whose slug starts with the query or whose name has a word starting with it. */
export function suggestManufacturers(db: Conn, q: string) {
  const folded = foldName(q);
  const where: SQL | undefined =
    folded === ''
      ? undefined
      : or(sql`${manufacturers.slug} like ${escapeLike(slugify(folded)) + '%'}`, ilike(manufacturers.name, `% ${escapeLike(folded)}%`));
  return db.select().from(manufacturers).where(where).orderBy(desc(manufacturers.modelCount), asc(manufacturers.name)).limit(20);
}

const modelSelection = {
  model: models,
  manufacturer: { id: manufacturers.id, slug: manufacturers.slug, name: manufacturers.name },
  category: { slug: deviceCategories.slug, name: deviceCategories.name }
};

export function suggestModels(db: Conn, q: string, manufacturer: string | undefined) {
  const folded = foldName(q);
  const conditions: (SQL | undefined)[] = [];
  if (manufacturer !== undefined && foldName(manufacturer) !== '') {
    conditions.push(eq(manufacturers.slug, slugify(manufacturer)));
  }
  if (folded !== '') {
    conditions.push(or(sql`${models.slug} like ${escapeLike(slugify(folded)) + '%'}`, ilike(models.name, `% ${escapeLike(folded)}%`)));
  }
  return db
    .select(modelSelection)
    .from(models)
    .innerJoin(manufacturers, eq(manufacturers.id, models.manufacturerId))
    .leftJoin(deviceCategories, eq(deviceCategories.id, models.categoryId))
    .where(and(...conditions))
    .orderBy(desc(models.threadCount), asc(models.name))
    .limit(20);
}

/** A model by id, or by (manufacturer slug, model slug) following aliases of either: one query. */
export async function getModel(db: Conn, by: number | { manufacturer: string; model: string }) {
  const id = typeof by === 'number' ? by : modelIdOf(manufacturerIdOf(by.manufacturer), by.model);
  const rows = await db
    .select(modelSelection)
    .from(models)
    .innerJoin(manufacturers, eq(manufacturers.id, models.manufacturerId))
    .leftJoin(deviceCategories, eq(deviceCategories.id, models.categoryId))
    .where(eq(models.id, id))
    .limit(1);
  return rows[0] ?? null;
}

export type ModelWithRefs = NonNullable<Awaited<ReturnType<typeof getModel>>>;

/** The error codes seen on a model, most discussed first, each with the latest thread that solved it. */
export async function errorCodesForModel(db: Conn, modelId: number) {
  // Both drivers answer execute() with { rows }; the shared Db type cannot say so.
  const rows = (await db.execute(sql`
    select upper(${threads.equipmentErrorCode}) as code,
           count(*) as thread_count,
           (array_agg(${threads.id} order by ${threads.lastPostAt} desc) filter (where ${threads.solutionPostId} is not null))[1] as solved_thread_id,
           (array_agg(${threads.title} order by ${threads.lastPostAt} desc) filter (where ${threads.solutionPostId} is not null))[1] as solved_thread_title
    from ${threads}
    where ${threads.modelId} = ${modelId} and ${threads.deletedAt} is null and ${threads.equipmentErrorCode} is not null
    group by upper(${threads.equipmentErrorCode})
    order by count(*) desc, upper(${threads.equipmentErrorCode})
    limit 100`)) as unknown as {
    rows: { code: string; thread_count: number | string; solved_thread_id: number | string | null; solved_thread_title: string | null }[];
  };
  return rows.rows.map((r) => ({
    code: r.code,
    threadCount: Number(r.thread_count),
    solvedThreadId: r.solved_thread_id === null ? null : String(r.solved_thread_id),
    solvedThreadTitle: r.solved_thread_title
  }));
}

/**
 * A model's or a manufacturer's threads: the newest activity, the unanswered questions (newest
 * first) or the solved threads, keyset-paged, each from its own index (migration 0013).
 */
export async function listEquipmentThreads(
  db: Conn,
  scope: { modelId: number } | { manufacturerId: number },
  sort: EquipmentSort,
  limit: number,
  cursor: string | undefined
) {
  const at = sort === 'unanswered' ? threads.createdAt : threads.lastPostAt;
  const after = olderThan(cursor, at, threads.id);
  if (after === 'bad_cursor') return after;
  const filter = sortFilter(sort);
  const owner = 'modelId' in scope ? eq(threads.modelId, scope.modelId) : eq(threads.manufacturerId, scope.manufacturerId);
  const rows = await db
    .select({ thread: threads, boardSlug: boards.slug })
    .from(threads)
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .where(and(owner, isNull(threads.deletedAt), filter, after))
    .orderBy(desc(at), desc(threads.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const lastAt = last === undefined ? null : sort === 'unanswered' ? last.thread.createdAt : last.thread.lastPostAt;
  const nextCursor =
    rows.length > limit && last !== undefined && lastAt !== null ? encodeCursor([lastAt.toISOString(), last.thread.id]) : null;
  return { rows: page, nextCursor };
}

/** A manufacturer by id, or by a slug (its own or one it was merged under): one query. */
export async function getManufacturer(db: Conn, by: number | string) {
  const id = typeof by === 'number' ? by : manufacturerIdOf(by);
  const rows = await db.select().from(manufacturers).where(eq(manufacturers.id, id)).limit(1);
  return rows[0] ?? null;
}

/** A manufacturer's models, most discussed first (at most 500). */
export function modelsOfManufacturer(db: Conn, manufacturerId: number) {
  return db
    .select(modelSelection)
    .from(models)
    .innerJoin(manufacturers, eq(manufacturers.id, models.manufacturerId))
    .leftJoin(deviceCategories, eq(deviceCategories.id, models.categoryId))
    .where(eq(models.manufacturerId, manufacturerId))
    .orderBy(desc(models.threadCount), asc(models.name))
    .limit(500);
}

/** Models shown per manufacturer in the equipment index. */
export const INDEX_MODELS = 8;

/**
 * The equipment index: manufacturers in slug order (keyset-paged), each with its most discussed
 * models, in two queries whatever the page's size.
 */
export async function equipmentIndex(db: Conn, limit: number, cursor: string | undefined) {
  let after: SQL | undefined;
  if (cursor !== undefined) {
    const values = decodeCursor(cursor, ['text']);
    if (values === null) return 'bad_cursor' as const;
    after = gt(manufacturers.slug, values[0] as string);
  }
  const rows = await db
    .select()
    .from(manufacturers)
    .where(after)
    .orderBy(asc(manufacturers.slug))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor([last.slug]) : null;
  if (page.length === 0) return { manufacturers: [], nextCursor };
  const ranked = db
    .select({
      id: models.id,
      rank: sql<number>`row_number() over (partition by ${models.manufacturerId} order by ${models.threadCount} desc, ${models.name})`.as(
        'rank'
      )
    })
    .from(models)
    .where(
      inArray(
        models.manufacturerId,
        page.map((m) => m.id)
      )
    )
    .as('ranked');
  const top = await db
    .select(modelSelection)
    .from(ranked)
    .innerJoin(models, eq(models.id, ranked.id))
    .innerJoin(manufacturers, eq(manufacturers.id, models.manufacturerId))
    .leftJoin(deviceCategories, eq(deviceCategories.id, models.categoryId))
    .where(lte(ranked.rank, INDEX_MODELS))
    .orderBy(asc(models.manufacturerId), desc(models.threadCount), asc(models.name));
  const byMaker = new Map<number, ModelWithRefs[]>();
  for (const m of top) {
    const list = byMaker.get(m.manufacturer.id) ?? [];
    list.push(m);
    byMaker.set(m.manufacturer.id, list);
  }
  return { manufacturers: page.map((m) => ({ manufacturer: m, models: byMaker.get(m.id) ?? [] })), nextCursor };
}
