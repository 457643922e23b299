import type { Socket } from 'node:net';
import { openDatabase, type Database } from '@bmet/db/client';
import { openTestDatabase } from '@bmet/db/test-support';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { BUS_APPLICATION_NAME, PgBus } from '../src/lib/bus.ts';
import { call, createThread, expectError, registerUser, reply } from './helper.ts';

const url = process.env.DATABASE_URL;
const onPostgres = url !== undefined && url !== '';
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  // A close that does not finish is a leak (a connection never given back, a socket left open):
  // it fails the file by name instead of timing out the hook.
  const stuck: string[] = [];
  for (const close of closers.reverse()) {
    const done = await Promise.race([
      close().then(
        () => true,
        () => true
      ),
      sleep(15_000).then(() => false)
    ]);
    if (!done) stuck.push(close.toString());
  }
  expect(stuck).toEqual([]);
}, 120_000);

const quiet = { warn: () => {}, info: () => {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(100);
  }
  return Date.now() - start;
}

describe('a database that is not there', () => {
  it('answers 503 unavailable with Retry-After on reads, writes and sessions; /healthz stays 200', async () => {
    // Nothing listens on port 1: every connection is refused at once.
    const database = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 1000 });
    const app = await buildApp({ database });
    closers.push(
      () => app.close(),
      () => database.close()
    );
    for (const [method, path, body] of [
      ['GET', '/boards', undefined],
      ['GET', '/threads/1', undefined],
      ['POST', '/auth/login', { login: 'someone', password: 'a long password' }],
      ['POST', '/auth/register', { username: 'newcomer', email: 'n@example.org', password: 'a long password', profession: 'BMET' }]
    ] as const) {
      const res = await call(app, method, path, body === undefined ? {} : { body });
      expectError(res, 503, 'unavailable');
      expect(res.headers['retry-after']).toBe('5');
    }
    // A session is looked up before the route runs: that failure is a 503 as well.
    expectError(await call(app, 'GET', '/me', { token: 'abc.def' }), 503, 'unavailable');
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('refuses a signed-in socket it cannot look up (503 before the upgrade) and closes one it cannot greet (1013)', async () => {
    const dead = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 });
    const down = await buildApp({ database: dead });
    await down.listen({ port: 0, host: '127.0.0.1' });
    closers.push(
      () => down.close(),
      () => dead.close()
    );
    const port = (down.server.address() as { port: number }).port;
    const { default: WebSocket } = await import('ws');
    const refused = await new Promise<{ status: number; closedByServer: boolean }>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, { headers: { authorization: 'Bearer abc.def' } });
      ws.on('unexpected-response', (req, res) => {
        // The server ends the refused upgrade's connection itself (no socket left open on its side).
        const timer = setTimeout(() => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, closedByServer: false });
        }, 3000);
        req.socket?.once('close', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, closedByServer: true });
        });
        res.resume();
      });
      ws.on('error', () => {});
    });
    expect(refused).toEqual({ status: 503, closedByServer: true });

    // The session is found, but the hub's own database is away: the socket is told to come back later.
    const live = await openTestDatabase(process.env.DATABASE_URL);
    const app = await buildApp({ database: live, liveDb: dead.db });
    closers.push(
      () => app.close(),
      () => live.close()
    );
    const { token } = await registerUser(app);
    const ws = await app.injectWS('/api/v1/live', { headers: { authorization: `Bearer ${token}` } });
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    expect(code).toBe(1013);
  });
});

