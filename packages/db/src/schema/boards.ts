import { boolean, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id, ts } from './columns.ts';

export const boards = pgTable('boards', {
  id: id(),
  slug: text().notNull().unique(),
  name: text().notNull(),
  description: text().notNull().default(''),
  roleTag: text().$type<'BME' | 'CE' | 'BMET'>(),
  position: integer().notNull().default(0),
  archived: boolean().notNull().default(false),
  threadCount: integer().notNull().default(0),
  postCount: integer().notNull().default(0),
  lastActivityAt: ts(),
  createdAt: createdAt()
});
export type BoardRow = typeof boards.$inferSelect;
