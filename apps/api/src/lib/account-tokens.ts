import { constantTimeEqual } from '@oslojs/crypto/subtle';
import type { Conn } from '@bmet/db/client';
import { accountTokens, type AccountTokenRow, type TokenPurpose } from '@bmet/db/schema';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { HttpError } from './http-error.ts';
import { generateSecureRandomString, hashSecret } from './session.ts';

const HOUR = 60 * 60_000;

/** How long each kind of link works. */
export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  password_reset: HOUR,
  email_verify: 48 * HOUR,
  email_change: 24 * HOUR,
  unsubscribe: 60 * 24 * HOUR
};

/** A new link's token (`id.secret`); only SHA-256 of the secret is stored. */
export async function createAccountToken(
  db: Conn,
  input: { purpose: TokenPurpose; userId: number; target?: string | null }
): Promise<string> {
  const id = generateSecureRandomString();
  const secret = generateSecureRandomString();
  await db.insert(accountTokens).values({
    id,
    secretHash: hashSecret(secret),
    purpose: input.purpose,
    userId: input.userId,
    target: input.target ?? null,
    expiresAt: new Date(Date.now() + TOKEN_TTL_MS[input.purpose])
  });
  return `${id}.${secret}`;
}

const invalid = () => new HttpError(400, 'token_invalid', 'this link is not valid: ask for a new one');

/**
 * The token's row, locked for the caller's transaction, once it is shown to be genuine, of this
 * purpose, unused and unexpired; otherwise 400 (`token_invalid`, `token_used`, `token_expired`).
 * Whether it was used or expired is said only to whoever holds its secret. Marking it used is
 * the caller's, in the same transaction as what it unlocks.
 */
export async function takeAccountToken(tx: Conn, token: string, purposes: TokenPurpose[]): Promise<AccountTokenRow> {
  const parts = token.split('.');
  if (parts.length !== 2) throw invalid();
  const [id, secret] = parts as [string, string];
  if (!/^[a-z2-7]{1,64}$/.test(id) || !/^[a-z2-7]{1,64}$/.test(secret)) throw invalid();
  const [row] = await tx.select().from(accountTokens).where(eq(accountTokens.id, id)).for('update');
  if (row === undefined || !constantTimeEqual(hashSecret(secret), row.secretHash) || !purposes.includes(row.purpose)) throw invalid();
  if (row.usedAt !== null) throw new HttpError(400, 'token_used', 'this link has been used already: ask for a new one');
  if (row.expiresAt.getTime() <= Date.now()) throw new HttpError(400, 'token_expired', 'this link has expired: ask for a new one');
  return row;
}

export async function markTokenUsed(tx: Conn, id: string): Promise<void> {
  await tx
    .update(accountTokens)
    .set({ usedAt: sql`now()` })
    .where(eq(accountTokens.id, id));
}

/** Every unused link of these purposes for the user stops working (a reset or a newer request supersedes them). */
export async function voidAccountTokens(tx: Conn, userId: number, purpose: TokenPurpose): Promise<void> {
  await tx
    .update(accountTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt)));
}

/** Links that can no longer be used, kept a day for the "used" and "expired" answers, then gone. */
export async function deleteOldAccountTokens(db: Conn, now = new Date()): Promise<void> {
  const dayAgo = new Date(now.getTime() - 24 * HOUR);
  await db.delete(accountTokens).where(or(lt(accountTokens.expiresAt, dayAgo), lt(accountTokens.usedAt, dayAgo)));
}
