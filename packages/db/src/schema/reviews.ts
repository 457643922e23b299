import { sql } from 'drizzle-orm';
import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id, ref, ts } from './columns.ts';
import { posts } from './posts.ts';
import { users } from './users.ts';

/**
 * A post stored after its author confirmed it holds no patient data although the guard
 * suspected some: kept for moderator review (the moderation queue turns these into reports).
 */
export const phiReviews = pgTable(
  'phi_reviews',
  {
    id: id(),
    postId: ref()
      .notNull()
      .references(() => posts.id),
    authorId: ref()
      .notNull()
      .references(() => users.id),
    kinds: text().array().notNull(),
    /** The suspicious spans as the author confirmed them: [{ kind, field, start, end, line }]. */
    findings: text().notNull(),
    createdAt: createdAt(),
    resolvedAt: ts()
  },
  (t) => [
    index('phi_reviews_open_idx')
      .on(t.createdAt)
      .where(sql`${t.resolvedAt} is null`)
  ]
);
export type PhiReviewRow = typeof phiReviews.$inferSelect;
