import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  Accepted,
  AdminUserView,
  ErrorBody,
  OutboxList,
  OutboxMessage,
  OutboxQuery,
  SetVerifiedBody,
  SiteSettingsView,
  UpdateSiteSettingsBody
} from '@bmet/contracts';
import { mailOutbox, memberPresence, users, type MailRow, type UserRow } from '@bmet/db/schema';
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { Type } from 'typebox';
import { voidAccountTokens } from '../lib/account-tokens.ts';
import { encodeCursor, olderThan } from '../lib/cursor.ts';
import { HttpError, conflict, forbidden, invalid, notFound } from '../lib/http-error.ts';
import { parseId } from '../lib/ids.ts';
import { requireUser } from '../plugins/auth.ts';
import { queueVerification } from '../domain/account-mail.ts';
import { digestAt } from '../domain/email-notify.ts';
import { logAction } from '../domain/moderation.ts';
import { findUserByUsername } from '../domain/users.ts';
import { hasSecondFactor } from '../lib/totp.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };
const UsernameParams = Type.Object({ username: Type.String({ maxLength: 64 }) });
const IdParams = Type.Object({ id: Type.String({ maxLength: 32 }) });

function requireAdmin(request: FastifyRequest): UserRow {
  const user = requireUser(request);
  if (request.twoFactorSetupRequired) throw new HttpError(403, 'two_factor_required', 'set up two-factor sign-in to act as an admin');
  if (user.role !== 'admin') throw forbidden('only an admin may do this');
  return user;
}

const entry = (
  m: Pick<MailRow, 'id' | 'kind' | 'toAddress' | 'subject' | 'status' | 'attempts' | 'lastError' | 'createdAt' | 'sentAt'>,
  username: string | null
) => ({
  id: String(m.id),
  kind: m.kind,
  to: m.toAddress,
  subject: m.subject,
  status: m.status,
  attempts: m.attempts,
  lastError: m.lastError,
  createdAt: m.createdAt.toISOString(),
  sentAt: m.sentAt === null ? null : m.sentAt.toISOString(),
  username
});

const adminView = (u: UserRow, lastActiveAt: Date | null) => ({
  user: {
    id: String(u.id),
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    email: u.email,
    emailVerified: u.emailVerifiedAt !== null,
    twoFactor: hasSecondFactor(u),
    createdAt: u.createdAt.toISOString(),
    lastActiveAt: lastActiveAt === null ? null : lastActiveAt.toISOString(),
    closed: u.closedAt !== null
  }
});

/**
 * What admins need of accounts and mail (issue 12): the outbox (every message the forum wrote,
 * and without SMTP_URL the only place to read one), resending, a member's verified state, and the
 * site-wide rule that moderators sign in with two factors.
 */
