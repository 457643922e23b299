import { beforeAll, describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, setRole, useApp } from './helper.ts';

const ctx = useApp();

type U = Awaited<ReturnType<typeof registerUser>>;
let admin: U;
let globalMod: U;
let bmetMod: U;

const logEntries = async (token = admin.token) => (await call(ctx.app, 'GET', '/mod/log?limit=200', { token })).data.entries as any[];
const logFor = async (targetType: string, targetId: string) =>
  (await logEntries()).filter((e) => e.targetType === targetType && e.targetId === targetId);
const notificationsOf = async (token: string) => (await call(ctx.app, 'GET', '/notifications', { token })).data.notifications as any[];

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
  expect(res.data.moderators.map((m: any) => m.username)).toEqual([bmetMod.user.username]);
});

describe('locking, pinning and moving threads', () => {
  it('locks a thread against members but not its moderators, and logs each change once', async () => {
    const member = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, member.token);
    const lock = await call(ctx.app, 'POST', `/threads/${thread.id}/lock`, {
      token: bmetMod.token,
      body: { locked: true, reason: 'off the rails' }
    });
    expect(lock.statusCode).toBe(200);
    expect(lock.data.thread.locked).toBe(true);
    expectError(
      await call(ctx.app, 'POST', `/threads/${thread.id}/posts`, { token: member.token, body: { body: 'but wait' } }),
      403,
      'thread_locked'
    );
    expect(
      (
        await call(ctx.app, 'POST', `/threads/${thread.id}/posts`, {
          token: bmetMod.token,
          body: { body: 'Locked: see the service manual.' }
        })
      ).statusCode
    ).toBe(201);
    // Locking a locked thread changes nothing and logs nothing.
    await call(ctx.app, 'POST', `/threads/${thread.id}/lock`, { token: bmetMod.token, body: { locked: true } });
    const entries = await logFor('thread', thread.id);
    expect(entries.map((e) => [e.action, e.actor.username, e.reason])).toEqual([['thread.lock', bmetMod.user.username, 'off the rails']]);
    expect(entries[0].target).toEqual({ label: thread.title, threadId: thread.id, postId: null, username: null, boardSlug: null });

    const pin = await call(ctx.app, 'POST', `/threads/${thread.id}/pin`, { token: globalMod.token, body: { pinned: true } });
    expect(pin.data.thread.pinned).toBe(true);
    const first = (await call(ctx.app, 'GET', '/boards/bmet/threads')).data.threads[0];
    expect(first.id).toBe(thread.id);
  });

  it('moves a thread with its counts; unknown boards and boards one does not moderate are refused', async () => {
    const member = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, member.token);
    await reply(ctx.app, member.token, thread.id, 'more detail');
    const boards = async () =>
      Object.fromEntries((await call(ctx.app, 'GET', '/boards')).data.boards.map((b: any) => [b.slug, [b.threadCount, b.postCount]]));
    const before = await boards();

    expectError(
      await call(ctx.app, 'POST', `/threads/${thread.id}/move`, { token: globalMod.token, body: { boardSlug: 'nowhere' } }),
      400,
      'validation_failed'
    );
    expectError(
      await call(ctx.app, 'POST', `/threads/${thread.id}/move`, { token: bmetMod.token, body: { boardSlug: 'ce' } }),
      403,
      'forbidden'
    );
    expectError(
      await call(ctx.app, 'POST', `/threads/${thread.id}/move`, { token: member.token, body: { boardSlug: 'ce' } }),
      403,
      'forbidden'
    );
    expect(await logFor('thread', thread.id)).toEqual([]);
    expect(await boards()).toEqual(before);

    const moved = await call(ctx.app, 'POST', `/threads/${thread.id}/move`, {
      token: globalMod.token,
      body: { boardSlug: 'ce', reason: 'clinical engineering question' }
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.data.thread.boardSlug).toBe('ce');
    const after = await boards();
    expect(after.bmet).toEqual([before.bmet[0] - 1, before.bmet[1] - 2]);
    expect(after.ce).toEqual([before.ce[0] + 1, before.ce[1] + 2]);
    expect((await notificationsOf(member.token)).map((n) => n.type)).toContain('moderation');
    // The board moderator of bmet no longer moderates it.
    expectError(
      await call(ctx.app, 'POST', `/threads/${thread.id}/lock`, { token: bmetMod.token, body: { locked: true } }),
      403,
      'forbidden'
    );
  });

  it('deletes and restores a thread: gone from lists, tags and counts, back again, logged', async () => {
    const member = await registerUser(ctx.app);
    const tag = `t${Date.now().toString(36)}`;
    const { thread } = await createThread(ctx.app, member.token, { tags: [tag] });
    await reply(ctx.app, (await registerUser(ctx.app)).token, thread.id, 'an answer');
    // With replies, the author may not delete it.
    expectError(await call(ctx.app, 'DELETE', `/threads/${thread.id}`, { token: member.token }), 403, 'forbidden');
    expect((await call(ctx.app, 'DELETE', `/threads/${thread.id}`, { token: bmetMod.token, body: { reason: 'spam' } })).statusCode).toBe(
      204
    );
    expectError(await call(ctx.app, 'GET', `/threads/${thread.id}`), 404, 'not_found');
    expect((await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: bmetMod.token })).data.thread.deleted).toBe(true);
    expect((await call(ctx.app, 'GET', `/tags/${tag}/threads`)).data.threads).toEqual([]);
    expect((await call(ctx.app, 'GET', '/boards/bmet/threads?limit=200')).data.threads.some((t: any) => t.id === thread.id)).toBe(false);
    expectError(await call(ctx.app, 'POST', `/threads/${thread.id}/restore`, { token: member.token }), 403, 'forbidden');

    const restored = await call(ctx.app, 'POST', `/threads/${thread.id}/restore`, { token: bmetMod.token });
    expect(restored.statusCode).toBe(200);
    expect((await call(ctx.app, 'GET', `/tags/${tag}/threads`)).data.threads.map((t: any) => t.id)).toEqual([thread.id]);
    expectError(await call(ctx.app, 'POST', `/threads/${thread.id}/restore`, { token: bmetMod.token }), 409, 'conflict');
    expect((await logFor('thread', thread.id)).map((e) => e.action).sort()).toEqual(['thread.delete', 'thread.restore']);
  });
});

