import fp from 'fastify-plugin';
import { eq, sql } from 'drizzle-orm';
import { users } from '@bmet/db/schema';
import type { MailConfig } from '../config.ts';
import { Jobs, type JobsOptions } from '../lib/jobs.ts';
import { Mailer } from '../lib/mail/mailer.ts';
import { Presence } from '../lib/presence.ts';
import { SecretKeyring } from '../lib/secret.ts';
import { Relying } from '../lib/passkeys.ts';
import { deleteOldAccountTokens } from '../lib/account-tokens.ts';
import { queuePasswordReset } from '../domain/account-mail.ts';
import { emailUnseenNotifications, sendDueDigests } from '../domain/email-notify.ts';

declare module 'fastify' {
  interface FastifyInstance {
    jobs: Jobs;
    mailer: Mailer;
    presence: Presence;
    /** Seals two-factor keys (SECRET_KEY, or the generated key kept in the database). */
    secrets: SecretKeyring;
    /** The relying party of passkeys: PUBLIC_URL's origin and host, and the challenges in flight. */
    passkeys: Relying;
  }
}

export interface MailOptions {
  config: MailConfig;
  /** SECRET_KEY; generated and kept in the database when absent. */
  secretKey?: string | undefined;
  jobs?: JobsOptions;
  /** How often unseen notifications are looked for (default: a tenth of the delay, 5 s to 60 s). */
  notifyScanMs?: number;
  /** How often due digests are looked for (default 5 minutes); 0 turns the scan off (tests call it). */
  digestScanMs?: number;
  /** How often visits and socket deliveries are written (default 1 s). */
  presenceEveryMs?: number;
}

export const DEFAULT_MAIL: MailConfig = {
  publicUrl: 'http://127.0.0.1:3000',
  forumName: 'BMET Forum',
  from: 'no-reply@localhost.localdomain',
  smtpUrl: undefined,
  dkim: undefined,
  notifyDelayMs: 600_000
};

/**
 * Accounts' machinery (issue 12): the job queue, the outbox and its senders, the scans for
 * notification e-mails and digests, presence, the secret key and the passkeys' relying party.
 */
export const mailPlugin = fp<MailOptions>(
  async (app, options) => {
    const log = app.log;
    const config = options.config;
    const jobs = new Jobs(app.database, {
      ...options.jobs,
      onError: (err) => log.warn({ err: err.message }, 'job queue: a round failed; it tries again')
    });
    const mailer = new Mailer(config, jobs, log);
    const presence = new Presence(app.db, (err) => log.warn({ err }, 'presence: could not record a visit'), options.presenceEveryMs);
    app.decorate('jobs', jobs);
    app.decorate('mailer', mailer);
    app.decorate('presence', presence);
    app.decorate('secrets', new SecretKeyring(app.db, options.secretKey));
    const relying = new Relying(config.publicUrl, config.forumName);
    app.decorate('passkeys', relying);

    if (mailer.sending) await jobs.work<{ id: number }>('mail-send', (job) => mailer.deliver(app.db, job), 2);
    // A reset is asked for by address: looked up here, so the request's answer and its time
    // are the same whether the address belongs to someone or not.
    await jobs.work<{ email: string }>('password-forgot', async ({ data }) => {
      const [user] = await app.db
        .select()
        .from(users)
        .where(eq(sql`lower(${users.email})`, data.email.trim().toLowerCase()))
        .limit(1);
      if (user === undefined || user.closedAt !== null) return;
      await app.db.transaction((tx) => queuePasswordReset(tx, mailer, user));
      mailer.wake();
    });
    // Started before the first request when the database answers (pnpm start waits for it);
    // when it is away (tests of faults build the app so) the queue starts in the background
    // once it answers, and the forum answers 503 meanwhile.
    await jobs.start();

    const timers: NodeJS.Timeout[] = [];
    const every = (ms: number, what: string, run: () => Promise<unknown>) => {
      if (ms <= 0) return;
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        run()
          .catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : err }, `${what} failed; it runs again`))
          .finally(() => (running = false));
      }, ms);
      timer.unref();
      timers.push(timer);
    };
    const onMemberError = (err: unknown, userId: number) =>
      log.warn(
        { err: err instanceof Error ? err.message : err, user: userId },
        'an e-mail to a member could not be prepared; it is tried again'
      );
    const scanMs = options.notifyScanMs ?? Math.min(60_000, Math.max(5_000, config.notifyDelayMs / 10));
    every(scanMs, 'notification e-mails', () =>
      emailUnseenNotifications(app.db, mailer, { delayMs: config.notifyDelayMs, onError: onMemberError })
    );
    every(options.digestScanMs ?? 5 * 60_000, 'digests', () => sendDueDigests(app.db, mailer, { onError: onMemberError }));
    every(60 * 60_000, 'sweep of old links and mail', () =>
      Promise.all([deleteOldAccountTokens(app.db), mailer.sweep(app.db), relying.sweep(app.db)])
    );

    app.addHook('onClose', async () => {
      for (const timer of timers) clearInterval(timer);
      await presence.close();
      await jobs.stop();
      mailer.close();
    });
  },
  { name: 'mail' }
);
