import type { Db } from '@bmet/db/client';
import type { NotificationRow, UserRow } from '@bmet/db/schema';
import { posts } from '@bmet/db/schema';
import { and, desc, gte, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { WebSocket } from 'ws';
import type { Bus, BusEvent } from '../lib/bus.ts';
import { HttpError } from '../lib/http-error.ts';
import { parseId } from '../lib/ids.ts';
import { getPostContexts } from '../domain/posts.ts';
import { notificationState, notificationsByIds, notificationsSince } from '../domain/notifications.ts';
import { getThread } from '../domain/threads.ts';
import { toNotification, toPost } from '../domain/serialize.ts';
import { LRUCache } from 'lru-cache';

declare module 'fastify' {
  interface FastifyInstance {
    /** Hands committed changes to every instance's sockets; returns at once and never fails the request. */
    publish(events: BusEvent[]): void;
  }
}

export const notificationEvents = (rows: NotificationRow[]): BusEvent[] =>
  rows.map((n) => ({ t: 'notification', userId: n.userId, id: n.id }));

export interface LiveOptions {
  bus: Bus;
  /**
   * The hub's own database handle (a small pool of its own on PostgreSQL), so deliveries never
   * wait for, or take, the connections requests need. The app's when absent.
   */
  db?: Db;
  /** Frames over this many bytes close the socket (1009); applied where app.ts registers @fastify/websocket. */
  maxFrameBytes?: number;
  maxSubscriptions?: number;
  heartbeatMs?: number;
  /** A socket whose unsent data passes this is dropped instead of growing our memory. */
  maxBufferedBytes?: number;
  /** Client frames per second a socket may send on average, and in one burst; a flood closes it (1008). */
  framesPerSecond?: number;
  frameBurst?: number;
  /** Sockets one client address may hold open at once; more are refused (429, or 1008 once open). */
  maxSocketsPerAddress?: number;
}

interface Client {
  ws: WebSocket;
  user: UserRow | null;
  address: string;
  threads: Set<number>;
  lastNotificationId: number;
  /**
   * While a `resume` reads the database: live deliveries wait here, so that one arriving late
   * (published after an earlier write's response) cannot jump ahead of the replay and make it
   * skip what came before it.
   */
  resumeBuffer: NotificationView[] | null;
  alive: boolean;
  /** Frames received and not yet handled, handled one at a time in order. */
  inbox: string[];
  handling: boolean;
  tokens: number;
  refilledAt: number;
}

/** Frames waiting for their turn on one socket; a client that sends faster than this is flooding. */
const MAX_INBOX = 16;
/** Posts replayed to subscribers at most after the bus was away. */
const RESYNC_MAX_POSTS = 2_000;
/** WebSocket close codes (RFC 6455): policy violation, and try again later. */
const POLICY = 1008;
const TRY_AGAIN = 1013;

type NotificationView = Awaited<ReturnType<typeof notificationsByIds>>[number];

export const livePlugin = fp<LiveOptions>(async (app: FastifyInstance, options) => {
  const db = options.db ?? app.db;
  const maxSubscriptions = options.maxSubscriptions ?? 100;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const rate = options.framesPerSecond ?? 10;
  const burst = options.frameBurst ?? 40;
  const perAddress = options.maxSocketsPerAddress ?? 50;
  const clients = new Set<Client>();
  const byThread = new Map<number, Set<Client>>();
  const byUser = new Map<number, Set<Client>>();
  const byAddress = new Map<string, number>();
  // Whether a thread can be followed: asked once per thread for a while, however many sockets
  // ask at once (lru-cache shares the lookup in flight). A "no" is kept briefly: the thread may
  // be about to exist.
  const readable = new LRUCache<number, boolean>({
    max: 10_000,
    ttl: 30_000,
    fetchMethod: async (threadId, _stale, { options }) => {
      const ok = (await getThread(db, threadId)) !== null;
      if (!ok) options.ttl = 2_000;
      return ok;
    }
  });

  /** Takes a socket out of an index, and the key with it once no socket is left (no empty sets kept). */
  const leave = (index: Map<number, Set<Client>>, key: number, c: Client) => {
    const set = index.get(key);
    if (set === undefined) return;
    set.delete(c);
    if (set.size === 0) index.delete(key);
  };

  const send = (c: Client, frame: unknown) => {
    if (c.ws.readyState !== c.ws.OPEN) return;
    if (c.ws.bufferedAmount > maxBuffered) {
      app.log.warn({ user: c.user?.id ?? null }, 'dropping a socket that does not read');
      c.ws.terminate();
      return;
    }
    c.ws.send(JSON.stringify(frame));
  };
  const sendNotification = (c: Client, row: NotificationView) => {
    if (c.resumeBuffer !== null) {
      c.resumeBuffer.push(row);
      return;
    }
    if (row.notification.id <= c.lastNotificationId) return;
    c.lastNotificationId = row.notification.id;
    // Pushed to an open socket of its member: seen on the site, so not e-mailed later.
    app.presence.seen([row.notification.id]);
    send(c, { type: 'notification', notification: toNotification(row.notification, row.actor, row.threadTitle, row.excerpt) });
  };

  app.decorate('publish', (events: BusEvent[]) => {
    try {
      options.bus.publish(events);
    } catch (err) {
      app.log.error({ err }, 'publishing to the bus failed');
    }
  });

  // Events are delivered in batches: whatever arrived in one turn of the event loop costs one
  // round of queries, not one per event.
  let pending: BusEvent[] = [];
  let delivering: Promise<void> = Promise.resolve();
  let scheduled = false;
  options.bus.onEvent((event) => {
    pending.push(event);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      const batch = pending;
      pending = [];
      // One delivery at a time, in the order the events came: frames never overtake each other.
      delivering = delivering.then(() => deliver(batch)).catch((err: unknown) => app.log.error({ err }, 'live delivery failed'));
    });
  });
  options.bus.onResync((lostAt) => {
    resync(lostAt).catch((err: unknown) => app.log.error({ err }, 'live resync failed'));
  });

  async function deliver(events: BusEvent[]): Promise<void> {
    const postIds = new Set<number>();
    const notificationIds = new Set<number>();
    for (const e of events) {
      if (e.t === 'post' && (byThread.get(e.threadId)?.size ?? 0) > 0) postIds.add(e.postId);
      if (e.t === 'notification' && (byUser.get(e.userId)?.size ?? 0) > 0) notificationIds.add(e.id);
    }
    const [contexts, rows] = await Promise.all([getPostContexts(db, [...postIds]), notificationsByIds(db, [...notificationIds])]);
    for (const ctx of contexts.sort((a, b) => a.post.id - b.post.id)) {
      const frame = {
        type: 'post.created',
        threadId: String(ctx.post.threadId),
        post: toPost(ctx.post, ctx.author, ctx.thread.solutionPostId)
      };
      for (const c of byThread.get(ctx.post.threadId) ?? []) send(c, frame);
    }
    for (const row of rows.sort((a, b) => a.notification.id - b.notification.id)) {
      for (const c of byUser.get(row.notification.userId) ?? []) sendNotification(c, row);
    }
  }

  /**
   * After the bus was away: replay from the database what its sockets may have missed, then
   * tell every socket so, so clients can resume and refresh what they show.
   */
  async function resync(lostAt: Date): Promise<void> {
    for (const [userId, sockets] of [...byUser]) {
      if (sockets.size === 0) continue;
      const since = Math.min(...[...sockets].map((c) => c.lastNotificationId));
      // One user's failure (the database away again) does not cost the others their replay.
      try {
        const rows = await notificationsSince(db, userId, since);
        for (const c of sockets) for (const row of rows) sendNotification(c, row);
      } catch (err) {
        app.log.warn({ err: err instanceof Error ? err.message : err, userId }, 'live resync of notifications failed');
      }
    }
    const threadIds = [...byThread.keys()];
    if (threadIds.length > 0) {
      // Bounded: after a long outage the newest posts come, the rest wait for the page's reload.
      const missed = await db
        .select({ id: posts.id, threadId: posts.threadId })
        .from(posts)
        .where(and(inArray(posts.threadId, threadIds.slice(0, 5_000)), gte(posts.createdAt, new Date(lostAt.getTime() - 5_000))))
        .orderBy(desc(posts.id))
        .limit(RESYNC_MAX_POSTS);
      await deliver(missed.reverse().map((p) => ({ t: 'post', threadId: p.threadId, postId: p.id })));
    }
    for (const c of clients) send(c, { type: 'resync', since: lostAt.toISOString() });
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

  app.get(
    '/api/v1/live',
    {
      websocket: true,
      schema: { hide: true },
      // Refused before the upgrade where possible; the handler checks again, since several
      // upgrades from one address can pass this at once.
      preValidation: async (request) => {
        if ((byAddress.get(request.ip) ?? 0) >= perAddress) {
          throw new HttpError(429, 'rate_limited', `at most ${perAddress} live connections per address`, undefined, {
            'retry-after': '30'
          });
        }
      }
    },
    (ws, request) => {
      const count = byAddress.get(request.ip) ?? 0;
      if (count >= perAddress) {
        ws.close(POLICY, 'too many connections from this address');
        return;
      }
      byAddress.set(request.ip, count + 1);
      const c: Client = {
        ws,
        user: request.user,
        address: request.ip,
        threads: new Set(),
        lastNotificationId: 0,
        resumeBuffer: null,
        alive: true,
        inbox: [],
        handling: false,
        tokens: burst,
        refilledAt: Date.now()
      };
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
        c.inbox.length = 0;
        for (const id of c.threads) leave(byThread, id, c);
        if (c.user !== null) leave(byUser, c.user.id, c);
        const left = (byAddress.get(c.address) ?? 1) - 1;
        if (left <= 0) byAddress.delete(c.address);
        else byAddress.set(c.address, left);
      });
      ws.on('error', () => ws.terminate());
      ws.on('message', (data, isBinary) => receive(c, isBinary ? '' : data.toString()));
      greet(c).catch((err: unknown) => {
        // The database is away: the client reconnects with backoff and resumes.
        app.log.warn({ err: err instanceof Error ? err.message : err }, 'live socket could not be greeted');
        ws.close(TRY_AGAIN, 'the forum is busy; reconnect shortly');
      });
    }
  );

  /** `ready` tells the state as of now: later notifications are pushed, earlier ones come by `resume`. */
  async function greet(c: Client): Promise<void> {
    if (c.user === null) return send(c, { type: 'ready', unread: 0 });
    app.presence.touch(c.user.id);
    const state = await notificationState(db, c.user.id);
    c.lastNotificationId = Math.max(c.lastNotificationId, state.latestId);
    send(c, { type: 'ready', unread: state.unread });
  }

  /** Takes a frame off the wire: a flood closes the socket rather than queueing work. */
  function receive(c: Client, text: string): void {
    const now = Date.now();
    c.tokens = Math.min(burst, c.tokens + ((now - c.refilledAt) / 1000) * rate);
    c.refilledAt = now;
    if (c.tokens < 1 || c.inbox.length >= MAX_INBOX) {
      app.log.warn({ user: c.user?.id ?? null, address: c.address }, 'closing a socket that floods');
      c.inbox.length = 0;
      c.ws.close(POLICY, 'too many frames');
      return;
    }
    c.tokens -= 1;
    c.inbox.push(text);
    if (!c.handling) void drain(c);
  }

  async function drain(c: Client): Promise<void> {
    c.handling = true;
    try {
      for (let text = c.inbox.shift(); text !== undefined; text = c.inbox.shift()) {
        try {
          await handle(c, text);
        } catch (err) {
          app.log.warn({ err: err instanceof Error ? err.message : err }, 'live frame failed');
          error(c, 'unavailable', 'that frame could not be handled; try again shortly');
        }
      }
    } finally {
      c.handling = false;
    }
  }

  const error = (c: Client, code: string, message: string) => send(c, { type: 'error', code, message });

  async function canFollow(threadId: number): Promise<boolean> {
    return (await readable.fetch(threadId)) === true;
  }

  async function handle(c: Client, text: string): Promise<void> {
    let frame: unknown;
    try {
      frame = text === '' ? null : JSON.parse(text);
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
        leave(byThread, threadId, c);
        return;
      }
      if (c.threads.has(threadId)) return;
      if (c.threads.size >= maxSubscriptions) return error(c, 'too_many_subscriptions', `at most ${maxSubscriptions} threads per socket`);
      if (!(await canFollow(threadId))) return error(c, 'not_found', 'no such thread');
      if (c.ws.readyState !== c.ws.OPEN) return;
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
      const waiting: NotificationView[] = [];
      c.resumeBuffer = waiting;
      let rows: NotificationView[] = [];
      try {
        rows = await notificationsSince(db, c.user.id, since);
      } finally {
        // The replay and what arrived meanwhile (all of it, should the replay have failed),
        // once each, oldest first.
        c.resumeBuffer = null;
        const ahead = c.lastNotificationId;
        c.lastNotificationId = since;
        for (const row of [...rows, ...waiting].sort((a, b) => a.notification.id - b.notification.id)) sendNotification(c, row);
        c.lastNotificationId = Math.max(c.lastNotificationId, ahead);
      }
      return;
    }
    return error(c, 'bad_frame', `unknown frame type ${f.type.slice(0, 40)}`);
  }
});