describe('reports', () => {
  it('files one open report per member and post, never on one’s own post, and queues it for the board', async () => {
    const author = await registerUser(ctx.app);
    const reporter = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, author.token);
    const post = await reply(ctx.app, author.token, thread.id, 'Buy cheap pumps at example.com');
    expectError(
      await call(ctx.app, 'POST', `/posts/${post.id}/report`, { token: author.token, body: { reason: 'spam' } }),
      403,
      'forbidden'
    );
    expectError(
      await call(ctx.app, 'POST', `/posts/${post.id}/report`, { token: reporter.token, body: { reason: 'rude' } }),
      400,
      'validation_failed'
    );
    expectError(await call(ctx.app, 'POST', `/posts/${post.id}/report`, { body: { reason: 'spam' } }), 401, 'unauthenticated');
    const filed = await call(ctx.app, 'POST', `/posts/${post.id}/report`, {
      token: reporter.token,
      body: { reason: 'spam', note: 'advert' }
    });
    expect(filed.statusCode).toBe(201);
    expect(filed.data.report).toMatchObject({
      reason: 'spam',
      note: 'advert',
      status: 'open',
      reporter: { id: reporter.user.id },
      post: { id: post.id }
    });
    expectError(
      await call(ctx.app, 'POST', `/posts/${post.id}/report`, { token: reporter.token, body: { reason: 'spam' } }),
      409,
      'conflict'
    );

    // A moderator's view of the member: their recent posts and the reports on them.
    const recent = (await call(ctx.app, 'GET', `/users/${author.user.username}/posts?limit=1`)).data;
    expect(recent.posts.map((p: any) => [p.post.id, p.thread.id])).toEqual([[post.id, thread.id]]);
    const older = (await call(ctx.app, 'GET', `/users/${author.user.username}/posts?limit=1&cursor=${recent.nextCursor}`)).data;
    expect(older.posts[0].post.depth).toBe(0);
    expect(older.nextCursor).toBeNull();
    const onAuthor = (await call(ctx.app, 'GET', `/mod/reports?status=all&author=${author.user.username}`, { token: globalMod.token })).data
      .reports;
    expect(onAuthor.map((r: any) => r.id)).toEqual([filed.data.report.id]);
    expect(
      (await call(ctx.app, 'GET', `/mod/reports?status=all&author=${reporter.user.username}`, { token: globalMod.token })).data.reports
    ).toEqual([]);
    expectError(await call(ctx.app, 'GET', '/mod/reports?author=nobody-at-all', { token: globalMod.token }), 400, 'validation_failed');

    const queue = async (token: string) =>
      (await call(ctx.app, 'GET', '/mod/reports?status=open&limit=200', { token })).data.reports as any[];
    expect((await queue(bmetMod.token)).map((r) => r.id)).toContain(filed.data.report.id);
    expectError(await call(ctx.app, 'GET', '/mod/reports', { token: reporter.token }), 403, 'forbidden');
    expectError(await call(ctx.app, 'GET', '/mod/reports?cursor=junk', { token: admin.token }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', '/mod/log?cursor=WzFd', { token: admin.token }), 400, 'validation_failed');
    // Paging the log: two pages of one entry each, newest first, no overlap.
    const one = (await call(ctx.app, 'GET', '/mod/log?limit=1', { token: admin.token })).data;
    const two = (await call(ctx.app, 'GET', `/mod/log?limit=1&cursor=${one.nextCursor}`, { token: admin.token })).data;
    expect(two.entries[0].id).not.toBe(one.entries[0].id);
    expect(Date.parse(two.entries[0].createdAt)).toBeLessThanOrEqual(Date.parse(one.entries[0].createdAt));
  });

  it('brings confirmed patient-data posts into the queue as phi reports, and delete_post purges them everywhere', async () => {
    const author = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, author.token);
    const first = await reply(ctx.app, author.token, thread.id, 'Monitor log attached, serial below.');
    const edited = await call(ctx.app, 'PATCH', `/posts/${first.id}`, {
      token: author.token,
      body: { body: 'Monitor log: Patient: Jane Doe, MRN 12345678', confirmNoPhi: true }
    });
    expect(edited.statusCode).toBe(200);
    const open = (await call(ctx.app, 'GET', '/mod/reports?limit=200', { token: globalMod.token })).data.reports as any[];
    const phi = open.find((r) => r.post.id === first.id);
    expect(phi).toMatchObject({ reason: 'phi', reporter: null, status: 'open', thread: { id: thread.id } });

    const resolved = await call(ctx.app, 'POST', `/mod/reports/${phi.id}/resolve`, {
      token: globalMod.token,
      body: { resolution: 'delete_post' }
    });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.data.report).toMatchObject({ status: 'resolved', resolution: 'delete_post', resolvedBy: { id: globalMod.user.id } });
    // Gone from every read path: the thread, the revisions (even for moderators), the post body.
    const page = (await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: admin.token })).data;
    const shown = page.posts.find((p: any) => p.id === first.id);
    expect(shown).toMatchObject({ deleted: true, bodyMarkdown: '', bodyHtml: '' });
    expect((await call(ctx.app, 'GET', `/posts/${first.id}/revisions`, { token: admin.token })).data.revisions).toEqual([]);
    expect(
      JSON.stringify((await call(ctx.app, 'GET', '/mod/reports?status=resolved&limit=200', { token: admin.token })).data)
    ).not.toContain('Jane Doe');
    const told = (await notificationsOf(author.token)).filter((n) => n.type === 'moderation');
    expect(told.map((n) => n.postId)).toEqual([first.id]);

    // Twice: refused, and logged once.
    expectError(
      await call(ctx.app, 'POST', `/mod/reports/${phi.id}/resolve`, { token: globalMod.token, body: { resolution: 'dismiss' } }),
      409,
      'conflict'
    );
    const [resolvedEntry] = await logFor('report', phi.id);
    expect(resolvedEntry).toMatchObject({
      action: 'report.delete_post',
      target: { postId: first.id, threadId: thread.id, label: thread.title }
    });
    expect((await logFor('report', phi.id)).length).toBe(1);
  });

  it('suspends the author through a report, within the moderator’s powers only', async () => {
    const author = await registerUser(ctx.app);
    const reporter = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, author.token, { board: 'ce' });
    const post = await reply(ctx.app, author.token, thread.id, 'abusive words');
    const filed = (await call(ctx.app, 'POST', `/posts/${post.id}/report`, { token: reporter.token, body: { reason: 'unsafe' } })).data
      .report;
    // A moderator of another board does not see it.
    expectError(
      await call(ctx.app, 'POST', `/mod/reports/${filed.id}/resolve`, { token: bmetMod.token, body: { resolution: 'dismiss' } }),
      404,
      'not_found'
    );
    const until = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const res = await call(ctx.app, 'POST', `/mod/reports/${filed.id}/resolve`, {
      token: globalMod.token,
      body: { resolution: 'suspend_author', until, reason: 'abuse' }
    });
    expect(res.statusCode).toBe(200);
    expectError(
      await call(ctx.app, 'POST', `/threads/${thread.id}/posts`, { token: author.token, body: { body: 'again' } }),
      403,
      'suspended'
    );
    expect((await call(ctx.app, 'GET', `/users/${author.user.username}/suspension`, { token: globalMod.token })).data.suspension).toEqual({
      until,
      reason: 'abuse'
    });
  });
});

