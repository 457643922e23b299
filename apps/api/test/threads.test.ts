import { describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, useApp } from './helper.ts';

const ctx = useApp();

async function readAll(threadId: string, limit: number): Promise<any[]> {
  const posts: any[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor === null ? `?limit=${limit}` : `?limit=${limit}&cursor=${encodeURIComponent(cursor)}`;
    const res = await call(ctx.app, 'GET', `/threads/${threadId}${q}`);
    expect(res.statusCode).toBe(200);
    posts.push(...res.data.posts);
    cursor = res.data.nextCursor;
  } while (cursor !== null);
  return posts;
}

describe('GET /api/v1/threads/:id', () => {
  it('returns the tree in reading order: depth first, siblings oldest first, across pages', async () => {
    const asker = await registerUser(ctx.app);
    const engineer = await registerUser(ctx.app, { profession: 'CE' });
    const { thread, post: root } = await createThread(ctx.app, asker.token, { kind: 'question' });
    // Written interleaved, so creation order is not reading order.
    const a = await reply(ctx.app, engineer.token, thread.id, 'A');
    const b = await reply(ctx.app, asker.token, thread.id, 'B', root.id);
    const a1 = await reply(ctx.app, asker.token, thread.id, 'A1', a.id);
    const b1 = await reply(ctx.app, engineer.token, thread.id, 'B1', b.id);
    const a2 = await reply(ctx.app, engineer.token, thread.id, 'A2', a.id);
    const a1a = await reply(ctx.app, engineer.token, thread.id, 'A1a', a1.id);

    const expected = [root, a, a1, a1a, a2, b, b1].map((p) => p.id);
    for (const limit of [200, 3, 1]) {
      const posts = await readAll(thread.id, limit);
      expect(posts.map((p) => p.id)).toEqual(expected);
    }
    const posts = await readAll(thread.id, 50);
    expect(posts.map((p) => p.depth)).toEqual([0, 1, 2, 3, 2, 1, 2]);
    expect(posts.map((p) => p.parentId)).toEqual([null, root.id, a.id, a1.id, a.id, root.id, b.id]);
    expect(posts[3].bodyHtml).toContain('A1a');
    expect(posts[1].author.profession).toBe('CE');

    const res = await call(ctx.app, 'GET', `/threads/${thread.id}`);
    expect(res.data.thread).toMatchObject({ id: thread.id, replyCount: 6, kind: 'question' });
    expect(Date.parse(res.data.thread.lastPostAt)).toBeGreaterThanOrEqual(Date.parse(a1a.createdAt));
    expect(res.data.nextCursor).toBeNull();
  });

  it('answers 404 for unknown and malformed ids, 400 for a bad cursor', async () => {
    expectError(await call(ctx.app, 'GET', '/threads/999999999'), 404, 'not_found');
    expectError(await call(ctx.app, 'GET', '/threads/abc'), 404, 'not_found');
    expectError(await call(ctx.app, 'GET', '/threads/-1'), 404, 'not_found');
    const { token } = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, token);
    expectError(await call(ctx.app, 'GET', `/threads/${thread.id}?cursor=zzz`), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', `/threads/${thread.id}?limit=201`), 400, 'validation_failed');
  });
});

describe('POST /api/v1/threads/:id/posts', () => {
  it('replies to the opening post when parentId is absent', async () => {
    const { token, user } = await registerUser(ctx.app);
    const { thread, post: root } = await createThread(ctx.app, token);
    const res = await call(ctx.app, 'POST', `/threads/${thread.id}/posts`, { token, body: { body: 'Check the **pressure** sensor' } });
    expect(res.statusCode).toBe(201);
    expect(res.data.post).toMatchObject({
      threadId: thread.id,
      parentId: root.id,
      depth: 1,
      author: { id: user.id },
      bodyMarkdown: 'Check the **pressure** sensor',
      deleted: false,
      isSolution: false
    });
    expect(res.data.post.bodyHtml).toContain('<strong>pressure</strong>');
  });

  it('counts every one of many concurrent replies exactly', async () => {
    const { token } = await registerUser(ctx.app);
    const { thread, post: root } = await createThread(ctx.app, token);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(ctx.app, 'POST', `/threads/${thread.id}/posts`, { token, body: { body: `reply ${i}`, parentId: root.id } })
      )
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    const page = await call(ctx.app, 'GET', `/threads/${thread.id}?limit=200`);
    expect(page.data.thread.replyCount).toBe(20);
    expect(page.data.posts).toHaveLength(21);
  });

  it('refuses a parent from another thread, unknown parents and bad bodies, writing nothing', async () => {
    const { token } = await registerUser(ctx.app);
    const one = await createThread(ctx.app, token);
    const other = await createThread(ctx.app, token);
    const cases: [unknown, number, string, string][] = [
      [{ body: 'x', parentId: other.post.id }, 400, 'validation_failed', 'parentId'],
      [{ body: 'x', parentId: '99999999' }, 400, 'validation_failed', 'parentId'],
      [{ body: 'x', parentId: 'abc' }, 400, 'validation_failed', 'parentId'],
      [{ body: 'x', parentId: 12 }, 400, 'validation_failed', 'parentId'],
      [{ body: '' }, 400, 'validation_failed', 'body'],
      [{ body: 'x'.repeat(50_001) }, 400, 'validation_failed', 'body'],
      [{ body: 7 }, 400, 'validation_failed', 'body'],
      [{}, 400, 'validation_failed', 'body']
    ];
    for (const [body, status, code, field] of cases) {
      const res = await call(ctx.app, 'POST', `/threads/${one.thread.id}/posts`, { token, body });
      expectError(res, status, code);
      expect(res.data.error.fields).toHaveProperty(field);
    }
    const page = await call(ctx.app, 'GET', `/threads/${one.thread.id}`);
    expect(page.data.thread.replyCount).toBe(0);
    expect(page.data.posts).toHaveLength(1);
  });

  it('refuses the same reply twice in a row as a duplicate submission', async () => {
    const { token } = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, token);
    await reply(ctx.app, token, thread.id, 'Replaced the door latch.');
    const again = await call(ctx.app, 'POST', `/threads/${thread.id}/posts`, { token, body: { body: 'Replaced the door latch.' } });
    expectError(again, 409, 'conflict');
    const page = await call(ctx.app, 'GET', `/threads/${thread.id}`);
    expect(page.data.thread.replyCount).toBe(1);
  });

  it('answers 401 anonymously and 404 for an unknown thread', async () => {
    expectError(await call(ctx.app, 'POST', '/threads/1/posts', { body: { body: 'x' } }), 401, 'unauthenticated');
    const { token } = await registerUser(ctx.app);
    expectError(await call(ctx.app, 'POST', '/threads/987654321/posts', { token, body: { body: 'x' } }), 404, 'not_found');
  });
});
