import type { Notification, Post } from '@bmet/contracts';
import { backoffDelay, isNewerId } from './live-helpers.ts';

type ServerFrame =
  | { type: 'ready'; unread: number }
  | { type: 'notification'; notification: Notification }
  | { type: 'post.created'; threadId: string; post: Post }
  | { type: 'subscribed'; threadId: string }
  /** The server's bus was away and is back: what was missed has been replayed; ask again to be sure. */
  | { type: 'resync'; since: string }
  | { type: 'error'; code: string; message: string };

type PostListener = (post: Post) => void;

/** Where the backoff jumps after a 1008 close: the 30 s ceiling. */
const POLICY_BACKOFF_ATTEMPT = 10;

/**
 * The one live socket of a tab: unread count, last notification seen and thread subscriptions.
 * The unread count starts from the server-rendered layout (count and newest id from one API
 * answer) and every connection sends `resume` from the newest id seen, so notifications missed
 * while offline are replayed and counted exactly once; `ready.unread` is therefore not used.
 */
export class Live {
  unread = $state(0);
  connected = $state(false);
  #userId: string | null = null;
  #lastId: string | null = null;
  #ws: WebSocket | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #threads = new Map<string, Set<PostListener>>();
  #hiddenAt: number | null = null;

  constructor() {
    // After the network returns or a long sleep the old socket is likely dead without having
    // noticed: replace it rather than wait for TCP to time out; `resume` covers the gap.
    window.addEventListener('online', () => this.#reconnectNow(true));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') {
        this.#hiddenAt = Date.now();
        return;
      }
      const hiddenFor = this.#hiddenAt === null ? 0 : Date.now() - this.#hiddenAt;
      this.#hiddenAt = null;
      this.#reconnectNow(hiddenFor > 60_000);
    });
  }

  /** From the layout data: who is signed in, their unread count and newest notification id. */
  setSession(userId: string | null, unread: number, latestId: string | null): void {
    this.unread = unread;
    if (latestId !== null && isNewerId(latestId, this.#lastId)) this.#lastId = latestId;
    if (userId === this.#userId && this.#ws !== null) return;
    const changed = userId !== this.#userId;
    this.#userId = userId;
    if (changed) this.#lastId = latestId;
    // The socket is authenticated by the cookie at the upgrade: a new user needs a new socket.
    this.#close();
    this.#open();
  }

  /** Calls `onpost` for each post created in the thread; returns the unsubscribe function. */
  subscribe(threadId: string, onpost: PostListener): () => void {
    let set = this.#threads.get(threadId);
    if (set === undefined) {
      set = new Set();
      this.#threads.set(threadId, set);
      this.#send({ type: 'subscribe', threadId });
    }
    set.add(onpost);
    return () => {
      const current = this.#threads.get(threadId);
      if (current === undefined) return;
      current.delete(onpost);
      if (current.size > 0) return;
      this.#threads.delete(threadId);
      this.#send({ type: 'unsubscribe', threadId });
    };
  }

  #send(frame: object): void {
    if (this.#ws !== null && this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(frame));
  }

  #open(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const url = new URL('/api/v1/live', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    this.#ws = ws;
    ws.onopen = () => {
      // The backoff starts over on `ready`, not here: a server that takes the socket and closes
      // it at once (its database away, too many sockets) must not be asked again every half second.
      this.connected = true;
      for (const threadId of this.#threads.keys()) this.#send({ type: 'subscribe', threadId });
      if (this.#userId !== null) this.#send({ type: 'resume', since: this.#lastId ?? '0' });
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(event.data) as ServerFrame;
      } catch {
        return;
      }
      this.#onFrame(frame);
    };
    ws.onclose = (event?: CloseEvent) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.connected = false;
      // Refused by policy (a flood, too many sockets from this address): wait the longest.
      if (event?.code === 1008) this.#attempt = Math.max(this.#attempt, POLICY_BACKOFF_ATTEMPT);
      this.#schedule();
    };
  }

  #onFrame(frame: ServerFrame): void {
    if (frame.type === 'ready') {
      this.#attempt = 0;
      return;
    }
    if (frame.type === 'notification') {
      const n = frame.notification;
      if (!isNewerId(n.id, this.#lastId)) return;
      this.#lastId = n.id;
      if (n.readAt === null) this.unread += 1;
      return;
    }
    if (frame.type === 'post.created') {
      for (const listener of this.#threads.get(frame.threadId) ?? []) listener(frame.post);
      return;
    }
    // Notifications already seen are ignored by id above, so asking again never counts twice.
    if (frame.type === 'resync' && this.#userId !== null) this.#send({ type: 'resume', since: this.#lastId ?? '0' });
  }

  #schedule(): void {
    if (this.#timer !== null) return;
    const delay = backoffDelay(this.#attempt++);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#open();
    }, delay);
  }

  /** Network back or tab visible again (a laptop waking up): do not wait out the backoff. */
  #reconnectNow(replace: boolean): void {
    if (this.#ws !== null && !replace) return;
    this.#close();
    this.#attempt = 0;
    this.#open();
  }

  #close(): void {
    const ws = this.#ws;
    this.#ws = null;
    this.connected = false;
    if (ws !== null) ws.close();
  }
}

let instance: Live | null = null;

/** The tab's live connection, created on first use in the browser. */
export function getLive(): Live {
  instance ??= new Live();
  return instance;
}
