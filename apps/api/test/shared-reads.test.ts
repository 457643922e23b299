import { describe, expect, it } from 'vitest';
import { call, createThread, registerUser, reply, setRole, useApp, useTwoInstances } from './helper.ts';

const ctx = useApp();

// The thread page's posts are loaded once and shared by every reader until a write
// (lib/shared-reads.ts); each member's own part (votes, position, level) is added per request.
describe('the thread page shared between readers', () => {
  it('gives each member their own votes and position over the one shared page, and anonymous readers none', async () => {
    const asker = await registerUser(ctx.app);
    const ann = await registerUser(ctx.app);
    const bob = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token);
    const answer = await reply(ctx.app, asker.token, thread.id, 'Reseat the pressure sensor door.');
    expect((await call(ctx.app, 'POST', `/posts/${answer.id}/vote`, { token: ann.token, body: { value: 1 } })).statusCode).toBe(200);
    expect((await call(ctx.app, 'POST', `/posts/${answer.id}/vote`, { token: bob.token, body: { value: -1 } })).statusCode).toBe(200);
    await call(ctx.app, 'PUT', `/threads/${thread.id}/subscription`, { token: bob.token, body: { level: 'watching' } });

    const hitsBefore = ctx.app.sharedReads.hits;
    const anonymous = await call(ctx.app, 'GET', `/threads/${thread.id}`);
    const asAnn = await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: ann.token });
    const asBob = await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: bob.token });
    // The second and third readers took the thread and its page from what the first loaded.
    expect(ctx.app.sharedReads.hits - hitsBefore).toBeGreaterThanOrEqual(4);
    const find = (res: typeof anonymous) => res.data.posts.find((p: { id: string }) => p.id === answer.id);
    expect(find(anonymous).score).toBe(0);
    expect(find(anonymous).myVote).toBeUndefined();
    expect(anonymous.data.subscription).toBeUndefined();
    expect(anonymous.data.readState).toBeUndefined();
    expect(find(asAnn).myVote).toBe(1);
    expect(find(asBob).myVote).toBe(-1);
    expect(asAnn.data.subscription).toBe('none');
    expect(asBob.data.subscription).toBe('watching');
    // The page did not keep one reader's part for the next: asking again in another order.
    expect(find(await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: bob.token })).myVote).toBe(-1);
    expect(find(await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: ann.token })).myVote).toBe(1);

    // Ann reads the page; Bob has not: only Ann's position moved.
    const mark = asAnn.data.readState.mark;
    expect((await call(ctx.app, 'POST', `/threads/${thread.id}/read`, { token: ann.token, body: { mark } })).statusCode).toBe(200);
    const again = await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: ann.token });
    expect(again.data.readState.newReplies).toBe(0);
    expect((await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: bob.token })).data.readState.lastReadSeq).toBe(-1);

    // Bob's reply notifies the asker: their page says so until they read it (the web app then
    // sends the read mark; with nothing new and nothing unseen it sends none).
    const before = await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: asker.token });
    expect(before.data.readState.unseenNotifications).toBe(false);
    await reply(ctx.app, bob.token, thread.id, 'Was it the upstream sensor?', answer.id);
    const notified = await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: asker.token });
    expect(notified.data.readState.unseenNotifications).toBe(true);
    // The reader's own notifications only: Bob, who wrote it, has none about the thread.
    expect((await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: bob.token })).data.readState.unseenNotifications).toBe(false);
    const read = await call(ctx.app, 'POST', `/threads/${thread.id}/read`, {
      token: asker.token,
      body: { mark: notified.data.readState.mark }
    });
    expect(read.statusCode).toBe(200);
    expect((await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: asker.token })).data.readState.unseenNotifications).toBe(false);
  });

  it('refuses a malformed cursor without keeping the refusal for the page it looks like', async () => {
    const asker = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token);
    for (const cursor of ['', 'X', 'W10', '%%%']) {
      const bad = await call(ctx.app, 'GET', `/threads/${thread.id}?cursor=${encodeURIComponent(cursor)}`);
      expect(bad.statusCode).toBe(400);
      expect(bad.data.error.code).toBe('validation_failed');
      const first = await call(ctx.app, 'GET', `/threads/${thread.id}`);
      expect(first.statusCode).toBe(200);
      expect(first.data.posts).toHaveLength(1);
    }
  });

  it('shows every write to the next reader at once: a reply, an edit, a vote, a deletion', async () => {
    const asker = await registerUser(ctx.app);
    const voter = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token);
    const page = () => call(ctx.app, 'GET', `/threads/${thread.id}`);
    expect((await page()).data.posts).toHaveLength(1);
    const first = await reply(ctx.app, asker.token, thread.id, 'First guess: the door latch.');
    expect((await page()).data.posts.map((p: { id: string }) => p.id)).toContain(first.id);

    await call(ctx.app, 'PATCH', `/posts/${first.id}`, { token: asker.token, body: { body: 'Second guess: the upstream sensor.' } });
    const edited = (await page()).data.posts.find((p: { id: string }) => p.id === first.id);
    expect(edited.bodyHtml).toContain('upstream sensor');

    await call(ctx.app, 'POST', `/posts/${first.id}/vote`, { token: voter.token, body: { value: 1 } });
    expect((await page()).data.posts.find((p: { id: string }) => p.id === first.id).score).toBe(1);

    expect((await call(ctx.app, 'DELETE', `/posts/${first.id}`, { token: asker.token })).statusCode).toBe(204);
    expect((await page()).data.posts.find((p: { id: string }) => p.id === first.id).deleted).toBe(true);

    // A deleted thread: gone for readers at once, still there for the moderator who may restore it.
    const moderator = await registerUser(ctx.app);
    await setRole(ctx.app, moderator.user.id, 'moderator');
    expect((await call(ctx.app, 'DELETE', `/threads/${thread.id}`, { token: moderator.token })).statusCode).toBe(204);
    expect((await page()).statusCode).toBe(404);
    expect((await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: voter.token })).statusCode).toBe(404);
    const seen = await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: moderator.token });
    expect(seen.statusCode).toBe(200);
    expect(seen.data.thread.deleted).toBe(true);
  });
});

