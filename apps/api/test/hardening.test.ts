import { slugify } from '@bmet/contracts';
import { describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, useApp } from './helper.ts';

const ctx = useApp();
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('tampered input never reaches SQL', () => {
  it('answers 400 for cursors of the right shape but impossible values', async () => {
    const { token } = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, token, { board: 'general', equipment: { manufacturer: 'Zoll', model: 'R Series' } });
    const bad = [
      `/boards/general/threads?cursor=${b64([false, 'notadate', 1])}`,
      `/boards/general/threads?cursor=${b64([false, '2026-01-01T00:00:00.000Z', 1e300])}`,
      `/boards/general/threads?cursor=${b64([false, '2026-01-01T00:00:00.000Z', 1.5])}`,
      `/boards/general/threads?sort=top&cursor=${b64([1e300, 1])}`,
      `/boards/general/threads?sort=solved&cursor=${b64(['2026-13-45T99:00:00Z', 1])}`,
      `/threads/${thread.id}?cursor=${b64(["0000000' or 1=1 --"])}`,
      `/equipment/models/zoll/r-series?cursor=${b64(['yesterday', 1])}`,
      `/tags/x/threads?cursor=${b64(['2026-01-01T00:00:00Z', 'x'])}`
    ];
    for (const url of bad) {
      const res = await call(ctx.app, 'GET', url);
      expect([400, 404], url).toContain(res.statusCode);
      expect(res.data.error.code).toMatch(/validation_failed|not_found/);
    }
  });

  it('refuses NUL characters anywhere with 400', async () => {
    const { token } = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, token);
    expectError(
      await call(ctx.app, 'POST', `/threads/${thread.id}/posts`, { token, body: { body: 'a\u0000b' } }),
      400,
      'validation_failed'
    );
    expectError(
      await call(ctx.app, 'POST', '/auth/login', { body: { login: 'x\u0000', password: 'whatever it is' } }),
      400,
      'validation_failed'
    );
    expectError(await call(ctx.app, 'GET', '/tags?q=%00'), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', '/users/a%00b'), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', '/boards/a%00b'), 400, 'validation_failed');
  });

  it('answers malformed URLs and very long ids with the error body', async () => {
    const res = await call(ctx.app, 'GET', '/boards/%ff');
    expect(res.statusCode).toBe(400);
    expect(res.data.error.code).toBe('bad_request');
    expectError(await call(ctx.app, 'GET', `/threads/${'9'.repeat(40)}`), 404, 'not_found');
    expectError(await call(ctx.app, 'GET', `/boards/${'x'.repeat(300)}`), 404, 'not_found');
    expectError(await call(ctx.app, 'GET', '/threads/99999999999999999999'), 404, 'not_found');
  });

  it('refuses an https Origin on a plain-http request, and invisible characters in names', async () => {
    const { token } = await registerUser(ctx.app);
    const res = await call(ctx.app, 'POST', '/boards/general/threads', {
      body: { title: 'Scheme mismatch', body: 'x' },
      headers: { cookie: `session=${token}`, origin: 'https://localhost', host: 'localhost' }
    });
    expectError(res, 403, 'csrf');
    const rtl = await call(ctx.app, 'POST', '/auth/register', {
      body: { username: 'rtl_user', email: 'rtl@x.org', password: 'long enough password', profession: 'CE', displayName: '\u202Eevil' }
    });
    expectError(rtl, 400, 'validation_failed');
  });

  it('keeps manufacturers written in other scripts apart', async () => {
    const { token } = await registerUser(ctx.app);
    const a = await createThread(ctx.app, token, { equipment: { manufacturer: '迈瑞', model: '监护仪' } });
    const b = await createThread(ctx.app, token, { equipment: { manufacturer: '日本光電', model: 'カルジオライフ' } });
    const c = await createThread(ctx.app, token, { equipment: { manufacturer: '???', model: '!!!' } });
    expect(a.thread.equipment.manufacturer).toBe('迈瑞');
    expect(b.thread.equipment.manufacturer).toBe('日本光電');
    expect(c.thread.equipment.manufacturer).toBe('???');
    const page = await call(
      ctx.app,
      'GET',
      `/equipment/models/${encodeURIComponent(slugify('日本光電'))}/${encodeURIComponent(slugify('カルジオライフ'))}`
    );
    expect(page.data.threads.map((t: any) => t.id)).toEqual([b.thread.id]);
  });
});

describe('deletes and counters', () => {
  it('moves reply, board and user counts back, and the thread is unanswered again', async () => {
    const asker = await registerUser(ctx.app);
    const other = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token, { board: 'bme' });
    const before = (await call(ctx.app, 'GET', '/boards/bme')).data.board.postCount;
    const only = await reply(ctx.app, other.token, thread.id, 'only reply');
    await call(ctx.app, 'DELETE', `/posts/${only.id}`, { token: other.token });
    const page = await call(ctx.app, 'GET', `/threads/${thread.id}`);
    expect(page.data.thread.replyCount).toBe(0);
    expect((await call(ctx.app, 'GET', '/boards/bme')).data.board.postCount).toBe(before);
    expect((await call(ctx.app, 'GET', `/users/${other.user.username}`)).data.stats.postCount).toBe(0);
    const unanswered = (await call(ctx.app, 'GET', '/boards/bme/threads?sort=unanswered')).data.threads.map((t: any) => t.id);
    expect(unanswered).toContain(thread.id);
    expectError(
      await call(ctx.app, 'POST', `/threads/${thread.id}/posts`, {
        token: asker.token,
        body: { body: 'to a deleted post', parentId: only.id }
      }),
      400,
      'validation_failed'
    );
  });

  it('never leaves a deleted post as the answer when accept and delete race', async () => {
    const asker = await registerUser(ctx.app);
    const helper = await registerUser(ctx.app);
    for (let round = 0; round < 5; round++) {
      const { thread } = await createThread(ctx.app, asker.token, { kind: 'question', title: `Race round ${round}` });
      const answer = await reply(ctx.app, helper.token, thread.id, `answer ${round}`);
      await Promise.all([
        call(ctx.app, 'POST', `/threads/${thread.id}/solution`, { token: asker.token, body: { postId: answer.id } }),
        call(ctx.app, 'DELETE', `/posts/${answer.id}`, { token: helper.token })
      ]);
      const page = await call(ctx.app, 'GET', `/threads/${thread.id}`);
      expect(page.data.thread.solutionPostId).toBeNull();
    }
    expect((await call(ctx.app, 'GET', `/users/${helper.user.username}`)).data.stats.solutionCount).toBe(0);
  });

  it('stores one of several identical replies sent at once', async () => {
    const { token } = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, token);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => call(ctx.app, 'POST', `/threads/${thread.id}/posts`, { token, body: { body: 'same text' } }))
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
    expect((await call(ctx.app, 'GET', `/threads/${thread.id}`)).data.thread.replyCount).toBe(1);
  });
});
