import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BIO_MAX, ChangePasswordBody, ErrorBody, SessionList, UpdateMeBody, UserResult } from '@bmet/contracts';
import { sessions, users } from '@bmet/db/schema';
import { and, desc, eq } from 'drizzle-orm';
import { Type } from 'typebox';
import { cleanText } from '../lib/clean.ts';
import { invalid, notFound } from '../lib/http-error.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../lib/password.ts';
import { invalidateUserSessions } from '../lib/session.ts';
import { requireUser } from '../plugins/auth.ts';
import { toOwnUser } from '../domain/serialize.ts';

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
      if (await verifyPassword(user.passwordHash, newPassword)) throw invalid('newPassword', 'newPassword is the same as the current one');
      const passwordHash = await hashPassword(newPassword);
      const current = request.session?.id;
      const updated = await app.db.transaction(async (tx) => {
        const [row] = await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id)).returning();
        await invalidateUserSessions(tx, user.id, current);
        return row;
      });
      if (updated === undefined) throw notFound('user');
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
};