describe('suspensions', () => {
  it('lets a suspended member read and log out, refuses every write, and lifts', async () => {
    const member = await registerUser(ctx.app);
    const { thread, post } = await createThread(ctx.app, member.token);
    const until = new Date(Date.now() + 86_400_000).toISOString();
    // A global moderator suspends site-wide (a board moderator only from their boards: moderation-scope.test.ts).
    const res = await call(ctx.app, 'POST', `/users/${member.user.username}/suspend`, {
      token: globalMod.token,
      body: { until, reason: 'flooding' }
    });
    expect(res.statusCode).toBe(200);
    expect(res.data.suspension).toEqual({ until, reason: 'flooding' });
    expect((await call(ctx.app, 'GET', `/threads/${thread.id}`, { token: member.token })).statusCode).toBe(200);
    expect((await call(ctx.app, 'GET', '/me', { token: member.token })).data.suspension).toEqual({ until, reason: 'flooding' });
    for (const [method, url, body] of [
      ['POST', '/boards/bmet/threads', { title: 'New question here', body: 'x' }],
      ['POST', `/threads/${thread.id}/posts`, { body: 'x' }],
      ['PATCH', `/posts/${post.id}`, { body: 'edited' }],
      ['PUT', `/threads/${thread.id}/subscription`, { level: 'muted' }]
    ] as const) {
      expectError(await call(ctx.app, method, url, { token: member.token, body }), 403, 'suspended');
    }
    expect((await call(ctx.app, 'POST', '/notifications/read', { token: member.token, body: { all: true } })).statusCode).toBe(200);

    // Not the board moderator's to lift: it is site-wide.
    expectError(await call(ctx.app, 'DELETE', `/users/${member.user.username}/suspend`, { token: bmetMod.token }), 409, 'conflict');
    const lifted = await call(ctx.app, 'DELETE', `/users/${member.user.username}/suspend`, { token: globalMod.token });
    expect(lifted.data.suspension).toBeNull();
    expect((await call(ctx.app, 'GET', '/me', { token: member.token })).data.suspension).toBeUndefined();
    expectError(await call(ctx.app, 'DELETE', `/users/${member.user.username}/suspend`, { token: globalMod.token }), 409, 'conflict');
    expect((await call(ctx.app, 'POST', `/threads/${thread.id}/posts`, { token: member.token, body: { body: 'back' } })).statusCode).toBe(
      201
    );
    const userEntries = await logFor('user', member.user.id);
    expect(userEntries.map((e) => [e.action, e.target.username])).toEqual([
      ['user.unsuspend', member.user.username],
      ['user.suspend', member.user.username]
    ]);
  });

  it('refuses to suspend admins, moderators (unless admin), oneself, or with a past date: nothing logged', async () => {
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const member = await registerUser(ctx.app);
    expectError(
      await call(ctx.app, 'POST', `/users/${admin.user.username}/suspend`, { token: globalMod.token, body: { until, reason: 'x' } }),
      403,
      'forbidden'
    );
    expectError(
      await call(ctx.app, 'POST', `/users/${bmetMod.user.username}/suspend`, { token: globalMod.token, body: { until, reason: 'x' } }),
      403,
      'forbidden'
    );
    expectError(
      await call(ctx.app, 'POST', `/users/${globalMod.user.username}/suspend`, { token: globalMod.token, body: { until, reason: 'x' } }),
      403,
      'forbidden'
    );
    expectError(
      await call(ctx.app, 'POST', `/users/${member.user.username}/suspend`, {
        token: globalMod.token,
        body: { until: '2001-01-01T00:00:00Z', reason: 'x' }
      }),
      400,
      'validation_failed'
    );
    expectError(
      await call(ctx.app, 'POST', `/users/${member.user.username}/suspend`, { token: globalMod.token, body: { until, reason: '' } }),
      400,
      'validation_failed'
    );
    expectError(
      await call(ctx.app, 'POST', `/users/${member.user.username}/suspend`, { token: member.token, body: { until, reason: 'x' } }),
      403,
      'forbidden'
    );
    expectError(
      await call(ctx.app, 'POST', '/users/nobody-here/suspend', { token: globalMod.token, body: { until, reason: 'x' } }),
      404,
      'not_found'
    );
    for (const u of [admin, bmetMod, globalMod, member]) expect(await logFor('user', u.user.id)).toEqual([]);
    // An admin may suspend a moderator.
    expect(
      (await call(ctx.app, 'POST', `/users/${bmetMod.user.username}/suspend`, { token: admin.token, body: { until, reason: 'review' } }))
        .statusCode
    ).toBe(200);
    expect((await call(ctx.app, 'DELETE', `/users/${bmetMod.user.username}/suspend`, { token: admin.token })).statusCode).toBe(200);
  });
});

