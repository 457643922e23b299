import type { Conn } from '@bmet/db/client';

/**
 * Hot queries built once per database instead of on every call: Drizzle's SQL building (its
 * `is()` checks, column casing, parameter lists) was a fifth of a thread request's CPU
 * (issue 13's profile). The statements stay unnamed at the server (PostgreSQL parses them each
 * time), so they pass through PgBouncer in transaction mode, where named statements would not.
 */
const built = new WeakMap<object, Map<string, unknown>>();

export function prepared<T>(db: Conn, key: string, build: (db: Conn) => T): T {
  let byKey = built.get(db);
  if (byKey === undefined) {
    byKey = new Map();
    built.set(db, byKey);
  }
  let query = byKey.get(key) as T | undefined;
  if (query === undefined) {
    query = build(db);
    byKey.set(key, query);
  }
  return query;
}

/** Drizzle's prepare() without a statement name: the built query, executed as an unnamed statement. */
export const UNNAMED = undefined as unknown as string;
