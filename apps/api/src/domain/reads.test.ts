import { describe, expect, it } from 'vitest';
import { decodeMark, encodeMark, newRepliesSince } from './reads.ts';
import { mayActOnRole } from './reports.ts';

describe('read marks', () => {
  it('round-trips and refuses anything else', () => {
    const mark = { threadId: 7, from: '0000000', to: '00000000000003', cap: 3 };
    expect(decodeMark(encodeMark(mark))).toEqual(mark);
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of [
      '',
      'not base64 at all',
      enc({ threadId: 7 }),
      enc([7, '0000000', '0000001']),
      enc([7, '0000002', '0000001', 3]),
      enc([-1, '0', '0', 3]),
      enc([7, 'abc', '0000001', 3]),
      enc([7, '0', '1', 1.5]),
      enc([7, '0', '1', 2 ** 60])
    ]) {
      expect(decodeMark(bad)).toBeNull();
    }
  });

  it('counts new replies from the position, the opening post not counted', () => {
    expect(newRepliesSince(1, -1)).toBe(0);
    expect(newRepliesSince(5, -1)).toBe(4);
    expect(newRepliesSince(5, 0)).toBe(4);
    expect(newRepliesSince(5, 4)).toBe(0);
    expect(newRepliesSince(5, 9)).toBe(0);
  });
});

describe('who may act on whom', () => {
  it('lets moderators act on members, admins on moderators, and nobody on admins', () => {
    expect(mayActOnRole('moderator', 'member')).toBe(true);
    expect(mayActOnRole('admin', 'member')).toBe(true);
    expect(mayActOnRole('moderator', 'moderator')).toBe(false);
    expect(mayActOnRole('admin', 'moderator')).toBe(true);
    expect(mayActOnRole('admin', 'admin')).toBe(false);
    expect(mayActOnRole('moderator', 'admin')).toBe(false);
    expect(mayActOnRole('member', 'member')).toBe(false);
  });
});
