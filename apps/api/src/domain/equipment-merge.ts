import { slugify } from '@bmet/contracts';
import { manufacturerAliases, manufacturers, modelAliases, models, modelWatches, postSearch, threads } from '@bmet/db/schema';
import { eq, inArray, sql } from 'drizzle-orm';
import { manufacturerIdOf, modelIdOf } from './equipment.ts';
import { logAction } from './moderation.ts';
import type { Conn, Db } from '@bmet/db/client';

/**
 * Two records that are one: a moderator merges them, or a change of folding (slugify) makes
 * their names the same key. Everything that pointed at the merged record moves to the
 * survivor in one transaction (threads and the names they show, search documents, model
 * watches, the models of a manufacturer, older aliases), the survivor's counts are recounted
 * from its threads rather than added (so nothing drifts), and the merged slug stays as an
 * alias: a thread that names it later lands on the survivor, and its old page redirects.
 */

/** Recounts a manufacturer's models, live threads and solved threads from the rows themselves. */
async function recountManufacturer(tx: Conn, id: number): Promise<void> {
  await tx
    .update(manufacturers)
    .set({
      modelCount: sql`(select count(*) from ${models} where ${models.manufacturerId} = ${id})`,
      threadCount: sql`(select count(*) from ${threads} where ${threads.manufacturerId} = ${id} and ${threads.deletedAt} is null)`,
      solvedCount: sql`(select count(*) from ${threads} where ${threads.manufacturerId} = ${id} and ${threads.deletedAt} is null and ${threads.solutionPostId} is not null)`
    })
    .where(eq(manufacturers.id, id));
}

async function recountModel(tx: Conn, id: number): Promise<void> {
  await tx
    .update(models)
    .set({
      threadCount: sql`(select count(*) from ${threads} where ${threads.modelId} = ${id} and ${threads.deletedAt} is null)`,
      solvedCount: sql`(select count(*) from ${threads} where ${threads.modelId} = ${id} and ${threads.deletedAt} is null and ${threads.solutionPostId} is not null)`
    })
    .where(eq(models.id, id));
}

/** Moves everything of model `fromId` to model `intoId` and deletes it; the caller recounts manufacturers. */
async function foldModel(tx: Conn, fromId: number, intoId: number): Promise<void> {
  const [from] = await tx.select().from(models).where(eq(models.id, fromId));
  const [into] = await tx
    .select({ id: models.id, name: models.name, manufacturerId: models.manufacturerId, maker: manufacturers.name })
    .from(models)
    .innerJoin(manufacturers, eq(manufacturers.id, models.manufacturerId))
    .where(eq(models.id, intoId));
  if (from === undefined || into === undefined) throw new Error('model to merge is gone');
  await tx
    .update(threads)
    .set({ modelId: into.id, manufacturerId: into.manufacturerId, equipmentModel: into.name, equipmentManufacturer: into.maker })
    .where(eq(threads.modelId, from.id));
  await tx.update(postSearch).set({ modelId: into.id, manufacturerId: into.manufacturerId }).where(eq(postSearch.modelId, from.id));
  await tx.execute(sql`
    insert into ${modelWatches} (user_id, model_id, created_at)
    select user_id, ${into.id}, created_at from ${modelWatches} where model_id = ${from.id}
    on conflict do nothing`);
  await tx.delete(modelWatches).where(eq(modelWatches.modelId, from.id));
  await tx.update(modelAliases).set({ modelId: into.id }).where(eq(modelAliases.modelId, from.id));
  await tx
    .insert(modelAliases)
    .values({ manufacturerId: from.manufacturerId, slug: from.slug, modelId: into.id })
    .onConflictDoUpdate({ target: [modelAliases.manufacturerId, modelAliases.slug], set: { modelId: into.id } });
  await tx
    .update(models)
    .set({ categoryId: sql`coalesce(${models.categoryId}, ${from.categoryId})` })
    .where(eq(models.id, into.id));
  await tx.delete(models).where(eq(models.id, from.id));
  await recountModel(tx, into.id);
}

