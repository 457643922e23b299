import { describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, setRole, useApp } from './helper.ts';

const ctx = useApp();

async function threadPage(id: string) {
  return (await call(ctx.app, 'GET', `/threads/${id}?limit=200`)).data;
}

describe('PATCH /api/v1/posts/:id and GET /api/v1/posts/:id/revisions', () => {
  it('edits a post, re-renders it and keeps every earlier version', async () => {
    const author = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, author.token);
    const post = await reply(ctx.app, author.token, thread.id, 'Replace the **fuse**');
    const edited = await call(ctx.app, 'PATCH', `/posts/${post.id}`, {
      token: author.token,
      body: { body: 'Replace the **F2 fuse** (T2AL)' }
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.data.post).toMatchObject({ id: post.id, bodyMarkdown: 'Replace the **F2 fuse** (T2AL)' });
    expect(edited.data.post.bodyHtml).toContain('<strong>F2 fuse</strong>');
    expect(edited.data.post.editedAt).not.toBeNull();
    await call(ctx.app, 'PATCH', `/posts/${post.id}`, { token: author.token, body: { body: 'Third version' } });
    const revisions = await call(ctx.app, 'GET', `/posts/${post.id}/revisions`);
    expect(revisions.statusCode).toBe(200);
    expect(revisions.data.revisions.map((r: any) => r.bodyMarkdown)).toEqual(['Replace the **F2 fuse** (T2AL)', 'Replace the **fuse**']);
    expect(revisions.data.revisions[0].editor).toMatchObject({ id: author.user.id, username: author.user.username });
    expect((await threadPage(thread.id)).posts[1].bodyMarkdown).toBe('Third version');
  });

  it('lets a moderator edit, refuses anyone else, and refuses bad bodies', async () => {
    const author = await registerUser(ctx.app);
    const other = await registerUser(ctx.app);
    const mod = await registerUser(ctx.app);
    await setRole(ctx.app, mod.user.id, 'moderator');
    const { thread } = await createThread(ctx.app, author.token);
    const post = await reply(ctx.app, author.token, thread.id, 'original');
    expectError(await call(ctx.app, 'PATCH', `/posts/${post.id}`, { token: other.token, body: { body: 'hijack' } }), 403, 'forbidden');
    expectError(await call(ctx.app, 'PATCH', `/posts/${post.id}`, { body: { body: 'anon' } }), 401, 'unauthenticated');
    expectError(await call(ctx.app, 'PATCH', `/posts/${post.id}`, { token: author.token, body: { body: '' } }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'PATCH', `/posts/${post.id}`, { token: author.token, body: { body: 5 } }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'PATCH', '/posts/99999999', { token: author.token, body: { body: 'x' } }), 404, 'not_found');
    const byMod = await call(ctx.app, 'PATCH', `/posts/${post.id}`, { token: mod.token, body: { body: 'tidied by a moderator' } });
    expect(byMod.statusCode).toBe(200);
    const revisions = (await call(ctx.app, 'GET', `/posts/${post.id}/revisions`)).data.revisions;
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({ bodyMarkdown: 'original', editor: { id: mod.user.id } });
  });
});

describe('DELETE /api/v1/posts/:id', () => {
  it('soft-deletes: the post keeps its place with empty bodies, replies stay', async () => {
    const author = await registerUser(ctx.app);
    const other = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, author.token);
    const doomed = await reply(ctx.app, author.token, thread.id, 'wrong advice');
    const child = await reply(ctx.app, other.token, thread.id, 'that is wrong', doomed.id);
    expectError(await call(ctx.app, 'DELETE', `/posts/${doomed.id}`, { token: other.token }), 403, 'forbidden');
    expect((await call(ctx.app, 'DELETE', `/posts/${doomed.id}`, { token: author.token })).statusCode).toBe(204);
    const page = await threadPage(thread.id);
    expect(page.posts.map((p: any) => p.id)).toEqual([page.posts[0].id, doomed.id, child.id]);
    expect(page.posts[1]).toMatchObject({ deleted: true, bodyMarkdown: '', bodyHtml: '' });
    expect(page.posts[2]).toMatchObject({ deleted: false, parentId: doomed.id });
    expectError(await call(ctx.app, 'DELETE', `/posts/${doomed.id}`, { token: author.token }), 404, 'not_found');
    expectError(await call(ctx.app, 'PATCH', `/posts/${doomed.id}`, { token: author.token, body: { body: 'x' } }), 404, 'not_found');
    expectError(await call(ctx.app, 'GET', `/posts/${doomed.id}/revisions`), 404, 'not_found');
  });
});

