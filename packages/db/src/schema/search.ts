import { sql } from 'drizzle-orm';
import { boolean, customType, doublePrecision, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { ref, ts } from './columns.ts';
import { posts } from './posts.ts';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * The search document of each post, beside the post rather than in it so that reading a thread
 * never carries the vectors, with what search filters and ranks on copied from the post and its
 * thread so that a search touches this table alone. Written by the database only (migration
 * 0012): triggers on posts, threads and phi_reviews keep every row current on insert, edit,
 * delete, restore, move, accept, vote and review, so no write path can forget it.
 */
export const postSearch = pgTable(
  'post_search',
  {
    postId: ref()
      .primaryKey()
      .references(() => posts.id),
    threadId: ref().notNull(),
    boardId: ref().notNull(),
    /** The opening post: its document also holds the title, equipment and tags (weight A). */
    isOp: boolean().notNull(),
    /** Findable: the post and its thread not deleted, and no patient-data review open on it. */
    visible: boolean().notNull(),
    solved: boolean().notNull(),
    isAnswer: boolean().notNull(),
    manufacturerId: ref(),
    modelId: ref(),
    /** The thread's error code folded as forum_codes() folds codes (letters and digits, lower case). */
    errorCode: text(),
    tags: text().array().notNull(),
    score: integer().notNull(),
    createdAt: ts().notNull(),
    /**
     * The order in which a search that matches a large share of all posts takes its candidates:
     * solved threads, then accepted answers, then opening posts, newest first within each.
     */
    quality: doublePrecision().notNull(),
    /**
     * Words of the body in English (stemmed) and its codes (error, part and model numbers,
     * folded by forum_codes) at weight B; for the opening post also the title, equipment and
     * tags at weight A.
     */
    search: tsvector().notNull()
  },
  (t) => [
    index('post_search_idx')
      .using('gin', t.search)
      .where(sql`${t.visible}`),
    index('post_search_quality_idx')
      .on(t.quality.desc(), t.postId.desc())
      .where(sql`${t.visible}`),
    // A search narrowed to a few threads (a tag, a model, a manufacturer) reads their posts
    // (migration 0013). `thread_id > 0` is always true: only a query that says so (that one)
    // may use this index, so the planner cannot read the whole table through it and sort when
    // a search walks the quality index.
    index('post_search_thread_idx')
      .on(t.threadId)
      .where(sql`${t.visible} and ${t.threadId} > 0`),
    // A search narrowed to an error code reads its posts first when they are few (migration 0013).
    index('post_search_error_code_idx')
      .on(t.errorCode)
      .where(sql`${t.visible} and ${t.errorCode} is not null`)
  ]
);
