import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { call, createThread, registerUser, reply, useApp, useTwoInstances } from './helper.ts';

const ctx = useApp();

interface Peer {
  ws: WebSocket;
  frames: any[];
  next(match: (f: any) => boolean, ms?: number): Promise<any>;
  send(frame: unknown): void;
}

async function connect(app: FastifyInstance, token?: string): Promise<Peer> {
  const frames: any[] = [];
  const waiters: { match: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  const ws = await app.injectWS('/api/v1/live', token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }, {
    onInit: (socket) =>
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        frames.push(frame);
        for (const w of [...waiters]) {
          if (w.match(frame)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(frame);
          }
        }
      })
  });
  return {
    ws,
    frames,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: (match, ms = 5000) => {
      const seen = frames.find(match);
      if (seen !== undefined) {
        frames.splice(frames.indexOf(seen), 1);
        return Promise.resolve(seen);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching frame; got ${JSON.stringify(frames)}`)), ms);
        waiters.push({
          match,
          resolve: (f) => {
            clearTimeout(timer);
            frames.splice(frames.indexOf(f), 1);
            resolve(f);
          }
        });
      });
    }
  };
}

describe('GET /api/v1/live', () => {
  it('greets with the unread count and pushes notifications and new posts', async () => {
    const asker = await registerUser(ctx.app);
    const engineer = await registerUser(ctx.app, { profession: 'CE' });
    const { thread } = await createThread(ctx.app, asker.token);
    await reply(ctx.app, engineer.token, thread.id, 'first answer');
    const me = await connect(ctx.app, asker.token);
    expect(await me.next((f) => f.type === 'ready')).toEqual({ type: 'ready', unread: 1 });
    const reader = await connect(ctx.app);
    expect(await reader.next((f) => f.type === 'ready')).toEqual({ type: 'ready', unread: 0 });
    reader.send({ type: 'subscribe', threadId: thread.id });
    await reader.next((f) => f.type === 'subscribed');

    const post = await reply(ctx.app, engineer.token, thread.id, 'second answer');
    // A post created just before the subscription may arrive too (events are delivered after the response).
    const created = await reader.next((f) => f.type === 'post.created' && f.post.id === post.id);
    expect(created).toMatchObject({ threadId: thread.id, post: { id: post.id, bodyMarkdown: 'second answer' } });
    const note = await me.next((f) => f.type === 'notification');
    expect(note.notification).toMatchObject({ type: 'reply', postId: post.id, threadId: thread.id, actor: { id: engineer.user.id } });
    // The anonymous reader gets no notifications.
    expect(reader.frames.filter((f) => f.type === 'notification')).toEqual([]);
    me.ws.terminate();
    reader.ws.terminate();
  });

  it('resumes exactly the notifications missed while away, oldest first', async () => {
    const asker = await registerUser(ctx.app);
    const other = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, asker.token);
    await reply(ctx.app, other.token, thread.id, 'seen');
    const seen = (await call(ctx.app, 'GET', '/notifications', { token: asker.token })).data.notifications[0].id;
    const missed = [];
    for (let i = 0; i < 3; i++) missed.push((await reply(ctx.app, other.token, thread.id, `missed ${i}`)).id);
    const back = await connect(ctx.app, asker.token);
    await back.next((f) => f.type === 'ready');
    back.send({ type: 'resume', since: seen });
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await back.next((f) => f.type === 'notification')).notification.postId);
    expect(got).toEqual(missed);
    await new Promise((r) => setTimeout(r, 100));
    expect(back.frames.filter((f) => f.type === 'notification')).toEqual([]);
    back.ws.terminate();
  });

  it('answers broken frames with an error frame and lives on; refuses too many subscriptions', async () => {
    const { token } = await registerUser(ctx.app);
    const peer = await connect(ctx.app, 'not-a-real-token');
    expect(await peer.next((f) => f.type === 'ready')).toEqual({ type: 'ready', unread: 0 });
    for (const bad of [
      '{not json',
      '42',
      '{"type":5}',
      '{"type":"subscribe","threadId":"abc"}',
      '{"type":"dance"}',
      '{"type":"resume","since":"1"}'
    ]) {
      peer.send(bad);
      expect((await peer.next((f) => f.type === 'error')).code).toMatch(/bad_frame|unauthenticated/);
    }
    peer.send({ type: 'subscribe', threadId: '99999999' });
    expect((await peer.next((f) => f.type === 'error')).code).toBe('not_found');
    const { thread } = await createThread(ctx.app, token);
    peer.send({ type: 'subscribe', threadId: thread.id });
    expect(await peer.next((f) => f.type === 'subscribed')).toEqual({ type: 'subscribed', threadId: thread.id });
    expect(peer.ws.readyState).toBe(peer.ws.OPEN);
    peer.ws.terminate();
  });

  it('keeps a cookie socket opened from another origin anonymous', async () => {
    // injectWS builds a bare request with no socket; a plain-http one is what a browser would use.
    const fakeSocket = { encrypted: false, remoteAddress: '127.0.0.1' };
    const { token } = await registerUser(ctx.app);
    const frames: any[] = [];
    const open = async (origin: string) => {
      const ws = await ctx.app.injectWS(
        '/api/v1/live',
        { headers: { cookie: `session=${token}`, origin, host: 'localhost' }, socket: fakeSocket } as never,
        {
          onInit: (socket) => socket.on('message', (d) => frames.push(JSON.parse(d.toString())))
        }
      );
      ws.send(JSON.stringify({ type: 'resume', since: '0' }));
      for (let i = 0; i < 50 && frames.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      ws.terminate();
      return frames;
    };
    const other = await open('https://evil.example');
    expect(other[0]).toEqual({ type: 'ready', unread: 0 });
    expect(other[1]).toMatchObject({ type: 'error', code: 'unauthenticated' });
    // The same cookie from our own origin is the user (unread may be 0 too, so ask for resume).
    const frames2: any[] = [];
    const ws = await ctx.app.injectWS(
      '/api/v1/live',
      { headers: { cookie: `session=${token}`, origin: 'http://localhost', host: 'localhost' }, socket: fakeSocket } as never,
      {
        onInit: (socket) => socket.on('message', (d) => frames2.push(JSON.parse(d.toString())))
      }
    );
    ws.send(JSON.stringify({ type: 'resume', since: '0' }));
    ws.send(JSON.stringify({ type: 'dance' }));
    for (let i = 0; i < 50 && frames2.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(frames2.filter((f) => f.code === 'unauthenticated')).toEqual([]);
    ws.terminate();
  });

  it('closes a socket that sends an oversized frame', async () => {
    const peer = await connect(ctx.app);
    await peer.next((f) => f.type === 'ready');
    const closed = new Promise<number>((resolve) => peer.ws.on('close', (code) => resolve(code)));
    peer.send(JSON.stringify({ type: 'subscribe', threadId: 'x'.repeat(10_000) }));
    expect(await closed).toBe(1009);
  });
});

const url = process.env.DATABASE_URL;
describe.runIf(url !== undefined && url !== '')('two instances on one PostgreSQL', () => {
  const instances = useTwoInstances(url);

  it('pushes a reply written through one instance to a socket on the other, and resyncs after a dropped listener', async () => {
    const { a, b, busA } = await instances();

    const asker = await registerUser(a);
    const engineer = await registerUser(b, { profession: 'CE' });
    const { thread } = await createThread(a, asker.token);
    const onA = await connect(a, asker.token);
    await onA.next((f) => f.type === 'ready');
    onA.send({ type: 'subscribe', threadId: thread.id });
    await onA.next((f) => f.type === 'subscribed');

    const post = await reply(b, engineer.token, thread.id, 'written on instance B');
    expect((await onA.next((f) => f.type === 'post.created')).post.id).toBe(post.id);
    expect((await onA.next((f) => f.type === 'notification')).notification.postId).toBe(post.id);

    // A's listener drops; a reply lands meanwhile; after reconnecting, A replays what it missed.
    busA.dropConnection();
    const during = await reply(b, engineer.token, thread.id, 'written while A was deaf');
    expect((await onA.next((f) => f.type === 'notification' && f.notification.postId === during.id, 15_000)).notification.type).toBe(
      'reply'
    );
    expect((await onA.next((f) => f.type === 'post.created' && f.post.id === during.id, 15_000)).threadId).toBe(thread.id);
    onA.ws.terminate();
  });
});
