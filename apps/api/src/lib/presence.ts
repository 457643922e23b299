import type { Db } from '@bmet/db/client';
import { memberPresence, notifications } from '@bmet/db/schema';
import { and, eq, inArray, sql } from 'drizzle-orm';

/**
 * "Seen on the site", which decides whether a notification is e-mailed (issue 12): a member's
 * requests move `member_presence.last_active_at`, and a notification pushed to a member's open
 * live socket is seen as it arrives. Both are written in the background, in one statement per
 * kind every `everyMs` (default 1 s) for everyone who came by meanwhile: reading pages adds no
 * query to a request, and "seen" is never more than a second late. Neither ever waits for a row
 * lock: presence has its own table (written in id order, so two instances' writes cannot
 * deadlock), and a notification row locked by someone else is left to the e-mail scan.
 */
export class Presence {
  private readonly active = new Set<number>();
  private delivered: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly onError: (err: unknown) => void,
    private readonly everyMs = 1000
  ) {}

  /** The member was on the site now. */
  touch(userId: number): void {
    this.active.add(userId);
    this.schedule();
  }

  /** These notifications reached an open socket of their member: not to be e-mailed. */
  seen(ids: number[]): void {
    if (ids.length === 0) return;
    this.delivered.push(...ids);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setTimeout(() => void this.flush(), this.everyMs);
    this.timer.unref();
  }

  /** Writes what waits now (also on close). A failure is logged and the visits are not retried: they only make an e-mail less likely. */
  async flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const members = [...this.active].sort((a, b) => a - b);
    this.active.clear();
    const ids = this.delivered.splice(0, this.delivered.length);
    try {
      if (members.length > 0) {
        await this.db
          .insert(memberPresence)
          .values(members.map((userId) => ({ userId, lastActiveAt: sql`now()` })))
          .onConflictDoUpdate({ target: memberPresence.userId, set: { lastActiveAt: sql`excluded.last_active_at` } });
      }
      if (ids.length > 0) {
        const free = this.db
          .select({ id: notifications.id })
          .from(notifications)
          .where(and(inArray(notifications.id, ids), eq(notifications.emailPending, true)))
          .for('update', { skipLocked: true });
        await this.db.update(notifications).set({ emailPending: false }).where(inArray(notifications.id, free));
      }
    } catch (err) {
      this.onError(err);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}
