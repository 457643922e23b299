import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database, type DatabaseOptions } from './client.ts';
import { migrate, migrationsFolder } from './migrate.ts';

/**
 * A fresh, migrated database for one test file: PGlite in memory by default; with a
 * PostgreSQL url, a new database created from a migrated template (made once per template
 * name), so test files run in parallel without cleanup.
 */
export async function openTestDatabase(url: string | undefined, options: Omit<DatabaseOptions, 'url' | 'dataDir'> = {}): Promise<Database> {
  if (url === undefined || url === '') {
    const database = await openDatabase({ ...options });
    await migrate(database);
    return database;
  }
  const name = `bmet_test_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const template = await ensureTemplate(url);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  const database = await openDatabase({ poolSize: 5, ...options, url: withDatabase(url, name) });
  const close = database.close;
  database.close = async () => {
    await close();
    const cleanup = new pg.Client({ connectionString: url });
    await cleanup.connect();
    try {
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await cleanup.end();
    }
  };
  return database;
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

const TEMPLATE_LOCK_KEY = 7_245_119_004;

async function ensureTemplate(url: string): Promise<string> {
  // Named after the migrations' content, so a changed migration gets a new template.
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsFolder)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    hash.update(file).update(readFileSync(join(migrationsFolder, file)));
  }
  const template = `bmet_test_template_${hash.digest('hex').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    // Test files start in parallel: one builds the template, the others wait for it.
    await admin.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    const exists = await admin.query('select 1 from pg_database where datname = $1', [template]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${template}"`);
      const database = await openDatabase({ url: withDatabase(url, template), poolSize: 1 });
      try {
        await migrate(database);
      } finally {
        await database.close();
      }
    }
    await admin.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
  } finally {
    await admin.end();
  }
  return template;
}
