import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BIO_MAX, ChangePasswordBody, ErrorBody, PasswordBody, SessionList, UpdateMeBody, UserResult } from '@bmet/contracts';
import { boards, drafts, posts, sessions, threads, uploads, users, votes } from '@bmet/db/schema';
import { and, asc, desc, eq } from 'drizzle-orm';
import { Type } from 'typebox';
import { cleanText } from '../lib/clean.ts';
import { invalid, notFound } from '../lib/http-error.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../lib/password.ts';
import { SESSION_COOKIE, invalidateUserSessions } from '../lib/session.ts';
import { closeAccount } from '../domain/close-account.ts';
import { voidAccountTokens } from '../lib/account-tokens.ts';
import { queueSecurityNotice } from '../domain/account-mail.ts';
import { confirmPassword, requireUser } from '../plugins/auth.ts';
import { toOwnUser } from '../domain/serialize.ts';
import { uploadUrl } from '../domain/uploads.ts';
import { listWatches } from '../domain/watches.ts';
import { hasSecondFactor } from '../lib/totp.ts';

const EXPORTS = { max: 5, windowMs: 60 * 60_000 };

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody };

/**
 * The member's own account (issue 12): their profile, their password and their sessions.
 * Changing the password ends every other session (Lucia's guide: a changed password must
 * sign out a thief who had the old one); the session that changed it stays.
 */
