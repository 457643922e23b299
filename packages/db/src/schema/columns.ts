import { bigint, timestamp } from 'drizzle-orm/pg-core';

/** Millisecond precision so a JS Date round-trips exactly (keyset cursors depend on it). */
export const ts = (name?: string) =>
  name === undefined
    ? timestamp({ withTimezone: true, precision: 3, mode: 'date' })
    : timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });

export const id = () => bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity();
export const ref = () => bigint({ mode: 'number' });

export const createdAt = () => ts().notNull().defaultNow();
