import { describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, useApp } from './helper.ts';

const ctx = useApp();
const types = async (token: string) =>
  (await call(ctx.app, 'GET', '/notifications', { token })).data.notifications.map((n: any) => [n.type, n.postId]);

describe('watching threads, boards and models', () => {
  it('gives the reader’s level and the board’s name with the thread page itself', async () => {
    const asker = await registerUser(ctx.app);
    const reader = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token);
    const page = async (token?: string) => (await call(ctx.app, 'GET', `/threads/${thread.id}`, token === undefined ? {} : { token })).data;
    const boards = (await call(ctx.app, 'GET', '/boards')).data.boards;
    const board = boards.find((b: any) => b.slug === 'bmet');
    expect((await page()).board).toEqual({ slug: 'bmet', name: board.name });
    expect((await page()).subscription).toBeUndefined();
    expect((await page(asker.token)).subscription).toBe('watching');
    expect((await page(reader.token)).subscription).toBe('none');
    await call(ctx.app, 'PUT', `/threads/${thread.id}/subscription`, { token: reader.token, body: { level: 'muted' } });
    const muted = await page(reader.token);
    expect(muted.subscription).toBe('muted');
    expect(muted.subscription).toBe((await call(ctx.app, 'GET', `/threads/${thread.id}/subscription`, { token: reader.token })).data.level);
    expect(muted.readState.lastReadSeq).toBe(-1);
  });

  it('watches threads one writes in, and a mute silences replies but not mentions', async () => {
    const asker = await registerUser(ctx.app);
    const helper = await registerUser(ctx.app);
    const third = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token);
    await reply(ctx.app, helper.token, thread.id, 'first');
    const second = await reply(ctx.app, third.token, thread.id, 'second');
    // The helper replied once, so watches now: hears of the third user's reply too.
    expect(await types(helper.token)).toEqual([['reply', second.id]]);

    expect((await call(ctx.app, 'GET', `/threads/${thread.id}/subscription`, { token: helper.token })).data).toEqual({ level: 'watching' });
    const mute = await call(ctx.app, 'PUT', `/threads/${thread.id}/subscription`, { token: helper.token, body: { level: 'muted' } });
    expect(mute.data).toEqual({ level: 'muted' });
    await reply(ctx.app, third.token, thread.id, 'third');
    const mention = await reply(ctx.app, third.token, thread.id, `@${helper.user.username} look`);
    expect(await types(helper.token)).toEqual([
      ['mention', mention.id],
      ['reply', second.id]
    ]);
    // Writing again does not undo a mute.
    await reply(ctx.app, helper.token, thread.id, 'still muted');
    await reply(ctx.app, third.token, thread.id, 'fourth');
    expect((await types(helper.token))[0]).toEqual(['mention', mention.id]);
  });

  it('tells watchers of a board or a model of each new thread there', async () => {
    const watcher = await registerUser(ctx.app);
    const author = await registerUser(ctx.app);
    expect((await call(ctx.app, 'PUT', '/boards/ce/watch', { token: watcher.token, body: { watching: true } })).data).toEqual({
      watching: true
    });
    const onBoard = await createThread(ctx.app, author.token, { board: 'ce' });
    expect(await types(watcher.token)).toEqual([['new_thread', onBoard.post.id]]);

    await createThread(ctx.app, author.token, { board: 'bme', equipment: { manufacturer: 'Mindray', model: 'BeneView T5' } });
    const watch = await call(ctx.app, 'PUT', '/equipment/models/mindray/beneview-t5/watch', {
      token: watcher.token,
      body: { watching: true }
    });
    expect(watch.data).toEqual({ watching: true });
    const onModel = await createThread(ctx.app, author.token, {
      board: 'bme',
      equipment: { manufacturer: 'mindray', model: 'BeneView T5' }
    });
    expect((await types(watcher.token))[0]).toEqual(['new_thread', onModel.post.id]);

    const watches = (await call(ctx.app, 'GET', '/me/watches', { token: watcher.token })).data;
    expect(watches.boards).toEqual([{ slug: 'ce', name: 'Clinical Engineering' }]);
    expect(watches.models).toEqual([{ manufacturerSlug: 'mindray', slug: 'beneview-t5', name: 'BeneView T5', manufacturer: 'Mindray' }]);

    await call(ctx.app, 'PUT', '/boards/ce/watch', { token: watcher.token, body: { watching: false } });
    await createThread(ctx.app, author.token, { board: 'ce', title: 'Not heard of' });
    expect((await types(watcher.token))[0]).toEqual(['new_thread', onModel.post.id]);
  });

  it('refuses bad input and anonymous callers', async () => {
    const { token } = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, token);
    expectError(await call(ctx.app, 'PUT', `/threads/${thread.id}/subscription`, { body: { level: 'muted' } }), 401, 'unauthenticated');
    expectError(
      await call(ctx.app, 'PUT', `/threads/${thread.id}/subscription`, { token, body: { level: 'loud' } }),
      400,
      'validation_failed'
    );
    expectError(await call(ctx.app, 'PUT', '/threads/999999/subscription', { token, body: { level: 'muted' } }), 404, 'not_found');
    expectError(await call(ctx.app, 'PUT', '/boards/nope/watch', { token, body: { watching: true } }), 404, 'not_found');
    expectError(await call(ctx.app, 'PUT', '/boards/ce/watch', { token, body: { watching: 'yes' } }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'PUT', '/equipment/models/x/y/watch', { token, body: { watching: true } }), 404, 'not_found');
    expectError(await call(ctx.app, 'GET', '/me/watches'), 401, 'unauthenticated');
  });
});
