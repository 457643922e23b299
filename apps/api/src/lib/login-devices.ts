import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { and, eq, lt, notInArray, sql } from 'drizzle-orm';
import type { Conn } from '@bmet/db/client';
import { loginDevices } from '@bmet/db/schema';

/**
 * Device cookies, as OWASP's guidance on account lockout proposes: a browser that has signed in
 * to an account carries a random token for it, and its failed logins count against that device
 * alone. Guessing from elsewhere then locks out only the guesser, never the owner's devices.
 * Only SHA-256 of the token is stored.
 */
export const DEVICE_COOKIE = 'device';
export const DEVICE_TTL_MS = 365 * 24 * 60 * 60_000;
/** Devices kept per account; signing in on more forgets the least recently used. */
const MAX_DEVICES = 20;

const hash = (token: string) => sha256(new TextEncoder().encode(token));

/** The device's key (for counting its failures) when `token` is a device of this account; else null. */
export async function trustedDevice(db: Conn, token: string | undefined, userId: number | null): Promise<string | null> {
  if (token === undefined || !/^[a-z2-7]{32}$/.test(token)) return null;
  // Looked up for unknown names too, so the answer's timing does not tell who exists.
  const tokenHash = hash(token);
  const [row] = await db
    .select({ userId: loginDevices.userId, lastUsedAt: loginDevices.lastUsedAt })
    .from(loginDevices)
    .where(eq(loginDevices.tokenHash, tokenHash));
  if (row === undefined || row.userId !== userId || Date.now() - row.lastUsedAt.getTime() > DEVICE_TTL_MS) return null;
  return encodeHexLowerCase(tokenHash).slice(0, 32);
}

/**
 * After a successful login: refreshes a device already known for the account, or makes a new
 * one and returns its token for the cookie (null when the device was known).
 */
export async function rememberDevice(db: Conn, userId: number, known: string | undefined): Promise<string | null> {
  if (known !== undefined && /^[a-z2-7]{32}$/.test(known)) {
    const touched = await db
      .update(loginDevices)
      .set({ lastUsedAt: new Date() })
      .where(and(eq(loginDevices.tokenHash, hash(known)), eq(loginDevices.userId, userId)))
      .returning({ userId: loginDevices.userId });
    if (touched.length > 0) return null;
  }
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  const token = encodeBase32LowerCaseNoPadding(bytes);
  await db.insert(loginDevices).values({ tokenHash: hash(token), userId });
  const keep = db
    .select({ tokenHash: loginDevices.tokenHash })
    .from(loginDevices)
    .where(eq(loginDevices.userId, userId))
    .orderBy(sql`${loginDevices.lastUsedAt} desc`)
    .limit(MAX_DEVICES);
  await db.delete(loginDevices).where(and(eq(loginDevices.userId, userId), notInArray(loginDevices.tokenHash, keep)));
  return token;
}

/** Devices unused for longer than DEVICE_TTL_MS (the hourly sweep). */
export async function deleteStaleDevices(db: Conn): Promise<void> {
  await db.delete(loginDevices).where(lt(loginDevices.lastUsedAt, new Date(Date.now() - DEVICE_TTL_MS)));
}
