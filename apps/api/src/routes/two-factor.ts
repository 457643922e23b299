import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AuthResult,
  DisableTwoFactorBody,
  EnableTwoFactorBody,
  ErrorBody,
  PasswordBody,
  RecoveryCodes,
  TwoFactorLoginBody,
  TwoFactorSetup,
  TwoFactorStatus
} from '@bmet/contracts';
import type { Conn } from '@bmet/db/client';
import type { FastifyInstance } from 'fastify';
import { passkeys, recoveryCodes, users } from '@bmet/db/schema';
import { and, count, eq, isNull } from 'drizzle-orm';
import { Type } from 'typebox';
import { HttpError, conflict, invalid, unauthenticated } from '../lib/http-error.ts';
import { completeTwoFactor, invalidateUserSessions } from '../lib/session.ts';
import type { SecretBox } from '../lib/secret.ts';
import {
  decodeTotpKey,
  encodeTotpKey,
  hasSecondFactor,
  hashRecoveryCode,
  matchTotpStep,
  newRecoveryCodes,
  newTotpKey,
  totpCodeOf,
  totpUri
} from '../lib/totp.ts';
import { confirmPassword, requireUser, signedIn } from '../plugins/auth.ts';
import { queueSecurityNotice } from '../domain/account-mail.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody, 429: ErrorBody };
const wrongCode = () =>
  new HttpError(400, 'two_factor_invalid', 'that code is not right: use the code your app shows now, or a recovery code', {
    code: 'that code is not right'
  });

/**
 * The second factor of a member, checked inside the caller's transaction with the member's row
 * locked: a TOTP code (each good once) or one of the recovery codes (each good once). Null when
 * it is neither.
 */
async function acceptSecondFactor(tx: Conn, secrets: SecretBox, userId: number, input: string): Promise<'totp' | 'recovery' | null> {
  const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
  if (user === undefined || !hasSecondFactor(user)) return null;
  const code = totpCodeOf(input);
  if (code !== null) {
    if (user.totpKey === null) return null;
    const key = secrets.open(user.totpKey);
    const step = key === null ? null : matchTotpStep(key, code, user.totpLastStep);
    if (step === null) return null;
    await tx.update(users).set({ totpLastStep: step }).where(eq(users.id, userId));
    return 'totp';
  }
  const used = await tx
    .update(recoveryCodes)
    .set({ usedAt: new Date() })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, hashRecoveryCode(input)), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return used.length > 0 ? 'recovery' : null;
}

/** Counts one second-factor attempt against the session and the account (429 once either is spent). */
export async function countSecondFactorAttempt(app: FastifyInstance, userId: number, sessionId: string): Promise<void> {
  if (app.rateLimits === null || app.rateLimiter === null) return;
  await app.rateLimiter.hit(`two-factor:session:${sessionId}`, app.rateLimits.twoFactor, 'two-factor attempts');
  await app.rateLimiter.hit(`two-factor:user:${userId}`, app.rateLimits.twoFactorAccount, 'two-factor attempts for this account');
}

export async function replaceRecoveryCodes(tx: Conn, userId: number): Promise<string[]> {
  const { codes, hashes } = newRecoveryCodes();
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await tx.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId, codeHash })));
  return codes;
}

/**
 * Two-factor sign-in with TOTP and recovery codes, as Lucia's guide builds it: a key is offered,
 * stored (sealed with the forum's secret key) only once a code from it is confirmed, and a
 * password that was right makes a session that can do nothing but take the second factor.
 */
