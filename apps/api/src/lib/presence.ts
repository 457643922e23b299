import type { Db } from '@bmet/db/client';
import { notifications, users } from '@bmet/db/schema';
import { and, eq, inArray, or, isNull, lt, sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';

/**
 * "Seen on the site", which decides whether a notification is e-mailed (issue 12): a member's
 * requests move `users.last_active_at` (at most once per member every few seconds per instance,
 * in the background, so reading pages adds no query to a request), and a notification pushed to
 * a member's open live socket is seen as it arrives.
 */
export class Presence {
  private readonly touched = new LRUCache<number, number>({ max: 50_000 });
  private delivered: number[] = [];
  private flushing: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly onError: (err: unknown) => void,
    private readonly everyMs = 15_000
  ) {}

  /** The member was on the site now. */
  touch(userId: number): void {
    const now = Date.now();
    const last = this.touched.get(userId);
    if (last !== undefined && now - last < this.everyMs) return;
    this.touched.set(userId, now);
    this.db
      .update(users)
      .set({ lastActiveAt: sql`now()` })
      .where(and(eq(users.id, userId), or(isNull(users.lastActiveAt), lt(users.lastActiveAt, sql`now() - interval '1 second'`))))
      .catch((err: unknown) => {
        this.touched.delete(userId);
        this.onError(err);
      });
  }

  /** These notifications reached an open socket of their member: not to be e-mailed. Written in batches. */
  seen(ids: number[]): void {
    if (ids.length === 0) return;
    this.delivered.push(...ids);
    this.flushing ??= setTimeout(() => void this.flush(), 250);
  }

  async flush(): Promise<void> {
    if (this.flushing !== null) clearTimeout(this.flushing);
    this.flushing = null;
    const ids = this.delivered.splice(0, this.delivered.length);
    if (ids.length === 0) return;
    try {
      await this.db
        .update(notifications)
        .set({ emailPending: false })
        .where(and(inArray(notifications.id, ids), eq(notifications.emailPending, true)));
    } catch (err) {
      this.onError(err);
    }
  }
}
