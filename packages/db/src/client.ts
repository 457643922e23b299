import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
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
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'pg';
  /** The PostgreSQL pool (kind 'pg') for LISTEN/NOTIFY and advisory locks. */
  pool: pg.Pool | null;
  /** The PGlite instance (kind 'pglite'). */
  pglite: PGlite | null;
  ping(): Promise<void>;
  close(): Promise<void>;
}

// bigint (int8) and count(*) come back as strings from pg by default; our ids fit in 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url !== undefined && options.url !== '') {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle client that errors (server restart) must not crash the process.
    pool.on('error', () => {});
    const db = drizzlePg(pool, { schema, casing: 'snake_case' }) as unknown as Db;
    return {
      db,
      kind: 'pg',
      pool,
      pglite: null,
      ping: async () => {
        await pool.query('select 1');
      },
      close: () => pool.end()
    };
  }
  const pglite = options.dataDir === undefined ? new PGlite() : new PGlite(options.dataDir);
  await pglite.waitReady;
  const db = drizzlePglite(pglite, { schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    pool: null,
    pglite,
    ping: async () => {
      await pglite.query('select 1');
    },
    close: () => pglite.close()
  };
}
