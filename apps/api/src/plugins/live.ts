import websocket from '@fastify/websocket';
import type { NotificationRow, UserRow } from '@bmet/db/schema';
import { posts } from '@bmet/db/schema';
import { and, gte, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { WebSocket } from 'ws';
import type { Bus, BusEvent } from '../lib/bus.ts';
import { parseId } from '../lib/ids.ts';
import { getPostContext } from '../domain/posts.ts';
import { notificationById, notificationsSince, unreadCount } from '../domain/notifications.ts';
import { getThread } from '../domain/threads.ts';
import { toNotification, toPost } from '../domain/serialize.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Hands committed changes to every instance's sockets; never fails the request. */
    publish(events: BusEvent[]): Promise<void>;
  }
}

export const notificationEvents = (rows: NotificationRow[]): BusEvent[] =>
  rows.map((n) => ({ t: 'notification', userId: n.userId, id: n.id }));

export interface LiveOptions {
  bus: Bus;
  /** Frames over this many bytes close the socket (1009). */
  maxFrameBytes?: number;
  maxSubscriptions?: number;
  heartbeatMs?: number;
  /** A socket whose unsent data passes this is dropped instead of growing our memory. */
  maxBufferedBytes?: number;
}

interface Client {
  ws: WebSocket;
  user: UserRow | null;
  threads: Set<number>;
  lastNotificationId: number;
  alive: boolean;
}

