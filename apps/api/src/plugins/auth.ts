import type { UserRow } from '@bmet/db/schema';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError, invalid, unauthenticated } from '../lib/http-error.ts';
import { verifyPassword } from '../lib/password.ts';
import type { Conn } from '@bmet/db/client';
import { boardSuspension, isSuspended } from '../domain/moderation.ts';
import { SESSION_COOKIE, invalidateSession, validateSessionToken, type Session } from '../lib/session.ts';
import { SiteSettingsCache } from '../lib/site-settings.ts';
import { toOwnUser } from '../domain/serialize.ts';
import { hasSecondFactor } from '../lib/totp.ts';
import { SESSION_REF_HEADER, SessionRefs } from '../lib/session-refs.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRow | null;
    session: Session | null;
    /** A session whose password was right and whose second factor is still owed (user stays null). */
    pendingTwoFactor: { session: Session; user: UserRow } | null;
    /** A moderator or admin acting as a member until they set up two-factor sign-in (the admins' rule). */
    twoFactorSetupRequired: boolean;
  }
  interface FastifyInstance {
    siteSettings: SiteSettingsCache;
    /** Session checks lent to the rest of one web request (lib/session-refs.ts). */
    sessionRefs: SessionRefs;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A suspended member still reads and comes and goes: these writes are part of reading, or of
 * keeping the account safe (a new password, ending a session on a lost phone).
 */
const SUSPENDED_MAY = new Set([
  '/api/v1/auth/login',
  '/api/v1/auth/logout',
  '/api/v1/notifications/read',
  '/api/v1/threads/:id/read',
  '/api/v1/me/password',
  '/api/v1/me/sessions/:id',
  '/api/v1/me/email',
  '/api/v1/me/email/verification',
  '/api/v1/me/email-settings',
  '/api/v1/me/two-factor',
  '/api/v1/me/two-factor/setup',
  '/api/v1/me/two-factor/recovery-codes',
  '/api/v1/auth/two-factor',
  '/api/v1/auth/two-factor/passkey',
  '/api/v1/auth/two-factor/passkey/options',
  '/api/v1/me/passkeys',
  '/api/v1/me/passkeys/options',
  '/api/v1/me/passkeys/:id',
  '/api/v1/auth/verify-email',
  '/api/v1/auth/password/forgot',
  '/api/v1/auth/password/reset',
  '/api/v1/email/unsubscribe'
]);

export interface AuthOptions {
  secureCookies: boolean;
  allowedOrigins: string[];
}

export function sessionCookieOptions(secure: boolean, expires: Date) {
  return { httpOnly: true, sameSite: 'lax' as const, path: '/', secure, expires };
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match === null ? '' : (match[1] ?? '');
}

function sameOrigin(request: FastifyRequest, allowed: string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return false;
  if (allowed.includes(origin)) return true;
  try {
    // Scheme, host and port must all match the request's; through the same URL parser, so
    // default ports compare equal (":80" and "").
    return new URL(origin).origin === new URL(`${request.protocol}://${request.host}`).origin;
  } catch {
    return false;
  }
}

/**
 * Fills request.user from a bearer token or the session cookie. Writes authenticated by the
 * cookie must come from our own origin (403 csrf); bearer requests are exempt, since a browser
 * never attaches one on its own. A cross-site Origin is refused on any write that carries the
 * cookie, so a forged login or register cannot plant a session either.
 */
export const authPlugin = fp<AuthOptions>(async (app, options) => {
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.decorateRequest('pendingTwoFactor', null);
  app.decorateRequest('twoFactorSetupRequired', false);
  const settings = new SiteSettingsCache();
  app.decorate('siteSettings', settings);
  const refs = new SessionRefs();
  app.decorate('sessionRefs', refs);

  app.addHook('onRequest', async (request, reply) => {
    const bearer = bearerToken(request);
    const cookie = request.cookies[SESSION_COOKIE];
    const token = bearer ?? cookie ?? null;
    const byCookie = bearer === null && cookie !== undefined;
    const unsafe = !SAFE_METHODS.has(request.method);
    if (unsafe && bearer === null && request.headers.origin !== undefined && !sameOrigin(request, options.allowedOrigins)) {
      throw new HttpError(403, 'csrf', 'cross-origin request refused');
    }
    if (token === null || token === '') return;
    // The web app's later calls for the same page borrow the check its first call made; a write
    // always checks afresh and ends the loan (it may end the session or change the member).
    const refHeader = request.headers[SESSION_REF_HEADER];
    const ref = typeof refHeader === 'string' && refHeader !== '' ? refHeader : null;
    const borrowed = ref === null || unsafe ? null : refs.borrow(ref, token);
    if (ref !== null && unsafe) refs.drop(ref);
    const result = borrowed === null ? await validateSessionToken(app.db, token) : { ...borrowed, renewed: false };
    // A closed account has no sessions; one a login created while it was closing is nobody's.
    if (result.session !== null && result.user.closedAt !== null) {
      await invalidateSession(app.db, result.session.id);
      if (byCookie) void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return;
    }
    if (result.session === null) {
      if (byCookie) void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return;
    }
    if (byCookie && unsafe && !sameOrigin(request, options.allowedOrigins)) {
      throw new HttpError(403, 'csrf', 'a cookie-authenticated write needs a same-origin Origin header');
    }
    // A WebSocket opened by another site's page would carry our cookie: such a socket stays
    // anonymous (browsers always send Origin on the upgrade).
    if (byCookie && request.headers.upgrade?.toLowerCase() === 'websocket' && !sameOrigin(request, options.allowedOrigins)) {
      return;
    }
    if (result.session.twoFactorPending) {
      // Only the second factor (or signing out) is open to it: to every other route it is nobody.
      request.pendingTwoFactor = { session: result.session, user: result.user };
      return;
    }
    request.user = result.user;
    request.session = result.session;
    if (ref !== null && borrowed === null && !unsafe) {
      void reply.header(SESSION_REF_HEADER, refs.lend(token, result.session, result.user));
    }
    app.presence.touch(result.user.id);
    if (result.user.role !== 'member' && !hasSecondFactor(result.user) && (await settings.get(app.db)).requireTwoFactorForModerators) {
      request.user = { ...result.user, role: 'member' };
      request.twoFactorSetupRequired = true;
    }
    if (unsafe && isSuspended(result.user) && !SUSPENDED_MAY.has(request.routeOptions.url ?? '')) {
      const until = result.user.suspendedUntil?.toISOString() ?? '';
      throw new HttpError(403, 'suspended', `your account is suspended until ${until}: ${result.user.suspensionReason ?? ''}`.trim());
    }
    if (byCookie && result.renewed) {
      void reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(options.secureCookies, result.session.expiresAt));
    }
  });
});

