import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { Database } from './client.ts';

export const migrationsFolder = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** Any constant shared by every instance: the key of the advisory lock that guards migrations. */
const MIGRATION_LOCK_KEY = 7_245_119_003;

/**
 * Applies the checked-in migrations (`folder`: the repository's, or a build's copy of them). On PostgreSQL it holds a session advisory lock on one
 * connection for the whole run, so instances that start at once take turns and the later ones
 * find nothing left to do.
 */
export async function migrate(database: Database, folder: string = migrationsFolder): Promise<void> {
  const migrationsFolder = folder;
  if (database.pglite !== null) {
    await migratePglite(drizzlePglite(database.pglite), { migrationsFolder });
    return;
  }
  if (database.pool === null) throw new Error('database has neither a pool nor a PGlite instance');
  const client = await database.pool.connect();
  try {
    // Migrations may build indexes on big tables: the pool's statement timeout is not for them.
    await client.query('set statement_timeout = 0');
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migratePg(drizzlePg(client), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}
