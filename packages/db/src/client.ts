import { PGlite } from '@electric-sql/pglite';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { isLostConnection, isRetryableRead } from './errors.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The common type of the PGlite and node-postgres drivers: domain code takes this. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** A database or a transaction: what domain functions take first. */
export type Conn = Db | Tx;

export interface DatabaseOptions {
  /** postgres://... to use a real PostgreSQL server; undefined for embedded PGlite. */
  url?: string | undefined;
  /** PGlite data directory; undefined (with no url) for an in-memory database. */
  dataDir?: string | undefined;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** PostgreSQL: how long a request waits for a connection before it fails (503), in ms. */
  connectTimeoutMs?: number;
  /**
   * Told of every error on a pooled connection, idle or busy (a server restart, a failover).
   * The pool drops such connections and opens new ones when asked; nothing else needs doing.
   */
  onConnectionError?: (err: Error) => void;
  /** PostgreSQL: the longest a statement may run (statement_timeout), in ms. */
  statementTimeoutMs?: number;
  /** PostgreSQL: the application_name its connections show in pg_stat_activity. */
  applicationName?: string;
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'pg';
  /** The PostgreSQL pool (kind 'pg') for LISTEN/NOTIFY and advisory locks. */
  pool: pg.Pool | null;
  /** The PGlite instance (kind 'pglite'). */
  pglite: PGlite | null;
  /** Resolves when the database answers a query within timeoutMs (default 3 s). */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

// bigint (int8) and count(*) come back as strings from pg by default; our ids fit in 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * Creating a database (initdb) takes PGlite's WebAssembly memory to ~700 MB, and WebAssembly
 * memory never shrinks: done in a worker thread, whose memory goes with it, the server starts
 * with the same footprint as on every later start.
 */
async function createInWorker(dataDir: string, startParams: string[]): Promise<void> {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.url)
      .then(async ({ PGlite }) => {
        const db = new PGlite(workerData.dataDir, { startParams: workerData.startParams });
        await db.waitReady;
        await db.close();
        parentPort.postMessage(null);
      })
      .catch((err) => parentPort.postMessage(String(err && err.message ? err.message : err)));`;
  const worker = new Worker(code, { eval: true, workerData: { url: import.meta.resolve('@electric-sql/pglite'), dataDir, startParams } });
  const problem = await new Promise<string | null>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => resolve(code === 0 ? null : `exited with ${code}`));
  });
  await worker.terminate();
  if (problem !== null) throw new Error(`creating the database in ${dataDir} failed: ${problem}`);
}

/** PGlite's PostgreSQL settings beside its own defaults: memory for a small site. */
const PGLITE_SETTINGS = ['shared_buffers=32MB', 'maintenance_work_mem=16MB', 'temp_buffers=2MB'];

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url !== undefined && options.url !== '') {
    const pool = openPool(options.url, options);
    const db = drizzlePg(pool, { schema, casing: 'snake_case' }) as unknown as Db;
    return {
      db,
      kind: 'pg',
      pool,
      pglite: null,
      ping: (timeoutMs = 3000) => withTimeout(pool.query('select 1'), timeoutMs, 'the database did not answer in time'),
      close: () => pool.end()
    };
  }
  // Sized for a small site in one process: WebAssembly memory only grows, so what PostgreSQL
  // touches once (its buffers, an index build's sort) stays resident for good.
  const settings = { startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((s) => ['-c', s])] };
  if (options.dataDir !== undefined && !existsSync(join(options.dataDir, 'PG_VERSION'))) {
    await createInWorker(options.dataDir, settings.startParams);
  }
  const pglite = options.dataDir === undefined ? new PGlite(settings) : new PGlite(options.dataDir, settings);
  await pglite.waitReady;
  const db = drizzlePglite(pglite, { schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    pool: null,
    pglite,
    ping: (timeoutMs = 3000) => withTimeout(pglite.query('select 1'), timeoutMs, 'the database did not answer in time'),
    close: () => pglite.close()
  };
}

/**
 * A pg pool that survives its server going away. Every connection gets an error listener for
 * its whole life (pg-pool listens only while a connection is idle, so an error on a busy one,
 * a restart mid-transaction, would otherwise be an unhandled 'error' event and end the
 * process); waiting for a connection is bounded, so requests fail fast while the server is
 * away; and a plain read that lost its connection is sent once more on a fresh one.
 */
function openPool(url: string, options: DatabaseOptions): pg.Pool {
  const onError = options.onConnectionError ?? (() => {});
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    // A connection whose server vanished without a word (a failover, a dropped NAT entry) is
    // noticed in seconds, and no statement or idle transaction holds a connection for long.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    query_timeout: (options.statementTimeoutMs ?? 30_000) + 5_000,
    idle_in_transaction_session_timeout: 60_000,
    application_name: options.applicationName ?? 'bmet-forum'
  });
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  const query = pool.query.bind(pool) as (config: unknown, values?: unknown) => Promise<unknown>;
  const retrying = async (config: unknown, values?: unknown) => {
    try {
      return await query(config, values);
    } catch (err) {
      const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
      if (!isLostConnection(err) || !isRetryableRead(text)) throw err;
      return query(config, values);
    }
  };
  // Drizzle's node-postgres transaction() sends BEGIN before its try/finally: a BEGIN that fails
  // (the connection died between checkout and BEGIN, as in a restart) never gives the connection
  // back, and each such failure shrinks the pool until nothing is left. Here a failed BEGIN
  // releases its connection, and release is made idempotent should Drizzle ever do it too.
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  pool.connect = (async (callback?: unknown) => {
    if (typeof callback === 'function') return (connect as (cb: unknown) => void)(callback);
    const client = await connect();
    const release = client.release.bind(client);
    let released = false;
    client.release = (err?: Error | boolean) => {
      if (released) return;
      released = true;
      release(err);
    };
    const clientQuery = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const result = clientQuery(...args);
      const config = args[0];
      const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
      if (result instanceof Promise && typeof text === 'string' && /^\s*begin\b/i.test(text)) {
        result.catch((err: Error) => client.release(err));
      }
      return result;
    }) as typeof client.query;
    return client;
  }) as typeof pool.connect;
  pool.query = ((config: unknown, values?: unknown, callback?: unknown) => {
    // Callback style is pg's own internal use; Drizzle and this code use promises.
    if (typeof values === 'function' || typeof callback === 'function')
      return (query as (...a: unknown[]) => unknown)(config, values, callback);
    return retrying(config, values);
  }) as typeof pool.query;
  return pool;
}

function withTimeout(promise: Promise<unknown>, ms: number, message: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  promise.catch(() => {});
  return Promise.race([promise.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
