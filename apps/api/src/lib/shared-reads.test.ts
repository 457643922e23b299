import { describe, expect, it } from 'vitest';
import { SharedReads } from './shared-reads.ts';

const later = <T>(value: T, ms = 20) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('SharedReads', () => {
  it('loads a key once for every reader, at once or after, until a write', async () => {
    const reads = new SharedReads();
    let loads = 0;
    const load = () => {
      loads += 1;
      return later(`v${loads}`);
    };
    const answers = await Promise.all(Array.from({ length: 10 }, () => reads.get('k', load)));
    expect(new Set(answers)).toEqual(new Set(['v1']));
    expect(await reads.get('k', load)).toBe('v1');
    expect(loads).toBe(1);
    reads.invalidate();
    expect(await reads.get('k', load)).toBe('v2');
    expect(loads).toBe(2);
  });

  it('hands a load that a write overtook to its caller but keeps it not, nor shares it with readers after the write', async () => {
    const reads = new SharedReads();
    let loads = 0;
    const load = () => {
      loads += 1;
      return later(`v${loads}`, 50);
    };
    const before = reads.get('k', load);
    reads.invalidate();
    // Asked after the write: its own load, not the one that began before it.
    const after = reads.get('k', load);
    expect(await before).toBe('v1');
    expect(await after).toBe('v2');
    expect(await reads.get('k', load)).toBe('v2');
    expect(loads).toBe(2);
  });

  it('keeps no failure: the next reader loads again', async () => {
    const reads = new SharedReads();
    await expect(reads.get('k', () => Promise.reject(new Error('connection lost')))).rejects.toThrow('connection lost');
    expect(reads.size).toBe(0);
    expect(await reads.get('k', () => later('ok'))).toBe('ok');
  });

  it('forgets what is older than its time to live, writes or not', async () => {
    const reads = new SharedReads({ ttlMs: 30 });
    expect(await reads.get('k', () => later('a', 0))).toBe('a');
    await later(null, 60);
    expect(await reads.get('k', () => later('b', 0))).toBe('b');
  });

  it('keeps no more than its memory bound, the least recently read going first', async () => {
    // Each value counts its estimate plus its key and ~200 bytes of keeping: 1,202 here.
    const reads = new SharedReads({ maxBytes: 3_700 });
    for (const key of ['a', 'b', 'c'])
      await reads.get(
        key,
        () => later(key, 0),
        () => 1_000
      );
    expect(reads.size).toBe(3);
    await reads.get('a', () => later('a again', 0));
    await reads.get(
      'd',
      () => later('d', 0),
      () => 1_500
    );
    // 'b' and 'c' were read least recently: they made room; 'a' was just read.
    expect(await reads.get('a', () => later('reloaded', 0))).toBe('a');
    expect(await reads.get('b', () => later('reloaded', 0))).toBe('reloaded');
  });
});
