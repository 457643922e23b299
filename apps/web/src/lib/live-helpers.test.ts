import { describe, expect, it } from 'vitest';
import { backoffDelay, describeNotification, groupByDay, insertionIndex, isNewerId, notificationHref } from './live-helpers.ts';

describe('backoffDelay', () => {
  it('doubles from 0.5 s and caps at 30 s without jitter', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map((a) => backoffDelay(a, mid))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000
    ]);
  });
  it('jitters within ±20 % and never above 30 s', () => {
    expect(backoffDelay(0, () => 0)).toBe(400);
    expect(backoffDelay(0, () => 1)).toBe(600);
    expect(backoffDelay(10, () => 1)).toBe(30000);
  });
});

describe('isNewerId', () => {
  it('compares decimal ids numerically', () => {
    expect(isNewerId('10', '9')).toBe(true);
    expect(isNewerId('9', '10')).toBe(false);
    expect(isNewerId('12', '12')).toBe(false);
    expect(isNewerId('1', null)).toBe(true);
  });
});

describe('insertionIndex', () => {
  const posts = [
    { id: '1', parentId: null, depth: 0 },
    { id: '2', parentId: '1', depth: 1 },
    { id: '3', parentId: '2', depth: 2 },
    { id: '4', parentId: '3', depth: 3 },
    { id: '5', parentId: '1', depth: 1 }
  ];
  it('goes after the last descendant of its parent', () => {
    expect(insertionIndex(posts, { id: '9', parentId: '2', depth: 2 })).toBe(4);
    expect(insertionIndex(posts, { id: '9', parentId: '4', depth: 4 })).toBe(4);
    expect(insertionIndex(posts, { id: '9', parentId: '5', depth: 2 })).toBe(5);
  });
  it('puts replies to the opening post and parentless posts at the end', () => {
    expect(insertionIndex(posts, { id: '9', parentId: '1', depth: 1 })).toBe(5);
    expect(insertionIndex(posts, { id: '9', parentId: null, depth: 0 })).toBe(5);
  });
  it('skips posts already shown and posts whose parent is not on the page', () => {
    expect(insertionIndex(posts, { id: '3', parentId: '2', depth: 2 })).toBe(-1);
    expect(insertionIndex(posts, { id: '9', parentId: '77', depth: 5 })).toBe(-1);
  });
});

describe('groupByDay', () => {
  const now = Date.parse('2026-11-24T15:00:00Z');
  it('labels today, yesterday and older dates, keeping order', () => {
    const items = [
      { id: 'a', createdAt: '2026-11-24T14:00:00Z' },
      { id: 'b', createdAt: '2026-11-24T00:10:00Z' },
      { id: 'c', createdAt: '2026-11-23T23:59:00Z' },
      { id: 'd', createdAt: '2026-11-02T08:00:00Z' }
    ];
    const groups = groupByDay(items, now);
    expect(groups.map((g) => [g.label, g.items.map((i) => i.id)])).toEqual([
      ['Today', ['a', 'b']],
      ['Yesterday', ['c']],
      ['2 November 2026', ['d']]
    ]);
  });
  it('returns no groups for no items', () => {
    expect(groupByDay([], now)).toEqual([]);
  });
});

describe('describeNotification', () => {
  it('says who did what and links to the post', () => {
    const actor = { displayName: 'Sam Okafor' };
    expect(describeNotification({ type: 'reply', actor })).toBe('Sam Okafor replied to your post');
    expect(describeNotification({ type: 'mention', actor })).toBe('Sam Okafor mentioned you');
    expect(describeNotification({ type: 'solution', actor })).toBe('Sam Okafor accepted your answer');
    expect(notificationHref({ type: 'reply', threadId: '4', postId: '17' })).toBe('/t/4?at=17#p17');
    expect(notificationHref({ threadId: '4', postId: '17' })).toBe('/t/4?at=17#p17');
    expect(notificationHref({ type: 'new_thread', threadId: '4', postId: '3' })).toBe('/t/4#p3');
    expect(notificationHref({ type: 'moderation', threadId: '4', postId: null })).toBe('/t/4');
    expect(notificationHref({ threadId: null, postId: null })).toBe(null);
  });
});
