import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.ts';

describe('TtlCache', () => {
  it('loads a key once for concurrent callers, keeps it until it expires, and stays bounded', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<number, boolean>({ max: 3, ttlMs: 1000, shortTtl: { when: (v) => !v, ms: 10 }, now: () => now });
    const load = async () => {
      loads += 1;
      await new Promise((r) => setTimeout(r, 5));
      return true;
    };
    expect(await Promise.all(Array.from({ length: 50 }, () => cache.get(1, load)))).toEqual(Array(50).fill(true));
    expect(loads).toBe(1);
    now = 999;
    await cache.get(1, load);
    expect(loads).toBe(1);
    now = 1000;
    await cache.get(1, load);
    expect(loads).toBe(2);
    for (const key of [2, 3, 4, 5]) await cache.get(key, load);
    expect(cache.size).toBe(3);
    await cache.get(9, async () => false);
    now += 11;
    expect(await cache.get(9, async () => true)).toBe(true);
  });

  it('does not keep a failed load', async () => {
    const cache = new TtlCache<number, number>({ max: 10, ttlMs: 1000 });
    await expect(cache.get(1, async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get(1, async () => 7)).toBe(7);
  });
});
