import { Type, type Static } from 'typebox';
import { Id, NullableString, Timestamp } from './common.ts';
import { Author } from './users.ts';

export const notificationTypes = ['reply', 'mention', 'solution', 'moderation', 'new_thread'] as const;

export const Notification = Type.Object({
  id: Id,
  type: Type.Union([
    Type.Literal('reply'),
    Type.Literal('mention'),
    Type.Literal('solution'),
    Type.Literal('moderation'),
    /** A new thread in a board or on an equipment model the user watches. */
    Type.Literal('new_thread')
  ]),
  threadId: Type.Union([Id, Type.Null()]),
  /** The thread's title, so a list can say what it is about; null once the thread is deleted. */
  threadTitle: Type.Union([Type.String(), Type.Null()]),
  postId: Type.Union([Id, Type.Null()]),
  /** The first line of the post, as plain text (at most 140 characters); null without a post or once it is deleted. */
  excerpt: Type.Union([Type.String(), Type.Null()]),
  actor: Type.Union([Author, Type.Null()]),
  createdAt: Timestamp,
  readAt: NullableString
});
export type Notification = Static<typeof Notification>;

export const NotificationList = Type.Object({
  notifications: Type.Array(Notification),
  unread: Type.Integer(),
  nextCursor: NullableString
});
export type NotificationList = Static<typeof NotificationList>;

export const MarkReadBody = Type.Object({
  ids: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 200, 'x-message': 'ids must be at most 200 ids' })),
  all: Type.Optional(Type.Boolean({ 'x-message': 'all must be true or false' }))
});
export type MarkReadBody = Static<typeof MarkReadBody>;
export const UnreadResult = Type.Object({ unread: Type.Integer() });

export const subscriptionLevels = ['watching', 'muted', 'none'] as const;
export const SubscriptionBody = Type.Object({
  level: Type.Union([Type.Literal('watching'), Type.Literal('muted'), Type.Literal('none')], {
    'x-message': 'level must be watching, muted or none'
  })
});
export const SubscriptionResult = Type.Object({
  level: Type.Union([Type.Literal('watching'), Type.Literal('muted'), Type.Literal('none')])
});
export const WatchBody = Type.Object({ watching: Type.Boolean({ 'x-message': 'watching must be true or false' }) });
export const WatchResult = Type.Object({ watching: Type.Boolean() });
export const Watches = Type.Object({
  boards: Type.Array(Type.Object({ slug: Type.String(), name: Type.String() })),
  models: Type.Array(
    Type.Object({ manufacturerSlug: Type.String(), slug: Type.String(), name: Type.String(), manufacturer: Type.String() })
  ),
  threads: Type.Array(
    Type.Object({ id: Type.String(), title: Type.String(), level: Type.Union([Type.Literal('watching'), Type.Literal('muted')]) })
  )
});
export type Watches = Static<typeof Watches>;
