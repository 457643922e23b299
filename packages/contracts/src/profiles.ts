import { Type, type Static } from 'typebox';
import { Thread } from './threads.ts';
import { User } from './users.ts';

export const Profile = Type.Object({
  user: User,
  stats: Type.Object({ postCount: Type.Integer(), threadCount: Type.Integer(), solutionCount: Type.Integer() }),
  recentThreads: Type.Array(Thread)
});
export type Profile = Static<typeof Profile>;