describe.runIf(onPostgres)('PostgreSQL going away under load', () => {
  async function terminateAll(database: Database, applicationName?: string): Promise<number> {
    const dbName = new URL((database.pool!.options as { connectionString: string }).connectionString).pathname.slice(1);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const res = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = $1 and pid <> pg_backend_pid() and ($2::text is null or application_name = $2)`,
        [dbName, applicationName ?? null]
      );
      return res.rowCount ?? 0;
    } finally {
      await admin.end();
    }
  }

  it('answers 201 or 503 while its connections are killed mid-write, recovers by itself and keeps counters exact', async () => {
    const lost: string[] = [];
    const database = await openTestDatabase(url, { poolSize: 5, onConnectionError: (err) => lost.push(err.message) });
    const app = await buildApp({ database });
    closers.push(
      () => app.close(),
      () => database.close()
    );
    const asker = await registerUser(app);
    const writer = await registerUser(app);
    const { thread } = await createThread(app, asker.token);

    const statuses: number[] = [];
    const acknowledged: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const res = await call(app, 'POST', `/threads/${thread.id}/posts`, {
          token: writer.token,
          body: { body: `writer ${w} reply ${i}` }
        });
        statuses.push(res.statusCode);
        if (res.statusCode === 201) acknowledged.push(res.data.post.id);
        else expectError(res, 503, 'unavailable');
      }
    });
    const reader = (async () => {
      while (!stop) {
        // A page the shared reads keep is answered without I/O: an in-process loop of them would
        // never let the timers below run (over a socket, each request is I/O of its own).
        await new Promise((resolve) => setImmediate(resolve));
        const res = await call(app, 'GET', `/threads/${thread.id}?limit=20`);
        statuses.push(res.statusCode);
        if (res.statusCode !== 200) expectError(res, 503, 'unavailable');
      }
    })();
    let killed = 0;
    for (let round = 0; round < 5; round++) {
      await sleep(300);
      killed += await terminateAll(database);
    }
    stop = true;
    await Promise.all([...writers, reader]);

    expect(killed).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200 && s !== 201 && s !== 503)).toEqual([]);
    expect(lost.length).toBeGreaterThan(0);
    // Back by itself: the next write and read work on fresh connections.
    await until(async () => (await app.inject({ url: '/readyz' })).statusCode === 200, 10_000, 'readiness');
    acknowledged.push((await reply(app, writer.token, thread.id, 'after the storm')).id);

    const page = await call(app, 'GET', `/threads/${thread.id}?limit=200`);
    const stored = page.data.posts.filter((p: any) => p.depth > 0).map((p: any) => p.id);
    // Nothing acknowledged is lost; a write that failed with 503 may still have committed
    // (its COMMIT got through before the connection died), so stored ⊇ acknowledged.
    for (const id of acknowledged) expect(stored).toContain(id);
    expect(new Set(stored).size).toBe(stored.length);
    expect(page.data.thread.replyCount).toBe(stored.length);
    const board = await call(app, 'GET', '/boards/bmet');
    const user = await call(app, 'GET', `/users/${encodeURIComponent(writer.user.username)}`);
    expect(user.data.stats.postCount).toBe(stored.length);
    expect(board.data.board.postCount).toBeGreaterThanOrEqual(stored.length + 1);
  });

  it('keeps publishing off the write path: replies answer at once while the bus cannot reach the database', async () => {
    const database = await openTestDatabase(url);
    const bus = new PgBus('postgres://postgres@127.0.0.1:1/none', quiet);
    await bus.start();
    const app = await buildApp({ database, bus });
    closers.push(
      () => app.close(),
      () => database.close()
    );
    const { token } = await registerUser(app);
    const { thread } = await createThread(app, token);
    const started = Date.now();
    for (let i = 0; i < 10; i++) await reply(app, token, thread.id, `reply ${i} with the bus away`);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('listens again after its connection is killed, sends what waited, and tells sockets to resync', async () => {
    const database = await openTestDatabase(url);
    const dbUrl = (database.pool!.options as { connectionString: string }).connectionString;
    const bus = new PgBus(dbUrl, quiet);
    await bus.start();
    const app: FastifyInstance = await buildApp({ database, bus });
    closers.push(
      () => app.close(),
      () => database.close()
    );
    const asker = await registerUser(app);
    const other = await registerUser(app);
    const { thread } = await createThread(app, asker.token);

    const frames: any[] = [];
    const ws = await app.injectWS(
      '/api/v1/live',
      { headers: { authorization: `Bearer ${asker.token}` } },
      {
        onInit: (socket) => socket.on('message', (data) => frames.push(JSON.parse(data.toString())))
      }
    );
    await until(async () => frames.some((f) => f.type === 'ready'), 5000, 'ready');
    ws.send(JSON.stringify({ type: 'subscribe', threadId: thread.id }));
    await until(async () => frames.some((f) => f.type === 'subscribed'), 5000, 'subscribed');

    expect(await terminateAll(database, BUS_APPLICATION_NAME)).toBe(1);
    await until(async () => !bus.listening, 5000, 'the bus noticing');
    const during = await reply(app, other.token, thread.id, 'written while the bus was away');
    const back = await until(async () => bus.listening, 10_000, 'the bus listening again');
    expect(back).toBeLessThan(10_000);
    await until(async () => frames.some((f) => f.type === 'resync'), 10_000, 'a resync frame');
    await until(async () => frames.some((f) => f.type === 'post.created' && f.post.id === during.id), 10_000, 'the missed post');
    await until(
      async () => frames.some((f) => f.type === 'notification' && f.notification.postId === during.id),
      10_000,
      'the notification'
    );
    // Exactly once each, though both the queue and the resync could have sent it.
    expect(frames.filter((f) => f.type === 'notification' && f.notification.postId === during.id)).toHaveLength(1);
    ws.terminate();
  });

  it('notices a LISTEN connection that went silent (no FIN, no RST) and listens again', async () => {
    const { createServer, connect } = await import('node:net');
    const target = new URL(url!);
    // A TCP proxy in front of PostgreSQL that can stop forwarding while keeping both sockets
    // open: what a failover or a dropped NAT entry looks like to the client.
    let silent = false;
    const pairs: { a: Socket; b: Socket }[] = [];
    const proxy = createServer((a) => {
      const b = connect(Number(target.port || 5432), target.hostname);
      pairs.push({ a, b });
      a.on('data', (d) => {
        if (!silent) b.write(d);
      });
      b.on('data', (d) => {
        if (!silent) a.write(d);
      });
      a.on('error', () => b.destroy());
      b.on('error', () => a.destroy());
      a.on('close', () => b.destroy());
      b.on('close', () => a.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise((r) => {
          for (const p of pairs) p.a.destroy();
          proxy.close(r);
        })
    );
    const viaProxy = new URL(url!);
    viaProxy.host = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
    const bus = new PgBus(viaProxy.toString(), quiet, { everyMs: 300, timeoutMs: 300 });
    await bus.start();
    closers.push(() => bus.close());
    expect(bus.listening).toBe(true);
    silent = true;
    const noticed = await until(async () => !bus.listening, 5000, 'the bus noticing the silence');
    expect(noticed).toBeLessThan(2000);
    // The silent sockets are given up on; new connections through the proxy work again.
    for (const p of pairs) p.a.destroy();
    silent = false;
    await until(async () => bus.listening, 10_000, 'the bus listening again');
  });
});
