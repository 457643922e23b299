import { beforeAll, describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, setRole, unique, useApp } from './helper.ts';

const ctx = useApp();
let asker: Awaited<ReturnType<typeof registerUser>>;
let helper: Awaited<ReturnType<typeof registerUser>>;
let mod: Awaited<ReturnType<typeof registerUser>>;
/** A manufacturer, a model and a tag no other test names: each list here sees this file's threads only. */
const maker = unique('Acme');
const makerSlug = maker.toLowerCase();
const tag = unique('dtag').toLowerCase();
const w = unique('dq').toLowerCase();
const ids: Record<string, string> = {};

const get = async (url: string, token?: string) => {
  const res = await call(ctx.app, 'GET', url, token === undefined ? {} : { token });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.data;
};
const threadIds = (data: { threads: { id: string }[] }) => data.threads.map((t) => t.id);

beforeAll(async () => {
  asker = await registerUser(ctx.app);
  helper = await registerUser(ctx.app);
  mod = await registerUser(ctx.app);
  await setRole(ctx.app, mod.user.id, 'moderator');
  const make = async (key: string, title: string, extra: Record<string, unknown> = {}) => {
    const { thread } = await createThread(ctx.app, asker.token, { title, body: `${title} body`, kind: 'question', ...extra });
    ids[key] = thread.id;
  };
  const eq = (model: string | null) => ({ equipment: { manufacturer: maker, model, category: null, errorCode: null } });
  await make('a1', `Pump A1 rattles ${w}`, { ...eq('Pump 100'), tags: [tag] });
  await make('a2', `Pump A2 alarms ${w}`, { ...eq('Pump 100'), tags: [tag] });
  await make('b1', `Monitor B1 blank ${w}`, eq('Monitor 200'));
  await make('m0', `Which ${maker} device for the ICU ${w}`, { ...eq(null), kind: 'discussion', tags: [tag] });
  // a1 answered and solved, a2 answered, b1 and m0 unanswered.
  const answer = await reply(ctx.app, helper.token, ids.a1!, 'Tighten the pole clamp.');
  expect((await call(ctx.app, 'POST', `/threads/${ids.a1}/solution`, { token: asker.token, body: { postId: answer.id } })).statusCode).toBe(
    200
  );
  await reply(ctx.app, helper.token, ids.a2!, 'Check the battery.');
});

