import { describe, expect, it } from 'vitest';
import { call, createThread, registerUser, useApp } from './helper.ts';

const ctx = useApp();

// Posts written side by side take the same shared rows (the board's, the members'): always in one
// order (the board, then the members by id), or PostgreSQL finds a deadlock and one of them fails.
describe('posts written side by side', () => {
  it('all go through, on threads and boards shared by members who notify each other, and every counter adds up', async () => {
    const ann = await registerUser(ctx.app);
    const bob = await registerUser(ctx.app);
    const cy = await registerUser(ctx.app);
    const threads = [];
    for (const [who, board] of [
      [ann, 'bmet'],
      [bob, 'bmet'],
      [cy, 'bmet'],
      [ann, 'ce']
    ] as const) {
      threads.push((await createThread(ctx.app, who.token, { board, title: `Side by side on ${board}: Alaris 8015 door sensor` })).thread);
    }
    // Everyone watches every thread, so each reply notifies the others.
    for (const t of threads) {
      for (const who of [ann, bob, cy]) {
        await call(ctx.app, 'PUT', `/threads/${t.id}/subscription`, { token: who.token, body: { level: 'watching' } });
      }
    }
    const writers = [ann, bob, cy];
    const writes = [];
    for (let i = 0; i < 120; i++) {
      const who = writers[i % 3]!;
      const t = threads[i % threads.length]!;
      const body = `Reply ${i} @${writers[(i + 1) % 3]!.user.username}: reseated the connector.`;
      writes.push(call(ctx.app, 'POST', `/threads/${t.id}/posts`, { token: who.token, body: { body } }));
      // New threads on the same boards at the same time, mentioning the others.
      if (i % 6 === 0) {
        const mention = `@${writers[(i + 2) % 3]!.user.username}`;
        writes.push(
          call(ctx.app, 'POST', `/boards/${i % 12 === 0 ? 'bmet' : 'ce'}/threads`, {
            token: who.token,
            body: { title: `Concurrent question ${i} about a Zoll R Series`, body: `Any ideas ${mention}?` }
          })
        );
      }
    }
    const answers = await Promise.all(writes);
    expect(answers.map((a) => a.statusCode).filter((s) => s !== 201)).toEqual([]);
    // The kept counters equal the rows.
    for (const who of writers) {
      const { stats } = (await call(ctx.app, 'GET', `/users/${who.user.username}`)).data;
      const replies = answers.filter((a) => a.data.thread === undefined && a.data.post?.author?.id === who.user.id).length;
      const started = answers.filter((a) => a.data.thread?.author?.id === who.user.id).length;
      const opened = who === cy ? 1 : who === ann ? 2 : 1;
      expect(stats.threadCount).toBe(started + opened);
      expect(stats.postCount).toBe(replies + started + opened);
      const list = await call(ctx.app, 'GET', '/notifications?limit=200', { token: who.token });
      expect(list.data.unread).toBe(list.data.notifications.filter((n: { readAt: string | null }) => n.readAt === null).length);
    }
  });
});
