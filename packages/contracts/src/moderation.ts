import { PostFile } from './uploads.ts';
import { Type, type Static } from 'typebox';
import { Board, RoleTag } from './boards.ts';
import { Id, NullableString, Timestamp } from './common.ts';
import { Post } from './threads.ts';
import { Author, User } from './users.ts';

const Reason = Type.Optional(
  Type.Union([Type.String({ maxLength: 500, 'x-message': 'reason must be at most 500 characters' }), Type.Null()])
);

/** Every moderator action may say why; the reason lands in the moderation log. */
export const ModReasonBody = Type.Object({ reason: Reason });
export const LockBody = Type.Object({ locked: Type.Boolean({ 'x-message': 'locked must be true or false' }), reason: Reason });
/** Close a thread as a duplicate of `of` (a thread id), or reopen it with `of: null`. */
export const DuplicateBody = Type.Object({
  of: Type.Union([Type.String({ maxLength: 40, 'x-message': 'of must be a thread id or null' }), Type.Null()], {
    'x-message': 'of must be a thread id or null'
  }),
  reason: Reason
});
export const PinBody = Type.Object({ pinned: Type.Boolean({ 'x-message': 'pinned must be true or false' }), reason: Reason });
export const MoveBody = Type.Object({
  boardSlug: Type.String({ minLength: 1, maxLength: 64, 'x-message': 'boardSlug must name a board' }),
  reason: Reason
});

export const reportReasons = ['spam', 'phi', 'unsafe', 'off_topic', 'other'] as const;
export const ReportReason = Type.Union(
  [Type.Literal('spam'), Type.Literal('phi'), Type.Literal('unsafe'), Type.Literal('off_topic'), Type.Literal('other')],
  { 'x-message': 'reason must be one of spam, phi, unsafe, off_topic, other' }
);
export const ReportBody = Type.Object({
  reason: ReportReason,
  note: Type.Optional(Type.Union([Type.String({ maxLength: 1000, 'x-message': 'note must be at most 1000 characters' }), Type.Null()]))
});

export const reportResolutions = ['dismiss', 'delete_post', 'suspend_author'] as const;
export const ResolveBody = Type.Object({
  resolution: Type.Union([Type.Literal('dismiss'), Type.Literal('delete_post'), Type.Literal('suspend_author')], {
    'x-message': 'resolution must be one of dismiss, delete_post, suspend_author'
  }),
  /** With suspend_author: until when (default 7 days) and why (default the report's reason). */
  until: Type.Optional(Type.String({ maxLength: 40, 'x-message': 'until must be a date and time in the future' })),
  reason: Reason
});

export const Report = Type.Object({
  id: Id,
  post: Post,
  /** The reported post's thread, for context. */
  thread: Type.Object({ id: Id, title: Type.String(), boardSlug: Type.String() }),
  reason: ReportReason,
  note: NullableString,
  /** null: filed by the patient-data guard when the author confirmed a suspected post. */
  reporter: Type.Union([Author, Type.Null()]),
  status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]),
  createdAt: Timestamp,
  resolvedBy: Type.Union([Author, Type.Null()]),
  resolution: Type.Union([Type.Literal('dismiss'), Type.Literal('delete_post'), Type.Literal('suspend_author'), Type.Null()]),
  resolvedAt: NullableString,
  /** The uploads the post shows, with what the patient-data guard suspected in each. */
  files: Type.Array(PostFile)
});
export type Report = Static<typeof Report>;
export const ReportResult = Type.Object({ report: Report });
export const ReportList = Type.Object({ reports: Type.Array(Report), nextCursor: NullableString });
export type ReportList = Static<typeof ReportList>;
export const ReportQuery = Type.Object({
  status: Type.Optional(
    Type.Union([Type.Literal('open'), Type.Literal('resolved'), Type.Literal('all')], {
      'x-message': 'status must be open, resolved or all'
    })
  ),
  /** Only reports on this member's posts (a username). */
  author: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, 'x-message': 'limit must be 1 to 200' })),
  cursor: Type.Optional(Type.String({ maxLength: 2000 }))
});

export const SuspendBody = Type.Object({
  until: Type.String({ minLength: 1, maxLength: 40, 'x-message': 'until must be a date and time in the future' }),
  reason: Type.String({ minLength: 1, maxLength: 500, 'x-message': 'reason must be 1 to 500 characters' })
});
export const Suspension = Type.Union([Type.Object({ until: Timestamp, reason: Type.String() }), Type.Null()]);
/** A suspension from one board by its moderator (site-wide ones are `suspension`). */
export const BoardSuspension = Type.Object({ boardSlug: Type.String(), until: Timestamp, reason: Type.String() });
export type BoardSuspension = Static<typeof BoardSuspension>;
export const SuspensionResult = Type.Object({
  user: User,
  /** Site-wide (by a global moderator or an admin), or null. */
  suspension: Suspension,
  /** From single boards, as far as the caller moderates. */
  boardSuspensions: Type.Array(BoardSuspension)
});
export type SuspensionResult = Static<typeof SuspensionResult>;

export const ModLogEntry = Type.Object({
  id: Id,
  actor: Author,
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  reason: NullableString,
  createdAt: Timestamp,
  /** The board the action concerns; null for site-wide actions (a site-wide suspension). */
  boardSlug: NullableString,
  /** The target described, for links: a thread's title, a post's thread, a user's name, a board's slug. */
  target: Type.Object({
    label: NullableString,
    threadId: Type.Union([Id, Type.Null()]),
    postId: Type.Union([Id, Type.Null()]),
    username: NullableString,
    boardSlug: NullableString
  })
});
export type ModLogEntry = Static<typeof ModLogEntry>;
export const ModLog = Type.Object({ entries: Type.Array(ModLogEntry), nextCursor: NullableString });
export type ModLog = Static<typeof ModLog>;

const BoardSlug = Type.String({
  pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
  'x-message': 'slug must be 1 to 63 lower-case letters, digits or dashes'
});
const BoardName = Type.String({ minLength: 1, maxLength: 80, 'x-message': 'name must be 1 to 80 characters' });
const BoardDescription = Type.String({ maxLength: 500, 'x-message': 'description must be at most 500 characters' });
const BoardRoleTag = Type.Union([RoleTag, Type.Null()], { 'x-message': 'roleTag must be BME, CE, BMET or null' });
export const CreateBoardBody = Type.Object({
  slug: BoardSlug,
  name: BoardName,
  description: Type.Optional(BoardDescription),
  roleTag: Type.Optional(BoardRoleTag)
});
export const UpdateBoardBody = Type.Object({
  name: Type.Optional(BoardName),
  description: Type.Optional(BoardDescription),
  roleTag: Type.Optional(BoardRoleTag),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000, 'x-message': 'position must be 0 to 10000' })),
  archived: Type.Optional(Type.Boolean({ 'x-message': 'archived must be true or false' }))
});
export const BoardModeratorsBody = Type.Object({
  usernames: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50, 'x-message': 'usernames must be a list of at most 50 usernames' })
});
export const AdminBoard = Type.Object({ board: Board, moderators: Type.Array(Author) });
export const AdminBoardList = Type.Object({ boards: Type.Array(AdminBoard) });
export type AdminBoardList = Static<typeof AdminBoardList>;

/** What the signed-in user may moderate: everything, some boards, or nothing. */
export const ModScope = Type.Object({ all: Type.Boolean(), boards: Type.Array(Type.String()) });
export type ModScope = Static<typeof ModScope>;
