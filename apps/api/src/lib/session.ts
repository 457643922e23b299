import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, eq, lt, ne, sql } from 'drizzle-orm';
import { UNNAMED, prepared } from './prepared.ts';
import type { Conn } from '@bmet/db/client';
import { sessions, users, type SessionRow, type UserRow } from '@bmet/db/schema';

// Sessions as in Lucia's guide (lucia-auth.com): token = id + "." + secret, only SHA-256(secret)
// is stored, secrets compared in constant time, sliding expiry.
export const SESSION_COOKIE = 'session';
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const RENEW_WHEN_LEFT_MS = SESSION_TTL_MS / 2;

export type Session = Pick<SessionRow, 'id' | 'userId' | 'createdAt' | 'expiresAt' | 'lastSeenAt' | 'userAgent' | 'twoFactorPending'>;
/** A session whose second factor is still owed lives this long (Lucia's two-factor guide). */
export const PENDING_TTL_MS = 10 * 60 * 1000;
/** How often a session's last-seen time moves: one write per session every few minutes, not per request. */
const SEEN_EVERY_MS = 5 * 60 * 1000;
export type SessionValidation = { session: Session; user: UserRow; renewed: boolean } | { session: null; user: null; renewed: false };

/** 24 random bytes in lower-case base32 (Lucia's guide): ids and secrets of sessions and e-mailed links. */
export function generateSecureRandomString(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

export function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

/** The browser as it names itself, for the member's list of sessions: printable, at most 200 characters. */
export function cleanUserAgent(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const text = raw
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 200);
  return text === '' ? null : text;
}

export async function createSession(
  db: Conn,
  userId: number,
  userAgent: string | null = null,
  /** The password was right and a second factor is owed: the session may only finish signing in. */
  twoFactorPending = false
): Promise<{ session: Session; token: string }> {
  const id = generateSecureRandomString();
  const secret = generateSecureRandomString();
  const now = new Date();
  const ttl = twoFactorPending ? PENDING_TTL_MS : SESSION_TTL_MS;
  const session = { id, userId, createdAt: now, expiresAt: new Date(now.getTime() + ttl), lastSeenAt: now, userAgent, twoFactorPending };
  await db.insert(sessions).values({ ...session, secretHash: hashSecret(secret) });
  return { session, token: `${id}.${secret}` };
}

const invalidSession: SessionValidation = { session: null, user: null, renewed: false };

export async function validateSessionToken(db: Conn, token: string): Promise<SessionValidation> {
  const parts = token.split('.');
  if (parts.length !== 2) return invalidSession;
  const [id, secret] = parts as [string, string];
  if (!/^[a-z2-7]{1,64}$/.test(id) || secret.length === 0 || secret.length > 64) return invalidSession;
  const rows = await prepared(db, 'session', (conn) =>
    conn
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.id, sql.placeholder('id')))
      .limit(1)
      .prepare(UNNAMED)
  ).execute({ id });
  const row = rows[0];
  if (row === undefined) return invalidSession;
  if (!constantTimeEqual(hashSecret(secret), row.session.secretHash)) return invalidSession;
  const now = Date.now();
  if (row.session.expiresAt.getTime() <= now) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return invalidSession;
  }
  const { secretHash: _hash, ...session } = row.session;
  // A session still owing its second factor never slides: it ends minutes after the password.
  if (session.twoFactorPending) return { session, user: row.user, renewed: false };
  const renew = session.expiresAt.getTime() - now < RENEW_WHEN_LEFT_MS;
  const seen = now - session.lastSeenAt.getTime() >= SEEN_EVERY_MS;
  if (renew || seen) {
    // One write for both, and only every few minutes: reading pages must not write per request.
    session.lastSeenAt = new Date(now);
    if (renew) session.expiresAt = new Date(now + SESSION_TTL_MS);
    await db
      .update(sessions)
      .set({ lastSeenAt: session.lastSeenAt, ...(renew ? { expiresAt: session.expiresAt } : {}) })
      .where(eq(sessions.id, id));
  }
  return { session, user: row.user, renewed: renew };
}

/** The second factor was given: the session becomes a full one, with a full lifetime. */
export async function completeTwoFactor(db: Conn, sessionId: string): Promise<Date> {
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.update(sessions).set({ twoFactorPending: false, expiresAt, lastSeenAt: new Date() }).where(eq(sessions.id, sessionId));
  return expiresAt;
}

export async function invalidateSession(db: Conn, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function invalidateUserSessions(db: Conn, userId: number, except?: string): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.userId, userId), except === undefined ? undefined : ne(sessions.id, except)));
}

export async function deleteExpiredSessions(db: Conn, now = new Date()): Promise<void> {
  await db.delete(sessions).where(and(lt(sessions.expiresAt, now)));
}
