import { openDatabase } from '@bmet/db/client';
import { openTestDatabase } from '@bmet/db/test-support';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, type AppOptions } from '../src/app.ts';
import { PgBus } from '../src/lib/bus.ts';

export interface TestContext {
  app: FastifyInstance;
}

/** Builds the real app on a fresh database (PGlite, or PostgreSQL when DATABASE_URL is set). */
export function useApp(extra: Omit<Partial<AppOptions>, 'database'> = {}): TestContext {
  const ctx = {} as TestContext;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = await openTestDatabase(process.env.DATABASE_URL);
    ctx.app = await buildApp({ ...extra, database });
    close = async () => {
      await ctx.app.close();
      await database.close();
    };
  });
  afterAll(async () => {
    await close?.();
  });
  return ctx;
}

/**
 * Two instances of the app on one fresh PostgreSQL database, each with its own pool and its own
 * LISTEN bus (what scaling out runs), closed after the file's tests. For `describe.runIf` on a
 * DATABASE_URL.
 */
export function useTwoInstances(
  url: string | undefined
): () => Promise<{ a: FastifyInstance; b: FastifyInstance; busA: PgBus; busB: PgBus }> {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });
  return async () => {
    const first = await openTestDatabase(url);
    const dbUrl = (first.pool!.options as { connectionString: string }).connectionString;
    const second = await openDatabase({ url: dbUrl, poolSize: 3 });
    const log = { warn: () => {}, info: () => {} };
    const busA = new PgBus(dbUrl, log);
    const busB = new PgBus(dbUrl, log);
    await busA.start();
    await busB.start();
    const a = await buildApp({ database: first, bus: busA });
    const b = await buildApp({ database: second, bus: busB });
    closers.push(
      async () => first.close(),
      async () => second.close(),
      async () => a.close(),
      async () => b.close()
    );
    return { a, b, busA, busB };
  };
}

export type Res = LightMyRequestResponse & { data: any };

export async function call(
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string; ip?: string } = {}
): Promise<Res> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  const res = await app.inject({
    method,
    url: `/api/v1${url}`,
    headers,
    ...(payload === undefined ? {} : { payload }),
    ...(options.ip === undefined ? {} : { remoteAddress: options.ip })
  });
  let data: unknown;
  try {
    data = res.body === '' ? null : JSON.parse(res.body);
  } catch {
    data = res.body;
  }
  return Object.assign(res, { data });
}

let counter = 0;
export function unique(prefix = 'user'): string {
  counter += 1;
  // The time too: on a PostgreSQL that outlives runs, a pid and a counter come round again.
  const clock = (Date.now() % 36 ** 6).toString(36);
  return `${prefix}${process.pid}${counter}${clock}${Math.floor(Math.random() * 1000)}`;
}

export async function registerUser(
  app: FastifyInstance,
  overrides: Partial<{ username: string; email: string; password: string; profession: string; displayName: string }> = {}
): Promise<{ user: any; token: string; password: string }> {
  const username = overrides.username ?? unique('tech');
  const password = overrides.password ?? 'correct horse battery staple';
  const res = await call(app, 'POST', '/auth/register', {
    body: { username, email: `${username}@example.org`, password, profession: 'BMET', ...overrides }
  });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  return { user: res.data.user, token: res.data.token, password };
}

export async function createThread(
  app: FastifyInstance,
  token: string,
  overrides: Record<string, unknown> & { board?: string } = {}
): Promise<{ thread: any; post: any }> {
  const { board = 'bmet', ...body } = overrides;
  const res = await call(app, 'POST', `/boards/${board}/threads`, {
    token,
    body: { title: 'Alaris 8100 occlusion alarm after tubing change', body: 'Downstream occlusion at every start.', ...body }
  });
  if (res.statusCode !== 201) throw new Error(`create thread failed: ${res.statusCode} ${res.body}`);
  return res.data;
}

export async function reply(app: FastifyInstance, token: string, threadId: string, body: string, parentId?: string): Promise<any> {
  const res = await call(app, 'POST', `/threads/${threadId}/posts`, {
    token,
    body: parentId === undefined ? { body } : { body, parentId }
  });
  if (res.statusCode !== 201) throw new Error(`reply failed: ${res.statusCode} ${res.body}`);
  return res.data.post;
}

/** The error body every failure must have, and nothing more. */
export function expectError(res: Res, status: number, code: string): void {
  if (res.statusCode !== status || res.data?.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.statusCode} ${res.body}`);
  }
  if (typeof res.data.error.message !== 'string' || res.body.includes('    at ')) {
    throw new Error(`error body malformed or leaks a stack: ${res.body}`);
  }
}

/** Makes a user a moderator or admin, as `pnpm cli set-role` would. */
export async function setRole(app: FastifyInstance, userId: string, role: 'member' | 'moderator' | 'admin'): Promise<void> {
  const { users } = await import('@bmet/db/schema');
  const { eq } = await import('drizzle-orm');
  await app.db
    .update(users)
    .set({ role })
    .where(eq(users.id, Number(userId)));
}
