import { beforeAll, describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, setRole, useApp } from './helper.ts';

/** Board moderators act, and read the log, within their boards; admins and global moderators everywhere. */
const ctx = useApp();

type U = Awaited<ReturnType<typeof registerUser>>;
let admin: U;
let globalMod: U;
let bmetMod: U;

const log = async (token: string) => (await call(ctx.app, 'GET', '/mod/log?limit=200', { token })).data.entries as any[];
const inFuture = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

beforeAll(async () => {
  admin = await registerUser(ctx.app);
  globalMod = await registerUser(ctx.app);
  bmetMod = await registerUser(ctx.app);
  await setRole(ctx.app, admin.user.id, 'admin');
  await setRole(ctx.app, globalMod.user.id, 'moderator');
  const res = await call(ctx.app, 'PUT', '/admin/boards/bmet/moderators', {
    token: admin.token,
    body: { usernames: [bmetMod.user.username] }
  });
  expect(res.statusCode).toBe(200);
});

describe('GET /api/v1/mod/log for a board moderator', () => {
  it('lists the entries of their boards only; admins read them all', async () => {
    const member = await registerUser(ctx.app);
    const onBmet = await createThread(ctx.app, member.token, { board: 'bmet', title: 'Pump on the BMET board' });
    const onCe = await createThread(ctx.app, member.token, { board: 'ce', title: 'Analyzer on the CE board' });
    await call(ctx.app, 'POST', `/threads/${onBmet.thread.id}/lock`, { token: admin.token, body: { locked: true } });
    await call(ctx.app, 'DELETE', `/threads/${onCe.thread.id}`, { token: admin.token, body: { reason: 'spam' } });
    const other = await registerUser(ctx.app);
    await call(ctx.app, 'POST', `/users/${other.user.username}/suspend`, {
      token: admin.token,
      body: { until: inFuture(1), reason: 'site-wide' }
    });

    const mine = await log(bmetMod.token);
    const threadsIn = (entries: any[]) => entries.filter((e) => e.targetType === 'thread').map((e) => e.targetId);
    expect(threadsIn(mine)).toContain(onBmet.thread.id);
    expect(threadsIn(mine)).not.toContain(onCe.thread.id);
    expect(mine.some((e) => e.targetType === 'user' && e.targetId === other.user.id)).toBe(false);
    expect(mine.every((e) => e.boardSlug === 'bmet')).toBe(true);

    const all = await log(admin.token);
    expect(threadsIn(all)).toEqual(expect.arrayContaining([onBmet.thread.id, onCe.thread.id]));
    expect(all.find((e) => e.targetType === 'thread' && e.targetId === onCe.thread.id).boardSlug).toBe('ce');
    expect(all.find((e) => e.targetType === 'user' && e.targetId === other.user.id).boardSlug).toBeNull();
    expect((await log(globalMod.token)).length).toBe(all.length);
  });
});

