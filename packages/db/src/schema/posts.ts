import { index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, ref, ts } from './columns.ts';
import { threads } from './threads.ts';
import { users } from './users.ts';

export const posts = pgTable(
  'posts',
  {
    id: id(),
    threadId: ref()
      .notNull()
      .references(() => threads.id),
    parentId: ref(),
    authorId: ref()
      .notNull()
      .references(() => users.id),
    /**
     * Materialized path: one fixed-width decimal segment per level (the post's sequence number
     * in its thread), so `ORDER BY path` is depth-first reading order with siblings oldest first.
     * Digits only: they sort the same under every collation.
     */
    path: text().notNull(),
    /** The post's creation number in its thread (0 for the opening post): the last path segment. */
    seq: integer().notNull(),
    depth: integer().notNull(),
    bodyMarkdown: text().notNull(),
    bodyHtml: text().notNull(),
    createdAt: createdAt(),
    editedAt: ts(),
    score: integer().notNull().default(0),
    deletedAt: ts()
  },
  (t) => [
    uniqueIndex('posts_thread_path_idx').on(t.threadId, t.path),
    // Read positions: the unread posts of a thread are those after a sequence number.
    uniqueIndex('posts_thread_seq_idx').on(t.threadId, t.seq),
    index('posts_author_idx').on(t.authorId, t.createdAt),
    index('posts_parent_idx').on(t.parentId)
  ]
);
export type PostRow = typeof posts.$inferSelect;