export const adminAccountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/admin/outbox',
    {
      schema: {
        tags: ['admin'],
        summary: 'The e-mails the forum wrote, newest first (held: no SMTP_URL; failed: every retry spent)',
        querystring: OutboxQuery,
        response: { 200: OutboxList, ...errors }
      }
    },
    async (request) => {
      requireAdmin(request);
      const limit = request.query.limit ?? 50;
      const status = request.query.status ?? 'all';
      const after = olderThan(request.query.cursor, mailOutbox.createdAt, mailOutbox.id);
      if (after === 'bad_cursor') throw invalid('cursor', 'cursor is not one this list gave');
      const conditions: (SQL | undefined)[] = [status === 'all' ? undefined : eq(mailOutbox.status, status), after];
      const rows = await app.db
        .select({ m: mailOutbox, username: users.username })
        .from(mailOutbox)
        .leftJoin(users, eq(users.id, mailOutbox.userId))
        .where(and(...conditions))
        .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        messages: page.map((r) => entry(r.m, r.username)),
        nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.m.createdAt.toISOString(), last.m.id]) : null,
        sending: app.mailer.sending
      };
    }
  );

  async function messageOr404(rawId: string) {
    const id = parseId(rawId);
    const [row] =
      id === null
        ? []
        : await app.db
            .select({ m: mailOutbox, username: users.username })
            .from(mailOutbox)
            .leftJoin(users, eq(users.id, mailOutbox.userId))
            .where(eq(mailOutbox.id, id));
    if (row === undefined) throw notFound('message');
    return row;
  }

  app.get(
    '/admin/outbox/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'One e-mail as written: text, HTML and headers',
        params: IdParams,
        response: { 200: OutboxMessage, ...errors }
      }
    },
    async (request, reply) => {
      requireAdmin(request);
      const { m, username } = await messageOr404(request.params.id);
      void reply.header('cache-control', 'no-store');
      // With SMTP_URL the member has the link: an admin reading a reset link would be a way into
      // any account, so links are shown without their tokens. Held messages (no SMTP_URL) are
      // read whole: passing a link on is what the outbox is for then.
      const hide = app.mailer.sending && m.status !== 'held';
      const shown = (text: string) => (hide ? text.replace(/token=[A-Za-z0-9._%-]+/g, 'token=(hidden)') : text);
      return {
        message: {
          ...entry(m, username),
          text: shown(m.textBody),
          html: shown(m.htmlBody),
          headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, shown(v)]))
        }
      };
    }
  );

  app.post(
    '/admin/outbox/:id/resend',
    { schema: { tags: ['admin'], summary: 'Send one e-mail again', params: IdParams, response: { 202: Accepted, ...errors } } },
    async (request, reply) => {
      requireAdmin(request);
      if (!app.mailer.sending) throw conflict('smtp', 'no SMTP_URL is set: messages wait here and none can be sent');
      const { m } = await messageOr404(request.params.id);
      await app.db.transaction((tx) => app.mailer.requeue(tx, m.id));
      app.mailer.wake();
      return reply.code(202).send({ accepted: true as const });
    }
  );

  async function lastSeen(userId: number): Promise<Date | null> {
    const [row] = await app.db.select({ at: memberPresence.lastActiveAt }).from(memberPresence).where(eq(memberPresence.userId, userId));
    return row?.at ?? null;
  }

  async function memberOr404(username: string): Promise<UserRow> {
    const user = await findUserByUsername(app.db, username);
    if (user === null) throw notFound('user');
    return user;
  }

  app.get(
    '/admin/users/:username',
    {
      schema: {
        tags: ['admin'],
        summary: 'A member’s account: address, verified state, two-factor',
        params: UsernameParams,
        response: { 200: AdminUserView, ...errors }
      }
    },
    async (request) => {
      requireAdmin(request);
      const user = await memberOr404(request.params.username);
      return adminView(user, await lastSeen(user.id));
    }
  );

  app.post(
    '/admin/users/:username/verification',
    {
      schema: {
        tags: ['admin'],
        summary: 'Send a member the verification link again',
        params: UsernameParams,
        response: { 202: Accepted, ...errors }
      }
    },
    async (request, reply) => {
      requireAdmin(request);
      const user = await memberOr404(request.params.username);
      if (user.closedAt !== null) throw invalid('username', 'that account is closed');
      if (user.emailVerifiedAt !== null) throw invalid('username', 'that address is confirmed already');
      await app.db.transaction(async (tx) => {
        await voidAccountTokens(tx, user.id, 'email_verify');
        await queueVerification(tx, app.mailer, user);
      });
      app.mailer.wake();
      return reply.code(202).send({ accepted: true as const });
    }
  );

  app.put(
    '/admin/users/:username/email-verified',
    {
      schema: {
        tags: ['admin'],
        summary: 'Mark a member’s address confirmed (the admin vouches for it) or not',
        params: UsernameParams,
        body: SetVerifiedBody,
        response: { 200: AdminUserView, ...errors }
      }
    },
    async (request) => {
      const admin = requireAdmin(request);
      const user = await memberOr404(request.params.username);
      if (user.closedAt !== null) throw invalid('username', 'that account is closed');
      const verified = request.body.verified;
      const updated = await app.db.transaction(async (tx) => {
        const [row] = await tx
          .update(users)
          .set({
            emailVerifiedAt: verified ? sql`coalesce(${users.emailVerifiedAt}, now())` : null,
            nextDigestAt: digestAt(user, verified, user.timeZone)
          })
          .where(eq(users.id, user.id))
          .returning();
        await logAction(tx, {
          actorId: admin.id,
          action: verified ? 'user.email_verified' : 'user.email_unverified',
          targetType: 'user',
          targetId: user.id,
          boardId: null
        });
        return row;
      });
      if (updated === undefined) throw notFound('user');
      return adminView(updated, await lastSeen(updated.id));
    }
  );

  app.get(
    '/admin/settings',
    { schema: { tags: ['admin'], summary: 'Site-wide settings', response: { 200: SiteSettingsView, ...errors } } },
    async (request) => {
      requireAdmin(request);
      return app.siteSettings.get(app.db);
    }
  );

  app.put(
    '/admin/settings',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change site-wide settings',
        body: UpdateSiteSettingsBody,
        response: { 200: SiteSettingsView, ...errors }
      }
    },
    async (request) => {
      const admin = requireAdmin(request);
      const { requireTwoFactorForModerators } = request.body;
      // The rule would make its own author a member at the next request.
      if (requireTwoFactorForModerators === true && !hasSecondFactor(admin)) {
        throw invalid('requireTwoFactorForModerators', 'turn on two-factor sign-in for your own account first');
      }
      const before = await app.siteSettings.get(app.db);
      const settings = await app.db.transaction(async (tx) => {
        const after = await app.siteSettings.set(tx, request.body);
        if (before.requireTwoFactorForModerators !== after.requireTwoFactorForModerators) {
          await logAction(tx, {
            actorId: admin.id,
            action: after.requireTwoFactorForModerators ? 'site.require_two_factor' : 'site.allow_one_factor',
            targetType: 'user',
            targetId: admin.id,
            boardId: null
          });
        }
        return after;
      });
      return settings;
    }
  );
};
