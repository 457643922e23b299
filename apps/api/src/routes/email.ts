import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  Accepted,
  ChangeEmailBody,
  ChangeEmailResult,
  EmailSettings,
  ErrorBody,
  ForgotPasswordBody,
  ResetPasswordBody,
  UnsubscribeResult,
  UpdateEmailSettingsBody,
  UserResult,
  VerifyEmailBody,
  VerifyEmailResult
} from '@bmet/contracts';
import { users, type UserRow } from '@bmet/db/schema';
import { and, eq, ne, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { markTokenUsed, takeAccountToken, voidAccountTokens } from '../lib/account-tokens.ts';
import { HttpError, conflict, invalid, notFound } from '../lib/http-error.ts';
import { hashPassword, passwordProblem } from '../lib/password.ts';
import type { Limits } from '../lib/rate-limit.ts';
import { invalidateUserSessions } from '../lib/session.ts';
import { canonicalTimeZone } from '../lib/time-zone.ts';
import { confirmPassword, requireUser } from '../plugins/auth.ts';
import { queueEmailChange, queueSecurityNotice, queueVerification } from '../domain/account-mail.ts';
import { digestAt } from '../domain/email-notify.ts';
import { toOwnUser } from '../domain/serialize.ts';

const UnsubscribeQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };

/** The limit key of a destination address: hashed, so the counters (a table on PostgreSQL) hold no addresses. */
const toAddressKey = (email: string) => `email-to:${createHash('sha256').update(email.trim().toLowerCase()).digest('base64url')}`;

