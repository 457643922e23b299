import { boardSuspensionsOf, isSuspended } from '../domain/moderation.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuthResult, ErrorBody, LoginBody, MeResult, RegisterBody } from '@bmet/contracts';
import { Type } from 'typebox';
import { cleanText } from '../lib/clean.ts';
import { HttpError, conflict, invalid } from '../lib/http-error.ts';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from '../lib/password.ts';
import { SESSION_COOKIE, cleanUserAgent, createSession, invalidateSession } from '../lib/session.ts';
import { requireUser, setSessionCookie } from '../plugins/auth.ts';
import type { Limit } from '../lib/rate-limit.ts';
import { DEVICE_COOKIE, DEVICE_TTL_MS, rememberDevice, trustedDevice } from '../lib/login-devices.ts';
import { createUser, findTakenField, findUserByLogin } from '../domain/users.ts';
import { toOwnUser } from '../domain/serialize.ts';
import { queueVerification } from '../domain/account-mail.ts';
import { RESERVED_USERNAME } from '../domain/close-account.ts';
import { canonicalTimeZone } from '../lib/time-zone.ts';
import { hasSecondFactor } from '../lib/totp.ts';
import { latestNotificationId } from '../domain/notifications.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody, 413: ErrorBody, 429: ErrorBody };

