import { Type, type Static } from 'typebox';
import { Id, NullableString, Timestamp } from './common.ts';
import { Author } from './users.ts';

export const TITLE_MIN = 3;
export const TITLE_MAX = 200;
export const BODY_MAX = 50_000;
export const TAGS_MAX = 5;
export const EQUIPMENT_FIELD_MAX = 100;

export const threadKinds = ['question', 'discussion'] as const;
export type ThreadKind = (typeof threadKinds)[number];

export const Equipment = Type.Object({
  manufacturer: NullableString,
  model: NullableString,
  category: NullableString,
  errorCode: NullableString
});
export type Equipment = Static<typeof Equipment>;

export const Thread = Type.Object({
  id: Id,
  boardSlug: Type.String(),
  title: Type.String(),
  kind: Type.Union([Type.Literal('question'), Type.Literal('discussion')]),
  author: Author,
  createdAt: Timestamp,
  lastPostAt: Timestamp,
  replyCount: Type.Integer(),
  score: Type.Integer(),
  solved: Type.Boolean(),
  solutionPostId: Type.Union([Id, Type.Null()]),
  pinned: Type.Boolean(),
  locked: Type.Boolean(),
  equipment: Type.Union([Equipment, Type.Null()]),
  tags: Type.Array(Type.String()),
  /**
   * Replies posted since the caller last read the thread; present on lists for a signed-in
   * caller, null when they have never opened it.
   */
  newReplies: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  /** Present and true only when a moderator looks at a deleted thread. */
  deleted: Type.Optional(Type.Boolean()),
  /** Present when a moderator closed the thread as a duplicate: the original thread's id. */
  duplicateOf: Type.Optional(Id)
});
export type Thread = Static<typeof Thread>;

export const Post = Type.Object({
  id: Id,
  threadId: Id,
  parentId: Type.Union([Id, Type.Null()]),
  depth: Type.Integer(),
  author: Author,
  bodyMarkdown: Type.String(),
  bodyHtml: Type.String(),
  createdAt: Timestamp,
  editedAt: Type.Union([Timestamp, Type.Null()]),
  score: Type.Integer(),
  isSolution: Type.Boolean(),
  deleted: Type.Boolean(),
  /** The caller's vote on this post (1, 0 or -1); present when the caller is signed in. */
  myVote: Type.Optional(Type.Integer()),
  /** Posted since the caller last read the thread; present when the caller is signed in. */
  unread: Type.Optional(Type.Boolean())
});
export type Post = Static<typeof Post>;

const equipmentField = (name: string) =>
  Type.Optional(
    Type.Union([
      Type.String({
        maxLength: EQUIPMENT_FIELD_MAX,
        'x-message': `${name} must be at most ${EQUIPMENT_FIELD_MAX} characters`
      }),
      Type.Null()
    ])
  );

export const EquipmentInput = Type.Object({
  manufacturer: equipmentField('manufacturer'),
  model: equipmentField('model'),
  category: equipmentField('category'),
  errorCode: equipmentField('errorCode')
});
export type EquipmentInput = Static<typeof EquipmentInput>;

/** Set after a 422 phi_suspected, once the author has checked the post holds no patient data. */
export const ConfirmNoPhi = Type.Optional(Type.Boolean({ 'x-message': 'confirmNoPhi must be true or false' }));

const Body = Type.String({
  minLength: 1,
  maxLength: BODY_MAX,
  'x-message': `body must be 1 to ${BODY_MAX} characters`
});

export const CreateThreadBody = Type.Object({
  title: Type.String({
    minLength: TITLE_MIN,
    maxLength: TITLE_MAX,
    'x-message': `title must be ${TITLE_MIN} to ${TITLE_MAX} characters`
  }),
  body: Body,
  kind: Type.Optional(
    Type.Union([Type.Literal('question'), Type.Literal('discussion')], {
      'x-message': 'kind must be question or discussion'
    })
  ),
  equipment: Type.Optional(Type.Union([EquipmentInput, Type.Null()])),
  tags: Type.Optional(
    Type.Array(
      Type.String({
        minLength: 1,
        maxLength: 30,
        'x-message': 'each tag must be 1 to 30 characters'
      }),
      { maxItems: TAGS_MAX, 'x-message': `at most ${TAGS_MAX} tags` }
    )
  ),
  confirmNoPhi: ConfirmNoPhi
});
export type CreateThreadBody = Static<typeof CreateThreadBody>;

