import type { Conn } from '@bmet/db/client';
import {
  accountTokens,
  boardModerators,
  boardSuspensions,
  boardWatches,
  drafts,
  loginDevices,
  mailOutbox,
  memberPresence,
  modelWatches,
  notifications,
  passkeys,
  recoveryCodes,
  sessions,
  threadReads,
  threadSubscriptions,
  users
} from '@bmet/db/schema';
import { and, eq, ne, sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';

/** The name a closed account's posts stay under; usernames of this shape are never given out. */
export const closedUsername = (id: number): string => `former-${id}`;
export const CLOSED_DISPLAY_NAME = 'Former member';
export const RESERVED_USERNAME = /^former-\d+$/i;

/**
 * Closes an account, in the caller's transaction: every session ends, the address, profile,
 * password, second factor and settings are erased, and everything that was only the member's
 * (drafts, watches, notifications, read positions, mail) goes. Their threads and posts stay in
 * place under a neutral name, so no reply tree breaks and no vote moves.
 */
export async function closeAccount(tx: Conn, userId: number): Promise<void> {
  // The member's row first, as every other writer of a member's second factor and sessions
  // takes it: one lock order, no deadlock (and a login racing this finds the account closed).
  await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
  // A member who registered `former-<id>` before such names were reserved keeps theirs: this one
  // takes a suffix instead.
  const [clash] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(sql`lower(${users.username})`, closedUsername(userId)), ne(users.id, userId)));
  const username = clash === undefined ? closedUsername(userId) : `${closedUsername(userId)}-${randomBytes(3).toString('hex')}`;
  for (const table of [sessions, loginDevices, accountTokens, recoveryCodes, passkeys, drafts, notifications, mailOutbox] as const) {
    await tx.delete(table).where(eq(table.userId, userId));
  }
  for (const table of [
    threadSubscriptions,
    boardWatches,
    modelWatches,
    threadReads,
    boardModerators,
    boardSuspensions,
    memberPresence
  ] as const) {
    await tx.delete(table).where(eq(table.userId, userId));
  }
  await tx
    .update(users)
    .set({
      username,
      displayName: CLOSED_DISPLAY_NAME,
      // Unique, and no address at all (no "@"): nobody can register it, so nobody can make this
      // closing fail on the unique index; the real address is gone.
      email: `closed account ${userId}`,
      // Not an argon2 hash: no password verifies against it.
      passwordHash: '!',
      bio: null,
      role: 'member',
      emailVerifiedAt: null,
      emailNotifications: false,
      emailDigest: false,
      nextDigestAt: null,
      totpKey: null,
      passkeyCount: 0,
      totpLastStep: null,
      unreadNotifications: 0,
      closedAt: new Date()
    })
    .where(eq(users.id, userId));
}
