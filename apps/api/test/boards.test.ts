import { describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, useApp } from './helper.ts';

const ctx = useApp();

describe('GET /api/v1/boards', () => {
  it('lists the seeded general and role boards with counters', async () => {
    const res = await call(ctx.app, 'GET', '/boards');
    expect(res.statusCode).toBe(200);
    const bySlug = Object.fromEntries(res.data.boards.map((b: any) => [b.slug, b]));
    expect(Object.keys(bySlug)).toEqual(expect.arrayContaining(['general', 'bmet', 'ce', 'bme']));
    expect(bySlug.general.roleTag).toBeNull();
    expect(bySlug.bmet.roleTag).toBe('BMET');
    expect(bySlug.ce).toMatchObject({ roleTag: 'CE', threadCount: expect.any(Number), postCount: expect.any(Number) });
    expect(Object.keys(bySlug.bme).sort()).toEqual(
      ['description', 'lastActivityAt', 'name', 'postCount', 'roleTag', 'slug', 'threadCount'].sort()
    );
  });

  it('keeps thread and post counts and last activity in step with writes', async () => {
    const before = (await call(ctx.app, 'GET', '/boards/ce')).data.board;
    const { token } = await registerUser(ctx.app);
    const { thread, post } = await createThread(ctx.app, token, { board: 'ce' });
    await reply(ctx.app, token, thread.id, 'first answer', post.id);
    const after = (await call(ctx.app, 'GET', '/boards/ce')).data.board;
    expect(after.threadCount).toBe(before.threadCount + 1);
    expect(after.postCount).toBe(before.postCount + 2);
    expect(Date.parse(after.lastActivityAt)).toBeGreaterThanOrEqual(Date.parse(thread.createdAt));
  });
});

describe('GET /api/v1/boards/:slug', () => {
  it('answers 404 for an unknown board', async () => {
    expectError(await call(ctx.app, 'GET', '/boards/no-such-board'), 404, 'not_found');
  });
});

describe('GET /api/v1/boards/:slug/threads', () => {
  it('pages threads by newest activity with keyset cursors and no duplicates', async () => {
    const { token } = await registerUser(ctx.app);
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      created.push((await createThread(ctx.app, token, { board: 'bme', title: `Thread number ${i}` })).thread.id);
    }
    // Activity moves the oldest thread to the top.
    const first = created[0]!;
    await reply(ctx.app, token, first, 'bump');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor === null ? '?limit=3' : `?limit=3&cursor=${encodeURIComponent(cursor)}`;
      const res = await call(ctx.app, 'GET', `/boards/bme/threads${q}`);
      expect(res.statusCode).toBe(200);
      expect(res.data.threads.length).toBeLessThanOrEqual(3);
      seen.push(...res.data.threads.map((t: any) => t.id));
      cursor = res.data.nextCursor;
    } while (cursor !== null);
    expect(seen[0]).toBe(first);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(created));
    const rest = seen.filter((id) => id !== first && created.includes(id));
    expect(rest).toEqual(created.slice(1).reverse());
  });

  it('returns the thread shape of the contract', async () => {
    const { token, user } = await registerUser(ctx.app);
    await createThread(ctx.app, token, {
      board: 'general',
      kind: 'question',
      equipment: { manufacturer: ' Philips ', model: 'IntelliVue MX450', category: 'patient monitor', errorCode: 'E-203' },
      tags: ['Battery', 'patient monitor', 'battery']
    });
    const res = await call(ctx.app, 'GET', '/boards/general/threads?limit=1');
    const t = res.data.threads[0];
    expect(t).toMatchObject({
      boardSlug: 'general',
      kind: 'question',
      author: { id: user.id, username: user.username, displayName: user.displayName, profession: 'BMET', role: 'member' },
      replyCount: 0,
      score: 0,
      solved: false,
      solutionPostId: null,
      pinned: false,
      locked: false,
      equipment: { manufacturer: 'Philips', model: 'IntelliVue MX450', category: 'Patient monitor', errorCode: 'E-203' },
      tags: ['battery', 'patient-monitor']
    });
    expect(t.equipment).not.toBeNull();
  });

  it('supports the other sorts and refuses unknown ones and bad cursors', async () => {
    for (const sort of ['latest', 'top', 'unanswered', 'solved']) {
      expect((await call(ctx.app, 'GET', `/boards/bmet/threads?sort=${sort}`)).statusCode).toBe(200);
    }
    expectError(await call(ctx.app, 'GET', '/boards/bmet/threads?sort=random'), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', '/boards/bmet/threads?limit=500'), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', '/boards/bmet/threads?limit=0'), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', '/boards/bmet/threads?cursor=bm90LWpzb24'), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', '/boards/nope/threads'), 404, 'not_found');
  });
});

