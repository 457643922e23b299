import { describe, expect, it } from 'vitest';
import { MAX_MENTIONS_PER_POST, newThreadRecipients, replyRecipients } from './notifications.ts';

describe('replyRecipients', () => {
  it('tells the parent author and the thread author of a reply', () => {
    expect(replyRecipients({ actorId: 1, parentAuthorId: 2, threadAuthorId: 3, mentionedIds: [] })).toEqual([
      { userId: 2, type: 'reply' },
      { userId: 3, type: 'reply' }
    ]);
  });

  it('never tells you of your own post', () => {
    expect(replyRecipients({ actorId: 1, parentAuthorId: 1, threadAuthorId: 1, mentionedIds: [1] })).toEqual([]);
  });

  it('tells each person once: a reply outranks a mention', () => {
    expect(replyRecipients({ actorId: 1, parentAuthorId: 2, threadAuthorId: 2, mentionedIds: [2, 4, 4] })).toEqual([
      { userId: 2, type: 'reply' },
      { userId: 4, type: 'mention' }
    ]);
  });

  it('mentions in an opening post notify only the mentioned', () => {
    expect(replyRecipients({ actorId: 1, parentAuthorId: null, threadAuthorId: 1, mentionedIds: [5] })).toEqual([
      { userId: 5, type: 'mention' }
    ]);
  });

  it('caps mentions per post', () => {
    const many = Array.from({ length: 50 }, (_, i) => i + 10);
    const out = replyRecipients({ actorId: 1, parentAuthorId: null, threadAuthorId: 1, mentionedIds: many });
    expect(out).toHaveLength(MAX_MENTIONS_PER_POST);
  });
});

describe('watching and muting', () => {
  it('tells watchers of every reply', () => {
    expect(replyRecipients({ actorId: 1, parentAuthorId: 2, threadAuthorId: 2, mentionedIds: [], watcherIds: [3, 1, 2] })).toEqual([
      { userId: 2, type: 'reply' },
      { userId: 3, type: 'reply' }
    ]);
  });

  it('tells someone who muted the thread nothing but a mention', () => {
    const out = replyRecipients({
      actorId: 1,
      parentAuthorId: 2,
      threadAuthorId: 3,
      mentionedIds: [3],
      watcherIds: [4],
      mutedIds: [2, 3, 4]
    });
    expect(out).toEqual([{ userId: 3, type: 'mention' }]);
  });

  it('tells board and model watchers of a new thread, mentions first, never the author', () => {
    expect(newThreadRecipients({ actorId: 1, mentionedIds: [5], watcherIds: [1, 5, 6, 6] })).toEqual([
      { userId: 5, type: 'mention' },
      { userId: 6, type: 'new_thread' }
    ]);
  });
});
