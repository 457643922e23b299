import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, ref, ts } from './columns.ts';

export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => new Uint8Array(v)
});

export const users = pgTable(
  'users',
  {
    id: id(),
    username: text().notNull(),
    displayName: text().notNull(),
    email: text().notNull(),
    passwordHash: text().notNull(),
    profession: text().$type<'BME' | 'CE' | 'BMET' | 'other'>().notNull(),
    role: text().$type<'member' | 'moderator' | 'admin'>().notNull().default('member'),
    postCount: integer().notNull().default(0),
    threadCount: integer().notNull().default(0),
    solutionCount: integer().notNull().default(0),
    /** Kept in the transactions that write and read notifications. */
    unreadNotifications: integer().notNull().default(0),
    /** Suspended until then: the user reads and logs in, every write answers 403 suspended. */
    suspendedUntil: ts(),
    suspensionReason: text(),
    /** A few lines about the member, plain text, shown on their profile. */
    bio: text(),
    /** When the member confirmed that the address is theirs (the link in the verification e-mail). */
    emailVerifiedAt: ts(),
    /** E-mail the member about replies, mentions and accepted answers they did not see on the site. */
    emailNotifications: boolean().notNull().default(true),
    /** A daily digest of new and solved threads in the boards and models the member watches. */
    emailDigest: boolean().notNull().default(true),
    /** IANA zone the member lives in (the digest comes in their morning). */
    timeZone: text().notNull().default('UTC'),
    /** When the next digest is due; null while none is (digest off, address not verified, account closed). */
    nextDigestAt: ts(),
    /** TOTP key for two-factor sign-in, encrypted (AES-256-GCM) with the forum's secret key. */
    totpKey: bytea(),
    /** Passkeys and security keys registered (kept with them): a second factor besides the TOTP key. */
    passkeyCount: integer().notNull().default(0),
    /** The last 30-second step whose code signed in: a code is good once (RFC 6238, 5.2). */
    totpLastStep: bigint({ mode: 'number' }),
    /** When the account was closed: e-mail and profile erased, posts kept under a neutral name. */
    closedAt: ts(),
    createdAt: createdAt()
  },
  (t) => [
    uniqueIndex('users_username_lower_idx').on(sql`lower(${t.username})`),
    uniqueIndex('users_email_lower_idx').on(sql`lower(${t.email})`),
    // The @mention suggestions: a prefix of the username or of the display name (LIKE 'q%').
    index('users_username_prefix_idx').using('btree', sql`lower(${t.username}) text_pattern_ops`),
    index('users_display_name_prefix_idx').using('btree', sql`lower(${t.displayName}) text_pattern_ops`),
    // The digest scan: members whose digest is due, nobody else.
    index('users_next_digest_idx')
      .on(t.nextDigestAt)
      .where(sql`${t.nextDigestAt} is not null`)
  ]
);
export type UserRow = typeof users.$inferSelect;

/** Sessions as in Lucia's guide: the id is public, only SHA-256(secret) is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: text().primaryKey(),
    secretHash: bytea().notNull(),
    userId: ref()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: ts().notNull(),
    /** Moved on at most every few minutes (session.ts), for the member's list of sessions. */
    lastSeenAt: ts().notNull().defaultNow(),
    /** The browser that signed in, as it named itself (cleaned, shortened), for the same list. */
    userAgent: text(),
    /**
     * The password was right but the second factor is still owed (Lucia's two-factor guide): such
     * a session may only finish signing in or sign out, and lives minutes, not days.
     */
    twoFactorPending: boolean().notNull().default(false)
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)]
);
export type SessionRow = typeof sessions.$inferSelect;

/**
 * Devices that have signed in to an account (OWASP's device cookies): a failed login from one
 * counts against that device alone, so guessing from elsewhere cannot lock the owner out.
 * Only SHA-256 of the cookie's token is stored.
 */
export const loginDevices = pgTable(
  'login_devices',
  {
    tokenHash: bytea().primaryKey(),
    userId: ref()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    lastUsedAt: ts().notNull().defaultNow()
  },
  (t) => [index('login_devices_user_idx').on(t.userId, t.lastUsedAt)]
);