/** Moves everything of manufacturer `fromId` to `intoId` (models of the same slug merge) and deletes it. */
async function foldManufacturer(tx: Conn, fromId: number, intoId: number): Promise<void> {
  const [from] = await tx.select().from(manufacturers).where(eq(manufacturers.id, fromId));
  const [into] = await tx.select().from(manufacturers).where(eq(manufacturers.id, intoId));
  if (from === undefined || into === undefined) throw new Error('manufacturer to merge is gone');
  const theirs = await tx.select({ id: models.id, slug: models.slug }).from(models).where(eq(models.manufacturerId, into.id));
  const bySlug = new Map(theirs.map((m) => [m.slug, m.id]));
  const ours = await tx.select({ id: models.id, slug: models.slug }).from(models).where(eq(models.manufacturerId, from.id));
  for (const model of ours) {
    const same = bySlug.get(model.slug);
    if (same !== undefined) await foldModel(tx, model.id, same);
  }
  // The rest of its models move across whole, their threads with them.
  await tx.update(models).set({ manufacturerId: into.id }).where(eq(models.manufacturerId, from.id));
  await tx.update(threads).set({ manufacturerId: into.id, equipmentManufacturer: into.name }).where(eq(threads.manufacturerId, from.id));
  await tx.update(postSearch).set({ manufacturerId: into.id }).where(eq(postSearch.manufacturerId, from.id));
  // Model aliases were keyed by the merged manufacturer; the survivor answers for them now.
  await tx.execute(sql`
    insert into ${modelAliases} (manufacturer_id, slug, model_id, created_at)
    select ${into.id}, slug, model_id, created_at from ${modelAliases} where manufacturer_id = ${from.id}
    on conflict do nothing`);
  await tx.delete(modelAliases).where(eq(modelAliases.manufacturerId, from.id));
  await tx.update(manufacturerAliases).set({ manufacturerId: into.id }).where(eq(manufacturerAliases.manufacturerId, from.id));
  await tx
    .insert(manufacturerAliases)
    .values({ slug: from.slug, manufacturerId: into.id })
    .onConflictDoUpdate({ target: manufacturerAliases.slug, set: { manufacturerId: into.id } });
  await tx.delete(manufacturers).where(eq(manufacturers.id, from.id));
  await recountManufacturer(tx, into.id);
}

export type MergeOutcome = 'merged' | 'not_found' | 'same';

/** A moderator merges manufacturer `fromId` into `intoId`, logged in the same transaction. */
export function mergeManufacturers(
  db: Db,
  input: { fromId: number; intoId: number; actorId: number; reason: string | null }
): Promise<MergeOutcome> {
  if (input.fromId === input.intoId) return Promise.resolve('same');
  return db.transaction(async (tx) => {
    // Both rows locked in id order, so two merges of the same pair cannot deadlock.
    const locked = await tx
      .select({ id: manufacturers.id, name: manufacturers.name })
      .from(manufacturers)
      .where(inArray(manufacturers.id, [input.fromId, input.intoId]))
      .orderBy(manufacturers.id)
      .for('update');
    if (locked.length !== 2) return 'not_found';
    const name = (id: number) => locked.find((m) => m.id === id)!.name;
    await foldManufacturer(tx, input.fromId, input.intoId);
    await logMerge(tx, 'manufacturer', input, name(input.fromId), name(input.intoId));
    return 'merged';
  });
}

/** A moderator merges model `fromId` into `intoId` (of the same manufacturer or another one). */
export function mergeModels(
  db: Db,
  input: { fromId: number; intoId: number; actorId: number; reason: string | null }
): Promise<MergeOutcome> {
  if (input.fromId === input.intoId) return Promise.resolve('same');
  return db.transaction(async (tx) => {
    const locked = await tx
      .select({ id: models.id, name: models.name, manufacturerId: models.manufacturerId, maker: manufacturers.name })
      .from(models)
      .innerJoin(manufacturers, eq(manufacturers.id, models.manufacturerId))
      .where(inArray(models.id, [input.fromId, input.intoId]))
      .orderBy(models.id)
      .for('update', { of: models });
    if (locked.length !== 2) return 'not_found';
    const from = locked.find((m) => m.id === input.fromId)!;
    const into = locked.find((m) => m.id === input.intoId)!;
    await foldModel(tx, from.id, into.id);
    await recountManufacturer(tx, from.manufacturerId);
    if (into.manufacturerId !== from.manufacturerId) await recountManufacturer(tx, into.manufacturerId);
    await logMerge(tx, 'model', input, `${from.maker} ${from.name}`, `${into.maker} ${into.name}`);
    return 'merged';
  });
}

/** The log entry of a merge: site-wide, on the survivor, saying what became what (and why). */
function logMerge(
  tx: Conn,
  kind: 'manufacturer' | 'model',
  input: { intoId: number; actorId: number; reason: string | null },
  fromName: string,
  intoName: string
): Promise<void> {
  return logAction(tx, {
    actorId: input.actorId,
    action: `${kind}.merge`,
    targetType: kind,
    targetId: input.intoId,
    reason: `"${fromName}" merged into "${intoName}"${input.reason === null ? '' : `: ${input.reason}`}`.slice(0, 600),
    boardId: null
  });
}

