import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e?: { code: number }) => void) | null = null;
  constructor(readonly url: URL) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  frame(data: object) {
    this.onmessage?.({ data: JSON.stringify(data) });
  }
  drop(code?: number) {
    this.readyState = 3;
    this.onclose?.(code === undefined ? undefined : { code });
  }
}

const listeners = new Map<string, () => void>();
const on = (type: string, fn: () => void) => listeners.set(type, fn);

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal('window', { addEventListener: on });
  vi.stubGlobal('document', { addEventListener: on, visibilityState: 'visible' });
  vi.stubGlobal('location', { href: 'https://forum.example/t/5' });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const notification = (id: string, readAt: string | null = null) => ({
  type: 'notification',
  notification: { id, type: 'reply', threadId: '5', postId: '9', actor: null, createdAt: '2026-11-24T10:00:00Z', readAt }
});

describe('Live', () => {
  it('counts each notification once and resumes from the last one after reconnecting', async () => {
    const { Live } = await import('./live.svelte.ts');
    const live = new Live();
    live.setSession('1', 2, '10');
    const first = FakeSocket.all[0]!;
    expect(first.url.href).toBe('wss://forum.example/api/v1/live');
    const posts: unknown[] = [];
    live.subscribe('5', (p) => posts.push(p));
    first.open();
    expect(first.sent).toEqual([
      { type: 'subscribe', threadId: '5' },
      { type: 'resume', since: '10' }
    ]);

    first.frame({ type: 'ready', unread: 7 });
    first.frame(notification('11'));
    first.frame(notification('11'));
    first.frame(notification('9'));
    expect(live.unread).toBe(3);
    first.frame({ type: 'post.created', threadId: '5', post: { id: '9' } });
    expect(posts).toEqual([{ id: '9' }]);

    first.drop();
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(600);
    const second = FakeSocket.all[1]!;
    second.open();
    expect(second.sent).toEqual([
      { type: 'subscribe', threadId: '5' },
      { type: 'resume', since: '11' }
    ]);
    second.frame(notification('12'));
    second.frame(notification('13', '2026-11-24T10:05:00Z'));
    expect(live.unread).toBe(4);

    // The server's bus came back after an outage: the client asks for what it may have missed.
    second.frame({ type: 'resync', since: '2026-11-24T10:06:00Z' });
    expect(second.sent.at(-1)).toEqual({ type: 'resume', since: '13' });
    second.frame(notification('13'));
    expect(live.unread).toBe(4);
  });

  it('backs off between failed attempts and reconnects at once when the network returns', async () => {
    const { Live } = await import('./live.svelte.ts');
    const live = new Live();
    live.setSession(null, 0, null);
    FakeSocket.all[0]!.drop();
    vi.advanceTimersByTime(600);
    FakeSocket.all[1]!.drop();
    vi.advanceTimersByTime(600);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(700);
    expect(FakeSocket.all).toHaveLength(3);
    FakeSocket.all[2]!.drop();
    listeners.get('online')?.();
    expect(FakeSocket.all).toHaveLength(4);
    FakeSocket.all[3]!.open();
    expect(FakeSocket.all[3]!.sent).toEqual([]);
    // Back online with a socket that looks open: it is replaced, not trusted.
    listeners.get('online')?.();
    expect(FakeSocket.all).toHaveLength(5);
    expect(FakeSocket.all[3]!.readyState).toBe(3);
    // A tab visible again after a short while keeps its socket; after a long sleep it reconnects.
    const doc = document as unknown as { visibilityState: string };
    doc.visibilityState = 'hidden';
    listeners.get('visibilitychange')?.();
    vi.advanceTimersByTime(5_000);
    doc.visibilityState = 'visible';
    listeners.get('visibilitychange')?.();
    expect(FakeSocket.all).toHaveLength(5);
    doc.visibilityState = 'hidden';
    listeners.get('visibilitychange')?.();
    vi.advanceTimersByTime(120_000);
    doc.visibilityState = 'visible';
    listeners.get('visibilitychange')?.();
    expect(FakeSocket.all).toHaveLength(6);
  });

  it('keeps backing off from a server that accepts and closes at once, and waits longest after 1008', async () => {
    const { Live } = await import('./live.svelte.ts');
    const live = new Live();
    live.setSession('1', 0, null);
    // Opened, then closed before ready (the server's database is away: 1013): the backoff grows.
    for (let i = 0; i < 4; i++) {
      FakeSocket.all.at(-1)!.open();
      FakeSocket.all.at(-1)!.drop(1013);
      vi.advanceTimersByTime(500 * 2 ** i * 1.25);
    }
    expect(FakeSocket.all).toHaveLength(5);
    FakeSocket.all.at(-1)!.open();
    FakeSocket.all.at(-1)!.frame({ type: 'ready', unread: 0 });
    // After ready the next drop reconnects quickly again; after a policy close, not for ~30 s.
    FakeSocket.all.at(-1)!.drop(1008);
    vi.advanceTimersByTime(20_000);
    expect(FakeSocket.all).toHaveLength(5);
    vi.advanceTimersByTime(20_000);
    expect(FakeSocket.all).toHaveLength(6);
  });

  it('unsubscribes when the last listener of a thread leaves', async () => {
    const { Live } = await import('./live.svelte.ts');
    const live = new Live();
    live.setSession(null, 0, null);
    const ws = FakeSocket.all[0]!;
    ws.open();
    const stop = live.subscribe('5', () => {});
    stop();
    expect(ws.sent).toEqual([
      { type: 'subscribe', threadId: '5' },
      { type: 'unsubscribe', threadId: '5' }
    ]);
  });
});
