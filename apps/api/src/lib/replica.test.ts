import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { parseLsn } from './replica.ts';

// The routing itself is tested for real by `node reliability/run.mjs topology` (a replica made
// with pg_basebackup, replaying a second behind): these are its parts that need no cluster.
describe('read scaling settings', () => {
  it('orders WAL positions as PostgreSQL does', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('1/0')! > parseLsn('0/FFFFFFFF')!).toBe(true);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    for (const bad of [null, undefined, '', '0', '0/', 'x/1', '0/123456789']) expect(parseLsn(bad)).toBeNull();
  });

  it('takes a replica and a direct connection only beside DATABASE_URL, and only as postgres URLs', () => {
    const base = { DATABASE_URL: 'postgres://u@pgbouncer:6432/forum' };
    const config = loadConfig({
      ...base,
      DATABASE_LISTEN_URL: 'postgres://u@primary/forum',
      DATABASE_REPLICA_URL: 'postgresql://u@replica/forum'
    });
    expect(config.databaseListenUrl).toBe('postgres://u@primary/forum');
    expect(config.databaseReplicaUrl).toBe('postgresql://u@replica/forum');
    expect(loadConfig(base).databaseListenUrl).toBe(base.DATABASE_URL);
    expect(loadConfig(base).databaseReplicaUrl).toBeUndefined();
    expect(() => loadConfig({ DATABASE_REPLICA_URL: 'postgres://u@replica/forum' })).toThrow(/DATABASE_REPLICA_URL needs DATABASE_URL/);
    expect(() => loadConfig({ ...base, DATABASE_LISTEN_URL: 'mysql://x' })).toThrow(/DATABASE_LISTEN_URL must start with postgres/);
  });
});