export const twoFactorRoutes: FastifyPluginAsyncTypebox<{ secureCookies: boolean }> = async (app, { secureCookies }) => {
  const limiter = app.rateLimiter;

  /**
   * Six digits are guessable without a limit: every attempt counts, per session (five, then the
   * password again) and per account (a high ceiling, so a stranger with the password cannot
   * easily lock the owner out); a success forgets the session's.
   */
  async function countAttempt(userId: number, sessionId: string): Promise<void> {
    await countSecondFactorAttempt(app, userId, sessionId);
  }
  const forgetAttempts = async (sessionId: string) => {
    if (limiter !== null) await limiter.reset(`two-factor:session:${sessionId}`);
  };

  app.get(
    '/me/two-factor',
    { schema: { tags: ['account'], summary: 'Whether two-factor sign-in is on', response: { 200: TwoFactorStatus, 401: ErrorBody } } },
    async (request) => {
      const user = requireUser(request);
      const [left] = await app.db
        .select({ n: count() })
        .from(recoveryCodes)
        .where(and(eq(recoveryCodes.userId, user.id), isNull(recoveryCodes.usedAt)));
      const settings = await app.siteSettings.get(app.db);
      return {
        enabled: hasSecondFactor(user),
        totp: user.totpKey !== null,
        passkeys: user.passkeyCount,
        passkeysAvailable: app.passkeys.available,
        recoveryCodesLeft: Number(left?.n ?? 0),
        requiredForModerators: settings.requireTwoFactorForModerators
      };
    }
  );

  app.post(
    '/me/two-factor/setup',
    {
      schema: {
        tags: ['account'],
        summary: 'A new key for an authenticator app (nothing is stored until a code from it is confirmed)',
        response: { 200: TwoFactorSetup, ...errors }
      }
    },
    async (request) => {
      const user = requireUser(request);
      if (user.totpKey !== null) throw conflict('twoFactor', 'two-factor sign-in is on already: turn it off first to use another app');
      const key = newTotpKey();
      return { key: encodeTotpKey(key), uri: totpUri(app.mailer.config.forumName, user.username, key) };
    }
  );

  app.post(
    '/me/two-factor',
    {
      schema: {
        tags: ['account'],
        summary: 'Turn two-factor sign-in on with the key from setup and a code from the app; answers ten recovery codes',
        body: EnableTwoFactorBody,
        response: { 200: RecoveryCodes, ...errors }
      }
    },
    async (request) => {
      const user = requireUser(request);
      await confirmPassword(app, user, request.body.password);
      const key = decodeTotpKey(request.body.key);
      if (key === null) throw invalid('key', 'key must be the key from setup');
      const code = totpCodeOf(request.body.code);
      const step = code === null ? null : matchTotpStep(key, code, null);
      if (step === null) throw invalid('code', 'that code does not match: type the 6 digits your app shows now');
      const secrets = await app.secrets.get();
      const codes = await app.db.transaction(async (tx) => {
        const [locked] = await tx.select().from(users).where(eq(users.id, user.id)).for('update');
        if (locked === undefined || locked.totpKey !== null) throw conflict('twoFactor', 'the authenticator app is set up already');
        // The first second factor: every other session ends (each session of a member with two
        // factors has given one; those from before had not).
        if (!hasSecondFactor(locked)) await invalidateUserSessions(tx, user.id, request.session?.id);
        await tx
          .update(users)
          .set({ totpKey: secrets.seal(key), totpLastStep: step })
          .where(eq(users.id, user.id));
        await queueSecurityNotice(tx, app.mailer, user, {
          what: 'two-factor sign-in was turned on',
          detail: 'Signing in to your account now takes a code from your authenticator app (or a recovery code) after the password.'
        });
        return replaceRecoveryCodes(tx, user.id);
      });
      app.mailer.wake();
      return { recoveryCodes: codes };
    }
  );

  app.delete(
    '/me/two-factor',
    {
      schema: {
        tags: ['account'],
        summary: 'Turn two-factor sign-in off: the app, every passkey and the recovery codes (the password and a code, or a recovery code)',
        body: DisableTwoFactorBody,
        response: { 204: Type.Null(), ...errors }
      }
    },
    async (request, reply) => {
      const user = requireUser(request);
      if (!hasSecondFactor(user)) throw invalid('twoFactor', 'two-factor sign-in is off already');
      await confirmPassword(app, user, request.body.password);
      await countAttempt(user.id, request.session!.id);
      const secrets = await app.secrets.get();
      await app.db.transaction(async (tx) => {
        if ((await acceptSecondFactor(tx, secrets, user.id, request.body.code)) === null) throw wrongCode();
        await tx.update(users).set({ totpKey: null, totpLastStep: null, passkeyCount: 0 }).where(eq(users.id, user.id));
        await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
        await tx.delete(passkeys).where(eq(passkeys.userId, user.id));
        await queueSecurityNotice(tx, app.mailer, user, {
          what: 'two-factor sign-in was turned off',
          detail: 'Signing in to your account now takes only the password.'
        });
      });
      await forgetAttempts(request.session!.id);
      app.mailer.wake();
      return reply.code(204).send(null);
    }
  );

  app.post(
    '/me/two-factor/recovery-codes',
    {
      schema: {
        tags: ['account'],
        summary: 'Ten new recovery codes (the old ones stop working)',
        body: PasswordBody,
        response: { 200: RecoveryCodes, ...errors }
      }
    },
    async (request) => {
      const user = requireUser(request);
      if (!hasSecondFactor(user)) throw invalid('twoFactor', 'turn two-factor sign-in on first');
      await confirmPassword(app, user, request.body.password);
      return { recoveryCodes: await app.db.transaction((tx) => replaceRecoveryCodes(tx, user.id)) };
    }
  );

  app.post(
    '/auth/two-factor',
    {
      schema: {
        tags: ['auth'],
        summary: 'The second step of signing in: a code from the app, or a recovery code, with the token the login gave',
        body: TwoFactorLoginBody,
        response: { 200: AuthResult, ...errors }
      }
    },
    async (request, reply) => {
      const pending = request.pendingTwoFactor;
      if (pending === null) throw unauthenticated();
      await countAttempt(pending.user.id, pending.session.id);
      const secrets = await app.secrets.get();
      const accepted = await app.db.transaction(async (tx) => {
        const factor = await acceptSecondFactor(tx, secrets, pending.user.id, request.body.code);
        if (factor === null) return null;
        return completeTwoFactor(tx, pending.session.id);
      });
      if (accepted === null) throw wrongCode();
      await forgetAttempts(pending.session.id);
      return signedIn(request, reply, accepted, secureCookies);
    }
  );
};