describe('POST /api/v1/boards/:slug/threads', () => {
  it('creates a thread with its opening post rendered on write', async () => {
    const { token, user } = await registerUser(ctx.app);
    const res = await call(ctx.app, 'POST', '/boards/bmet/threads', {
      token,
      body: { title: '  MX450   E-203 after battery swap ', body: '**Bold** <script>alert(1)</script>', kind: 'question' }
    });
    expect(res.statusCode).toBe(201);
    expect(res.data.thread).toMatchObject({ title: 'MX450 E-203 after battery swap', kind: 'question', equipment: null, tags: [] });
    expect(res.data.post).toMatchObject({
      threadId: res.data.thread.id,
      parentId: null,
      depth: 0,
      author: { id: user.id },
      bodyMarkdown: '**Bold** <script>alert(1)</script>',
      editedAt: null,
      score: 0,
      isSolution: false,
      deleted: false
    });
    expect(res.data.post.bodyHtml).toContain('<strong>Bold</strong>');
    expect(res.data.post.bodyHtml).not.toContain('<script');
  });

  it('defaults kind to discussion', async () => {
    const { token } = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, token);
    expect(thread.kind).toBe('discussion');
  });

  it.each([
    [{ title: 'ab' }, 'title'],
    [{ title: 'x'.repeat(201) }, 'title'],
    [{ title: '   \n  ' }, 'title'],
    [{ title: 'Bad\u0007title' }, 'title'],
    [{ title: 12345 }, 'title'],
    [{ body: '' }, 'body'],
    [{ body: '   ' }, 'body'],
    [{ body: 'x'.repeat(50_001) }, 'body'],
    [{ kind: 'poll' }, 'kind'],
    [{ tags: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'tags'],
    [{ tags: Array.from({ length: 200 }, (_, i) => `t${i}`) }, 'tags'],
    [{ tags: ['<b>'] }, 'tags'],
    [{ tags: 'not-an-array' }, 'tags'],
    [{ equipment: { manufacturer: 'Acme\u0000Corp' } }, 'equipment.manufacturer'],
    [{ equipment: { model: 'm'.repeat(101) } }, 'equipment.model'],
    [{ equipment: 'Philips' }, 'equipment']
  ])('answers 400 for %j and writes nothing', async (override, field) => {
    const { token } = await registerUser(ctx.app);
    const before = (await call(ctx.app, 'GET', '/boards/general')).data.board;
    const res = await call(ctx.app, 'POST', '/boards/general/threads', {
      token,
      body: { title: 'A valid title', body: 'A valid body', ...override }
    });
    expectError(res, 400, 'validation_failed');
    expect(Object.keys(res.data.error.fields)[0]).toBe(field);
    const after = (await call(ctx.app, 'GET', '/boards/general')).data.board;
    expect(after.threadCount).toBe(before.threadCount);
    expect(after.postCount).toBe(before.postCount);
  });

  it('answers 401 anonymously and 404 for an unknown board', async () => {
    const body = { title: 'A valid title', body: 'A valid body' };
    expectError(await call(ctx.app, 'POST', '/boards/general/threads', { body }), 401, 'unauthenticated');
    const { token } = await registerUser(ctx.app);
    expectError(await call(ctx.app, 'POST', '/boards/nope/threads', { token, body }), 404, 'not_found');
  });
});
