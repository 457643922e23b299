import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './client.ts';
import { migrate } from './migrate.ts';
import { withDatabase } from './test-support.ts';

async function boardSlugs(database: Awaited<ReturnType<typeof openDatabase>>) {
  const rows = await database.db.query.boards.findMany({ orderBy: (b, { asc }) => [asc(b.position)] });
  return rows.map((r) => [r.slug, r.roleTag]);
}

describe('migrate on PGlite', () => {
  it('creates the schema, seeds the boards once and is idempotent', async () => {
    const database = await openDatabase({});
    await migrate(database);
    await migrate(database);
    expect(await boardSlugs(database)).toEqual([
      ['general', null],
      ['bmet', 'BMET'],
      ['ce', 'CE'],
      ['bme', 'BME']
    ]);
    await database.close();
  });
});

const url = process.env.DATABASE_URL;
describe.runIf(url !== undefined && url !== '')('migrate on PostgreSQL', () => {
  it('lets two instances migrate one new database at once', async () => {
    const name = `bmet_migrate_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const a = await openDatabase({ url: withDatabase(url!, name), poolSize: 2 });
    const b = await openDatabase({ url: withDatabase(url!, name), poolSize: 2 });
    try {
      await Promise.all([migrate(a), migrate(b)]);
      expect(await boardSlugs(a)).toHaveLength(4);
      expect(await boardSlugs(b)).toHaveLength(4);
    } finally {
      await a.close();
      await b.close();
      await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
