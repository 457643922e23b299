import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createThread, registerUser, useApp } from './helper.ts';

/** Abuse of the live socket over a real port: floods, subscription races, many sockets from one address. */
const ctx = useApp({ live: { maxSubscriptions: 5, frameBurst: 40, framesPerSecond: 10, maxSocketsPerAddress: 4 } });
let origin = '';

beforeAll(async () => {
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  origin = `ws://127.0.0.1:${(ctx.app.server.address() as { port: number }).port}`;
});

const sockets: WebSocket[] = [];
afterAll(() => sockets.forEach((s) => s.terminate()));

interface Peer {
  ws: WebSocket;
  frames: any[];
  closed: Promise<number>;
}

function open(token?: string): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${origin}/api/v1/live`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
    sockets.push(ws);
    const frames: any[] = [];
    const closed = new Promise<number>((r) =>
      ws.once('close', (code) => {
        r(code);
        reject(new Error(`closed with ${code} before ready`));
      })
    );
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      frames.push(frame);
      if (frame.type === 'ready') resolve({ ws, frames, closed });
    });
    ws.on('unexpected-response', (req, res) => {
      req.destroy();
      reject(new Error(`upgrade answered ${res.statusCode}`));
    });
    ws.on('error', () => {});
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the live socket under abuse', () => {
  it('closes a socket that floods subscribe frames (1008) after a bounded number of lookups; the server stays responsive', async () => {
    const peer = await open();
    const started = Date.now();
    for (let i = 0; i < 10_000; i++) peer.ws.send(JSON.stringify({ type: 'subscribe', threadId: String(1_000_000 + i) }));
    const health = await ctx.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(await peer.closed).toBe(1008);
    expect(Date.now() - started).toBeLessThan(5000);
    // Each answered frame is at most one lookup: the burst, not ten thousand.
    expect(peer.frames.filter((f) => f.type !== 'ready').length).toBeLessThanOrEqual(40);
  });

  it('caps subscriptions exactly, even when the frames arrive at once', async () => {
    const { token } = await registerUser(ctx.app);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await createThread(ctx.app, token, { title: `Thread number ${i} for the cap` })).thread.id);
    const peer = await open(token);
    for (const id of ids) peer.ws.send(JSON.stringify({ type: 'subscribe', threadId: id }));
    for (let i = 0; i < 50 && peer.frames.length < 13; i++) await sleep(50);
    expect(peer.frames.filter((f) => f.type === 'subscribed')).toHaveLength(5);
    expect(peer.frames.filter((f) => f.code === 'too_many_subscriptions')).toHaveLength(7);
    peer.ws.close();
  });

  it('refuses more sockets from one address than allowed (429 before the upgrade), and takes one again once another closes', async () => {
    await sleep(100);
    const peers = await Promise.all(Array.from({ length: 4 }, () => open()));
    await expect(open()).rejects.toThrow('upgrade answered 429');
    // Sent all at once, they may all pass the pre-upgrade check: the count still holds.
    const burst = await Promise.allSettled(Array.from({ length: 5 }, () => open()));
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(0);
    peers[0]!.ws.close();
    await peers[0]!.closed;
    await sleep(50);
    const again = await open();
    expect(again.frames[0]).toEqual({ type: 'ready', unread: 0 });
    for (const p of [...peers, again]) p.ws.close();
  });
});
