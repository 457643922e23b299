import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, SEGMENT_WIDTH, segment } from './threads.ts';

/** Reading order is plain string order of the paths: check the encoding keeps that promise. */
describe('materialized paths', () => {
  it('sorts depth first with siblings oldest first', () => {
    const root = segment(0);
    const a = root + segment(1);
    const b = root + segment(2);
    const a1 = a + segment(3);
    const b1 = b + segment(4);
    const a2 = a + segment(5);
    const a1a = a1 + segment(6);
    const big = root + segment(1_000_000);
    const shuffled = [b1, a2, big, root, a1a, b, a, a1];
    expect([...shuffled].sort()).toEqual([root, a, a1, a1a, a2, b, b1, big]);
  });

  it('keeps segments fixed-width and digits only', () => {
    expect(segment(0)).toHaveLength(SEGMENT_WIDTH);
    expect(segment(9_999_999)).toBe('9999999');
    expect(segment(42)).toMatch(/^[0-9]+$/);
    // The deepest path still fits comfortably in a btree index entry.
    expect((MAX_DEPTH + 1) * SEGMENT_WIDTH).toBeLessThan(2000);
  });
});
