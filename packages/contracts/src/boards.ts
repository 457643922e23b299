import { Type, type Static } from 'typebox';
import { NullableString } from './common.ts';

export const roleTags = ['BME', 'CE', 'BMET'] as const;
export type RoleTag = (typeof roleTags)[number];
export const RoleTag = Type.Union([Type.Literal('BME'), Type.Literal('CE'), Type.Literal('BMET'), Type.Null()]);

export const Board = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  roleTag: RoleTag,
  threadCount: Type.Integer(),
  postCount: Type.Integer(),
  lastActivityAt: NullableString,
  /** An archived board is read-only: no new threads or replies. */
  archived: Type.Optional(Type.Boolean()),
  position: Type.Optional(Type.Integer())
});
export type Board = Static<typeof Board>;

export const BoardList = Type.Object({ boards: Type.Array(Board) });
export const BoardResult = Type.Object({ board: Board });

export const threadSorts = ['latest', 'top', 'unanswered', 'solved'] as const;
export type ThreadSort = (typeof threadSorts)[number];