describe('suspensions by a board moderator', () => {
  it('suspend from their boards only: no writes there, writes elsewhere, shown on /me; a global moderator lifts everything', async () => {
    const member = await registerUser(ctx.app);
    const asker = await registerUser(ctx.app);
    const bmetThread = await createThread(ctx.app, asker.token, { board: 'bmet' });
    const bmetPost = await reply(ctx.app, asker.token, bmetThread.thread.id, 'answer to vote on');
    const mine = await reply(ctx.app, member.token, bmetThread.thread.id, 'my own reply before the suspension');

    const res = await call(ctx.app, 'POST', `/users/${member.user.username}/suspend`, {
      token: bmetMod.token,
      body: { until: inFuture(3), reason: 'off-topic sales posts' }
    });
    expect(res.statusCode).toBe(200);
    expect(res.data.suspension).toBeNull();
    expect(res.data.boardSuspensions).toEqual([expect.objectContaining({ boardSlug: 'bmet', reason: 'off-topic sales posts' })]);

    for (const [method, path, body] of [
      ['POST', '/boards/bmet/threads', { title: 'Selling refurbished pumps', body: 'Cheap.' }],
      ['POST', `/threads/${bmetThread.thread.id}/posts`, { body: 'still here' }],
      ['PATCH', `/posts/${mine.id}`, { body: 'edited while suspended' }],
      ['POST', `/posts/${bmetPost.id}/vote`, { value: 1 }],
      ['POST', `/posts/${bmetPost.id}/report`, { reason: 'spam' }]
    ] as const) {
      expectError(await call(ctx.app, method, path, { token: member.token, body }), 403, 'suspended');
    }
    // Elsewhere the member writes as before, and is not suspended site-wide.
    expect(
      (await call(ctx.app, 'POST', '/boards/ce/threads', { token: member.token, body: { title: 'A CE question', body: 'Hello' } }))
        .statusCode
    ).toBe(201);
    const me = await call(ctx.app, 'GET', '/me', { token: member.token });
    expect(me.data.suspension).toBeUndefined();
    expect(me.data.boardSuspensions).toEqual([expect.objectContaining({ boardSlug: 'bmet' })]);

    const entries = (await log(bmetMod.token)).filter((e) => e.targetType === 'user' && e.targetId === member.user.id);
    expect(entries.map((e) => [e.action, e.boardSlug])).toEqual([['user.suspend', 'bmet']]);

    // The board moderator cannot suspend a moderator, and sees only their boards' suspensions.
    expectError(
      await call(ctx.app, 'POST', `/users/${globalMod.user.username}/suspend`, {
        token: bmetMod.token,
        body: { until: inFuture(1), reason: 'x' }
      }),
      403,
      'forbidden'
    );
    const lifted = await call(ctx.app, 'DELETE', `/users/${member.user.username}/suspend`, { token: globalMod.token });
    expect(lifted.statusCode).toBe(200);
    expect(lifted.data.boardSuspensions).toEqual([]);
    expectError(await call(ctx.app, 'DELETE', `/users/${member.user.username}/suspend`, { token: bmetMod.token }), 409, 'conflict');
    expect(
      (await call(ctx.app, 'POST', `/threads/${bmetThread.thread.id}/posts`, { token: member.token, body: { body: 'back' } })).statusCode
    ).toBe(201);
  });

  it('resolving a report with suspend_author suspends from the moderator’s boards, not site-wide', async () => {
    const spammer = await registerUser(ctx.app);
    const reporter = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, spammer.token, { board: 'bmet', title: 'Buy cheap probes here' });
    const post = await reply(ctx.app, spammer.token, thread.id, 'cheap probes, visit my site');
    const report = await call(ctx.app, 'POST', `/posts/${post.id}/report`, { token: reporter.token, body: { reason: 'spam' } });
    const resolved = await call(ctx.app, 'POST', `/mod/reports/${report.data.report.id}/resolve`, {
      token: bmetMod.token,
      body: { resolution: 'suspend_author' }
    });
    expect(resolved.statusCode).toBe(200);
    const state = await call(ctx.app, 'GET', `/users/${spammer.user.username}/suspension`, { token: admin.token });
    expect(state.data.suspension).toBeNull();
    expect(state.data.boardSuspensions.map((b: any) => b.boardSlug)).toEqual(['bmet']);
  });
});

describe('moderator actions that were not logged', () => {
  it('logs a moderator’s edit of someone else’s post, accepting an answer and replying in a locked thread; not the author’s own', async () => {
    const asker = await registerUser(ctx.app);
    const helper = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token, { board: 'bmet', kind: 'question', title: 'Defib analyzer reads low' });
    const answer = await reply(ctx.app, helper.token, thread.id, 'Recalibrate the load.');
    await call(ctx.app, 'PATCH', `/posts/${answer.id}`, { token: helper.token, body: { body: 'Recalibrate the 50 ohm load.' } });
    expect(
      (await call(ctx.app, 'PATCH', `/posts/${answer.id}`, { token: bmetMod.token, body: { body: 'Recalibrate the 50 Ω load.' } }))
        .statusCode
    ).toBe(200);
    expect(
      (await call(ctx.app, 'POST', `/threads/${thread.id}/solution`, { token: bmetMod.token, body: { postId: answer.id } })).statusCode
    ).toBe(200);
    await call(ctx.app, 'POST', `/threads/${thread.id}/lock`, { token: bmetMod.token, body: { locked: true } });
    const late = await reply(ctx.app, bmetMod.token, thread.id, 'Locked: solved.');

    const entries = await log(bmetMod.token);
    const about = (type: string, id: string) => entries.filter((e) => e.targetType === type && e.targetId === id).map((e) => e.action);
    expect(about('post', answer.id)).toEqual(['post.edit']);
    expect(about('thread', thread.id)).toEqual(['thread.lock', 'thread.solution']);
    expect(about('post', late.id)).toEqual(['post.reply_locked']);
    // The asker accepting their own question's answer is not a moderator action.
    await call(ctx.app, 'POST', `/threads/${thread.id}/solution`, { token: asker.token, body: { postId: null } });
    expect((await log(bmetMod.token)).filter((e) => e.targetId === thread.id && e.targetType === 'thread')).toHaveLength(2);
  });
});

describe('PUT /api/v1/admin/boards/:slug/moderators', () => {
  it('answers every one of several concurrent assignments without a 5xx, and ends with one of them', async () => {
    const candidates = await Promise.all([registerUser(ctx.app), registerUser(ctx.app), registerUser(ctx.app)]);
    const names = candidates.map((c) => c.user.username);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        call(ctx.app, 'PUT', '/admin/boards/bme/moderators', {
          token: admin.token,
          body: { usernames: i % 2 === 0 ? names : [names[0], names[0]] }
        })
      )
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(6).fill(200));
    const board = await call(ctx.app, 'GET', '/admin/boards', { token: admin.token });
    const bme = board.data.boards.find((b: any) => b.board.slug === 'bme') ?? board.data.boards.find((b: any) => b.slug === 'bme');
    expect(bme).toBeDefined();
  });
});
