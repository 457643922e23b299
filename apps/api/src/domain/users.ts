import { eq, sql } from 'drizzle-orm';
import type { Conn } from '@bmet/db/client';
import { users, type UserRow } from '@bmet/db/schema';
import type { Profession } from '@bmet/contracts';

export interface NewUser {
  username: string;
  displayName: string;
  email: string;
  passwordHash: string;
  profession: Profession;
  timeZone?: string;
}

/** Inserts a user; null when the username or email is taken (case-insensitively). */
export async function createUser(db: Conn, input: NewUser): Promise<UserRow | null> {
  const rows = await db.insert(users).values(input).onConflictDoNothing().returning();
  return rows[0] ?? null;
}

export async function findUserByLogin(db: Conn, login: string): Promise<UserRow | null> {
  const key = login.trim().toLowerCase();
  const column = key.includes('@') ? users.email : users.username;
  const rows = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${column})`, key))
    .limit(1);
  return rows[0] ?? null;
}

/** A user by username, case folded as everywhere; null when there is none. */
export async function findUserByUsername(db: Conn, username: string): Promise<UserRow | null> {
  const rows = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.username})`, username.toLowerCase()))
    .limit(1);
  return rows[0] ?? null;
}

export async function findTakenField(db: Conn, username: string, email: string): Promise<'username' | 'email' | null> {
  const rows = await db
    .select({ username: users.username, email: users.email })
    .from(users)
    .where(sql`lower(${users.username}) = ${username.toLowerCase()} or lower(${users.email}) = ${email.toLowerCase()}`)
    .limit(2);
  if (rows.some((r) => r.username.toLowerCase() === username.toLowerCase())) return 'username';
  if (rows.length > 0) return 'email';
  return null;
}
