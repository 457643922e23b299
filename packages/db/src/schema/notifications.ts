import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id, ref, ts } from './columns.ts';
import { users } from './users.ts';

export type NotificationType = 'reply' | 'mention' | 'solution' | 'moderation' | 'new_thread';

/** Notifications are rows first (written with the post that causes them), pushes second. */
export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    userId: ref()
      .notNull()
      .references(() => users.id),
    type: text().$type<NotificationType>().notNull(),
    threadId: ref(),
    postId: ref(),
    actorId: ref().references(() => users.id),
    createdAt: createdAt(),
    readAt: ts(),
    /**
     * Waiting to be e-mailed (replies, mentions, accepted answers) unless the member sees it on
     * the site first; cleared when e-mailed, seen, read, or not to be sent.
     */
    emailPending: boolean().notNull().default(false)
  },
  (t) => [
    index('notifications_user_idx').on(t.userId, t.id),
    // Reading a thread clears its unread notifications (domain markSeenInThread).
    index('notifications_unread_thread_idx')
      .on(t.userId, t.threadId)
      .where(sql`${t.readAt} is null`),
    // The e-mail scan: only what still waits, by age, then by member.
    index('notifications_email_pending_idx')
      .on(t.createdAt)
      .where(sql`${t.emailPending}`),
    index('notifications_email_pending_user_idx')
      .on(t.userId)
      .where(sql`${t.emailPending}`)
  ]
);
export type NotificationRow = typeof notifications.$inferSelect;
