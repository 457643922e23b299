import { jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { ref, ts } from './columns.ts';
import { users } from './users.ts';

/**
 * What a member is typing and has not posted: a reply, an edit, a new thread. Kept on the
 * server so it follows them to another device (the browser keeps a copy too). `key` names the
 * composer (`reply:<thread>:<post>`, `edit:<post>`, `new:<board>`); `fields` its text fields.
 */
export const drafts = pgTable(
  'drafts',
  {
    userId: ref()
      .notNull()
      .references(() => users.id),
    key: text().notNull(),
    fields: jsonb().$type<Record<string, string>>().notNull(),
    updatedAt: ts().notNull().defaultNow()
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })]
);
export type DraftRow = typeof drafts.$inferSelect;
