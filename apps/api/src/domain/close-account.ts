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
import { eq } from 'drizzle-orm';

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
      username: closedUsername(userId),
      displayName: CLOSED_DISPLAY_NAME,
      // Unique and unreachable (RFC 2606's .invalid): the real address is gone.
      email: `${closedUsername(userId)}@closed.invalid`,
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
