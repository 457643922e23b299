import { describe, expect, it } from 'vitest';
import {
  firstUnreadId,
  isReportReason,
  moderates,
  moderatesAny,
  moveTargets,
  reasonBody,
  reportReasonLabels,
  startsMidThread,
  suspensionMessage
} from './moderation.ts';

describe('moderation scope', () => {
  it('covers every board, some boards or none', () => {
    expect(moderates({ all: true, boards: [] }, 'bmet')).toBe(true);
    expect(moderates({ all: false, boards: ['ce'] }, 'ce')).toBe(true);
    expect(moderates({ all: false, boards: ['ce'] }, 'bmet')).toBe(false);
    expect(moderates({ all: false, boards: [] }, 'bmet')).toBe(false);
    expect(moderates(null, 'bmet')).toBe(false);
    expect(moderates(undefined, 'bmet')).toBe(false);
    expect(moderatesAny({ all: true, boards: [] })).toBe(true);
    expect(moderatesAny({ all: false, boards: ['ce'] })).toBe(true);
    expect(moderatesAny({ all: false, boards: [] })).toBe(false);
    expect(moderatesAny(null)).toBe(false);
  });

  it('offers moving only to other, open boards the moderator covers', () => {
    const boards = [
      { slug: 'general', name: 'General' },
      { slug: 'bmet', name: 'BMET' },
      { slug: 'ce', name: 'CE' },
      { slug: 'old', name: 'Old', archived: true }
    ];
    expect(moveTargets(boards, { all: true, boards: [] }, 'bmet').map((b) => b.slug)).toEqual(['general', 'ce']);
    expect(moveTargets(boards, { all: false, boards: ['bmet', 'ce', 'old'] }, 'bmet').map((b) => b.slug)).toEqual(['ce']);
    expect(moveTargets(boards, null, 'bmet')).toEqual([]);
  });
});

describe('form values', () => {
  it('reads an optional reason: trimmed, omitted when empty, refused when too long', () => {
    expect(reasonBody(null)).toEqual({});
    expect(reasonBody('   ')).toEqual({});
    expect(reasonBody('  Advertising ')).toEqual({ reason: 'Advertising' });
    expect(reasonBody('x'.repeat(500))).toEqual({ reason: 'x'.repeat(500) });
    expect(reasonBody('x'.repeat(501))).toEqual({ error: 'The reason must be at most 500 characters.' });
  });

  it('knows the API’s report reasons', () => {
    expect(reportReasonLabels.map((r) => r.value)).toEqual(['spam', 'phi', 'unsafe', 'off_topic', 'other']);
    expect(reportReasonLabels.find((r) => r.value === 'phi')?.label).toBe('Patient data (PHI)');
    expect(isReportReason('off_topic')).toBe(true);
    expect(isReportReason('rude')).toBe(false);
    expect(isReportReason(null)).toBe(false);
  });
});

describe('banners and reading', () => {
  it('says until when and why an account is suspended, in UTC', () => {
    expect(suspensionMessage({ until: '2025-03-14T09:30:00.000Z', reason: 'Repeated advertising' })).toBe(
      'Your account is suspended until 14 Mar 2025, 09:30 UTC: Repeated advertising.'
    );
    expect(suspensionMessage({ until: '2025-03-14T09:30:00.000Z', reason: 'Spam.' })).toBe(
      'Your account is suspended until 14 Mar 2025, 09:30 UTC: Spam.'
    );
    expect(suspensionMessage({ until: '2025-03-14T09:30:00.000Z', reason: '' })).toBe(
      'Your account is suspended until 14 Mar 2025, 09:30 UTC.'
    );
  });

  it('tells a page that starts mid-thread from one that starts at the opening post', () => {
    expect(startsMidThread([{ depth: 0 }, { depth: 1 }], false)).toBe(false);
    expect(startsMidThread([{ depth: 2 }, { depth: 1 }], false)).toBe(true);
    expect(startsMidThread([{ depth: 1 }], true)).toBe(true);
    expect(startsMidThread([], false)).toBe(false);
  });

  it('finds the first unread post in reading order', () => {
    expect(firstUnreadId([{ id: '1' }, { id: '2', unread: false }, { id: '5', unread: true }, { id: '3', unread: true }])).toBe('5');
    expect(firstUnreadId([{ id: '1', unread: false }])).toBe(null);
  });
});
