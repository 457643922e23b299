import { describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, useApp } from './helper.ts';

const ctx = useApp();

const page = async (token: string | undefined, threadId: string, q = '') =>
  (await call(ctx.app, 'GET', `/threads/${threadId}${q}`, { token })).data;
const markRead = async (token: string, threadId: string, mark: string) =>
  call(ctx.app, 'POST', `/threads/${threadId}/read`, { token, body: { mark } });
const boardEntry = async (token: string | undefined, threadId: string) =>
  (await call(ctx.app, 'GET', '/boards/bmet/threads', { token })).data.threads.find((t: any) => t.id === threadId);

describe('read positions', () => {
  it('counts new replies since the last visit on lists and flags them in the thread', async () => {
    const asker = await registerUser(ctx.app);
    const reader = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token);
    const first = await reply(ctx.app, asker.token, thread.id, 'first detail');

    // Never opened: no count, and no post is flagged.
    expect((await boardEntry(reader.token, thread.id)).newReplies).toBeNull();
    const opened = await page(reader.token, thread.id);
    expect(opened.readState).toMatchObject({ lastReadSeq: -1 });
    expect(opened.posts.every((p: any) => p.unread === false)).toBe(true);
    expect((await markRead(reader.token, thread.id, opened.readState.mark)).data).toMatchObject({ lastReadSeq: 1, newReplies: 0 });
    expect((await boardEntry(reader.token, thread.id)).newReplies).toBe(0);

    const a = await reply(ctx.app, asker.token, thread.id, 'second', first.id);
    const b = await reply(ctx.app, asker.token, thread.id, 'third');
    expect((await boardEntry(reader.token, thread.id)).newReplies).toBe(2);
    // Anonymous lists carry no count at all.
    expect((await boardEntry(undefined, thread.id)).newReplies).toBeUndefined();

    const again = await page(reader.token, thread.id);
    expect(again.readState.newReplies).toBe(2);
    expect(again.posts.filter((p: any) => p.unread).map((p: any) => p.id)).toEqual([a.id, b.id]);
    await markRead(reader.token, thread.id, again.readState.mark);
    expect((await boardEntry(reader.token, thread.id)).newReplies).toBe(0);

    // One's own posts count as read.
    expect((await boardEntry(asker.token, thread.id)).newReplies).toBe(0);
  });

  it('opens at the first unread post in reading order, and a page marks only what it showed', async () => {
    const asker = await registerUser(ctx.app);
    const reader = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token);
    const early = await reply(ctx.app, asker.token, thread.id, 'early top-level reply');
    const later = await reply(ctx.app, asker.token, thread.id, 'later top-level reply');
    const seen = await page(reader.token, thread.id);
    await markRead(reader.token, thread.id, seen.readState.mark);

    // Two new replies: one at the end (seq 3), one nested under the early reply (seq 4), which
    // comes first in reading order.
    const atEnd = await reply(ctx.app, asker.token, thread.id, 'a third top-level reply');
    const nested = await reply(ctx.app, asker.token, thread.id, 'nested under early', early.id);
    const unread = await page(reader.token, thread.id, '?at=unread');
    expect(unread.startPostId).toBe(nested.id);
    expect(unread.posts.map((p: any) => p.id)).toEqual([nested.id, later.id, atEnd.id]);
    expect(unread.posts.map((p: any) => p.unread)).toEqual([true, false, true]);

    // A page of two from the start shows the opening post and `early` only: nothing moves.
    const partial = await page(reader.token, thread.id, '?limit=2');
    expect((await markRead(reader.token, thread.id, partial.readState.mark)).data).toMatchObject({ lastReadSeq: 2, newReplies: 2 });
    // The next page (nested, later) covers seq 4, but seq 3 is still unseen: the position stays.
    const next = await page(reader.token, thread.id, `?limit=2&cursor=${partial.nextCursor}`);
    expect(next.posts.map((p: any) => p.id)).toEqual([nested.id, later.id]);
    expect((await markRead(reader.token, thread.id, next.readState.mark)).data).toMatchObject({ lastReadSeq: 2, newReplies: 2 });
    // The page from the first unread to the end shows both: everything is read.
    expect((await markRead(reader.token, thread.id, unread.readState.mark)).data).toMatchObject({ lastReadSeq: 4, newReplies: 0 });
    // Never backwards: an old mark does not move the position back.
    expect((await markRead(reader.token, thread.id, seen.readState.mark)).data).toMatchObject({ lastReadSeq: 4, newReplies: 0 });
    // Nothing unread: at=unread is the first page.
    const none = await page(reader.token, thread.id, '?at=unread');
    expect(none.startPostId).toBeNull();
    expect(none.posts[0].depth).toBe(0);
  });

  it('addresses a post with ?at=, and refuses marks that are not this thread’s', async () => {
    const asker = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token);
    const other = await createThread(ctx.app, asker.token);
    const r1 = await reply(ctx.app, asker.token, thread.id, 'one');
    const r2 = await reply(ctx.app, asker.token, thread.id, 'two');
    const at = await page(undefined, thread.id, `?at=${r2.id}`);
    expect(at.startPostId).toBe(r2.id);
    expect(at.posts.map((p: any) => p.id)).toEqual([r2.id]);
    expect(at.readState).toBeUndefined();
    expectError(await call(ctx.app, 'GET', `/threads/${thread.id}?at=${other.post.id}`), 404, 'not_found');
    expectError(await call(ctx.app, 'GET', `/threads/${thread.id}?at=nonsense`), 404, 'not_found');

    const mine = await page(asker.token, thread.id);
    const theirs = await page(asker.token, other.thread.id);
    expectError(await markRead(asker.token, thread.id, theirs.readState.mark), 400, 'validation_failed');
    expectError(await markRead(asker.token, thread.id, 'bm90IGEgbWFyaw'), 400, 'validation_failed');
    expectError(await markRead(asker.token, thread.id, ''), 400, 'validation_failed');
    expectError(await call(ctx.app, 'POST', `/threads/${thread.id}/read`, { body: { mark: mine.readState.mark } }), 401, 'unauthenticated');
    void r1;
  });
});

describe('mentions added by an edit', () => {
  it('notify the newly mentioned once, not the ones already told or the editor', async () => {
    const author = await registerUser(ctx.app);
    const told = await registerUser(ctx.app);
    const added = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, author.token);
    const post = await reply(ctx.app, author.token, thread.id, `cc @${told.user.username}`);
    const edit = (body: string) => call(ctx.app, 'PATCH', `/posts/${post.id}`, { token: author.token, body: { body } });
    expect((await edit(`cc @${told.user.username} and @${added.user.username} and @${author.user.username}`)).statusCode).toBe(200);
    expect((await edit(`cc @${added.user.username} and @${told.user.username}, updated`)).statusCode).toBe(200);
    const mentionsOf = async (token: string) =>
      (await call(ctx.app, 'GET', '/notifications', { token })).data.notifications.filter((n: any) => n.type === 'mention');
    expect((await mentionsOf(told.token)).length).toBe(1);
    const forAdded = await mentionsOf(added.token);
    expect(forAdded.map((n: any) => [n.postId, n.actor.id, n.threadTitle])).toEqual([[post.id, author.user.id, thread.title]]);
    expect((await mentionsOf(author.token)).length).toBe(0);
  });
});
