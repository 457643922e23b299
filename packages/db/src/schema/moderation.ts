import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { boards } from './boards.ts';
import { createdAt, id, ref, ts } from './columns.ts';
import { posts } from './posts.ts';
import { users } from './users.ts';

/**
 * Board moderators assigned by admins. A user whose role is `moderator` moderates every board
 * when they have no rows here, and only these boards when they have some.
 */
export const boardModerators = pgTable(
  'board_moderators',
  {
    boardId: ref()
      .notNull()
      .references(() => boards.id),
    userId: ref()
      .notNull()
      .references(() => users.id),
    createdAt: createdAt()
  },
  (t) => [primaryKey({ columns: [t.boardId, t.userId] }), index('board_moderators_user_idx').on(t.userId)]
);

export const reportReasons = ['spam', 'phi', 'unsafe', 'off_topic', 'other'] as const;
export type ReportReason = (typeof reportReasons)[number];
export const reportResolutions = ['dismiss', 'delete_post', 'suspend_author'] as const;
export type ReportResolution = (typeof reportResolutions)[number];

/** A member's report on a post, or the system's (reporterId null) for a post confirmed free of patient data. */
export const reports = pgTable(
  'reports',
  {
    id: id(),
    postId: ref()
      .notNull()
      .references(() => posts.id),
    /** null: filed by the patient-data guard when the author confirmed a suspected post. */
    reporterId: ref().references(() => users.id),
    reason: text().$type<ReportReason>().notNull(),
    note: text(),
    status: text().$type<'open' | 'resolved'>().notNull().default('open'),
    createdAt: createdAt(),
    resolvedById: ref().references(() => users.id),
    resolvedAt: ts(),
    resolution: text().$type<ReportResolution>()
  },
  (t) => [
    // One open report per member and post; the guard's reports are one per post.
    uniqueIndex('reports_open_member_idx')
      .on(t.postId, sql`coalesce(${t.reporterId}, 0)`)
      .where(sql`${t.status} = 'open'`),
    index('reports_status_idx').on(t.status, t.createdAt, t.id),
    index('reports_post_idx').on(t.postId)
  ]
);
export type ReportRow = typeof reports.$inferSelect;

/** Every moderator and admin action, written in the transaction of the action itself. */
export const modLog = pgTable(
  'mod_log',
  {
    id: id(),
    actorId: ref()
      .notNull()
      .references(() => users.id),
    action: text().notNull(),
    targetType: text().$type<'thread' | 'post' | 'user' | 'board' | 'report' | 'upload' | 'manufacturer' | 'model'>().notNull(),
    targetId: text().notNull(),
    reason: text(),
    /**
     * The board the action concerns (a thread's, a post's, a report's, the board itself, or the
     * board of a board suspension); null for site-wide actions. Board moderators read their
     * boards' entries only.
     */
    boardId: ref().references(() => boards.id),
    createdAt: createdAt()
  },
  (t) => [
    index('mod_log_created_idx').on(t.createdAt, t.id),
    index('mod_log_board_idx').on(t.boardId, t.createdAt, t.id),
    index('mod_log_target_idx').on(t.targetType, t.targetId)
  ]
);
export type ModLogRow = typeof modLog.$inferSelect;

/**
 * A member suspended from one board by its moderator: they read it, and write everywhere
 * else, but not there. Site-wide suspensions are users.suspended_until (global moderators and admins).
 */
export const boardSuspensions = pgTable(
  'board_suspensions',
  {
    boardId: ref()
      .notNull()
      .references(() => boards.id),
    userId: ref()
      .notNull()
      .references(() => users.id),
    until: ts().notNull(),
    reason: text().notNull(),
    createdById: ref()
      .notNull()
      .references(() => users.id),
    createdAt: createdAt()
  },
  (t) => [primaryKey({ columns: [t.boardId, t.userId] }), index('board_suspensions_user_idx').on(t.userId)]
);
export type BoardSuspensionRow = typeof boardSuspensions.$inferSelect;

/**
 * Abuse limits shared by every instance: one fixed-window counter per key (for example
 * `post:user:42`), swept once expired.
 */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text().primaryKey(),
    windowStart: ts().notNull(),
    hits: integer().notNull(),
    expiresAt: ts().notNull()
  },
  (t) => [index('rate_limits_expires_idx').on(t.expiresAt)]
);