describe('equipment index and manufacturer pages', () => {
  it('lists manufacturers by name with thread and solved counts, each with its most discussed models', async () => {
    let cursor: string | null = null;
    let found: any;
    const seen = new Set<string>();
    do {
      const page: any = await get(`/equipment?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      for (const m of page.manufacturers) {
        expect(seen.has(m.slug), 'no manufacturer twice across pages').toBe(false);
        seen.add(m.slug);
        if (m.slug === makerSlug) found = m;
      }
      const slugs = page.manufacturers.map((m: any) => m.slug);
      expect(slugs).toEqual([...slugs].sort());
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(found).toMatchObject({ name: maker, modelCount: 2, threadCount: 4, solvedCount: 1 });
    expect(found.models.map((m: any) => [m.name, m.threadCount, m.solvedCount])).toEqual([
      ['Pump 100', 2, 1],
      ['Monitor 200', 1, 0]
    ]);
    expectError(await call(ctx.app, 'GET', '/equipment?cursor=nope'), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', '/equipment?limit=0'), 400, 'validation_failed');
  });

  it("pages a manufacturer's threads: latest, unanswered questions and solved, threads without a model included", async () => {
    const latest = await get(`/equipment/manufacturers/${makerSlug}`);
    expect(latest.manufacturer).toMatchObject({ slug: makerSlug, threadCount: 4, solvedCount: 1 });
    expect(latest.models.map((m: any) => m.slug)).toEqual(['pump-100', 'monitor-200']);
    // Newest activity first: the answered ones moved up when they were answered.
    expect(threadIds(latest)).toEqual([ids.a2, ids.a1, ids.m0, ids.b1]);
    // The discussion (m0) has no replies but is not a question.
    expect(threadIds(await get(`/equipment/manufacturers/${makerSlug}?sort=unanswered`))).toEqual([ids.b1]);
    expect(threadIds(await get(`/equipment/manufacturers/${makerSlug}?sort=solved`))).toEqual([ids.a1]);
    const first = await get(`/equipment/manufacturers/${makerSlug}?limit=3`);
    expect(first.nextCursor).not.toBeNull();
    const second = await get(`/equipment/manufacturers/${makerSlug}?limit=3&cursor=${encodeURIComponent(first.nextCursor)}`);
    expect([...threadIds(first), ...threadIds(second)]).toEqual(threadIds(latest));
    expect(second.nextCursor).toBeNull();
    expectError(await call(ctx.app, 'GET', `/equipment/manufacturers/${makerSlug}?sort=top`), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', `/equipment/manufacturers/${makerSlug}?cursor=eyJ4Ijox`), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', '/equipment/manufacturers/no-such-maker-here'), 404, 'not_found');
  });

  it("sorts a model's and a tag's threads the same way", async () => {
    const model = `/equipment/models/${makerSlug}/pump-100`;
    expect(threadIds(await get(model))).toEqual([ids.a2, ids.a1]);
    expect(threadIds(await get(`${model}?sort=solved`))).toEqual([ids.a1]);
    expect(threadIds(await get(`${model}?sort=unanswered`))).toEqual([]);
    expect(threadIds(await get(`/equipment/models/${makerSlug}/monitor-200?sort=unanswered`))).toEqual([ids.b1]);
    // A tag lists newest threads first (by when they were started).
    expect(threadIds(await get(`/tags/${tag}/threads`))).toEqual([ids.m0, ids.a2, ids.a1]);
    expect(threadIds(await get(`/tags/${tag}/threads?sort=solved`))).toEqual([ids.a1]);
    expect(threadIds(await get(`/tags/${tag}/threads?sort=unanswered`))).toEqual([]);
    const first = await get(`/tags/${tag}/threads?limit=2`);
    const rest = await get(`/tags/${tag}/threads?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`);
    expect([...threadIds(first), ...threadIds(rest)]).toEqual([ids.m0, ids.a2, ids.a1]);
    expectError(await call(ctx.app, 'GET', `/tags/${tag}/threads?sort=oldest`), 400, 'validation_failed');
  });

  it('lists tags most used first for the tag index, up to 500, and never tags whose threads are all gone', async () => {
    const all = await get('/tags?limit=500');
    const counts = all.tags.map((t: any) => t.threadCount);
    expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a));
    expect(all.tags.find((t: any) => t.name === tag)).toEqual({ name: tag, threadCount: 3 });
    expectError(await call(ctx.app, 'GET', '/tags?limit=501'), 400, 'validation_failed');
    const lonely = unique('lonelytag').toLowerCase();
    const { thread } = await createThread(ctx.app, asker.token, { title: `Lonely ${w}`, body: 'x', tags: [lonely] });
    expect((await get(`/tags?q=${lonely}`)).tags).toEqual([{ name: lonely, threadCount: 1 }]);
    expect((await call(ctx.app, 'DELETE', `/threads/${thread.id}`, { token: asker.token })).statusCode).toBe(204);
    expect((await get(`/tags?q=${lonely}`)).tags).toEqual([]);
  });

  it("keeps the manufacturer's counts in step with deletes, restores and accepted answers", async () => {
    const { thread } = await createThread(ctx.app, asker.token, {
      title: `Counted ${w}`,
      body: 'x',
      kind: 'question',
      equipment: { manufacturer: maker, model: null, category: null, errorCode: null }
    });
    const count = async () => (await get(`/equipment/manufacturers/${makerSlug}`)).manufacturer;
    expect(await count()).toMatchObject({ threadCount: 5, solvedCount: 1 });
    const answer = await reply(ctx.app, helper.token, thread.id, 'Fixed it.');
    await call(ctx.app, 'POST', `/threads/${thread.id}/solution`, { token: asker.token, body: { postId: answer.id } });
    expect(await count()).toMatchObject({ threadCount: 5, solvedCount: 2 });
    expect((await call(ctx.app, 'DELETE', `/threads/${thread.id}`, { token: mod.token })).statusCode).toBe(204);
    expect(await count()).toMatchObject({ threadCount: 4, solvedCount: 1 });
    expect((await call(ctx.app, 'POST', `/threads/${thread.id}/restore`, { token: mod.token, body: {} })).statusCode).toBe(200);
    expect(await count()).toMatchObject({ threadCount: 5, solvedCount: 2 });
    await call(ctx.app, 'POST', `/threads/${thread.id}/solution`, { token: asker.token, body: { postId: null } });
    expect(await count()).toMatchObject({ threadCount: 5, solvedCount: 1 });
    expect((await call(ctx.app, 'DELETE', `/threads/${thread.id}`, { token: mod.token })).statusCode).toBe(204);
  });
});

describe('closing a thread as a duplicate', () => {
  let original: string;
  let dup: string;
  let dup2: string;
  beforeAll(async () => {
    original = (
      await createThread(ctx.app, asker.token, { title: `Door latch sensor fault ${w}`, body: `Latch fault ${w}`, kind: 'question' })
    ).thread.id;
    const answer = await reply(ctx.app, helper.token, original, 'Replace the latch microswitch.');
    await call(ctx.app, 'POST', `/threads/${original}/solution`, { token: asker.token, body: { postId: answer.id } });
    dup = (await createThread(ctx.app, helper.token, { title: `Latch sensor keeps faulting ${w}`, body: `Latch keeps faulting ${w}` }))
      .thread.id;
    dup2 = (await createThread(ctx.app, helper.token, { title: `Yet another latch question ${w}`, body: `Latch again ${w}` })).thread.id;
  });

  it('is for moderators only, and refuses unknown, deleted and self originals', async () => {
    const path = `/threads/${dup}/duplicate`;
    expectError(await call(ctx.app, 'POST', path, { body: { of: original } }), 401, 'unauthenticated');
    expectError(await call(ctx.app, 'POST', path, { token: asker.token, body: { of: original } }), 403, 'forbidden');
    expectError(await call(ctx.app, 'POST', path, { token: mod.token, body: { of: dup } }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'POST', path, { token: mod.token, body: { of: '999999999' } }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'POST', path, { token: mod.token, body: { of: 'abc' } }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'POST', path, { token: mod.token, body: {} }), 400, 'validation_failed');
    expectError(
      await call(ctx.app, 'POST', `/threads/999999999/duplicate`, { token: mod.token, body: { of: original } }),
      404,
      'not_found'
    );
    const thread = await get(`/threads/${dup}`);
    expect(thread.thread.duplicateOf).toBeUndefined();
    expect(thread.thread.locked).toBe(false);
  });

  it('locks the duplicate, links it to the original, logs it, and tells its author', async () => {
    const res = await call(ctx.app, 'POST', `/threads/${dup}/duplicate`, {
      token: mod.token,
      body: { of: original, reason: 'asked before' }
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.data.thread).toMatchObject({ id: dup, duplicateOf: original, locked: true });
    expect((await get(`/threads/${dup}`)).thread.duplicateOf).toBe(original);
    expectError(
      await call(ctx.app, 'POST', `/threads/${dup}/posts`, { token: asker.token, body: { body: 'me too' } }),
      403,
      'thread_locked'
    );
    const log = await get('/mod/log', mod.token);
    expect(log.entries.find((e: any) => e.action === 'thread.duplicate' && e.targetId === dup)?.reason).toContain('asked before');
    const notes = await get('/notifications', helper.token);
    expect(notes.notifications.some((n: any) => n.type === 'moderation' && n.threadId === dup)).toBe(true);
  });

  it('points a duplicate of a duplicate at the original: every link is one hop', async () => {
    const res = await call(ctx.app, 'POST', `/threads/${dup2}/duplicate`, { token: mod.token, body: { of: dup } });
    expect(res.data.thread.duplicateOf).toBe(original);
    // Closing the original against one of its duplicates would make a loop.
    expectError(
      await call(ctx.app, 'POST', `/threads/${original}/duplicate`, { token: mod.token, body: { of: dup } }),
      400,
      'validation_failed'
    );
  });

  it('sends search and similar questions to the original', async () => {
    const found = await get(`/search?q=${encodeURIComponent(`latch ${w}`)}`);
    const dupHit = found.results.find((r: any) => r.thread.id === dup);
    expect(dupHit.thread.duplicateOf).toBe(original);
    const similar = await get(`/threads/similar?title=${encodeURIComponent(`latch sensor keeps faulting ${w}`)}`);
    expect(threadIds(similar)).toContain(original);
    expect(threadIds(similar)).not.toContain(dup);
    expect(new Set(threadIds(similar)).size).toBe(similar.threads.length);
  });

  it('reopens with of: null, leaving the lock to its own action', async () => {
    const res = await call(ctx.app, 'POST', `/threads/${dup}/duplicate`, { token: mod.token, body: { of: null } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.data.thread.duplicateOf).toBeUndefined();
    expect(res.data.thread.locked).toBe(true);
    expect((await get('/mod/log', mod.token)).entries.some((e: any) => e.action === 'thread.duplicate_clear' && e.targetId === dup)).toBe(
      true
    );
  });

  it('never points at a deleted thread: deleting an original frees its duplicates, and a deleted one cannot be named', async () => {
    const make = async (title: string) =>
      (await createThread(ctx.app, asker.token, { title: `${title} ${w}`, body: `${title} body`, kind: 'question' })).thread.id;
    const a = await make('Original to delete');
    const b = await make('Duplicate of it');
    const c = await make('Another one');
    expect((await call(ctx.app, 'POST', `/threads/${b}/duplicate`, { token: mod.token, body: { of: a } })).statusCode).toBe(200);
    expect((await call(ctx.app, 'DELETE', `/threads/${a}`, { token: mod.token })).statusCode).toBe(204);
    expect((await get(`/threads/${b}`)).thread.duplicateOf).toBeUndefined();
    expectError(await call(ctx.app, 'POST', `/threads/${c}/duplicate`, { token: mod.token, body: { of: a } }), 400, 'validation_failed');
  });
});

describe('GET /api/v1/search/counts', () => {
  it("counts the search's own matching threads by board and by solved, under all its filters", async () => {
    const q = `q=${encodeURIComponent(`latch ${w}`)}`;
    const all = await get(`/search/counts?${q}`);
    expect(all).toMatchObject({ total: 3, capped: false, solved: { solved: 1, unsolved: 2 } });
    expect(all.boards).toEqual([{ slug: 'bmet', count: 3 }]);
    const solvedOnly = await get(`/search/counts?${q}&solved=true`);
    expect(solvedOnly).toMatchObject({ total: 1, solved: { solved: 1, unsolved: 0 }, boards: [{ slug: 'bmet', count: 1 }] });
    // As many as the search itself finds.
    expect(solvedOnly.total).toBe((await get(`/search?${q}&solved=true`)).results.length);
    expect(await get(`/search/counts?${q}&board=ce`)).toMatchObject({ total: 0, boards: [], solved: { solved: 0, unsolved: 0 } });
    expectError(await call(ctx.app, 'GET', `/search/counts?${q}&board=nope`), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', '/search/counts?q='), 400, 'validation_failed');
    expect(await get(`/search/counts?q=${encodeURIComponent('-latch')}`)).toMatchObject({ total: 0, boards: [] });
  });
});
