import { describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, useApp } from './helper.ts';

const ctx = useApp();

describe('equipment records', () => {
  it('folds case and spacing into one manufacturer and model, and keeps canonical names', async () => {
    const { token } = await registerUser(ctx.app);
    const a = await createThread(ctx.app, token, {
      kind: 'question',
      equipment: { manufacturer: 'Acme  Medical', model: 'Flow 3000', category: 'infusion pump', errorCode: 'e-12' }
    });
    const b = await createThread(ctx.app, token, {
      equipment: { manufacturer: 'ACME medical ', model: ' flow   3000', category: 'Infusion Pump', errorCode: 'E-12' }
    });
    expect(a.thread.equipment).toEqual({ manufacturer: 'Acme Medical', model: 'Flow 3000', category: 'Infusion pump', errorCode: 'e-12' });
    expect(b.thread.equipment).toMatchObject({ manufacturer: 'Acme Medical', model: 'Flow 3000', category: 'Infusion pump' });
    const makers = (await call(ctx.app, 'GET', '/equipment/manufacturers?q=acme')).data.manufacturers;
    expect(makers).toEqual([expect.objectContaining({ name: 'Acme Medical', slug: 'acme-medical', modelCount: 1 })]);
    const models = (await call(ctx.app, 'GET', '/equipment/models?q=flow&manufacturer=acme%20medical')).data.models;
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({
      name: 'Flow 3000',
      slug: 'flow-3000',
      manufacturer: { name: 'Acme Medical' },
      category: { slug: 'infusion-pump' },
      threadCount: 2,
      solvedCount: 0
    });
  });

  it('suggests seeded manufacturers and lists categories', async () => {
    const makers = (await call(ctx.app, 'GET', '/equipment/manufacturers?q=phil')).data.manufacturers;
    expect(makers.map((m: any) => m.name)).toContain('Philips');
    const healthcare = (await call(ctx.app, 'GET', '/equipment/manufacturers?q=healthcare')).data.manufacturers;
    expect(healthcare.map((m: any) => m.name)).toContain('GE HealthCare');
    const categories = (await call(ctx.app, 'GET', '/equipment/categories')).data.categories;
    expect(categories.map((c: any) => c.slug)).toEqual(
      expect.arrayContaining(['infusion-pump', 'patient-monitor', 'defibrillator', 'ventilator', 'electrosurgical-unit', 'imaging'])
    );
    expect((await call(ctx.app, 'GET', '/equipment/manufacturers?q=%25')).statusCode).toBe(200);
  });

  it('shows a model page with its threads, solved count and error codes with the solving thread', async () => {
    const asker = await registerUser(ctx.app);
    const helper = await registerUser(ctx.app);
    const equipment = { manufacturer: 'Philips', model: 'IntelliVue MX450', category: 'patient monitor' };
    const solved = await createThread(ctx.app, asker.token, {
      kind: 'question',
      title: 'E-203 after battery swap',
      equipment: { ...equipment, errorCode: 'E-203' }
    });
    await createThread(ctx.app, asker.token, {
      kind: 'question',
      title: 'E-203 again on another unit',
      equipment: { ...equipment, errorCode: 'e-203' }
    });
    await createThread(ctx.app, asker.token, {
      kind: 'question',
      title: 'Blank screen at boot',
      equipment: { ...equipment, errorCode: null }
    });
    const answer = await reply(ctx.app, helper.token, solved.thread.id, 'Recalibrate the battery gauge');
    await call(ctx.app, 'POST', `/threads/${solved.thread.id}/solution`, { token: asker.token, body: { postId: answer.id } });

    const page = await call(ctx.app, 'GET', '/equipment/models/philips/intellivue-mx450');
    expect(page.statusCode).toBe(200);
    expect(page.data.model).toMatchObject({
      name: 'IntelliVue MX450',
      threadCount: 3,
      solvedCount: 1,
      category: { name: 'Patient monitor' }
    });
    expect(page.data.threads).toHaveLength(3);
    expect(page.data.errorCodes).toEqual([
      { code: 'E-203', threadCount: 2, solvedThreadId: solved.thread.id, solvedThreadTitle: 'E-203 after battery swap' }
    ]);
    const firstPage = await call(ctx.app, 'GET', '/equipment/models/philips/intellivue-mx450?limit=2');
    const second = await call(ctx.app, 'GET', `/equipment/models/philips/intellivue-mx450?limit=2&cursor=${firstPage.data.nextCursor}`);
    expect([...firstPage.data.threads, ...second.data.threads].map((t: any) => t.id).sort()).toEqual(
      page.data.threads.map((t: any) => t.id).sort()
    );

    await call(ctx.app, 'POST', `/threads/${solved.thread.id}/solution`, { token: asker.token, body: { postId: null } });
    expect((await call(ctx.app, 'GET', '/equipment/models/philips/intellivue-mx450')).data.model.solvedCount).toBe(0);
    expectError(await call(ctx.app, 'GET', '/equipment/models/philips/no-such-model'), 404, 'not_found');
  });

  it('refuses control characters and over-long names, writing nothing', async () => {
    const { token } = await registerUser(ctx.app);
    const bad = await call(ctx.app, 'POST', '/boards/general/threads', {
      token,
      body: { title: 'Valid title', body: 'Valid body', equipment: { manufacturer: 'Evil\u0007Corp', model: 'X' } }
    });
    expectError(bad, 400, 'validation_failed');
    const makers = (await call(ctx.app, 'GET', '/equipment/manufacturers?q=evil')).data.manufacturers;
    expect(makers).toEqual([]);
  });
});