/** "n•••@example.org": enough for the owner to recognise, not a copy of the address. */
export const maskAddress = (email: string): string => {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}•••@${domain}`;
};

const settingsOf = (u: UserRow, delayMs: number) => ({
  notifications: u.emailNotifications,
  digest: u.emailDigest,
  timeZone: u.timeZone,
  emailVerified: u.emailVerifiedAt !== null,
  nextDigestAt: u.nextDigestAt === null ? null : u.nextDigestAt.toISOString(),
  notifyDelaySeconds: Math.round(delayMs / 1000)
});

/**
 * The member's address and what the forum sends to it (issue 12): forgotten passwords, the
 * verification of an address and its change, e-mail settings and the one-click unsubscribe.
 * Links in e-mails lead to pages of the web app; only the POSTs here act on a token.
 */
export const emailRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const limits = app.rateLimits;
  const limiter = app.rateLimiter;
  const hit = async (key: string, name: keyof Omit<Limits, 'newAccount'>, what: string) => {
    if (limits !== null && limiter !== null) await limiter.hit(key, limits[name], what);
  };
  /** Whether an unasked-for e-mail to this address may go (a reset): false once the address's limits are spent. */
  const withinAddressLimits = async (email: string, ip: string): Promise<boolean> => {
    if (limits === null || limiter === null) return true;
    try {
      await limiter.hit(`${toAddressKey(email)}:ip:${ip}`, limits.emailTo, 'e-mails to this address');
      await limiter.hit(toAddressKey(email), { ...limits.emailTo, max: limits.emailTo.max * 4 }, 'e-mails to this address');
      return true;
    } catch (err) {
      if (err instanceof HttpError && err.statusCode === 429) return false;
      throw err;
    }
  };

  app.post(
    '/auth/password/forgot',
    {
      schema: {
        tags: ['account'],
        summary: 'E-mail a link to choose a new password (202 whether or not the address has an account)',
        body: ForgotPasswordBody,
        response: { 202: Accepted, ...errors }
      }
    },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase();
      await hit(`forgot:ip:${request.ip}`, 'forgotPassword', 'password reset requests');
      // Per address from this client, and (four times that) per address from everywhere; past
      // either the request is answered alike and no e-mail goes: a stranger asking for someone's
      // address cannot flood their mailbox, and cannot make their own request answer 429.
      if (await withinAddressLimits(email, request.ip)) {
        // The lookup happens in the job: this request costs the same whoever the address belongs to.
        await app.jobs.send(app.db, 'password-forgot', { email });
        app.jobs.wake('password-forgot');
      }
      return reply.code(202).send({ accepted: true as const });
    }
  );

  app.post(
    '/auth/password/reset',
    {
      schema: {
        tags: ['account'],
        summary: 'Choose a new password with the link from the e-mail; every session of the account ends',
        body: ResetPasswordBody,
        response: { 200: UserResult, ...errors }
      }
    },
    async (request) => {
      const { token, password } = request.body;
      // The link and the password are judged before anything is spent: a weak password keeps the link usable.
      const owner = await app.db.transaction(async (tx) => {
        const row = await takeAccountToken(tx, token, ['password_reset']);
        const [user] = await tx.select().from(users).where(eq(users.id, row.userId));
        return user;
      });
      if (owner === undefined || owner.closedAt !== null)
        throw new HttpError(400, 'token_invalid', 'this link is not valid: ask for a new one');
      const problem = passwordProblem(password, owner.username, owner.email);
      if (problem !== null) throw invalid('password', problem);
      const passwordHash = await hashPassword(password);
      const updated = await app.db.transaction(async (tx) => {
        const row = await takeAccountToken(tx, token, ['password_reset']);
        const [user] = await tx
          .update(users)
          // The link came to the address: that confirms it too.
          .set({ passwordHash, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
          .where(eq(users.id, row.userId))
          .returning();
        await voidAccountTokens(tx, row.userId, 'password_reset');
        await invalidateUserSessions(tx, row.userId);
        if (user !== undefined) {
          await queueSecurityNotice(tx, app.mailer, user, {
            what: 'your password was changed',
            detail: 'The password of your account was reset with a link sent to this address, and every device was signed out.'
          });
        }
        return user;
      });
      if (updated === undefined) throw notFound('user');
      app.mailer.wake();
      // The owner may sign in at once, even if guesses had spent the account's allowance.
      if (limiter !== null) await limiter.reset(`login-failures:user:${updated.id}`);
      return { user: toOwnUser(updated) };
    }
  );

  app.post(
    '/auth/verify-email',
    {
      schema: {
        tags: ['account'],
        summary: 'Confirm an address with the link from the e-mail (a new account’s, or a change of address)',
        body: VerifyEmailBody,
        response: { 200: VerifyEmailResult, ...errors }
      }
    },
    async (request) => {
      const result = await app.db
        .transaction(async (tx) => {
          const row = await takeAccountToken(tx, request.body.token, ['email_verify', 'email_change']);
          const [user] = await tx.select().from(users).where(eq(users.id, row.userId)).for('update');
          const target = row.target ?? '';
          if (user === undefined || user.closedAt !== null)
            throw new HttpError(400, 'token_invalid', 'this link is not valid: ask for a new one');
          if (row.purpose === 'email_verify') {
            // A link for an address the account no longer has confirms nothing.
            if (target.toLowerCase() !== user.email.toLowerCase()) {
              throw new HttpError(400, 'token_invalid', 'this link is for an address your account no longer uses');
            }
            await markTokenUsed(tx, row.id);
            if (user.emailVerifiedAt === null) {
              await tx
                .update(users)
                .set({ emailVerifiedAt: sql`now()`, nextDigestAt: digestAt(user, true, user.timeZone) })
                .where(eq(users.id, user.id));
            }
            return { email: user.email, changed: false, user };
          }
          const [taken] = await tx
            .select({ id: users.id })
            .from(users)
            .where(and(eq(sql`lower(${users.email})`, target.toLowerCase()), ne(users.id, user.id)));
          if (taken !== undefined) throw conflict('email', 'that email is already taken');
          await markTokenUsed(tx, row.id);
          await tx
            .update(users)
            .set({ email: target, emailVerifiedAt: sql`now()`, nextDigestAt: digestAt(user, true, user.timeZone) })
            .where(eq(users.id, user.id));
          await voidAccountTokens(tx, user.id, 'email_change');
          await voidAccountTokens(tx, user.id, 'email_verify');
          // Reset links went to the old address: they stop working with it.
          await voidAccountTokens(tx, user.id, 'password_reset');
          // The old address hears of it: a thief who changed it is found out there.
          await queueSecurityNotice(tx, app.mailer, user, {
            what: 'your e-mail address was changed',
            detail: `Your account now uses ${maskAddress(target)} instead of this address.`,
            to: user.email
          });
          return { email: target, changed: true, user };
        })
        .catch((err: unknown) => {
          // Two accounts confirming the same new address at once: the unique index decided.
          if (
            (err as { code?: string; cause?: { code?: string } }).code === '23505' ||
            (err as { cause?: { code?: string } }).cause?.code === '23505'
          ) {
            throw conflict('email', 'that email is already taken');
          }
          throw err;
        });
      app.mailer.wake();
      return { email: result.email, changed: result.changed };
    }
  );

  app.post(
    '/me/email',
    {
      schema: {
        tags: ['account'],
        summary: 'Change the address: it takes effect when the link sent to the new one is confirmed',
        body: ChangeEmailBody,
        response: { 202: ChangeEmailResult, ...errors }
      }
    },
    async (request, reply) => {
      const user = requireUser(request);
      const email = request.body.email.trim();
      await confirmPassword(app, user, request.body.password);
      if (email.toLowerCase() === user.email.toLowerCase()) throw invalid('email', 'that is already your address');
      // Counted before "taken" is answered: the answer says whether an address has an account,
      // so asking is limited like sending.
      await hit(`email-account:user:${user.id}`, 'emailAccount', 'address changes and verification e-mails');
      const [taken] = await app.db
        .select({ id: users.id })
        .from(users)
        .where(eq(sql`lower(${users.email})`, email.toLowerCase()));
      if (taken !== undefined) throw conflict('email', 'that email is already taken');
      await hit(toAddressKey(email), 'emailTo', 'e-mails to this address');
      await app.db.transaction(async (tx) => {
        // Only the newest request counts: an older link for another address stops working.
        await voidAccountTokens(tx, user.id, 'email_change');
        await queueEmailChange(tx, app.mailer, user, email);
      });
      app.mailer.wake();
      return reply.code(202).send({ pendingEmail: email });
    }
  );

  app.post(
    '/me/email/verification',
    {
      schema: {
        tags: ['account'],
        summary: 'Send the verification link for the current address again',
        response: { 202: Accepted, ...errors }
      }
    },
    async (request, reply) => {
      const user = requireUser(request);
      if (user.emailVerifiedAt !== null) throw invalid('email', 'your address is confirmed already');
      await hit(`email-account:user:${user.id}`, 'emailAccount', 'address changes and verification e-mails');
      await hit(toAddressKey(user.email), 'emailTo', 'e-mails to this address');
      await app.db.transaction(async (tx) => {
        await voidAccountTokens(tx, user.id, 'email_verify');
        await queueVerification(tx, app.mailer, user);
      });
      app.mailer.wake();
      return reply.code(202).send({ accepted: true as const });
    }
  );

  app.get(
    '/me/email-settings',
    { schema: { tags: ['account'], summary: 'What the forum e-mails the member', response: { 200: EmailSettings, ...errors } } },
    async (request) => settingsOf(requireUser(request), app.mailer.config.notifyDelayMs)
  );

  app.patch(
    '/me/email-settings',
    {
      schema: {
        tags: ['account'],
        summary: 'Turn notification e-mails or the digest on or off, or set the time zone (the digest comes at 7 in the morning)',
        body: UpdateEmailSettingsBody,
        response: { 200: EmailSettings, ...errors }
      }
    },
    async (request) => {
      const user = requireUser(request);
      const { notifications, digest, timeZone } = request.body;
      let zone = user.timeZone;
      if (timeZone !== undefined) {
        const canonical = canonicalTimeZone(timeZone);
        if (canonical === null) throw invalid('timeZone', 'timeZone must be an IANA time zone such as America/Chicago');
        zone = canonical;
      }
      const set: Partial<typeof users.$inferInsert> = {};
      if (notifications !== undefined) set.emailNotifications = notifications;
      if (digest !== undefined) set.emailDigest = digest;
      if (timeZone !== undefined) set.timeZone = zone;
      if (Object.keys(set).length === 0) return settingsOf(user, app.mailer.config.notifyDelayMs);
      const after = { ...user, emailDigest: digest ?? user.emailDigest };
      const [updated] = await app.db
        .update(users)
        .set({
          ...set,
          ...(digest !== undefined || timeZone !== undefined ? { nextDigestAt: digestAt(after, user.emailVerifiedAt !== null, zone) } : {})
        })
        .where(eq(users.id, user.id))
        .returning();
      if (updated === undefined) throw notFound('user');
      return settingsOf(updated, app.mailer.config.notifyDelayMs);
    }
  );

  // RFC 8058 one-click unsubscribe: mail providers POST `List-Unsubscribe=One-Click` as a form.
  // The token is in the URL; the body only says it is a one-click request.
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser(
      ['application/x-www-form-urlencoded', 'multipart/form-data'],
      { parseAs: 'string', bodyLimit: 4096 },
      (_r, body, done) => done(null, { form: String(body) })
    );
    scope.post(
      '/email/unsubscribe',
      {
        schema: {
          tags: ['account'],
          summary: 'One-click unsubscribe (RFC 8058) from notification e-mails or the digest, with the token of the e-mail’s link',
          querystring: UnsubscribeQuery,
          response: { 200: UnsubscribeResult, ...errors }
        }
      },
      async (request) => {
        const body = request.body as { token?: unknown } | undefined;
        const token = request.query.token ?? (typeof body?.token === 'string' ? body.token : undefined);
        if (token === undefined || token === '') throw invalid('token', 'token is required');
        const list = await app.db.transaction(async (tx) => {
          const row = await takeAccountToken(tx, token, ['unsubscribe']);
          const which: 'digest' | 'notifications' = row.target === 'digest' ? 'digest' : 'notifications';
          await markTokenUsed(tx, row.id);
          await tx
            .update(users)
            .set(which === 'digest' ? { emailDigest: false, nextDigestAt: null } : { emailNotifications: false })
            .where(eq(users.id, row.userId));
          return which;
        });
        return { list };
      }
    );
  });

  // A GET never unsubscribes (mail scanners follow links): it leads to the page with the button.
  app.get('/email/unsubscribe', { schema: { hide: true, querystring: UnsubscribeQuery } }, async (request, reply) => {
    const token = request.query.token ?? '';
    return reply.redirect(`/unsubscribe?token=${encodeURIComponent(token)}`, 303);
  });
};
