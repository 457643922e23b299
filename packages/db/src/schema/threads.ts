import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { boards } from './boards.ts';
import { createdAt, id, ref, ts } from './columns.ts';
import { users } from './users.ts';

export const threads = pgTable(
  'threads',
  {
    id: id(),
    boardId: ref()
      .notNull()
      .references(() => boards.id),
    authorId: ref()
      .notNull()
      .references(() => users.id),
    title: text().notNull(),
    kind: text().$type<'question' | 'discussion'>().notNull(),
    createdAt: createdAt(),
    lastPostAt: ts().notNull().defaultNow(),
    /** Replies, the opening post not counted. */
    replyCount: integer().notNull().default(0),
    /** Next post's sequence number in this thread: the segments of the posts' tree paths. */
    postSeq: integer().notNull().default(0),
    score: integer().notNull().default(0),
    solutionPostId: ref(),
    /** When the accepted answer was chosen (null while none is): the daily digest's "solved". */
    solvedAt: ts(),
    pinned: boolean().notNull().default(false),
    locked: boolean().notNull().default(false),
    deletedAt: ts(),
    equipmentManufacturer: text(),
    equipmentModel: text(),
    equipmentCategory: text(),
    equipmentErrorCode: text(),
    manufacturerId: ref(),
    modelId: ref(),
    /** Closed by a moderator as a duplicate of this (live, original) thread. */
    duplicateOfId: ref().references((): AnyPgColumn => threads.id),
    tags: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`)
  },
  (t) => [
    index('threads_board_latest_idx').on(t.boardId, t.pinned, t.lastPostAt, t.id),
    index('threads_board_top_idx').on(t.boardId, t.score, t.id),
    // The unanswered and solved sorts read only their own rows, newest first.
    index('threads_board_unanswered_idx')
      .on(t.boardId, t.createdAt, t.id)
      .where(sql`${t.replyCount} = 0 and ${t.deletedAt} is null`),
    index('threads_board_solved_idx')
      .on(t.boardId, t.lastPostAt, t.id)
      .where(sql`${t.solutionPostId} is not null and ${t.deletedAt} is null`),
    index('threads_author_idx').on(t.authorId, t.createdAt),
    // The daily digest: threads started, or solved, in the last day.
    index('threads_created_idx')
      .on(t.createdAt)
      .where(sql`${t.deletedAt} is null`),
    index('threads_solved_at_idx')
      .on(t.solvedAt)
      .where(sql`${t.solvedAt} is not null and ${t.deletedAt} is null`),
    index('threads_tags_idx').using('gin', t.tags),
    index('threads_model_idx').on(t.modelId, t.lastPostAt, t.id),
    // A model's and a manufacturer's lists (latest, unanswered, solved), as a board's.
    index('threads_model_unanswered_idx')
      .on(t.modelId, t.createdAt, t.id)
      .where(sql`${t.replyCount} = 0 and ${t.deletedAt} is null and ${t.kind} = 'question'`),
    index('threads_model_solved_idx')
      .on(t.modelId, t.lastPostAt, t.id)
      .where(sql`${t.solutionPostId} is not null and ${t.deletedAt} is null`),
    index('threads_manufacturer_idx')
      .on(t.manufacturerId, t.lastPostAt, t.id)
      .where(sql`${t.deletedAt} is null`),
    index('threads_manufacturer_unanswered_idx')
      .on(t.manufacturerId, t.createdAt, t.id)
      .where(sql`${t.replyCount} = 0 and ${t.deletedAt} is null and ${t.kind} = 'question'`),
    index('threads_manufacturer_solved_idx')
      .on(t.manufacturerId, t.lastPostAt, t.id)
      .where(sql`${t.solutionPostId} is not null and ${t.deletedAt} is null`),
    // The duplicates of a thread, when it is closed or deleted in turn.
    index('threads_duplicate_of_idx')
      .on(t.duplicateOfId)
      .where(sql`${t.duplicateOfId} is not null`),
    // The home page's lists across boards (GET /threads).
    index('threads_site_latest_idx')
      .on(t.lastPostAt, t.id)
      .where(sql`${t.deletedAt} is null`),
    index('threads_site_unanswered_idx')
      .on(t.createdAt, t.id)
      .where(sql`${t.replyCount} = 0 and ${t.deletedAt} is null and ${t.kind} = 'question'`)
  ]
);
export type ThreadRow = typeof threads.$inferSelect;
