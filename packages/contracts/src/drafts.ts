import { Type, type Static } from 'typebox';
import { Timestamp } from './common.ts';

/** A composer's name: `reply:<thread>:<post>` or `reply:<thread>:thread`, `edit:<post>`, `new:<board>` (and `new:<board>:title`). */
export const DRAFT_KEY = '^(?:reply:[0-9]{1,20}:(?:[0-9]{1,20}|thread)|edit:[0-9]{1,20}|new:[a-z0-9][a-z0-9-]{0,63}(?::title)?)$';
/** A member keeps at most this many drafts; saving one more drops the oldest. */
export const MAX_DRAFTS = 100;

export const DraftParams = Type.Object({ key: Type.String({ pattern: DRAFT_KEY, maxLength: 100 }) });
export const DraftFields = Type.Record(Type.String({ pattern: '^[a-zA-Z]{1,32}$' }), Type.String({ maxLength: 50000 }), {
  maxProperties: 8
});
export const DraftBody = Type.Object({ fields: DraftFields }, { additionalProperties: false });
export const Draft = Type.Object({ key: Type.String(), fields: DraftFields, updatedAt: Timestamp });
export const DraftResult = Type.Object({ draft: Draft });
export type Draft = Static<typeof Draft>;
export type DraftResult = Static<typeof DraftResult>;
