import type { Conn } from '@bmet/db/client';
import type { UserRow } from '@bmet/db/schema';
import { createAccountToken } from '../lib/account-tokens.ts';
import type { Mailer } from '../lib/mail/mailer.ts';
import { emailChangeMail, passwordResetMail, securityNoticeMail, verifyEmailMail } from '../lib/mail/templates.ts';

type Member = Pick<UserRow, 'id' | 'username' | 'displayName' | 'email' | 'emailVerifiedAt'>;

/** The link that confirms the member's current address (registration, a resend). */
export async function queueVerification(tx: Conn, mailer: Mailer, user: Member): Promise<void> {
  const token = await createAccountToken(tx, { purpose: 'email_verify', userId: user.id, target: user.email });
  await mailer.queue(tx, {
    userId: user.id,
    kind: 'verify_email',
    to: user.email,
    ...verifyEmailMail(mailer.brand, { displayName: user.displayName, link: mailer.link('/verify-email', token) })
  });
}

export async function queuePasswordReset(tx: Conn, mailer: Mailer, user: Member): Promise<void> {
  const token = await createAccountToken(tx, { purpose: 'password_reset', userId: user.id });
  await mailer.queue(tx, {
    userId: user.id,
    kind: 'password_reset',
    to: user.email,
    ...passwordResetMail(mailer.brand, {
      displayName: user.displayName,
      username: user.username,
      link: mailer.link('/reset-password', token)
    })
  });
}

/** The link sent to a new address; the change happens when it is confirmed. */
export async function queueEmailChange(tx: Conn, mailer: Mailer, user: Member, newEmail: string): Promise<void> {
  const token = await createAccountToken(tx, { purpose: 'email_change', userId: user.id, target: newEmail });
  await mailer.queue(tx, {
    userId: user.id,
    kind: 'email_change',
    to: newEmail,
    ...emailChangeMail(mailer.brand, { displayName: user.displayName, link: mailer.link('/verify-email', token) })
  });
}

/**
 * Tells the owner of a change to their account (password, address, two-factor, closing), at
 * `to` (the address before a change of address). Only to an address they confirmed: a notice
 * to an address nobody confirmed could go to a stranger.
 */
export async function queueSecurityNotice(
  tx: Conn,
  mailer: Mailer,
  user: Member,
  notice: { what: string; detail: string; to?: string }
): Promise<void> {
  if (user.emailVerifiedAt === null) return;
  await mailer.queue(tx, {
    userId: user.id,
    kind: 'security',
    to: notice.to ?? user.email,
    ...securityNoticeMail(mailer.brand, { displayName: user.displayName, what: notice.what, detail: notice.detail })
  });
}
