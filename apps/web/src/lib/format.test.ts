import { describe, expect, it } from 'vitest';
import { parseTags, plural, relativeTime, safeNext } from './format.ts';

describe('relativeTime', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');
  it.each([
    ['2026-11-24T11:59:40Z', 'just now'],
    ['2026-11-24T11:55:00Z', '5 minutes ago'],
    ['2026-11-24T09:00:00Z', '3 hours ago'],
    ['2026-11-23T12:00:00Z', 'yesterday'],
    ['2026-11-10T12:00:00Z', '2 weeks ago'],
    ['2025-11-24T12:00:00Z', 'last year']
  ])('%s -> %s', (iso, expected) => {
    expect(relativeTime(iso, now)).toBe(expected);
  });
});

describe('safeNext', () => {
  it.each([
    ['/t/12', '/t/12'],
    ['/b/bmet?sort=top', '/b/bmet?sort=top'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/\t/evil.example', '/'],
    ['/\n/evil.example', '/'],
    ['/x\\y', '/'],
    ['/t/5#p9', '/t/5#p9'],
    ['', '/'],
    ['https://evil.example', '/'],
    ['javascript:alert(1)', '/'],
    [null, '/']
  ])('%s -> %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});

describe('plural', () => {
  it('counts', () => {
    expect(plural(1, 'reply', 'replies')).toBe('1 reply');
    expect(plural(1200, 'post')).toBe('1,200 posts');
  });
});

describe('parseTags', () => {
  it.each([
    ['battery, alarm, pm', ['battery', 'alarm', 'pm']],
    [' #battery ,, alarm ,battery', ['battery', 'alarm']],
    ['', []],
    [' , ', []]
  ])('%j -> %j', (input, expected) => {
    expect(parseTags(input)).toEqual(expected);
  });
});
