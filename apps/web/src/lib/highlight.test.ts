import { describe, expect, it } from 'vitest';
import { markRanges } from './highlight.ts';

describe('markRanges', () => {
  it('marks the given spans', () => {
    expect(markRanges('MRN 1234567 on bed 4', [{ start: 4, end: 11 }])).toEqual([
      { text: 'MRN ', mark: false },
      { text: '1234567', mark: true },
      { text: ' on bed 4', mark: false }
    ]);
  });

  it('merges overlaps, sorts, and clamps out-of-range offsets', () => {
    expect(
      markRanges('abcdef', [
        { start: 4, end: 99 },
        { start: 0, end: 2 },
        { start: 1, end: 3 }
      ])
    ).toEqual([
      { text: 'abc', mark: true },
      { text: 'd', mark: false },
      { text: 'ef', mark: true }
    ]);
  });

  it('returns the text unmarked without ranges, and ignores empty ones', () => {
    expect(markRanges('abc', [])).toEqual([{ text: 'abc', mark: false }]);
    expect(markRanges('abc', [{ start: 2, end: 2 }])).toEqual([{ text: 'abc', mark: false }]);
    expect(markRanges('', [{ start: 0, end: 3 }])).toEqual([]);
  });
});
