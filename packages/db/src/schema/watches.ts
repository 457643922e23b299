import { index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt, ref } from './columns.ts';

/** A user's choice for one thread: watching (notified of every reply) or muted (never, mentions aside). */
export const threadSubscriptions = pgTable(
  'thread_subscriptions',
  {
    userId: ref().notNull(),
    threadId: ref().notNull(),
    level: text().$type<'watching' | 'muted'>().notNull(),
    createdAt: createdAt()
  },
  (t) => [primaryKey({ columns: [t.userId, t.threadId] }), index('thread_subscriptions_thread_idx').on(t.threadId, t.level)]
);

/** Watching a board or an equipment model: a notification for each new thread there. */
export const boardWatches = pgTable('board_watches', { userId: ref().notNull(), boardId: ref().notNull(), createdAt: createdAt() }, (t) => [
  primaryKey({ columns: [t.userId, t.boardId] }),
  index('board_watches_board_idx').on(t.boardId)
]);

export const modelWatches = pgTable('model_watches', { userId: ref().notNull(), modelId: ref().notNull(), createdAt: createdAt() }, (t) => [
  primaryKey({ columns: [t.userId, t.modelId] }),
  index('model_watches_model_idx').on(t.modelId)
]);
