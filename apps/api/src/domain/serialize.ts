import type { Author, Board, Notification, OwnUser, Post, Thread, User } from '@bmet/contracts';
import type { BoardRow, NotificationRow, PostRow, ThreadRow, UserRow } from '@bmet/db/schema';
import { users } from '@bmet/db/schema';

/** The columns of an author, selected beside a thread or a post in the same query. */
export const authorColumns = {
  id: users.id,
  username: users.username,
  displayName: users.displayName,
  profession: users.profession,
  role: users.role
};
export type AuthorRow = Pick<UserRow, 'id' | 'username' | 'displayName' | 'profession' | 'role'>;

export const toAuthor = (a: AuthorRow): Author => ({
  id: String(a.id),
  username: a.username,
  displayName: a.displayName,
  profession: a.profession,
  role: a.role
});

export const toUser = (u: UserRow): User => ({ ...toAuthor(u), bio: u.bio, createdAt: u.createdAt.toISOString() });

/** The member's own view: with their address and whether it is confirmed (no other view has these). */
export const toOwnUser = (u: UserRow): OwnUser => ({ ...toUser(u), email: u.email, emailVerified: u.emailVerifiedAt !== null });

export const toBoard = (b: BoardRow): Board => ({
  slug: b.slug,
  name: b.name,
  description: b.description,
  roleTag: b.roleTag ?? null,
  threadCount: b.threadCount,
  postCount: b.postCount,
  lastActivityAt: b.lastActivityAt === null ? null : b.lastActivityAt.toISOString(),
  // Only when set: the contract's board shape stays exact for the usual, open board.
  ...(b.archived ? { archived: true } : {})
});

export function toThread(t: ThreadRow, boardSlug: string, author: AuthorRow): Thread {
  const hasEquipment =
    t.equipmentManufacturer !== null || t.equipmentModel !== null || t.equipmentCategory !== null || t.equipmentErrorCode !== null;
  return {
    id: String(t.id),
    boardSlug,
    title: t.title,
    kind: t.kind,
    author: toAuthor(author),
    createdAt: t.createdAt.toISOString(),
    lastPostAt: t.lastPostAt.toISOString(),
    replyCount: t.replyCount,
    score: t.score,
    solved: t.solutionPostId !== null,
    solutionPostId: t.solutionPostId === null ? null : String(t.solutionPostId),
    pinned: t.pinned,
    locked: t.locked,
    equipment: hasEquipment
      ? {
          manufacturer: t.equipmentManufacturer,
          model: t.equipmentModel,
          category: t.equipmentCategory,
          errorCode: t.equipmentErrorCode
        }
      : null,
    tags: t.tags,
    ...(t.duplicateOfId === null ? {} : { duplicateOf: String(t.duplicateOfId) })
  };
}

export function toPost(p: PostRow, author: AuthorRow, solutionPostId: number | null): Post {
  const deleted = p.deletedAt !== null;
  return {
    id: String(p.id),
    threadId: String(p.threadId),
    parentId: p.parentId === null ? null : String(p.parentId),
    depth: p.depth,
    author: toAuthor(author),
    bodyMarkdown: deleted ? '' : p.bodyMarkdown,
    bodyHtml: deleted ? '' : p.bodyHtml,
    createdAt: p.createdAt.toISOString(),
    editedAt: p.editedAt === null ? null : p.editedAt.toISOString(),
    score: p.score,
    isSolution: solutionPostId !== null && solutionPostId === p.id,
    deleted
  };
}

export const toNotification = (
  n: NotificationRow,
  actor: AuthorRow | null,
  threadTitle: string | null,
  excerpt: string | null
): Notification => ({
  id: String(n.id),
  type: n.type,
  threadId: n.threadId === null ? null : String(n.threadId),
  threadTitle,
  postId: n.postId === null ? null : String(n.postId),
  excerpt,
  actor: actor === null ? null : toAuthor(actor),
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt === null ? null : n.readAt.toISOString()
});