/** The manufacturer a slug names today (its own, or the one it was merged into); null when none. */
export async function manufacturerIdBySlug(db: Conn, slug: string): Promise<number | null> {
  return idFrom(await db.execute(sql`select ${manufacturerIdOf(slug)} as id`));
}

/** The model a (manufacturer slug, model slug) names today, following aliases of either. */
export async function modelIdBySlugs(db: Conn, manufacturerSlug: string, modelSlug: string): Promise<number | null> {
  return idFrom(await db.execute(sql`select ${modelIdOf(manufacturerIdOf(manufacturerSlug), modelSlug)} as id`));
}

// Both drivers answer execute() with { rows } (bigints as strings on pg); the shared type cannot say so.
function idFrom(result: unknown): number | null {
  const id = (result as { rows: { id: number | string | null }[] }).rows[0]?.id ?? null;
  return id === null ? null : Number(id);
}

/**
 * Brings every record's slug in line with today's slugify(): records whose names now fold to
 * one key merge into the one that already holds it (or the most discussed), the others move to
 * their new slug and keep the old one as an alias. Runs at start-up after the migrations, under
 * an advisory lock so instances starting together do it once; with nothing to do it costs two
 * reads of the (small) equipment tables.
 */
export async function refoldEquipment(db: Db): Promise<{ manufacturers: number; models: number }> {
  const changed = { manufacturers: 0, models: 0 };
  const stale = (rows: { slug: string; name: string }[]) => rows.some((r) => slugify(r.name) !== r.slug);
  const makers = await db.select({ id: manufacturers.id, slug: manufacturers.slug, name: manufacturers.name }).from(manufacturers);
  const allModels = await db.select({ slug: models.slug, name: models.name }).from(models);
  if (!stale(makers) && !stale(allModels)) return changed;

  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(726354)`);
    const rows = await tx
      .select({ id: manufacturers.id, slug: manufacturers.slug, name: manufacturers.name, threads: manufacturers.threadCount })
      .from(manufacturers);
    changed.manufacturers = await refoldGroup(
      rows,
      (fromId, intoId) => foldManufacturer(tx, fromId, intoId),
      async (row, slug) => {
        await tx.update(manufacturers).set({ slug }).where(eq(manufacturers.id, row.id));
        await tx.insert(manufacturerAliases).values({ slug: row.slug, manufacturerId: row.id }).onConflictDoNothing();
      }
    );
    const modelRows = await tx
      .select({ id: models.id, slug: models.slug, name: models.name, threads: models.threadCount, manufacturerId: models.manufacturerId })
      .from(models);
    const touched = new Set<number>();
    const byMaker = groupBy(modelRows, (m) => m.manufacturerId);
    for (const [makerId, list] of byMaker) {
      const n = await refoldGroup(
        list,
        (fromId, intoId) => foldModel(tx, fromId, intoId),
        async (row, slug) => {
          await tx.update(models).set({ slug }).where(eq(models.id, row.id));
          await tx.insert(modelAliases).values({ manufacturerId: makerId, slug: row.slug, modelId: row.id }).onConflictDoNothing();
        }
      );
      if (n > 0) touched.add(makerId);
      changed.models += n;
    }
    for (const makerId of touched) await recountManufacturer(tx, makerId);
  });
  return changed;
}

/** Map.groupBy, which Node 20 lacks. */
function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}

/**
 * Groups records by their new slug, merges each group into one survivor and then moves the
 * survivors to their new slugs: first all to a placeholder, then each to its own, so two records
 * trading slugs never meet the unique index. Returns how many records changed.
 */
async function refoldGroup<R extends { id: number; slug: string; name: string; threads: number }>(
  rows: R[],
  fold: (fromId: number, intoId: number) => Promise<void>,
  rename: (row: R, slug: string) => Promise<void>
): Promise<number> {
  let changed = 0;
  const renames: [R, string][] = [];
  for (const [slug, group] of groupBy(rows, (r) => slugify(r.name))) {
    if (group.length === 1 && group[0]!.slug === slug) continue;
    const survivor = group.find((r) => r.slug === slug) ?? group.toSorted((a, b) => b.threads - a.threads || a.id - b.id)[0]!;
    for (const row of group) {
      if (row.id === survivor.id) continue;
      await fold(row.id, survivor.id);
      changed++;
    }
    if (survivor.slug !== slug) renames.push([survivor, slug]);
  }
  for (const [row] of renames) await rename(row, `~refold~${row.id}`);
  for (const [row, slug] of renames) await rename(row, slug);
  return changed + renames.length;
}
