import { describe, expect, it } from 'vitest';
import { limitDepth } from './thread-tree.ts';

const chain = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `p${from + i}`, depth: from + i }));

describe('limitDepth', () => {
  it('keeps a shallow tree as it is', () => {
    const posts = chain(5);
    expect(limitDepth(posts, 0)).toEqual({ posts, hidden: new Map() });
  });

  it('cuts a long chain after depth 8 and counts what it left out', () => {
    const { posts, hidden } = limitDepth(chain(12), 0);
    expect(posts.map((p) => p.depth)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(hidden).toEqual(new Map([['p8', 3]]));
  });

  it('counts per cut-off post and resumes with shallower siblings', () => {
    const posts = [...chain(10), { id: 'b8', depth: 8 }, { id: 'b9', depth: 9 }, { id: 's2', depth: 2 }, { id: 's3', depth: 3 }];
    const result = limitDepth(posts, 0);
    expect(result.posts.map((p) => p.id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'b8', 's2', 's3']);
    expect(result.hidden).toEqual(
      new Map([
        ['p8', 1],
        ['b8', 1]
      ])
    );
  });

  it('measures depth from the root of a subtree page', () => {
    const { posts, hidden } = limitDepth(chain(11, 10), 10);
    expect(posts.at(-1)).toEqual({ id: 'p18', depth: 18 });
    expect(hidden).toEqual(new Map([['p18', 2]]));
  });

  it('drops deep posts at the start of a later page without a cut-off post', () => {
    const { posts, hidden } = limitDepth(
      [
        { id: 'x', depth: 12 },
        { id: 'y', depth: 1 }
      ],
      0
    );
    expect(posts.map((p) => p.id)).toEqual(['y']);
    expect(hidden.size).toBe(0);
  });
});
