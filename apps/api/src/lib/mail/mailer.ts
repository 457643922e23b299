import { randomBytes } from 'node:crypto';
import type { Conn, Db } from '@bmet/db/client';
import { mailOutbox, type MailKind } from '@bmet/db/schema';
import { eq, sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { MailConfig } from '../../config.ts';
import { createAccountToken } from '../account-tokens.ts';
import type { Jobs } from '../jobs.ts';
import { oneLine, type Brand, type MailContent } from './templates.ts';

export type MailList = 'notifications' | 'digest';

export interface OutgoingMail extends MailContent {
  userId: number | null;
  kind: MailKind;
  to: string;
  /** Groups the message with the others about this thread in a mail client (References, In-Reply-To). */
  threadId?: number;
  /** A list the member can leave in one click (RFC 8058): `oneClick` goes in List-Unsubscribe. */
  list?: { name: MailList; oneClick: string };
}

type Transport = ReturnType<typeof nodemailer.createTransport>;

export interface Logger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * Writes e-mails into the outbox and sends them from a job. A request only ever inserts rows
 * (the message and, with SMTP_URL, its send job) in its own transaction; the job does the
 * talking to the SMTP server, retried with backoff by the queue. Without SMTP_URL messages stay
 * in the outbox (`held`) for an admin to read.
 */
export class Mailer {
  readonly brand: Brand;
  private readonly transport: Transport | null;
  private readonly domain: string;

  constructor(
    readonly config: MailConfig,
    private readonly jobs: Jobs,
    private readonly log: Logger
  ) {
    this.brand = { forumName: config.forumName, publicUrl: config.publicUrl };
    this.domain = config.from.split('@')[1] ?? 'localhost.localdomain';
    this.transport =
      config.smtpUrl === undefined
        ? null
        : nodemailer.createTransport({
            url: config.smtpUrl,
            pool: true,
            maxConnections: 2,
            // A server that is down or hangs fails the attempt in seconds; the job tries again later.
            connectionTimeout: 10_000,
            greetingTimeout: 10_000,
            socketTimeout: 30_000,
            ...(config.dkim === undefined ? {} : { dkim: config.dkim })
          });
  }

  /** Whether messages leave the machine (SMTP_URL) or wait in the outbox. */
  get sending(): boolean {
    return this.transport !== null;
  }

  /** A page of the web app with a token, as put in e-mails (GET only shows the page). */
  link(path: string, token?: string): string {
    return `${this.config.publicUrl}${path}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
  }

  /**
   * A one-click unsubscribe link for this member and list: the API's URL for List-Unsubscribe
   * (a POST there unsubscribes, a GET only leads to the page) and the page's for the message.
   */
  async unsubscribeLinks(tx: Conn, userId: number, list: MailList): Promise<{ page: string; oneClick: string }> {
    const token = await createAccountToken(tx, { purpose: 'unsubscribe', userId, target: list });
    return {
      page: this.link('/unsubscribe', token),
      oneClick: `${this.config.publicUrl}/api/v1/email/unsubscribe?token=${encodeURIComponent(token)}`
    };
  }

  /** Puts a message in the outbox, and its send job in the queue, inside the caller's transaction. */
  async queue(tx: Conn, mail: OutgoingMail): Promise<number> {
    const headers: Record<string, string> = {
      'Message-ID': `<${Date.now().toString(36)}.${randomBytes(9).toString('hex')}@${this.domain}>`
    };
    if (mail.threadId !== undefined) {
      const root = `<thread-${mail.threadId}@${this.domain}>`;
      headers['In-Reply-To'] = root;
      headers['References'] = root;
    }
    if (mail.list !== undefined) {
      headers['List-Unsubscribe'] = `<${mail.list.oneClick}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
      headers['List-Id'] =
        `${oneLine(this.config.forumName).replace(/[^\w .-]/g, '')} ${mail.list.name} <${mail.list.name}.${this.domain}>`;
      // RFC 3834: machines must not answer it (out-of-office replies).
      headers['Auto-Submitted'] = 'auto-generated';
    }
    const [row] = await tx
      .insert(mailOutbox)
      .values({
        userId: mail.userId,
        kind: mail.kind,
        toAddress: mail.to,
        subject: oneLine(mail.subject),
        textBody: mail.text,
        htmlBody: mail.html,
        headers,
        status: this.transport === null ? 'held' : 'queued'
      })
      .returning({ id: mailOutbox.id });
    if (this.transport !== null) await this.jobs.send(tx, 'mail-send', { id: row!.id });
    return row!.id;
  }

  /** After a commit that queued mail: this process's senders start now rather than at their next poll. */
  wake(): void {
    if (this.transport !== null) this.jobs.wake('mail-send');
  }

  /** Sends an admin's resend of a message again (a new job; the row goes back to queued). */
  async requeue(tx: Conn, id: number): Promise<void> {
    await tx.update(mailOutbox).set({ status: 'queued', lastError: null }).where(eq(mailOutbox.id, id));
    await this.jobs.send(tx, 'mail-send', { id });
  }

  /** The send job: one message to the SMTP server. A failure throws, so the queue retries it later. */
  async deliver(db: Db, job: { data: { id: number }; retryCount: number; retryLimit: number }): Promise<void> {
    const [row] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, job.data.id));
    // Sent already (the job ran again after a crash between sending and finishing), or gone.
    if (row === undefined || row.status === 'sent' || this.transport === null) return;
    const { 'Message-ID': messageId, 'In-Reply-To': inReplyTo, References: references, ...rest } = row.headers;
    try {
      await this.transport.sendMail({
        from: { name: this.config.forumName, address: this.config.from },
        to: row.toAddress,
        subject: row.subject,
        text: row.textBody,
        html: row.htmlBody,
        ...(messageId === undefined ? {} : { messageId }),
        // nodemailer writes these itself (a prepared References would be mangled).
        ...(inReplyTo === undefined ? {} : { inReplyTo }),
        ...(references === undefined ? {} : { references }),
        // Our own values, one line each (checked when written): sent as they are.
        headers: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, { prepared: true, value: oneLine(v, 900) }]))
      });
    } catch (err) {
      const spent = job.retryCount >= job.retryLimit;
      const reason = oneLine(err instanceof Error ? err.message : String(err), 500);
      await db
        .update(mailOutbox)
        .set({ attempts: sql`${mailOutbox.attempts} + 1`, lastError: reason, status: spent ? 'failed' : 'queued' })
        .where(eq(mailOutbox.id, row.id));
      this.log.warn({ mail: row.id, attempt: job.retryCount + 1, spent, reason }, 'sending an e-mail failed');
      throw err;
    }
    await db
      .update(mailOutbox)
      .set({ attempts: sql`${mailOutbox.attempts} + 1`, status: 'sent', lastError: null, sentAt: sql`now()` })
      .where(eq(mailOutbox.id, row.id));
  }

  /**
   * Messages older than `days` leave the outbox (sent and failed ones, and held ones nobody
   * read): the outbox keeps links and addresses, so it is kept short.
   */
  async sweep(db: Db, days = 30): Promise<number> {
    const gone = await db
      .delete(mailOutbox)
      .where(sql`${mailOutbox.createdAt} < now() - make_interval(days => ${days}) and ${mailOutbox.status} <> 'queued'`)
      .returning({ id: mailOutbox.id });
    return gone.length;
  }

  close(): void {
    this.transport?.close();
  }
}