describe('POST /api/v1/posts/:id/vote', () => {
  it('keeps one vote per user and post and moves the score by the difference', async () => {
    const author = await registerUser(ctx.app);
    const voter = await registerUser(ctx.app);
    const { thread, post: op } = await createThread(ctx.app, author.token);
    const answer = await reply(ctx.app, author.token, thread.id, 'an answer');
    const vote = (value: unknown, id = answer.id, token = voter.token) =>
      call(ctx.app, 'POST', `/posts/${id}/vote`, { token, body: { value } });
    expect((await vote(1)).data).toEqual({ score: 1, myVote: 1 });
    expect((await vote(1)).data).toEqual({ score: 1, myVote: 1 });
    expect((await vote(-1)).data).toEqual({ score: -1, myVote: -1 });
    expect((await vote(0)).data).toEqual({ score: 0, myVote: 0 });
    expect((await vote(1, op.id)).data).toEqual({ score: 1, myVote: 1 });
    expect((await threadPage(thread.id)).thread.score).toBe(1);
    for (const bad of [2, -2, 0.5, '1', null]) expectError(await vote(bad), 400, 'validation_failed');
    expectError(await vote(1, answer.id, author.token), 403, 'forbidden');
    expectError(await call(ctx.app, 'POST', `/posts/${answer.id}/vote`, { body: { value: 1 } }), 401, 'unauthenticated');
    expectError(await vote(1, '99999999'), 404, 'not_found');
  });

  it('stays exact with 40 replies and votes landing at once', async () => {
    const author = await registerUser(ctx.app);
    const voters = await Promise.all(Array.from({ length: 20 }, () => registerUser(ctx.app)));
    const { thread, post: op } = await createThread(ctx.app, author.token);
    const writes = [
      ...voters.map((v) => call(ctx.app, 'POST', `/posts/${op.id}/vote`, { token: v.token, body: { value: 1 } })),
      ...voters.map((v, i) => call(ctx.app, 'POST', `/threads/${thread.id}/posts`, { token: v.token, body: { body: `reply ${i}` } }))
    ];
    const results = await Promise.all(writes);
    expect(results.filter((r) => r.statusCode >= 300).map((r) => r.body)).toEqual([]);
    const page = await threadPage(thread.id);
    expect(page.thread.score).toBe(20);
    expect(page.posts[0].score).toBe(20);
    expect(page.thread.replyCount).toBe(20);
    expect(page.posts).toHaveLength(21);
  });
});

describe('POST /api/v1/threads/:id/solution', () => {
  it('accepts one answer at a time, moves it, clears it, and shows up in the solved sort', async () => {
    const asker = await registerUser(ctx.app);
    const helper = await registerUser(ctx.app, { profession: 'CE' });
    const { thread } = await createThread(ctx.app, asker.token, { kind: 'question', board: 'ce' });
    const a = await reply(ctx.app, helper.token, thread.id, 'reseat the connector');
    const b = await reply(ctx.app, helper.token, thread.id, 'or replace the sensor');
    const set = (postId: unknown, token = asker.token) =>
      call(ctx.app, 'POST', `/threads/${thread.id}/solution`, { token, body: { postId } });
    const first = await set(a.id);
    expect(first.statusCode).toBe(200);
    expect(first.data.thread).toMatchObject({ solved: true, solutionPostId: a.id });
    const moved = await set(b.id);
    expect(moved.data.thread.solutionPostId).toBe(b.id);
    const page = await threadPage(thread.id);
    expect(page.posts.filter((p: any) => p.isSolution).map((p: any) => p.id)).toEqual([b.id]);
    const solved = await call(ctx.app, 'GET', '/boards/ce/threads?sort=solved');
    expect(solved.data.threads.map((t: any) => t.id)).toContain(thread.id);
    const cleared = await set(null);
    expect(cleared.data.thread).toMatchObject({ solved: false, solutionPostId: null });
  });

  it('refuses discussions, foreign or deleted posts, the question itself, and strangers', async () => {
    const asker = await registerUser(ctx.app);
    const stranger = await registerUser(ctx.app);
    const question = await createThread(ctx.app, asker.token, { kind: 'question' });
    const discussion = await createThread(ctx.app, asker.token, { kind: 'discussion' });
    const answer = await reply(ctx.app, stranger.token, question.thread.id, 'answer');
    const elsewhere = await reply(ctx.app, stranger.token, discussion.thread.id, 'elsewhere');
    const set = (threadId: string, postId: unknown, token = asker.token) =>
      call(ctx.app, 'POST', `/threads/${threadId}/solution`, { token, body: { postId } });
    expectError(await set(discussion.thread.id, elsewhere.id), 400, 'validation_failed');
    expectError(await set(question.thread.id, elsewhere.id), 400, 'validation_failed');
    expectError(await set(question.thread.id, question.post.id), 400, 'validation_failed');
    expectError(await set(question.thread.id, 'zzz'), 400, 'validation_failed');
    expectError(await set(question.thread.id, 42 as unknown), 400, 'validation_failed');
    expectError(await set(question.thread.id, answer.id, stranger.token), 403, 'forbidden');
    expectError(await set('99999999', answer.id), 404, 'not_found');
    expect((await threadPage(question.thread.id)).thread.solved).toBe(false);

    expect((await set(question.thread.id, answer.id)).statusCode).toBe(200);
    await call(ctx.app, 'DELETE', `/posts/${answer.id}`, { token: stranger.token });
    expect((await threadPage(question.thread.id)).thread).toMatchObject({ solved: false, solutionPostId: null });
  });
});

describe('board sorts', () => {
  it('orders top by score and lists unanswered threads only', async () => {
    const author = await registerUser(ctx.app);
    const voter = await registerUser(ctx.app);
    const low = await createThread(ctx.app, author.token, { board: 'bme', title: 'Low scored thread' });
    const high = await createThread(ctx.app, author.token, { board: 'bme', title: 'High scored thread' });
    await call(ctx.app, 'POST', `/posts/${high.post.id}/vote`, { token: voter.token, body: { value: 1 } });
    await call(ctx.app, 'POST', `/posts/${low.post.id}/vote`, { token: voter.token, body: { value: -1 } });
    await reply(ctx.app, voter.token, low.thread.id, 'answered');
    const top = (await call(ctx.app, 'GET', '/boards/bme/threads?sort=top')).data.threads.map((t: any) => t.id);
    expect(top.indexOf(high.thread.id)).toBeLessThan(top.indexOf(low.thread.id));
    const unanswered = (await call(ctx.app, 'GET', '/boards/bme/threads?sort=unanswered')).data.threads.map((t: any) => t.id);
    expect(unanswered).toContain(high.thread.id);
    expect(unanswered).not.toContain(low.thread.id);
  });
});
