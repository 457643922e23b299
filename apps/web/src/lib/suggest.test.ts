import { describe, expect, it, vi } from 'vitest';
import { debounce, splitLastTerm, withLastTerm } from './suggest.ts';

describe('splitLastTerm', () => {
  it.each([
    ['', '', ''],
    ['bat', '', 'bat'],
    ['battery, ala', 'battery, ', 'ala'],
    ['battery,ala', 'battery, ', 'ala'],
    ['battery, alarm, ', 'battery, alarm, ', '']
  ])('%j', (input, head, term) => {
    expect(splitLastTerm(input)).toEqual({ head, term });
  });
});

describe('withLastTerm', () => {
  it('replaces only the last term', () => {
    expect(withLastTerm('battery, ala', 'alarm')).toBe('battery, alarm');
    expect(withLastTerm('ala', 'alarm')).toBe('alarm');
  });
});

describe('debounce', () => {
  it('runs once with the last arguments after the pause', () => {
    vi.useFakeTimers();
    const calls: string[] = [];
    const run = debounce((v: string) => calls.push(v), 200);
    run('p');
    run('ph');
    vi.advanceTimersByTime(150);
    run('phi');
    vi.advanceTimersByTime(199);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['phi']);
    run('x');
    run.cancel();
    vi.advanceTimersByTime(500);
    expect(calls).toEqual(['phi']);
    vi.useRealTimers();
  });
});
