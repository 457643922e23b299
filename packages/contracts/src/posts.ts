import { Type, type Static } from 'typebox';
import { Timestamp } from './common.ts';
import { Author } from './users.ts';
import { BODY_MAX, ConfirmNoPhi, Thread } from './threads.ts';

export const EditPostBody = Type.Object({
  body: Type.String({ minLength: 1, maxLength: BODY_MAX, 'x-message': `body must be 1 to ${BODY_MAX} characters` }),
  confirmNoPhi: ConfirmNoPhi
});
export type EditPostBody = Static<typeof EditPostBody>;

export const Revision = Type.Object({ bodyMarkdown: Type.String(), editedAt: Timestamp, editor: Author });
export const RevisionList = Type.Object({ revisions: Type.Array(Revision) });
export type RevisionList = Static<typeof RevisionList>;

export const VoteBody = Type.Object({
  value: Type.Integer({ minimum: -1, maximum: 1, 'x-message': 'value must be 1, 0 or -1' })
});
export const VoteResult = Type.Object({ score: Type.Integer(), myVote: Type.Integer() });
export type VoteResult = Static<typeof VoteResult>;

export const SolutionBody = Type.Object({
  postId: Type.Union([Type.String({ maxLength: 20 }), Type.Null()], { 'x-message': 'postId must be a post id or null' })
});
export const ThreadResult = Type.Object({ thread: Thread });
export type ThreadResult = Static<typeof ThreadResult>;
