import { filesOfPosts, type FileOfPost } from './uploads.ts';
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Conn, Db } from '@bmet/db/client';
import {
  boards,
  posts,
  reports,
  threads,
  users,
  type NotificationRow,
  type ReportReason,
  type ReportResolution,
  type ReportRow,
  type UserRow
} from '@bmet/db/schema';
import { authorColumns, type AuthorRow } from './serialize.ts';
import { getPostContext } from './posts.ts';
import { logAction, moderatorDeletePost, suspendUser, type Scope } from './moderation.ts';

/** Files a member's report; null when they already have an open report on this post. */
export async function createReport(
  db: Conn,
  input: { postId: number; reporterId: number; reason: ReportReason; note: string | null }
): Promise<ReportRow | null> {
  const rows = await db.insert(reports).values(input).onConflictDoNothing().returning();
  return rows[0] ?? null;
}

const reporter = alias(users, 'reporter');
const resolver = alias(users, 'resolver');
const reporterColumns = {
  id: reporter.id,
  username: reporter.username,
  displayName: reporter.displayName,
  profession: reporter.profession,
  role: reporter.role
};
const resolverColumns = {
  id: resolver.id,
  username: resolver.username,
  displayName: resolver.displayName,
  profession: resolver.profession,
  role: resolver.role
};

export interface ReportView {
  report: ReportRow;
  post: typeof posts.$inferSelect;
  author: AuthorRow;
  thread: { id: number; title: string; solutionPostId: number | null; boardSlug: string };
  reporter: AuthorRow | null;
  resolver: AuthorRow | null;
  files: FileOfPost[];
}

/** Reports with their post in context, for the moderators whose boards they concern. */
export async function listReports(
  db: Conn,
  input: {
    status: 'open' | 'resolved' | 'all';
    scope: Scope;
    limit: number;
    before: { at: Date; id: number } | null;
    ids?: number[];
    /** Only reports on this member's posts. */
    authorId?: number;
  }
): Promise<ReportView[]> {
  if (input.scope === null) return [];
  const conditions: (SQL | undefined)[] = [
    input.ids !== undefined ? inArray(reports.id, input.ids) : input.status === 'all' ? undefined : eq(reports.status, input.status),
    input.authorId === undefined ? undefined : eq(posts.authorId, input.authorId),
    input.scope === 'all' ? undefined : inArray(threads.boardId, [...input.scope]),
    input.before === null
      ? undefined
      : sql`(${reports.createdAt}, ${reports.id}) < (${input.before.at.toISOString()}::timestamptz, ${input.before.id}::bigint)`
  ];
  const rows = await db
    .select({
      report: reports,
      post: posts,
      author: authorColumns,
      thread: { id: threads.id, title: threads.title, solutionPostId: threads.solutionPostId, boardSlug: boards.slug },
      reporter: reporterColumns,
      resolver: resolverColumns
    })
    .from(reports)
    .innerJoin(posts, eq(posts.id, reports.postId))
    .innerJoin(users, eq(users.id, posts.authorId))
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .leftJoin(reporter, eq(reporter.id, reports.reporterId))
    .leftJoin(resolver, eq(resolver.id, reports.resolvedById))
    .where(and(...conditions))
    .orderBy(sql`${reports.createdAt} desc`, sql`${reports.id} desc`)
    .limit(input.limit + 1);
  // The files each reported post shows (a patient-data report is often about a photo), in one query.
  const files = await filesOfPosts(
    db,
    rows.map((r) => r.post.id)
  );
  return rows.map((r) => ({
    ...r,
    reporter: r.reporter?.id == null ? null : (r.reporter as AuthorRow),
    resolver: r.resolver?.id == null ? null : (r.resolver as AuthorRow),
    files: files.get(r.post.id) ?? []
  }));
}

export type ResolveOutcome =
  { ok: true; notifications: NotificationRow[] } | { ok: false; error: 'not_found' | 'already_resolved' | 'cannot_suspend' };

/**
 * Resolves a report, and with it every other open report on the same post: the resolution's
 * effect, the report rows and the log entry land in one transaction, or nothing does.
 */
export async function resolveReport(
  db: Db,
  input: {
    reportId: number;
    actor: Pick<UserRow, 'id' | 'role'>;
    /** What the actor moderates: a suspension reaches that far (site-wide, or their boards). */
    scope: Exclude<Scope, null>;
    resolution: ReportResolution;
    until: Date;
    reason: string | null;
  }
): Promise<ResolveOutcome> {
  return db.transaction(async (tx): Promise<ResolveOutcome> => {
    const [report] = await tx.select().from(reports).where(eq(reports.id, input.reportId)).for('update');
    if (report === undefined) return { ok: false, error: 'not_found' };
    if (report.status !== 'open') return { ok: false, error: 'already_resolved' };
    const ctx = await getPostContext(tx, report.postId);
    let notifications: NotificationRow[] = [];
    const why = input.reason ?? `report: ${report.reason}`;
    if (input.resolution === 'delete_post' && ctx !== null) {
      notifications = await moderatorDeletePost(tx, {
        ctx,
        actorId: input.actor.id,
        reason: why,
        purge: true,
        action: 'post.delete'
      });
    }
    if (input.resolution === 'suspend_author') {
      const authorId = ctx?.post.authorId ?? null;
      if (authorId === null) return { ok: false, error: 'not_found' };
      const [author] = await tx.select({ role: users.role }).from(users).where(eq(users.id, authorId));
      if (!mayActOnRole(input.actor.role, author?.role ?? 'member') || authorId === input.actor.id) {
        return { ok: false, error: 'cannot_suspend' };
      }
      await suspendUser(tx, { userId: authorId, actorId: input.actor.id, until: input.until, reason: why, scope: input.scope });
    }
    await tx
      .update(reports)
      .set({ status: 'resolved', resolution: input.resolution, resolvedById: input.actor.id, resolvedAt: new Date() })
      .where(and(eq(reports.postId, report.postId), eq(reports.status, 'open')));
    await logAction(tx, {
      actorId: input.actor.id,
      action: `report.${input.resolution}`,
      targetType: 'report',
      targetId: report.id,
      reason: input.reason,
      boardId: await boardOfPost(tx, report.postId)
    });
    return { ok: true, notifications };
  });
}

/** Moderators act on members; only admins act on moderators; nobody suspends an admin. */
/** The board a post lives on, its thread deleted or not. */
async function boardOfPost(db: Conn, postId: number): Promise<number | null> {
  const [row] = await db
    .select({ boardId: threads.boardId })
    .from(posts)
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .where(eq(posts.id, postId));
  return row?.boardId ?? null;
}

export function mayActOnRole(actor: UserRow['role'], target: UserRow['role']): boolean {
  if (target === 'admin') return false;
  if (target === 'moderator') return actor === 'admin';
  return actor === 'moderator' || actor === 'admin';
}
