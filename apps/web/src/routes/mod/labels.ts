import type { Report } from '@bmet/contracts';

/** What a report says was wrong, in words. */
export const reasonLabel: Record<Report['reason'], string> = {
  spam: 'Spam',
  phi: 'Possible patient data',
  unsafe: 'Unsafe advice',
  off_topic: 'Off topic',
  other: 'Other'
};

/** How a report was resolved, in words. */
export const resolutionLabel: Record<NonNullable<Report['resolution']>, string> = {
  dismiss: 'Dismissed',
  delete_post: 'Post deleted',
  suspend_author: 'Author suspended'
};

/** A moderation log action ("thread.lock") in words ("Locked the thread"). */
const actionLabels: Record<string, string> = {
  'thread.lock': 'Locked thread',
  'thread.unlock': 'Unlocked thread',
  'thread.pin': 'Pinned thread',
  'thread.unpin': 'Unpinned thread',
  'thread.move': 'Moved thread',
  'thread.duplicate': 'Closed thread as a duplicate',
  'thread.duplicate_clear': 'Reopened duplicate thread',
  'thread.delete': 'Deleted thread',
  'thread.restore': 'Restored thread',
  'post.delete': 'Deleted post',
  'post.restore': 'Restored post',
  'user.suspend': 'Suspended member',
  'user.unsuspend': 'Lifted suspension',
  'report.dismiss': 'Dismissed report',
  'report.delete_post': 'Resolved report: deleted the post',
  'report.suspend_author': 'Resolved report: suspended the author',
  'board.create': 'Created board',
  'board.edit': 'Edited board',
  'board.archive': 'Archived board',
  'board.unarchive': 'Unarchived board',
  'board.moderators': 'Changed board moderators',
  'manufacturer.merge': 'Merged manufacturers',
  'model.merge': 'Merged models'
};

export function actionLabel(action: string): string {
  const known = actionLabels[action];
  if (known !== undefined) return known;
  // An action this page does not know yet: "thread.merge" -> "Thread merge".
  const words = action.replace(/[._]/g, ' ').trim();
  return words === '' ? 'Unknown action' : words[0]!.toUpperCase() + words.slice(1);
}

/** The kind of thing an action touched, in words. */
export const targetNoun: Record<string, string> = {
  thread: 'Thread',
  post: 'Post',
  user: 'Member',
  board: 'Board',
  report: 'Report',
  manufacturer: 'Manufacturer',
  model: 'Model'
};

/** A link to one post of a thread: the page that holds it, scrolled to it. */
export const postHref = (threadId: string, postId: string): string =>
  `/t/${encodeURIComponent(threadId)}?at=${encodeURIComponent(postId)}#p${encodeURIComponent(postId)}`;