export const livePlugin = fp<LiveOptions>(async (app: FastifyInstance, options) => {
  const maxSubscriptions = options.maxSubscriptions ?? 100;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const clients = new Set<Client>();
  const byThread = new Map<number, Set<Client>>();
  const byUser = new Map<number, Set<Client>>();

  const send = (c: Client, frame: unknown) => {
    if (c.ws.readyState !== c.ws.OPEN) return;
    if (c.ws.bufferedAmount > maxBuffered) {
      app.log.warn({ user: c.user?.id ?? null }, 'dropping a socket that does not read');
      c.ws.terminate();
      return;
    }
    c.ws.send(JSON.stringify(frame));
  };
  const sendNotification = (c: Client, row: Awaited<ReturnType<typeof notificationById>>) => {
    if (row === null || row.notification.id <= c.lastNotificationId) return;
    c.lastNotificationId = row.notification.id;
    send(c, { type: 'notification', notification: toNotification(row.notification, row.actor, row.threadTitle) });
  };

  app.decorate('publish', async (events: BusEvent[]) => {
    try {
      await options.bus.publish(events);
    } catch (err) {
      app.log.error({ err }, 'publishing to the bus failed');
    }
  });

  options.bus.onEvent((event) => {
    void deliver(event).catch((err: unknown) => app.log.error({ err }, 'live delivery failed'));
  });
  options.bus.onResync((lostAt) => {
    void resync(lostAt).catch((err: unknown) => app.log.error({ err }, 'live resync failed'));
  });

  async function deliver(event: BusEvent): Promise<void> {
    if (event.t === 'post') {
      const subscribers = byThread.get(event.threadId);
      if (subscribers === undefined || subscribers.size === 0) return;
      const ctx = await getPostContext(app.db, event.postId);
      if (ctx === null) return;
      const frame = {
        type: 'post.created',
        threadId: String(event.threadId),
        post: toPost(ctx.post, ctx.author, ctx.thread.solutionPostId)
      };
      for (const c of subscribers) send(c, frame);
      return;
    }
    const sockets = byUser.get(event.userId);
    if (sockets === undefined || sockets.size === 0) return;
    const row = await notificationById(app.db, event.id);
    for (const c of sockets) sendNotification(c, row);
  }

  /** After the bus was away: replay from the database what its sockets may have missed. */
  async function resync(lostAt: Date): Promise<void> {
    for (const [userId, sockets] of byUser) {
      const since = Math.min(...[...sockets].map((c) => c.lastNotificationId));
      const rows = await notificationsSince(app.db, userId, since);
      for (const c of sockets) for (const row of rows) sendNotification(c, row);
    }
    const threadIds = [...byThread.keys()];
    if (threadIds.length > 0) {
      const missed = await app.db
        .select({ id: posts.id, threadId: posts.threadId })
        .from(posts)
        .where(and(inArray(posts.threadId, threadIds), gte(posts.createdAt, new Date(lostAt.getTime() - 5_000))));
      for (const p of missed) await deliver({ t: 'post', threadId: p.threadId, postId: p.id });
    }
  }

  const heartbeat = setInterval(() => {
    for (const c of clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();
  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
    for (const c of clients) c.ws.terminate();
    await options.bus.close();
  });

  await app.register(websocket, { options: { maxPayload: options.maxFrameBytes ?? 4096 } });

  app.get('/api/v1/live', { websocket: true, schema: { hide: true } }, async (ws, request) => {
    const c: Client = { ws, user: request.user, threads: new Set(), lastNotificationId: 0, alive: true };
    clients.add(c);
    if (c.user !== null) {
      const set = byUser.get(c.user.id) ?? new Set();
      set.add(c);
      byUser.set(c.user.id, set);
    }
    ws.on('pong', () => {
      c.alive = true;
    });
    ws.on('close', () => {
      clients.delete(c);
      for (const id of c.threads) byThread.get(id)?.delete(c);
      if (c.user !== null) byUser.get(c.user.id)?.delete(c);
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      void handle(c, isBinary ? null : data.toString()).catch((err: unknown) => {
        app.log.error({ err }, 'live frame failed');
        send(c, { type: 'error', code: 'internal', message: 'that frame could not be handled' });
      });
    });
    send(c, { type: 'ready', unread: c.user === null ? 0 : await unreadCount(app.db, c.user.id) });
  });

  const error = (c: Client, code: string, message: string) => send(c, { type: 'error', code, message });

  async function handle(c: Client, text: string | null): Promise<void> {
    let frame: unknown;
    try {
      frame = text === null ? null : JSON.parse(text);
    } catch {
      frame = null;
    }
    if (typeof frame !== 'object' || frame === null || typeof (frame as { type?: unknown }).type !== 'string') {
      return error(c, 'bad_frame', 'frames are JSON objects with a type');
    }
    const f = frame as { type: string; threadId?: unknown; since?: unknown };
    if (f.type === 'subscribe' || f.type === 'unsubscribe') {
      const threadId = typeof f.threadId === 'string' ? parseId(f.threadId) : null;
      if (threadId === null) return error(c, 'bad_frame', 'threadId must be a thread id');
      if (f.type === 'unsubscribe') {
        c.threads.delete(threadId);
        byThread.get(threadId)?.delete(c);
        return;
      }
      if (c.threads.has(threadId)) return;
      if (c.threads.size >= maxSubscriptions) return error(c, 'too_many_subscriptions', `at most ${maxSubscriptions} threads per socket`);
      if ((await getThread(app.db, threadId)) === null) return error(c, 'not_found', 'no such thread');
      c.threads.add(threadId);
      const set = byThread.get(threadId) ?? new Set();
      set.add(c);
      byThread.set(threadId, set);
      return send(c, { type: 'subscribed', threadId: String(threadId) });
    }
    if (f.type === 'resume') {
      if (c.user === null) return error(c, 'unauthenticated', 'log in to receive notifications');
      const since = typeof f.since === 'string' ? parseId(f.since) : f.since === null || f.since === '0' ? 0 : null;
      if (since === null) return error(c, 'bad_frame', 'since must be a notification id');
      c.lastNotificationId = since;
      for (const row of await notificationsSince(app.db, c.user.id, since)) sendNotification(c, row);
      return;
    }
    return error(c, 'bad_frame', `unknown frame type ${f.type.slice(0, 40)}`);
  }
});
