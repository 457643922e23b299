import { sql, type AnyColumn, type SQL } from 'drizzle-orm';

/** Keyset cursors: an opaque base64url JSON array of the last row's sort key. */
export function encodeCursor(values: readonly (string | number | boolean)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

const ISO = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * An instant PostgreSQL takes as it is: Date.parse rolls impossible days over (2024-02-30 is
 * March 1st, 24:00 the next day) and takes year 0, which PostgreSQL refuses; both are refused here.
 */
export function isInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO.exec(value);
  if (match === null || Number(match[1]) < 1) return false;
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === value.slice(0, 19);
}

/**
 * Each value of a cursor: 'time' an ISO timestamp, 'int' a safe integer, 'number' a finite number,
 * 'path' a tree path, 'text' a short string (a slug).
 */
export type CursorPart = 'time' | 'int' | 'number' | 'boolean' | 'path' | 'text';

function valid(value: unknown, part: CursorPart): boolean {
  switch (part) {
    case 'time':
      return isInstant(value);
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) < 2 ** 53;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'path':
      return typeof value === 'string' && /^[0-9]{1,2000}$/.test(value);
    case 'text':
      return typeof value === 'string' && value.length <= 500 && !value.includes('\u0000');
  }
}

/** Returns null for anything malformed or tampered with; callers answer 400. */
export function decodeCursor(cursor: string, shape: readonly CursorPart[]): unknown[] | null {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(values) || values.length !== shape.length) return null;
    return shape.every((part, i) => valid(values[i], part)) ? values : null;
  } catch {
    return null;
  }
}

/**
 * The keyset condition "after this (timestamp, id)" for lists ordered by both descending:
 * undefined without a cursor, 'bad_cursor' for one that is not ours.
 */
export function olderThan(cursor: string | undefined, at: AnyColumn, id: AnyColumn): SQL | undefined | 'bad_cursor' {
  if (cursor === undefined) return undefined;
  const values = decodeCursor(cursor, ['time', 'int']);
  if (values === null) return 'bad_cursor';
  return sql`(${at}, ${id}) < (${values[0]}::timestamptz, ${values[1]}::bigint)`;
}
