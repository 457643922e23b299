import { Type, type Static } from 'typebox';
import { Id, NullableString } from './common.ts';
import { Post, Thread } from './threads.ts';
import { User } from './users.ts';

export const Profile = Type.Object({
  user: User,
  stats: Type.Object({ postCount: Type.Integer(), threadCount: Type.Integer(), solutionCount: Type.Integer() }),
  recentThreads: Type.Array(Thread)
});
export type Profile = Static<typeof Profile>;

/** A member's recent posts, newest first, each with its thread for context. */
export const UserPosts = Type.Object({
  posts: Type.Array(Type.Object({ post: Post, thread: Type.Object({ id: Id, title: Type.String(), boardSlug: Type.String() }) })),
  nextCursor: NullableString
});
export type UserPosts = Static<typeof UserPosts>;