export const CreatePostBody = Type.Object({
  body: Body,
  confirmNoPhi: ConfirmNoPhi,
  parentId: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()]))
});
export type CreatePostBody = Static<typeof CreatePostBody>;

export const ThreadPageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, 'x-message': 'limit must be 1 to 200' })),
  cursor: Type.Optional(Type.String({ maxLength: 2000 })),
  /** Only this post and its replies (a "continue this thread" view). */
  subtree: Type.Optional(Type.String({ maxLength: 32 })),
  /**
   * Start the page at this post (a post id), or at the caller's first unread post in reading
   * order (`unread`; the first page when nothing is unread).
   */
  at: Type.Optional(Type.String({ maxLength: 32 }))
});

export const ThreadListQuery = Type.Object({
  sort: Type.Optional(
    Type.Union([Type.Literal('latest'), Type.Literal('top'), Type.Literal('unanswered'), Type.Literal('solved')], {
      'x-message': 'sort must be latest, top, unanswered or solved'
    })
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, 'x-message': 'limit must be 1 to 200' })),
  cursor: Type.Optional(Type.String({ maxLength: 2000 }))
});
export type ThreadListQuery = Static<typeof ThreadListQuery>;

export const ThreadList = Type.Object({
  threads: Type.Array(Thread),
  nextCursor: NullableString
});
export type ThreadList = Static<typeof ThreadList>;

export const CreateThreadResult = Type.Object({ thread: Thread, post: Post });
export type CreateThreadResult = Static<typeof CreateThreadResult>;

export const ReadState = Type.Object({
  /** Every post up to this sequence number had been shown to the caller before this request (-1: none). */
  lastReadSeq: Type.Integer(),
  /** Replies posted since then. */
  newReplies: Type.Integer(),
  /** The caller has unread notifications about this thread (reading it clears those it shows). */
  unseenNotifications: Type.Boolean(),
  /**
   * Hand back to `POST /threads/:id/read` once the page has been shown: it moves the read
   * position over exactly the posts this page showed. Opaque.
   */
  mark: Type.String()
});
export type ReadState = Static<typeof ReadState>;

export const ThreadPage = Type.Object({
  thread: Thread,
  posts: Type.Array(Post),
  nextCursor: NullableString,
  /** The post the page starts at when `at` was given and found; null otherwise. */
  startPostId: Type.Optional(Type.Union([Id, Type.Null()])),
  /** The caller's read position; present when the caller is signed in. */
  readState: Type.Optional(ReadState),
  /** The thread's board as the page around the posts names it (the breadcrumb, an archived board's notice). */
  board: Type.Optional(Type.Object({ slug: Type.String(), name: Type.String(), archived: Type.Optional(Type.Boolean()) })),
  /** The caller's notification level for the thread (as GET /threads/:id/subscription); present when signed in. */
  subscription: Type.Optional(Type.Union([Type.Literal('watching'), Type.Literal('muted'), Type.Literal('none')]))
});

export const MarkThreadReadBody = Type.Object({
  mark: Type.String({ minLength: 1, maxLength: 8000, 'x-message': 'mark must be the readState.mark of a thread page' })
});
export const MarkThreadReadResult = Type.Object({
  lastReadSeq: Type.Integer(),
  newReplies: Type.Integer(),
  /** The reader's unread notifications after this read (those about the posts now read are cleared). */
  unreadNotifications: Type.Integer()
});
export type MarkThreadReadResult = Static<typeof MarkThreadReadResult>;
export type ThreadPage = Static<typeof ThreadPage>;

export const PostResult = Type.Object({ post: Post });
export type PostResult = Static<typeof PostResult>;
