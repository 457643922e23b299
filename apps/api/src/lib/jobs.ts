import type { PGlite } from '@electric-sql/pglite';
import type { Conn, Database } from '@bmet/db/client';
import { sql, type SQL } from 'drizzle-orm';
import PgBoss from 'pg-boss';
import { HttpError } from './http-error.ts';

/**
 * Background jobs on pg-boss (a PostgreSQL job queue: SKIP LOCKED fetching, retries with
 * backoff, jobs kept in tables so they survive a restart). On PostgreSQL it talks through the
 * app's own pool; on PGlite the same tables are driven in-process through the embedded
 * database. A job is inserted inside the transaction of the write that asks for it, so it
 * exists exactly when that write commits (an e-mail can neither be lost nor sent for a write
 * that rolled back).
 */
export type QueueName = 'mail-send' | 'password-forgot';

export interface QueueSettings {
  /** Attempts after the first; each waits retryDelaySeconds, doubled per attempt with backoff. */
  retryLimit: number;
  retryDelaySeconds: number;
  /** A job running longer than this is failed and retried (a hung SMTP server). */
  expireInSeconds: number;
}

export interface JobsOptions {
  /** How often an idle worker asks for work (a local enqueue wakes it at once). */
  pollingIntervalSeconds?: number;
  queues?: Partial<Record<QueueName, Partial<QueueSettings>>>;
  onError?: (err: Error) => void;
}

const DEFAULT_QUEUES: Record<QueueName, QueueSettings> = {
  // 30 s, 1 min, 2 min ... about 4 hours in all before a message counts as failed.
  'mail-send': { retryLimit: 9, retryDelaySeconds: 30, expireInSeconds: 120 },
  'password-forgot': { retryLimit: 5, retryDelaySeconds: 10, expireInSeconds: 60 }
};

export type JobHandler<T> = (job: { id: string; data: T; retryCount: number; retryLimit: number }) => Promise<void>;

/**
 * pg-boss's statements for a Drizzle connection or transaction: `$n` placeholders become bound
 * parameters in place (Drizzle numbers them anew, so a repeated `$1` is bound twice, same value).
 */
export function drizzleExecutor(conn: Conn): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const chunks: SQL[] = [];
      let last = 0;
      for (const match of text.matchAll(/\$(\d+)/g)) {
        chunks.push(sql.raw(text.slice(last, match.index)));
        chunks.push(sql`${values[Number(match[1]) - 1] ?? null}`);
        last = match.index + match[0].length;
      }
      chunks.push(sql.raw(text.slice(last)));
      const result = (await conn.execute(sql.join(chunks))) as unknown as { rows: unknown[] };
      return { rows: result.rows };
    }
  };
}

const LOCKED = /^\s*BEGIN;([\s\S]*)COMMIT;\s*$/;

/**
 * pg-boss over PGlite. Its maintenance sends `BEGIN; ...; COMMIT;` as one text: run as PGlite's
 * own transaction instead, so a failure rolls back and frees the one connection rather than
 * leaving it inside an aborted transaction.
 */
function pgliteExecutor(pglite: PGlite): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      if (values.length > 0) return pglite.query(text, values);
      const locked = LOCKED.exec(text);
      if (locked !== null) {
        const results = await pglite.transaction((tx) => tx.exec(locked[1]!));
        return results.at(-1) ?? { rows: [] };
      }
      const results = await pglite.exec(text);
      return results.at(-1) ?? { rows: [] };
    }
  };
}

export class Jobs {
  /** The current pg-boss (a new one per start attempt: a failed start leaves pg-boss unable to start again). */
  private boss: PgBoss;
  private readonly queues: Record<QueueName, QueueSettings>;
  private readonly polling: number;
  private readonly db: PgBoss.Db;
  private readonly onError: (err: Error) => void;
  private readonly workers = new Map<QueueName, string[]>();
  private readonly handlers: { queue: QueueName; handler: JobHandler<object>; count: number }[] = [];
  private started = false;
  private stopped = false;
  /** The start loop (until started or stopped), and its first try. */
  private starting: Promise<void> | null = null;
  private firstAttempt: Promise<void> | null = null;

  constructor(database: Database, options: JobsOptions = {}) {
    this.db =
      database.pglite !== null
        ? pgliteExecutor(database.pglite)
        : { executeSql: (text, values) => database.pool!.query(text, values) as Promise<{ rows: unknown[] }> };
    this.onError = options.onError ?? (() => {});
    this.polling = options.pollingIntervalSeconds ?? 2;
    this.queues = Object.fromEntries(
      Object.entries(DEFAULT_QUEUES).map(([name, settings]) => [name, { ...settings, ...options.queues?.[name as QueueName] }])
    ) as Record<QueueName, QueueSettings>;
    this.boss = this.makeBoss();
  }

