import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id, ref, ts } from './columns.ts';
import { bytea, users } from './users.ts';

export type TokenPurpose = 'password_reset' | 'email_verify' | 'email_change' | 'unsubscribe';

/**
 * The links in e-mails (reset, verify, change of address, unsubscribe), made as Lucia's guide
 * makes sessions: token = id + "." + secret, only SHA-256(secret) stored, compared in constant
 * time, single use (`used_at`), short-lived (`expires_at`).
 */
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: text().primaryKey(),
    secretHash: bytea().notNull(),
    purpose: text().$type<TokenPurpose>().notNull(),
    userId: ref()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The address a verification or change is for; the list an unsubscribe is for. */
    target: text(),
    createdAt: createdAt(),
    expiresAt: ts().notNull(),
    usedAt: ts()
  },
  (t) => [index('account_tokens_user_idx').on(t.userId, t.purpose), index('account_tokens_expires_idx').on(t.expiresAt)]
);
export type AccountTokenRow = typeof accountTokens.$inferSelect;

/** Two-factor recovery codes: SHA-256 of each, one use each. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: id(),
    userId: ref()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: bytea().notNull(),
    usedAt: ts()
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)]
);

export type MailKind = 'verify_email' | 'password_reset' | 'email_change' | 'security' | 'notifications' | 'digest';
/** held: no SMTP_URL, kept for the admin; queued: a send job waits; sent; failed: every retry was spent. */
export type MailStatus = 'held' | 'queued' | 'sent' | 'failed';

/**
 * Every e-mail the forum writes, before it is sent: the job that sends it reads it from here, and
 * without SMTP_URL it stays here for the admin to read (so a new install loses nothing).
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: id(),
    userId: ref().references(() => users.id, { onDelete: 'set null' }),
    kind: text().$type<MailKind>().notNull(),
    toAddress: text().notNull(),
    subject: text().notNull(),
    textBody: text().notNull(),
    htmlBody: text().notNull(),
    /** Message-ID, threading and List-Unsubscribe headers, as sent. */
    headers: jsonb().$type<Record<string, string>>().notNull(),
    status: text().$type<MailStatus>().notNull(),
    attempts: integer().notNull().default(0),
    lastError: text(),
    createdAt: createdAt(),
    sentAt: ts()
  },
  (t) => [
    index('mail_outbox_created_idx').on(t.createdAt, t.id),
    index('mail_outbox_user_idx').on(t.userId),
    index('mail_outbox_status_idx')
      .on(t.status, t.createdAt, t.id)
      .where(sql`${t.status} <> 'sent'`)
  ]
);
export type MailRow = typeof mailOutbox.$inferSelect;

/** Site-wide settings an admin changes at run time (requiring two-factor of moderators), and the generated secret. */
export const siteSettings = pgTable('site_settings', {
  key: text().primaryKey(),
  value: jsonb().notNull(),
  updatedAt: ts().notNull().defaultNow()
});

/**
 * Passkeys and security keys (WebAuthn), a second factor like the TOTP app: the credential's id
 * and public key as the authenticator made them, and its signature counter.
 */
export const passkeys = pgTable(
  'passkeys',
  {
    /** The credential id, base64url, as the authenticator names it. */
    id: text().primaryKey(),
    userId: ref()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    publicKey: bytea().notNull(),
    counter: bigint({ mode: 'number' }).notNull().default(0),
    transports: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** What the member calls it ("YubiKey on my badge"). */
    name: text().notNull(),
    createdAt: createdAt(),
    lastUsedAt: ts()
  },
  (t) => [index('passkeys_user_idx').on(t.userId)]
);
export type PasskeyRow = typeof passkeys.$inferSelect;

/**
 * WebAuthn challenges between the options and the answer: bound to the session that asked, used
 * once, five minutes at most (instances share them, so the answer may reach another one).
 */
export const webauthnChallenges = pgTable(
  'webauthn_challenges',
  {
    challenge: text().primaryKey(),
    sessionId: text().notNull(),
    purpose: text().$type<'register' | 'authenticate'>().notNull(),
    expiresAt: ts().notNull()
  },
  (t) => [index('webauthn_challenges_expires_idx').on(t.expiresAt)]
);

/**
 * When a member was last on the site (a request, a live socket): what decides that a notification
 * was seen and needs no e-mail. A table of its own, written once a second in the background, so
 * it never waits for (or holds up) the transactions that move a member's counters.
 */
export const memberPresence = pgTable('member_presence', {
  userId: ref()
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  lastActiveAt: ts().notNull()
});