describe('board administration', () => {
  it('creates, edits, reorders and archives boards; archived boards take no new threads', async () => {
    const slug = `pumps-${Date.now().toString(36)}`;
    const member = await registerUser(ctx.app);
    expectError(await call(ctx.app, 'POST', '/admin/boards', { token: globalMod.token, body: { slug, name: 'Pumps' } }), 403, 'forbidden');
    expectError(
      await call(ctx.app, 'POST', '/admin/boards', { token: admin.token, body: { slug: 'Bad Slug!', name: 'Pumps' } }),
      400,
      'validation_failed'
    );
    const created = await call(ctx.app, 'POST', '/admin/boards', {
      token: admin.token,
      body: { slug, name: 'Infusion pumps', description: 'Alaris, Sigma, Plum', roleTag: 'BMET' }
    });
    expect(created.statusCode).toBe(201);
    expectError(await call(ctx.app, 'POST', '/admin/boards', { token: admin.token, body: { slug, name: 'Again' } }), 409, 'conflict');
    const moved = await call(ctx.app, 'PATCH', `/admin/boards/${slug}`, {
      token: admin.token,
      body: { position: 0, name: 'Infusion pumps and PCA' }
    });
    expect(moved.data.board).toMatchObject({ name: 'Infusion pumps and PCA', position: 0 });
    await createThread(ctx.app, member.token, { board: slug });

    await call(ctx.app, 'PATCH', `/admin/boards/${slug}`, { token: admin.token, body: { archived: true } });
    expectError(
      await call(ctx.app, 'POST', `/boards/${slug}/threads`, { token: member.token, body: { title: 'Another pump question', body: 'x' } }),
      403,
      'forbidden'
    );
    expect((await call(ctx.app, 'GET', `/boards/${slug}`)).data.board.archived).toBe(true);
    expect((await logFor('board', created.data.board.slug)).length).toBe(0);
    const actions = (await logEntries()).filter((e) => e.targetType === 'board').map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['board.create', 'board.edit', 'board.archive', 'board.moderators']));
    expectError(await call(ctx.app, 'PATCH', '/admin/boards/nowhere', { token: admin.token, body: { name: 'x' } }), 404, 'not_found');
    expectError(
      await call(ctx.app, 'PUT', `/admin/boards/${slug}/moderators`, { token: admin.token, body: { usernames: ['no-such-user'] } }),
      400,
      'validation_failed'
    );
  });
});
