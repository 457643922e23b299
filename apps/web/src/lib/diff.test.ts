import { describe, expect, it } from 'vitest';
import { diffLines, diffStats } from './diff.ts';

const show = (before: string, after: string) =>
  diffLines(before, after).map((l) => `${l.kind === 'add' ? '+' : l.kind === 'del' ? '-' : ' '}${l.text}`);

describe('diffLines', () => {
  it('keeps identical text as unchanged lines', () => {
    expect(show('a\nb', 'a\nb')).toEqual([' a', ' b']);
  });

  it('shows a changed line as removed then added', () => {
    expect(show('check fuse\nreplace board\ndone', 'check fuse\nreseat connector\ndone')).toEqual([
      ' check fuse',
      '-replace board',
      '+reseat connector',
      ' done'
    ]);
  });

  it('finds insertions and deletions in the middle', () => {
    expect(show('a\nb\nc\nd', 'a\nc\nx\nd')).toEqual([' a', '-b', ' c', '+x', ' d']);
  });

  it('handles empty sides', () => {
    expect(show('', 'new\ntext')).toEqual(['+new', '+text']);
    expect(show('old', '')).toEqual(['-old']);
    expect(show('', '')).toEqual([]);
  });

  it('treats CRLF like LF', () => {
    expect(show('a\r\nb', 'a\nb')).toEqual([' a', ' b']);
  });

  it('keeps the longest common subsequence', () => {
    const lines = diffLines('x\na\nb\nc\ny', 'a\nz\nb\nc');
    expect(lines.filter((l) => l.kind === 'same').map((l) => l.text)).toEqual(['a', 'b', 'c']);
    expect(diffStats(lines)).toEqual({ added: 1, removed: 2 });
  });

  it('falls back to replace-all for huge inputs', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join('\n');
    expect(diffStats(diffLines(a, b))).toEqual({ added: 3000, removed: 3000 });
  });
});
