import { describe, expect, it } from 'vitest';
import { MAX_DRAFTS } from '@bmet/contracts';
import { defaultLimits } from '../src/lib/rate-limit.ts';
import { call, expectError, registerUser, useApp } from './helper.ts';

const ctx = useApp();
const threeSaves = { max: 3, windowMs: 60_000 };
const limited = useApp({
  limits: {
    ...defaultLimits,
    register: { max: 100, windowMs: 60_000 },
    draft: threeSaves,
    newAccount: { ...defaultLimits.newAccount, draft: threeSaves }
  }
});

describe('drafts', () => {
  it('keeps a draft per member and composer, follows them to another session, and deletes it', async () => {
    const tech = await registerUser(ctx.app);
    const body = { fields: { body: 'Half a reply about the **door sensor**' } };
    const saved = await call(ctx.app, 'PUT', '/drafts/reply:12:thread', { token: tech.token, body });
    expect(saved.statusCode).toBe(200);
    expect(saved.data.draft).toMatchObject({ key: 'reply:12:thread', fields: body.fields });

    // Another device: a new session of the same member.
    const login = await call(ctx.app, 'POST', '/auth/login', { body: { login: tech.user.username, password: tech.password } });
    const other = login.data.token as string;
    const read = await call(ctx.app, 'GET', '/drafts/reply:12:thread', { token: other });
    expect(read.statusCode).toBe(200);
    expect(read.data.draft.fields.body).toBe('Half a reply about the **door sensor**');
    expect(read.headers['cache-control']).toContain('no-store');

    // Saving again replaces it; blank text deletes it.
    await call(ctx.app, 'PUT', '/drafts/reply:12:thread', { token: tech.token, body: { fields: { body: 'v2' } } });
    expect((await call(ctx.app, 'GET', '/drafts/reply:12:thread', { token: other })).data.draft.fields.body).toBe('v2');
    expect(
      (await call(ctx.app, 'PUT', '/drafts/reply:12:thread', { token: tech.token, body: { fields: { body: '  ' } } })).statusCode
    ).toBe(204);
    expectError(await call(ctx.app, 'GET', '/drafts/reply:12:thread', { token: tech.token }), 404, 'not_found');

    await call(ctx.app, 'PUT', '/drafts/edit:40', { token: tech.token, body: { fields: { body: 'edited' } } });
    expect((await call(ctx.app, 'DELETE', '/drafts/edit:40', { token: tech.token })).statusCode).toBe(204);
    expectError(await call(ctx.app, 'GET', '/drafts/edit:40', { token: tech.token }), 404, 'not_found');
  });

  it('is private: anonymous callers get 401 and another member never sees it', async () => {
    const a = await registerUser(ctx.app);
    const b = await registerUser(ctx.app);
    await call(ctx.app, 'PUT', '/drafts/new:bmet', { token: a.token, body: { fields: { body: 'a secret' } } });
    expectError(await call(ctx.app, 'GET', '/drafts/new:bmet'), 401, 'unauthenticated');
    expectError(await call(ctx.app, 'PUT', '/drafts/new:bmet', { body: { fields: { body: 'x' } } }), 401, 'unauthenticated');
    expectError(await call(ctx.app, 'GET', '/drafts/new:bmet', { token: b.token }), 404, 'not_found');
    // b deleting "it" deletes only b's (none): a's is still there.
    await call(ctx.app, 'DELETE', '/drafts/new:bmet', { token: b.token });
    expect((await call(ctx.app, 'GET', '/drafts/new:bmet', { token: a.token })).data.draft.fields.body).toBe('a secret');
  });

  it('refuses malformed keys and fields with a 400 and saves nothing', async () => {
    const tech = await registerUser(ctx.app);
    for (const key of ['x', 'reply:1', 'reply:a:b', 'edit:', 'new:Bad_Slug', 'new:a:body', `edit:${'9'.repeat(21)}`]) {
      expectError(
        await call(ctx.app, 'PUT', `/drafts/${encodeURIComponent(key)}`, { token: tech.token, body: { fields: { body: 'x' } } }),
        400,
        'validation_failed'
      );
    }
    for (const body of [
      {},
      { fields: 'text' },
      { fields: { body: 5 } },
      { fields: { 'bad name': 'x' } },
      { fields: { body: 'x'.repeat(50001) } },
      { fields: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`f${'abcdefghi'[i]}`, 'x'])) }
    ]) {
      expectError(await call(ctx.app, 'PUT', '/drafts/edit:1', { token: tech.token, body }), 400, 'validation_failed');
    }
    expectError(await call(ctx.app, 'GET', '/drafts/edit:1', { token: tech.token }), 404, 'not_found');
  });

  it(`keeps at most ${MAX_DRAFTS} drafts a member, dropping the oldest`, async () => {
    const tech = await registerUser(ctx.app);
    for (let i = 0; i <= MAX_DRAFTS; i++) {
      const res = await call(ctx.app, 'PUT', `/drafts/edit:${i + 1}`, { token: tech.token, body: { fields: { body: `draft ${i}` } } });
      expect(res.statusCode).toBe(200);
    }
    expectError(await call(ctx.app, 'GET', '/drafts/edit:1', { token: tech.token }), 404, 'not_found');
    expect((await call(ctx.app, 'GET', `/drafts/edit:${MAX_DRAFTS + 1}`, { token: tech.token })).statusCode).toBe(200);
    expect((await call(ctx.app, 'GET', '/drafts/edit:2', { token: tech.token })).statusCode).toBe(200);
  });

  it('rate-limits saving, in words', async () => {
    const tech = await registerUser(limited.app);
    for (let i = 0; i < 3; i++) {
      expect(
        (await call(limited.app, 'PUT', '/drafts/edit:7', { token: tech.token, body: { fields: { body: `v${i}` } } })).statusCode
      ).toBe(200);
    }
    const refused = await call(limited.app, 'PUT', '/drafts/edit:7', { token: tech.token, body: { fields: { body: 'v4' } } });
    expectError(refused, 429, 'rate_limited');
    expect(refused.data.error.message).toMatch(/too many draft saves; try again in/);
    expect((await call(limited.app, 'GET', '/drafts/edit:7', { token: tech.token })).data.draft.fields.body).toBe('v2');
  });
});