  private makeBoss(): PgBoss {
    const boss = new PgBoss({
      db: this.db,
      schema: 'pgboss',
      migrate: true,
      supervise: true,
      schedule: false,
      maintenanceIntervalSeconds: 300,
      archiveCompletedAfterSeconds: 3600,
      // Finished jobs (which carry addresses: a reset asked for by address) go after a day.
      deleteAfterDays: 1
    });
    // An 'error' event with no listener would end the process: the database going away during
    // maintenance or a fetch is logged, and the workers try again on their next turn.
    boss.on('error', (err: Error) => this.onError(err));
    return boss;
  }

  /**
   * Installs or upgrades pg-boss's tables (under pg-boss's advisory lock: instances may start
   * together), creates the queues and starts the workers. While the database is away it tries
   * again with backoff, in the background: the forum answers (503) meanwhile instead of failing
   * to start.
   */
  start(): Promise<void> {
    if (this.firstAttempt !== null) return this.firstAttempt;
    let firstDone: () => void = () => {};
    this.firstAttempt = new Promise<void>((resolve) => (firstDone = resolve));
    this.starting = (async () => {
      for (let attempt = 0; !this.stopped; attempt++) {
        try {
          await this.startOnce();
          firstDone();
          return;
        } catch (err) {
          firstDone();
          this.onError(err instanceof Error ? err : new Error(String(err)));
          await this.boss.stop({ graceful: false, close: false }).catch(() => {});
          this.boss = this.makeBoss();
          await this.pause(Math.min(500 * 2 ** attempt, 10_000));
        }
      }
    })();
    return this.firstAttempt;
  }

  /** Waits (at most `ms`) for the queue to be there: a job sent before would have no table to go to. */
  private async untilStarted(ms: number): Promise<void> {
    if (this.started) return;
    this.wakeUp?.();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    if (this.starting === null) void this.start();
    await Promise.race([this.starting, late]);
    clearTimeout(timer);
    if (!this.started)
      throw new HttpError(503, 'unavailable', 'the forum is starting; try again in a moment', undefined, { 'retry-after': '5' });
  }

  private wakeUp: (() => void) | null = null;
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async startOnce(): Promise<void> {
    await this.boss.start();
    for (const [name, q] of Object.entries(this.queues)) {
      const settings = {
        retryLimit: q.retryLimit,
        retryDelay: q.retryDelaySeconds,
        retryBackoff: true,
        expireInSeconds: q.expireInSeconds
      };
      await this.boss.createQueue(name, { name, ...settings });
      await this.boss.updateQueue(name, { name, ...settings });
    }
    for (const { queue, handler, count } of this.handlers) await this.startWorkers(queue, handler, count);
    this.started = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.starting?.catch(() => {});
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, wait: true, timeout: 5000, close: false });
  }

  /** Inserts a job in the caller's transaction (or connection). */
  async send(conn: Conn, queue: QueueName, data: object, options: { startAfterSeconds?: number } = {}): Promise<void> {
    await this.untilStarted(3000);
    await this.boss.send(queue, data, {
      db: drizzleExecutor(conn),
      ...(options.startAfterSeconds === undefined ? {} : { startAfter: options.startAfterSeconds })
    });
  }

  /** Runs `count` workers on a queue in this process (from the start, or now if started already). */
  async work<T extends object>(queue: QueueName, handler: JobHandler<T>, count = 1): Promise<void> {
    this.handlers.push({ queue, handler: handler as JobHandler<object>, count });
    if (this.started) await this.startWorkers(queue, handler as JobHandler<object>, count);
  }

  private async startWorkers(queue: QueueName, handler: JobHandler<object>, count: number): Promise<void> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(
        await this.boss.work<object>(
          queue,
          { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: this.polling },
          async ([job]) => {
            if (job === undefined) return;
            await handler({ id: job.id, data: job.data, retryCount: job.retryCount, retryLimit: job.retryLimit });
          }
        )
      );
    }
    this.workers.set(queue, [...(this.workers.get(queue) ?? []), ...ids]);
  }

  /** Wakes this process's workers of a queue (after a commit that queued work), instead of waiting for their next poll. */
  wake(queue: QueueName): void {
    for (const id of this.workers.get(queue) ?? []) this.boss.notifyWorker(id);
  }
}
