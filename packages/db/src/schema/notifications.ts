import { sql } from 'drizzle-orm';
import { index, pgTable, text } from 'drizzle-orm/pg-core';
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
    readAt: ts()
  },
  (t) => [
    index('notifications_user_idx').on(t.userId, t.id),
    // Reading a thread clears its unread notifications (domain markSeenInThread).
    index('notifications_unread_thread_idx')
      .on(t.userId, t.threadId)
      .where(sql`${t.readAt} is null`)
  ]
);
export type NotificationRow = typeof notifications.$inferSelect;