describe('tags', () => {
  it('counts tags, suggests them by prefix and pages a tag', async () => {
    const { token } = await registerUser(ctx.app);
    const one = await createThread(ctx.app, token, { tags: ['Battery', 'PM'] });
    const two = await createThread(ctx.app, token, { tags: ['battery'] });
    const suggestions = (await call(ctx.app, 'GET', '/tags?q=bat')).data.tags;
    expect(suggestions[0]).toEqual({ name: 'battery', threadCount: 2 });
    const page = await call(ctx.app, 'GET', '/tags/battery/threads?limit=1');
    expect(page.data.tag).toEqual({ name: 'battery', threadCount: 2 });
    expect(page.data.threads.map((t: any) => t.id)).toEqual([two.thread.id]);
    const next = await call(ctx.app, 'GET', `/tags/battery/threads?limit=1&cursor=${page.data.nextCursor}`);
    expect(next.data.threads.map((t: any) => t.id)).toEqual([one.thread.id]);
    expectError(await call(ctx.app, 'GET', '/tags/nope/threads'), 404, 'not_found');
    expectError(await call(ctx.app, 'GET', '/tags/battery/threads?cursor=bad'), 400, 'validation_failed');
  });
});

describe('GET /api/v1/users/:username', () => {
  it('shows a profile with counts and recent threads, and no email', async () => {
    const asker = await registerUser(ctx.app, { displayName: 'Jo the BMET' });
    const helper = await registerUser(ctx.app, { profession: 'CE' });
    const { thread } = await createThread(ctx.app, asker.token, { kind: 'question' });
    const answer = await reply(ctx.app, helper.token, thread.id, 'Swap the fuse');
    await call(ctx.app, 'POST', `/threads/${thread.id}/solution`, { token: asker.token, body: { postId: answer.id } });
    const profile = await call(ctx.app, 'GET', `/users/${asker.user.username.toUpperCase()}`);
    expect(profile.statusCode).toBe(200);
    expect(profile.data.user).toMatchObject({ username: asker.user.username, displayName: 'Jo the BMET', profession: 'BMET' });
    expect(profile.data.stats).toEqual({ postCount: 1, threadCount: 1, solutionCount: 0 });
    expect(profile.data.recentThreads.map((t: any) => t.id)).toEqual([thread.id]);
    expect(profile.body).not.toContain('@example.org');
    const helperProfile = await call(ctx.app, 'GET', `/users/${helper.user.username}`);
    expect(helperProfile.data.stats).toEqual({ postCount: 1, threadCount: 0, solutionCount: 1 });
    expectError(await call(ctx.app, 'GET', '/users/nobody-at-all'), 404, 'not_found');
  });
});

describe('GET /api/v1/threads/:id?subtree=', () => {
  it('returns one post and its replies only, paged, and the caller votes', async () => {
    const asker = await registerUser(ctx.app);
    const voter = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token);
    const a = await reply(ctx.app, asker.token, thread.id, 'A');
    const a1 = await reply(ctx.app, asker.token, thread.id, 'A1', a.id);
    const a1a = await reply(ctx.app, asker.token, thread.id, 'A1a', a1.id);
    const b = await reply(ctx.app, asker.token, thread.id, 'B');
    await reply(ctx.app, asker.token, thread.id, 'B1', b.id);
    const a2 = await reply(ctx.app, asker.token, thread.id, 'A2', a.id);
    const sub = await call(ctx.app, 'GET', `/threads/${thread.id}?subtree=${a.id}`);
    expect(sub.data.posts.map((p: any) => p.id)).toEqual([a.id, a1.id, a1a.id, a2.id]);
    const deep = await call(ctx.app, 'GET', `/threads/${thread.id}?subtree=${a1.id}&limit=1`);
    expect(deep.data.posts.map((p: any) => p.id)).toEqual([a1.id]);
    const rest = await call(ctx.app, 'GET', `/threads/${thread.id}?subtree=${a1.id}&limit=5&cursor=${deep.data.nextCursor}`);
    expect(rest.data.posts.map((p: any) => p.id)).toEqual([a1a.id]);
    expect(rest.data.nextCursor).toBeNull();
    expectError(await call(ctx.app, 'GET', `/threads/${thread.id}?subtree=99999999`), 404, 'not_found');

    await call(ctx.app, 'POST', `/posts/${a1.id}/vote`, { token: voter.token, body: { value: -1 } });
    const mine = await call(ctx.app, 'GET', `/threads/${thread.id}?subtree=${a.id}`, { token: voter.token });
    expect(mine.data.posts.map((p: any) => p.myVote)).toEqual([0, -1, 0, 0]);
    expect(sub.data.posts[0]).not.toHaveProperty('myVote');
  });
});
