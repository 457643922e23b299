import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './client.ts';
import { openTestDatabase } from './test-support.ts';

const url = process.env.DATABASE_URL;

describe.runIf(url !== undefined && url !== '')('the PostgreSQL pool when connections die', () => {
  it('gives a connection back when BEGIN fails on it (Drizzle would keep it forever), so the pool never runs dry', async () => {
    const database = await openTestDatabase(url, { poolSize: 1, connectTimeoutMs: 2000 });
    const pool = database.pool!;
    try {
      // The connection dies right as a transaction takes it, before BEGIN reaches the server.
      let sabotage = 3;
      pool.on('acquire', (client: pg.PoolClient) => {
        if (sabotage-- > 0) (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      });
      for (let i = 0; i < 3; i++) {
        await expect(database.db.transaction(async (tx) => tx.execute(sql`select 1`))).rejects.toThrow();
      }
      // With one connection in the pool, any leak would make this wait out the 2 s and fail.
      const rows = await database.db.transaction(async (tx) => tx.execute(sql`select 41 + 1 as n`));
      expect((rows as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(42);
      expect(await database.db.execute(sql`select 1 as one`)).toBeDefined();
    } finally {
      await database.close();
    }
  });
});

describe('the embedded database on disk', () => {
  it('is created in a worker thread (its memory goes with it), keeps what is written, and runs with the small-site settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bmet-db-'));
    try {
      const first = await openDatabase({ dataDir: dir });
      expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
      await first.db.execute(sql`create table kept (n int)`);
      await first.db.execute(sql`insert into kept values (7)`);
      const settings = await first.db.execute(
        sql`select current_setting('shared_buffers') as sb, current_setting('maintenance_work_mem') as mwm`
      );
      expect((settings as unknown as { rows: { sb: string; mwm: string }[] }).rows[0]).toEqual({ sb: '32MB', mwm: '16MB' });
      await first.close();
      const again = await openDatabase({ dataDir: dir });
      const rows = await again.db.execute(sql`select n from kept`);
      expect((rows as unknown as { rows: { n: number }[] }).rows).toEqual([{ n: 7 }]);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