export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const limits = app.rateLimits;
  const limiter = app.rateLimiter;

  app.patch(
    '/me',
    {
      schema: {
        tags: ['account'],
        summary: 'Change the display name, profession or bio',
        body: UpdateMeBody,
        response: { 200: UserResult, ...errors }
      }
    },
    async (request) => {
      const user = requireUser(request);
      const { displayName, profession, bio } = request.body;
      const set: Partial<typeof users.$inferInsert> = {};
      if (displayName !== undefined) {
        const clean = cleanText(displayName, 'displayName');
        if (clean === '' || [...clean].length > 64) throw invalid('displayName', 'displayName must be 1 to 64 printable characters');
        set.displayName = clean;
      }
      if (profession !== undefined) set.profession = profession;
      if (bio !== undefined) {
        const clean = bio === null ? '' : cleanText(bio, 'bio').trim();
        if ([...clean].length > BIO_MAX) throw invalid('bio', `bio must be at most ${BIO_MAX} characters`);
        set.bio = clean === '' ? null : clean;
      }
      if (Object.keys(set).length === 0) return { user: toOwnUser(user) };
      const [updated] = await app.db.update(users).set(set).where(eq(users.id, user.id)).returning();
      if (updated === undefined) throw notFound('user');
      return { user: toOwnUser(updated) };
    }
  );

  app.post(
    '/me/password',
    {
      schema: {
        tags: ['account'],
        summary: 'Change the password; every other session ends',
        body: ChangePasswordBody,
        response: { 200: UserResult, ...errors }
      }
    },
    async (request) => {
      const user = requireUser(request);
      const { currentPassword, newPassword } = request.body;
      // Guessing the current password from a stolen session is guessing a login: the same limit.
      if (limits !== null && limiter !== null)
        await limiter.hit(`password-change:user:${user.id}`, limits.loginFailures, 'password attempts');
      if (!(await verifyPassword(user.passwordHash, currentPassword))) {
        throw invalid('currentPassword', 'currentPassword is not the password of this account');
      }
      const problem = passwordProblem(newPassword, user.username, user.email);
      if (problem !== null) throw invalid('newPassword', problem.replace(/^password/, 'newPassword'));
      // The current one was just verified: the same text is the same password, no second hash check.
      if (newPassword === currentPassword) throw invalid('newPassword', 'newPassword is the same as the current one');
      const passwordHash = await hashPassword(newPassword);
      const current = request.session?.id;
      const updated = await app.db.transaction(async (tx) => {
        const [row] = await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id)).returning();
        await invalidateUserSessions(tx, user.id, current);
        // A reset link sent before (perhaps to a mailbox that is not safe) stops working too.
        await voidAccountTokens(tx, user.id, 'password_reset');
        await queueSecurityNotice(tx, app.mailer, user, {
          what: 'your password was changed',
          detail: 'The password of your account was changed, and every other device was signed out.'
        });
        return row;
      });
      if (updated === undefined) throw notFound('user');
      app.mailer.wake();
      if (limiter !== null) await limiter.reset(`password-change:user:${user.id}`);
      return { user: toOwnUser(updated) };
    }
  );

  app.get(
    '/me/sessions',
    { schema: { tags: ['account'], summary: 'Where the member is signed in', response: { 200: SessionList, 401: ErrorBody } } },
    async (request) => {
      const user = requireUser(request);
      const rows = await app.db
        .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, userAgent: sessions.userAgent })
        .from(sessions)
        .where(eq(sessions.userId, user.id))
        .orderBy(desc(sessions.lastSeenAt), desc(sessions.createdAt))
        .limit(200);
      return {
        sessions: rows.map((s) => ({
          id: s.id,
          createdAt: s.createdAt.toISOString(),
          lastSeenAt: s.lastSeenAt.toISOString(),
          userAgent: s.userAgent,
          current: s.id === request.session?.id
        }))
      };
    }
  );

  app.delete(
    '/me/sessions/:id',
    {
      schema: {
        tags: ['account'],
        summary: 'End one of the member’s sessions (this one too: that is logging out)',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null(), ...errors }
      }
    },
    async (request, reply) => {
      const user = requireUser(request);
      const ended = await app.db
        .delete(sessions)
        .where(and(eq(sessions.id, request.params.id), eq(sessions.userId, user.id)))
        .returning({ id: sessions.id });
      // Another member's session is as unknown as one that never was.
      if (ended.length === 0) throw notFound('session');
      return reply.code(204).send(null);
    }
  );

  // Everything the member wrote and set, as JSON (issue 12; GDPR's right of access): a
  // download, never cached, at most five an hour (it reads every post they wrote).
  app.get(
    '/me/export',
    {
      schema: {
        tags: ['account'],
        summary: 'The member’s data as JSON: profile, threads, posts, votes, watches, drafts, uploads, sessions'
      }
    },
    async (request, reply) => {
      const user = requireUser(request);
      if (limiter !== null) await limiter.hit(`export:user:${user.id}`, EXPORTS, 'exports');
      const [threadRows, postRows, voteRows, watches, draftRows, uploadRows, sessionRows] = await Promise.all([
        app.db
          .select({ thread: threads, boardSlug: boards.slug })
          .from(threads)
          .innerJoin(boards, eq(boards.id, threads.boardId))
          .where(eq(threads.authorId, user.id))
          .orderBy(asc(threads.createdAt)),
        app.db
          .select({
            id: posts.id,
            threadId: posts.threadId,
            parentId: posts.parentId,
            bodyMarkdown: posts.bodyMarkdown,
            createdAt: posts.createdAt,
            editedAt: posts.editedAt,
            deletedAt: posts.deletedAt
          })
          .from(posts)
          .where(eq(posts.authorId, user.id))
          .orderBy(asc(posts.createdAt)),
        app.db
          .select({ postId: votes.postId, value: votes.value, createdAt: votes.createdAt })
          .from(votes)
          .where(eq(votes.userId, user.id)),
        listWatches(app.db, user.id),
        app.db.select().from(drafts).where(eq(drafts.userId, user.id)),
        app.db.select().from(uploads).where(eq(uploads.uploaderId, user.id)).orderBy(asc(uploads.createdAt)),
        app.db.select().from(sessions).where(eq(sessions.userId, user.id))
      ]);
      const at = (d: Date | null) => (d === null ? null : d.toISOString());
      const body = {
        exportedAt: new Date().toISOString(),
        user: toOwnUser(user),
        threads: threadRows.map(({ thread: t, boardSlug }) => ({
          id: String(t.id),
          board: boardSlug,
          title: t.title,
          kind: t.kind,
          createdAt: t.createdAt.toISOString(),
          deleted: t.deletedAt !== null,
          equipment: {
            manufacturer: t.equipmentManufacturer,
            model: t.equipmentModel,
            category: t.equipmentCategory,
            errorCode: t.equipmentErrorCode
          },
          tags: t.tags
        })),
        posts: postRows.map((p) => ({
          id: String(p.id),
          threadId: String(p.threadId),
          parentId: p.parentId === null ? null : String(p.parentId),
          body: p.bodyMarkdown,
          createdAt: p.createdAt.toISOString(),
          editedAt: at(p.editedAt),
          deleted: p.deletedAt !== null
        })),
        votes: voteRows.map((v) => ({ postId: String(v.postId), value: v.value, createdAt: v.createdAt.toISOString() })),
        watches,
        drafts: draftRows.map((d) => ({ key: d.key, fields: d.fields, updatedAt: d.updatedAt.toISOString() })),
        uploads: uploadRows.map((u) => ({
          url: uploadUrl(u.key),
          filename: u.filename,
          contentType: u.contentType,
          bytes: u.bytes,
          createdAt: u.createdAt.toISOString()
        })),
        sessions: sessionRows.map((s) => ({
          createdAt: s.createdAt.toISOString(),
          lastSeenAt: s.lastSeenAt.toISOString(),
          userAgent: s.userAgent
        })),
        settings: {
          emailNotifications: user.emailNotifications,
          emailDigest: user.emailDigest,
          timeZone: user.timeZone,
          twoFactor: hasSecondFactor(user)
        }
      };
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="bmet-forum-${user.username}.json"`)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(body, null, 2));
    }
  );

  app.delete(
    '/me',
    {
      schema: {
        tags: ['account'],
        summary: 'Close the account: sessions end, the address and profile are erased, posts stay under a neutral name',
        body: PasswordBody,
        response: { 204: Type.Null(), ...errors }
      }
    },
    async (request, reply) => {
      const user = requireUser(request);
      await confirmPassword(app, user, request.body.password);
      await app.db.transaction(async (tx) => {
        await closeAccount(tx, user.id);
        // The last e-mail to the address, sent after the rest of its mail is erased.
        await queueSecurityNotice(tx, app.mailer, user, {
          what: 'your account was closed',
          detail: 'Your account was closed: your address and profile are erased and your posts stay under the name "Former member".'
        });
      });
      app.mailer.wake();
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    }
  );
};
