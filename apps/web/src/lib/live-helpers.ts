/** Pure helpers behind the live socket, the live thread and the notifications page. */

/** Reconnect delay: 0.5 s doubling to 30 s, each with up to ±20 % jitter so clients do not reconnect in lockstep. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** Math.max(0, attempt));
  const jitter = 1 + (random() * 2 - 1) * 0.2;
  return Math.round(Math.min(30_000, base * jitter));
}

/** Notification ids are decimal strings; compares them as numbers without precision loss. */
export function isNewerId(id: string, than: string | null): boolean {
  if (than === null) return true;
  if (id.length !== than.length) return id.length > than.length;
  return id > than;
}

interface TreeNode {
  id: string;
  parentId: string | null;
  depth: number;
}

/**
 * Where a new post goes in a reading-order (depth-first) list: after its parent's last
 * descendant already shown; a post without a parent at the end. -1 when it is already shown
 * or its parent is not on this page (it belongs to a branch shown elsewhere).
 */
export function insertionIndex(posts: readonly TreeNode[], post: TreeNode): number {
  if (posts.some((p) => p.id === post.id)) return -1;
  if (post.parentId === null) return posts.length;
  const parentAt = posts.findIndex((p) => p.id === post.parentId);
  if (parentAt === -1) return -1;
  const parentDepth = posts[parentAt]!.depth;
  let i = parentAt + 1;
  while (i < posts.length && posts[i]!.depth > parentDepth) i++;
  return i;
}

export interface DayGroup<T> {
  label: string;
  items: T[];
}

const dateLabel = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** Days are UTC days, like the rest of the forum's full timestamps. Items stay in their order (newest first). */
export function groupByDay<T extends { createdAt: string }>(items: readonly T[], now: number = Date.now()): DayGroup<T>[] {
  const dayOf = (ms: number) => Math.floor(ms / 86_400_000);
  const today = dayOf(now);
  const groups: DayGroup<T>[] = [];
  for (const item of items) {
    const ms = Date.parse(item.createdAt);
    const day = dayOf(ms);
    const label = day === today ? 'Today' : day === today - 1 ? 'Yesterday' : dateLabel.format(ms);
    const last = groups.at(-1);
    if (last !== undefined && last.label === label) last.items.push(item);
    else groups.push({ label, items: [item] });
  }
  return groups;
}

const verbs: Record<string, string> = {
  reply: 'replied to your post',
  mention: 'mentioned you',
  solution: 'accepted your answer',
  moderation: 'moderated your post',
  new_thread: 'started a thread you watch'
};

/** "Sam Okafor replied to your post". */
export function describeNotification(n: { type: string; actor: { displayName: string } | null }): string {
  const verb = verbs[n.type] ?? 'did something';
  if (n.actor === null) return n.type === 'moderation' ? 'A moderator acted on your post' : `Someone ${verb}`;
  return `${n.actor.displayName} ${verb}`;
}

/**
 * Where a notification leads. A post is addressed with `?at=`, so the thread page starts at it
 * even when it would be on a later page; a new thread opens at its start (its opening post).
 */
export function notificationHref(n: { type?: string; threadId: string | null; postId: string | null }): string | null {
  if (n.threadId === null) return null;
  if (n.postId === null) return `/t/${n.threadId}`;
  if (n.type === 'new_thread') return `/t/${n.threadId}#p${n.postId}`;
  return `/t/${n.threadId}?at=${encodeURIComponent(n.postId)}#p${n.postId}`;
}
