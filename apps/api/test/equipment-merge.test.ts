import { slugify } from '@bmet/contracts';
import { manufacturers, modLog, threads } from '@bmet/db/schema';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { refoldEquipment } from '../src/domain/equipment-merge.ts';
import { call, createThread, expectError, registerUser, setRole, unique, useApp } from './helper.ts';

const ctx = useApp();

describe('slugify folds punctuation and initials', () => {
  it('makes "b.d.", "B D" and "BD" one key, and keeps what differs', () => {
    for (const name of ['b.d.', 'B. D.', 'B D', 'BD', 'bd']) expect(slugify(name)).toBe('bd');
    expect(slugify('G.E. Healthcare')).toBe(slugify('GE HealthCare'));
    expect(slugify('B. Braun')).toBe('b-braun');
    expect(slugify("O'Neil")).toBe('oneil');
    expect(slugify('Software 2.1')).toBe('software-2-1');
    expect(slugify('Series A 2')).toBe('series-a-2');
    expect(slugify('Dräger')).toBe('drager');
    expect(slugify('BD')).not.toBe(slugify('BD Medical'));
  });
});

describe('equipment records that are one', () => {
  let mod: { token: string; user: any };
  let member: { token: string; user: any };
  const maker = unique('Acme');
  const typo = `${maker}x`;

  beforeAll(async () => {
    mod = await registerUser(ctx.app);
    await setRole(ctx.app, mod.user.id, 'moderator');
    member = await registerUser(ctx.app);
  });

  it('files a thread naming "b.d." under the seeded BD', async () => {
    const { thread } = await createThread(ctx.app, member.token, {
      equipment: { manufacturer: 'b.d.', model: null, category: null, errorCode: null }
    });
    expect(thread.equipment.manufacturer).toBe('BD');
  });

  it('lets a global moderator merge a manufacturer: models, threads, counts and watches move, and the old slug answers', async () => {
    const t1 = await createThread(ctx.app, member.token, {
      kind: 'question',
      equipment: { manufacturer: typo, model: 'Flow 3000', category: 'Infusion pump', errorCode: null }
    });
    await createThread(ctx.app, member.token, { equipment: { manufacturer: typo, model: 'Flow 5', category: null, errorCode: null } });
    await createThread(ctx.app, member.token, { equipment: { manufacturer: maker, model: 'Flow 3000', category: null, errorCode: null } });
    const fromSlug = slugify(typo);
    const intoSlug = slugify(maker);
    const watch = await call(ctx.app, 'PUT', `/equipment/models/${fromSlug}/flow-3000/watch`, {
      token: member.token,
      body: { watching: true }
    });
    expect(watch.statusCode).toBe(200);

    const url = `/equipment/manufacturers/${fromSlug}/merge`;
    expectError(await call(ctx.app, 'POST', url, { body: { into: maker } }), 401, 'unauthenticated');
    expectError(await call(ctx.app, 'POST', url, { token: member.token, body: { into: maker } }), 403, 'forbidden');
    expectError(await call(ctx.app, 'POST', url, { token: mod.token, body: { into: 'No Such Maker 9' } }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'POST', url, { token: mod.token, body: { into: typo.toUpperCase() } }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'POST', url, { token: mod.token, body: { into: '' } }), 400, 'validation_failed');
    expectError(
      await call(ctx.app, 'POST', `/equipment/manufacturers/nobody-${maker}/merge`, { token: mod.token, body: { into: maker } }),
      404,
      'not_found'
    );
    // Refused attempts changed nothing.
    expect((await call(ctx.app, 'GET', `/equipment/manufacturers/${fromSlug}`)).data.manufacturer.slug).toBe(fromSlug);

    const merged = await call(ctx.app, 'POST', url, { token: mod.token, body: { into: maker, reason: 'typo of the same company' } });
    expect(merged.statusCode).toBe(200);
    expect(merged.data.manufacturer).toMatchObject({ slug: intoSlug, name: maker, modelCount: 2, threadCount: 3 });

    const page = await call(ctx.app, 'GET', `/equipment/manufacturers/${fromSlug}`);
    expect(page.statusCode).toBe(200);
    expect(page.data.manufacturer.slug).toBe(intoSlug);
    expect(page.data.models.map((m: any) => [m.slug, m.threadCount])).toEqual([
      ['flow-3000', 2],
      ['flow-5', 1]
    ]);
    expect(page.data.threads).toHaveLength(3);
    const moved = await call(ctx.app, 'GET', `/threads/${t1.thread.id}`);
    expect(moved.data.thread.equipment).toMatchObject({ manufacturer: maker, model: 'Flow 3000', category: 'Infusion pump' });
    // The old model link answers with the survivor; the watch followed it.
    const oldModel = await call(ctx.app, 'GET', `/equipment/models/${fromSlug}/flow-3000`);
    expect(oldModel.data.model).toMatchObject({ slug: 'flow-3000', manufacturer: { slug: intoSlug }, threadCount: 2 });
    const watches = await call(ctx.app, 'GET', '/me/watches', { token: member.token });
    expect(watches.data.models).toEqual([expect.objectContaining({ manufacturerSlug: intoSlug, slug: 'flow-3000' })]);

    // A thread that names the merged one later lands on the survivor.
    const later = await createThread(ctx.app, member.token, {
      equipment: { manufacturer: typo, model: 'flow 3000', category: null, errorCode: null }
    });
    expect(later.thread.equipment).toMatchObject({ manufacturer: maker, model: 'Flow 3000' });
    const after = await call(ctx.app, 'GET', `/equipment/manufacturers/${intoSlug}`);
    expect(after.data.manufacturer).toMatchObject({ modelCount: 2, threadCount: 4 });

    const log = await ctx.app.db.select().from(modLog).where(eq(modLog.action, 'manufacturer.merge'));
    expect(log).toEqual([
      expect.objectContaining({ targetType: 'manufacturer', reason: `"${typo}" merged into "${maker}": typo of the same company` })
    ]);
  });

  it('merges a model into one of another manufacturer and recounts both', async () => {
    const other = unique('Carefusion');
    const solvedThread = await createThread(ctx.app, member.token, {
      kind: 'question',
      equipment: { manufacturer: other, model: 'Alaris 8100', category: null, errorCode: 'E-21' }
    });
    await createThread(ctx.app, member.token, {
      equipment: { manufacturer: 'BD', model: 'Alaris 8100 PCU', category: null, errorCode: null }
    });
    const url = `/equipment/models/${slugify(other)}/alaris-8100/merge`;
    const body = { into: { manufacturer: 'BD', model: 'Alaris 8100 PCU' } };
    expectError(await call(ctx.app, 'POST', url, { token: member.token, body }), 403, 'forbidden');
    expectError(await call(ctx.app, 'POST', url, { token: mod.token, body: { into: { manufacturer: 'BD' } } }), 400, 'validation_failed');
    expectError(
      await call(ctx.app, 'POST', url, { token: mod.token, body: { into: { manufacturer: other, model: 'alaris 8100' } } }),
      400,
      'validation_failed'
    );

    const merged = await call(ctx.app, 'POST', url, { token: mod.token, body });
    expect(merged.statusCode).toBe(200);
    expect(merged.data.model).toMatchObject({ slug: 'alaris-8100-pcu', manufacturer: { slug: 'bd' }, threadCount: 2 });
    const thread = await call(ctx.app, 'GET', `/threads/${solvedThread.thread.id}`);
    expect(thread.data.thread.equipment).toMatchObject({ manufacturer: 'BD', model: 'Alaris 8100 PCU', errorCode: 'E-21' });
    const emptied = await call(ctx.app, 'GET', `/equipment/manufacturers/${slugify(other)}`);
    expect(emptied.data.manufacturer).toMatchObject({ modelCount: 0, threadCount: 0 });
    const old = await call(ctx.app, 'GET', `/equipment/models/${slugify(other)}/alaris-8100`);
    expect(old.data.model).toMatchObject({ slug: 'alaris-8100-pcu', manufacturer: { slug: 'bd' } });
    expect(old.data.errorCodes).toEqual([expect.objectContaining({ code: 'E-21', threadCount: 1 })]);
  });

  it('refolds records keyed by an older slugify at start-up: merges the ones that are now one, renames the rest, once', async () => {
    const base = unique('Gee');
    const dotted = `${base.slice(0, 1)}.${base.slice(1, 2)}. ${base.slice(2)}`; // "G.e. e1234…"
    const { thread } = await createThread(ctx.app, member.token, {
      equipment: { manufacturer: dotted, model: null, category: null, errorCode: null }
    });
    const survivorSlug = slugify(dotted);
    // The records an older folding made: the dotted name under its old slug, with a thread.
    const legacySlug = `${base.slice(0, 1)}-${base.slice(1, 2)}-${base.slice(2)}`.toLowerCase();
    const [legacy] = await ctx.app.db
      .insert(manufacturers)
      .values({ slug: legacySlug, name: `${dotted}.`, threadCount: 1 })
      .returning();
    await ctx.app.db
      .update(threads)
      .set({ manufacturerId: legacy!.id })
      .where(eq(threads.id, Number(thread.id)));
    const lone = unique("O'Neil");
    const [renamed] = await ctx.app.db
      .insert(manufacturers)
      .values({ slug: lone.toLowerCase().replace("'", '-'), name: lone })
      .returning();

    const first = await refoldEquipment(ctx.app.db);
    expect(first.manufacturers).toBeGreaterThanOrEqual(2);
    const survivor = await call(ctx.app, 'GET', `/equipment/manufacturers/${legacySlug}`);
    expect(survivor.data.manufacturer).toMatchObject({ slug: survivorSlug, threadCount: 1 });
    expect(survivor.data.threads.map((t: any) => t.id)).toEqual([thread.id]);
    const moved = await call(ctx.app, 'GET', `/equipment/manufacturers/${renamed!.slug}`);
    expect(moved.data.manufacturer).toMatchObject({ slug: slugify(lone), name: lone });
    expect(await refoldEquipment(ctx.app.db)).toEqual({ manufacturers: 0, models: 0 });
  });
});