/**
 * Refuses writes on a board the user is suspended from (403 suspended); site-wide suspensions
 * are refused by the hook above before any route runs.
 */
export async function requireNotBoardSuspended(db: Conn, user: UserRow, boardId: number): Promise<void> {
  const suspension = await boardSuspension(db, user.id, boardId);
  if (suspension === null) return;
  throw new HttpError(403, 'suspended', `you are suspended from this board until ${suspension.until.toISOString()}: ${suspension.reason}`);
}

export function requireUser(request: FastifyRequest): UserRow {
  if (request.user === null) throw unauthenticated();
  return request.user;
}

/**
 * The member's password, asked again before a change that matters (a new address, a second
 * factor, closing the account): 400 on `password` when wrong. Guessing it from a stolen session
 * is guessing a login, so it meets the same limit (`LOGIN_FAILURES`).
 */
export async function confirmPassword(app: FastifyInstance, user: UserRow, password: string): Promise<void> {
  if (app.rateLimits !== null && app.rateLimiter !== null) {
    await app.rateLimiter.hit(`password-check:user:${user.id}`, app.rateLimits.loginFailures, 'password attempts');
  }
  if (!(await verifyPassword(user.passwordHash, password))) throw invalid('password', 'password is not the password of this account');
}

/**
 * The answer of a second factor that was accepted: the same token, now a full session (the
 * cookie renewed for its new lifetime when the login came by cookie).
 */
export function signedIn(request: FastifyRequest, reply: FastifyReply, expiresAt: Date, secure: boolean) {
  const bearer = bearerToken(request);
  const token = bearer ?? request.cookies[SESSION_COOKIE] ?? '';
  if (bearer === null) setSessionCookie(reply, token, expiresAt, secure);
  return { user: toOwnUser(request.pendingTwoFactor!.user), token };
}

export function setSessionCookie(reply: FastifyReply, token: string, expires: Date, secure: boolean): void {
  void reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(secure, expires));
}
