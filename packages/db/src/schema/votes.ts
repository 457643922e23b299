import { index, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core';
import { createdAt, id, ref, ts } from './columns.ts';
import { posts } from './posts.ts';
import { users } from './users.ts';

/** One vote per user and post; value is 1 or -1 (a vote of 0 deletes the row). */
export const votes = pgTable(
  'votes',
  {
    postId: ref()
      .notNull()
      .references(() => posts.id),
    userId: ref()
      .notNull()
      .references(() => users.id),
    value: smallint().notNull(),
    createdAt: createdAt()
  },
  (t) => [primaryKey({ columns: [t.postId, t.userId] }), index('votes_user_idx').on(t.userId)]
);
export type VoteRow = typeof votes.$inferSelect;

/** Earlier versions of a post: the body as it was, and who replaced it when. */
export const postRevisions = pgTable(
  'post_revisions',
  {
    id: id(),
    postId: ref()
      .notNull()
      .references(() => posts.id),
    bodyMarkdown: text().notNull(),
    editorId: ref()
      .notNull()
      .references(() => users.id),
    editedAt: ts().notNull().defaultNow()
  },
  (t) => [index('post_revisions_post_idx').on(t.postId, t.editedAt)]
);
export type PostRevisionRow = typeof postRevisions.$inferSelect;
