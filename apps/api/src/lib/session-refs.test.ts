import { describe, expect, it, vi } from 'vitest';
import type { UserRow } from '@bmet/db/schema';
import { SessionRefs } from './session-refs.ts';
import type { Session } from './session.ts';

const session = { id: 's' } as Session;
const user = { id: 1 } as UserRow;

describe('SessionRefs', () => {
  it('lends a check to its own token only, for a few seconds', () => {
    vi.useFakeTimers();
    try {
      const refs = new SessionRefs();
      const ref = refs.lend('a.b', session, user);
      expect(refs.borrow(ref, 'a.b')?.user).toBe(user);
      expect(refs.borrow(ref, 'a.c')).toBeNull();
      expect(refs.borrow('made-up', 'a.b')).toBeNull();
      vi.advanceTimersByTime(5_001);
      expect(refs.borrow(ref, 'a.b')).toBeNull();
      expect(refs.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stays bounded when lent faster than loans expire, dropping the oldest first', () => {
    const refs = new SessionRefs();
    const first = refs.lend('t.0', session, user);
    for (let i = 1; i < 25_000; i++) refs.lend(`t.${i}`, session, user);
    expect(refs.size).toBeLessThanOrEqual(10_000);
    expect(refs.borrow(first, 't.0')).toBeNull();
    const newest = refs.lend('t.new', session, user);
    expect(refs.borrow(newest, 't.new')).not.toBeNull();
  });
});