export interface AuthRouteOptions {
  secureCookies: boolean;
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (app, { secureCookies }) => {
  // The limits plugin's counter (memory, or the rate_limits table shared by instances); null when off.
  const limits = app.rateLimits;
  const limiter = app.rateLimiter;
  const hit = async (key: string, limit: Limit | undefined, what?: string) => {
    if (limiter !== null && limit !== undefined) await limiter.hit(key, limit, what);
  };

  app.post(
    '/auth/register',
    { schema: { tags: ['auth'], body: RegisterBody, response: { 201: AuthResult, ...errors } } },
    async (request, reply) => {
      await hit(`register:ip:${request.ip}`, limits?.register, 'registrations');
      const { username, email, password, profession } = request.body;
      const displayName = cleanText(request.body.displayName ?? username, 'displayName');
      if (displayName === '') throw invalid('displayName', 'displayName must be 1 to 64 printable characters');
      if (RESERVED_USERNAME.test(username)) throw conflict('username', 'that username is already taken');
      const problem = passwordProblem(password, username, email);
      if (problem !== null) throw invalid('password', problem);
      const taken = await findTakenField(app.db, username, email);
      if (taken !== null) throw conflict(taken, `that ${taken} is already taken`);
      let timeZone = 'UTC';
      if (request.body.timeZone !== undefined) {
        const zone = canonicalTimeZone(request.body.timeZone);
        if (zone === null) throw invalid('timeZone', 'timeZone must be an IANA time zone such as America/Chicago');
        timeZone = zone;
      }
      const passwordHash = await hashPassword(password);
      const result = await app.db.transaction(async (tx) => {
        const user = await createUser(tx, { username, displayName, email: email.trim(), passwordHash, profession, timeZone });
        if (user === null) return null;
        // The account, its session and the link that confirms its address land together.
        await queueVerification(tx, app.mailer, user);
        return { user, ...(await createSession(tx, user.id, cleanUserAgent(request.headers['user-agent']))) };
      });
      // Two registrations raced for the same name: the unique index decided.
      if (result === null) throw conflict('username', 'that username or email is already taken');
      app.mailer.wake();
      setSessionCookie(reply, result.token, result.session.expiresAt, secureCookies);
      return reply.code(201).send({ user: toOwnUser(result.user), token: result.token });
    }
  );

  app.post(
    '/auth/login',
    { schema: { tags: ['auth'], body: LoginBody, response: { 200: AuthResult, ...errors } } },
    async (request, reply) => {
      const { login, password } = request.body;
      await hit(`login:ip:${request.ip}`, limits?.login, 'login attempts');
      const user = await findUserByLogin(app.db, login);
      // Failures count per account (named by username or email; unknown names by the name) and
      // per client: the device cookie of a browser that signed in to this account before, or
      // else the address. Guesses from elsewhere never spend the owner's own allowance.
      const subject = user === null ? `name:${login.trim().toLowerCase()}` : `user:${user.id}`;
      const deviceToken = request.cookies[DEVICE_COOKIE];
      const device = await trustedDevice(app.db, deviceToken, user?.id ?? null);
      const here = device === null ? `login-failures:${subject}:ip:${request.ip}` : `login-failures:${subject}:device:${device}`;
      const everywhere = `login-failures:${subject}`;
      if (limits !== null && limiter !== null) {
        // This client's attempt is counted before the password is checked (one atomic upsert),
        // so attempts sent in parallel cannot all pass before a failure lands; a success forgets it.
        await limiter.hit(here, limits.loginFailures, 'failed logins');
        if (device === null) await limiter.peek(everywhere, limits.loginFailuresAccount, 'failed logins for this account');
      }
      // Verify against a dummy hash for unknown users so timing does not tell who exists.
      const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
      if (user === null || !ok) {
        if (limits !== null && limiter !== null) {
          // Counted, never refused here: the answer stays 401 and the next attempt meets the limit.
          await limiter.hit(everywhere, { ...limits.loginFailuresAccount, max: Number.MAX_SAFE_INTEGER });
        }
        throw new HttpError(401, 'unauthenticated', 'wrong username, email or password');
      }
      if (limiter !== null) await limiter.reset(here);
      // With two-factor sign-in the session can do nothing but take the second factor, for minutes.
      const twoFactor = hasSecondFactor(user);
      // The session and the device cookie's row land together, or neither does.
      const { session, token, newDevice } = await app.db.transaction(async (tx) => ({
        ...(await createSession(tx, user.id, cleanUserAgent(request.headers['user-agent']), twoFactor)),
        newDevice: await rememberDevice(tx, user.id, deviceToken)
      }));
      if (newDevice !== null) {
        void reply.setCookie(DEVICE_COOKIE, newDevice, {
          httpOnly: true,
          sameSite: 'lax',
          path: '/',
          secure: secureCookies,
          expires: new Date(Date.now() + DEVICE_TTL_MS)
        });
      }
      setSessionCookie(reply, token, session.expiresAt, secureCookies);
      return { user: toOwnUser(user), token, ...(twoFactor ? { twoFactorRequired: true } : {}) };
    }
  );

  app.post('/auth/logout', { schema: { tags: ['auth'], response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    // Giving up halfway through two-factor sign-in ends that session too.
    const session = request.session ?? request.pendingTwoFactor?.session ?? null;
    if (session === null) requireUser(request);
    if (session !== null) await invalidateSession(app.db, session.id);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send(null);
  });

  app.get('/me', { schema: { tags: ['auth'], response: { 200: MeResult, 401: ErrorBody } } }, async (request) => {
    const user = requireUser(request);
    // The bell comes with it (the count is kept on the member's row): a page asks once, not twice.
    const [boards, latestId] = await Promise.all([boardSuspensionsOf(app.db, user.id), latestNotificationId(app.db, user.id)]);
    return {
      user: toOwnUser(user),
      ...(request.twoFactorSetupRequired ? { twoFactorSetupRequired: true } : {}),
      ...(isSuspended(user) ? { suspension: { until: user.suspendedUntil!.toISOString(), reason: user.suspensionReason ?? '' } } : {}),
      ...(boards.length === 0
        ? {}
        : { boardSuspensions: boards.map((b) => ({ boardSlug: b.boardSlug, until: b.until.toISOString(), reason: b.reason })) }),
      notifications: { unread: user.unreadNotifications, latestId: latestId === null ? null : String(latestId) }
    };
  });
};