const url = process.env.DATABASE_URL;
describe.runIf(url !== undefined && url !== '')('two instances on one PostgreSQL', () => {
  const instances = useTwoInstances(url);

  it('drops the page one instance shares when a reply is written through the other', async () => {
    const { a, b, busA } = await instances();
    const asker = await registerUser(a);
    const engineer = await registerUser(b);
    const { thread } = await createThread(a, asker.token);
    // A keeps the page (asked twice: the second from what A kept).
    await call(a, 'GET', `/threads/${thread.id}`, { token: asker.token });
    const hits = a.sharedReads.hits;
    expect((await call(a, 'GET', `/threads/${thread.id}`, { token: asker.token })).data.posts).toHaveLength(1);
    expect(a.sharedReads.hits).toBeGreaterThan(hits);

    const post = await reply(b, engineer.token, thread.id, 'Written on instance B: check the door sensor.');
    // The bus tells A within moments; A then shows the reply.
    const deadline = Date.now() + 5_000;
    let ids: string[] = [];
    while (Date.now() < deadline) {
      ids = (await call(a, 'GET', `/threads/${thread.id}`, { token: asker.token })).data.posts.map((p: { id: string }) => p.id);
      if (ids.includes(post.id)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(ids).toContain(post.id);

    // A's bus goes deaf and a reply lands meanwhile: once A listens again it drops what it kept.
    await call(a, 'GET', `/threads/${thread.id}`, { token: asker.token });
    busA.dropConnection();
    const unheard = await reply(b, engineer.token, thread.id, 'Written while A could not hear the bus.');
    const until = Date.now() + 15_000;
    ids = [];
    while (Date.now() < until) {
      ids = (await call(a, 'GET', `/threads/${thread.id}`, { token: asker.token })).data.posts.map((p: { id: string }) => p.id);
      if (ids.includes(unheard.id)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ids).toContain(unheard.id);
  });
});
