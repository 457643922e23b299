import { integer, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { ref, ts } from './columns.ts';

/**
 * A user's read position in a thread: every post whose `seq` is at most `lastReadSeq` has been
 * shown to them. It only moves forward. New replies since the last visit are
 * `threads.postSeq - 1 - lastReadSeq`.
 */
export const threadReads = pgTable(
  'thread_reads',
  {
    userId: ref().notNull(),
    threadId: ref().notNull(),
    lastReadSeq: integer().notNull(),
    updatedAt: ts().notNull().defaultNow()
  },
  (t) => [primaryKey({ columns: [t.userId, t.threadId] })]
);
export type ThreadReadRow = typeof threadReads.$inferSelect;
