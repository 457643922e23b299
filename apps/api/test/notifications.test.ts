import { describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, useApp } from './helper.ts';

const ctx = useApp();

const list = async (token: string, q = '') => (await call(ctx.app, 'GET', `/notifications${q}`, { token })).data;

describe('notifications', () => {
  it('tells the asker and the replied-to of replies, and the mentioned, once each, in the same write', async () => {
    const asker = await registerUser(ctx.app);
    const engineer = await registerUser(ctx.app, { profession: 'CE' });
    const third = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token, { kind: 'question' });
    const answer = await reply(ctx.app, engineer.token, thread.id, `Check the door sensor, @${third.user.username} saw this too`);
    const followUp = await reply(ctx.app, third.token, thread.id, `Agreed, and @${asker.user.username} try a new set`, answer.id);

    const forAsker = await list(asker.token);
    expect(forAsker.unread).toBe(2);
    expect(forAsker.notifications.map((n: any) => [n.type, n.postId])).toEqual([
      ['reply', followUp.id],
      ['reply', answer.id]
    ]);
    expect(forAsker.notifications[1]).toMatchObject({ threadId: thread.id, actor: { id: engineer.user.id }, readAt: null });

    const forEngineer = await list(engineer.token);
    expect(forEngineer.notifications.map((n: any) => [n.type, n.postId])).toEqual([['reply', followUp.id]]);
    const forThird = await list(third.token);
    expect(forThird.notifications.map((n: any) => [n.type, n.postId])).toEqual([['mention', answer.id]]);
  });

  it('tells the answer author when the answer is accepted, not the asker who accepted', async () => {
    const asker = await registerUser(ctx.app);
    const helper = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token, { kind: 'question' });
    const answer = await reply(ctx.app, helper.token, thread.id, 'swap the battery');
    await call(ctx.app, 'POST', `/threads/${thread.id}/solution`, { token: asker.token, body: { postId: answer.id } });
    const types = (await list(helper.token)).notifications.map((n: any) => n.type);
    expect(types).toEqual(['solution']);
    expect((await list(asker.token)).notifications.map((n: any) => n.type)).toEqual(['reply']);
  });

  it('marks some or all read and keeps the unread count exact', async () => {
    const asker = await registerUser(ctx.app);
    const other = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token);
    for (let i = 0; i < 4; i++) await reply(ctx.app, other.token, thread.id, `reply ${i}`);
    const all = await list(asker.token);
    expect(all.unread).toBe(4);
    const [a, b] = all.notifications;
    const some = await call(ctx.app, 'POST', '/notifications/read', {
      token: asker.token,
      body: { ids: [a.id, b.id, a.id, '999999', 'junk'] }
    });
    expect(some.data).toEqual({ unread: 2 });
    const again = await call(ctx.app, 'POST', '/notifications/read', { token: asker.token, body: { ids: [a.id] } });
    expect(again.data).toEqual({ unread: 2 });
    const rest = await call(ctx.app, 'POST', '/notifications/read', { token: asker.token, body: { all: true } });
    expect(rest.data).toEqual({ unread: 0 });
    const after = await list(asker.token);
    expect(after.unread).toBe(0);
    expect(after.notifications.every((n: any) => n.readAt !== null)).toBe(true);
    // Someone else's notifications are not mine to mark.
    const theirs = (await list(other.token)).notifications;
    expect(theirs).toEqual([]);
  });

  it('pages newest first with a cursor', async () => {
    const asker = await registerUser(ctx.app);
    const other = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token);
    for (let i = 0; i < 5; i++) await reply(ctx.app, other.token, thread.id, `page reply ${i}`);
    const first = await list(asker.token, '?limit=2');
    const second = await list(asker.token, `?limit=2&cursor=${first.nextCursor}`);
    const third = await list(asker.token, `?limit=2&cursor=${second.nextCursor}`);
    const ids = [...first.notifications, ...second.notifications, ...third.notifications].map((n: any) => Number(n.id));
    expect(ids).toHaveLength(5);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);
    expect(third.nextCursor).toBeNull();
  });

  it('needs a session and refuses bad bodies', async () => {
    expectError(await call(ctx.app, 'GET', '/notifications'), 401, 'unauthenticated');
    expectError(await call(ctx.app, 'POST', '/notifications/read', { body: { all: true } }), 401, 'unauthenticated');
    const { token } = await registerUser(ctx.app);
    expectError(await call(ctx.app, 'POST', '/notifications/read', { token, body: {} }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'POST', '/notifications/read', { token, body: { ids: 'x' } }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'POST', '/notifications/read', { token, body: { all: 'yes' } }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', '/notifications?cursor=zzz', { token }), 400, 'validation_failed');
  });
});

describe('notifications clear as the thread is read', () => {
  const markRead = (token: string, threadId: string, mark: string) =>
    call(ctx.app, 'POST', `/threads/${threadId}/read`, { token, body: { mark } });

  it('says the first line of the reply, and reading the posts clears their notifications with the count', async () => {
    const asker = await registerUser(ctx.app);
    const helper = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token, { kind: 'question' });
    const other = await createThread(ctx.app, asker.token, { kind: 'question' });
    await reply(ctx.app, helper.token, thread.id, '## Check the **door sensor** first\n\nThen the [transducer](https://example.org/x).');
    await reply(ctx.app, helper.token, thread.id, `![photo](/api/v1/uploads/abc)\n${'Long words '.repeat(30)}`);
    await reply(ctx.app, helper.token, other.thread.id, 'In the other thread');
    const before = await list(asker.token);
    expect(before.unread).toBe(3);
    const excerpts = before.notifications.map((n: any) => n.excerpt);
    expect(excerpts[0]).toBe('In the other thread');
    expect(excerpts[1].length).toBeLessThanOrEqual(140);
    expect(excerpts[1]).toMatch(/^Long words .*…$/);
    expect(excerpts[2]).toBe('Check the door sensor first');

    // The asker opens the thread: its two replies are read, the other thread's is not.
    const page = (await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: asker.token })).data;
    const marked = await markRead(asker.token, thread.id, page.readState.mark);
    expect(marked.data.unreadNotifications).toBe(1);
    const after = await list(asker.token);
    expect(after.unread).toBe(1);
    expect(after.notifications.filter((n: any) => n.readAt === null).map((n: any) => n.threadId)).toEqual([other.thread.id]);

    // A reply that arrives after the page was read stays unread until it is read too.
    await reply(ctx.app, helper.token, thread.id, 'One more thing');
    expect((await markRead(asker.token, thread.id, page.readState.mark)).data.unreadNotifications).toBe(2);
    const again = (await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: asker.token })).data;
    expect((await markRead(asker.token, thread.id, again.readState.mark)).data.unreadNotifications).toBe(1);
  });
});
