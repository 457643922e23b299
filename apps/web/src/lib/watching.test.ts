import { describe, expect, it } from 'vitest';
import { actionKeeping, isLevel, levelHint, levelOptions } from './watching.ts';

describe('watching helpers', () => {
  it('keeps the listed query keys in a form action, and only those', () => {
    const url = new URL('http://x/b/bmet?sort=top&cursor=abc%3D&other=1');
    expect(actionKeeping(url, 'watch', ['sort', 'cursor'])).toBe('?sort=top&cursor=abc%3D&/watch');
    expect(actionKeeping(new URL('http://x/b/bmet'), 'watch', ['sort'])).toBe('?/watch');
  });

  it('knows the three levels, in order, each with a hint', () => {
    expect(levelOptions.map((o) => o.label)).toEqual(['Watching', 'Normal', 'Muted']);
    expect(isLevel('none')).toBe(true);
    expect(isLevel('normal')).toBe(false);
    expect(isLevel(null)).toBe(false);
    expect(levelHint('muted')).toBe('Notified only of @mentions.');
  });
});
