import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AddPasskeyBody,
  AddPasskeyResult,
  AuthResult,
  ErrorBody,
  PasskeyList,
  PasskeyLoginBody,
  PasswordBody,
  WebAuthnOptions
} from '@bmet/contracts';
import { passkeys, users, type PasskeyRow } from '@bmet/db/schema';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type RegistrationResponseJSON
} from '@simplewebauthn/server';
import { and, asc, eq, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { HttpError, conflict, invalid, notFound, unauthenticated } from '../lib/http-error.ts';
import { completeTwoFactor, invalidateUserSessions } from '../lib/session.ts';
import { hasSecondFactor } from '../lib/totp.ts';
import { confirmPassword, requireUser, signedIn } from '../plugins/auth.ts';
import { queueSecurityNotice } from '../domain/account-mail.ts';
import { countSecondFactorAttempt, replaceRecoveryCodes } from './two-factor.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };
/** At most this many per member: enough for a phone, a laptop and two keys, and some spares. */
const MAX_PASSKEYS = 10;

const info = (p: Pick<PasskeyRow, 'id' | 'name' | 'createdAt' | 'lastUsedAt'>) => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt.toISOString(),
  lastUsedAt: p.lastUsedAt === null ? null : p.lastUsedAt.toISOString()
});

const refused = (why: string) => new HttpError(400, 'two_factor_invalid', `the passkey was not accepted: ${why}`, { response: why });

/** A name fit to show: one line, at most 60 characters, or the fallback. */
function passkeyName(raw: string | undefined, fallback: string): string {
  const name = (raw ?? '')
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return name === '' ? fallback : [...name].slice(0, 60).join('');
}

/**
 * Passkeys and security keys as a second factor (WebAuthn with @simplewebauthn/server), beside
 * the TOTP app: registered with the password, offered after the password at sign-in. Each
 * ceremony's challenge is kept in the database, bound to the session that asked, used once.
 */
export const passkeyRoutes: FastifyPluginAsyncTypebox<{ secureCookies: boolean }> = async (app, { secureCookies }) => {
  const rp = app.passkeys;
  const needRelying = () => {
    if (!rp.available) {
      throw conflict('passkeys', 'passkeys need the forum at a host name (PUBLIC_URL with localhost or a domain, not an IP address)');
    }
  };

  app.get(
    '/me/passkeys',
    { schema: { tags: ['account'], summary: 'The member’s passkeys and security keys', response: { 200: PasskeyList, ...errors } } },
    async (request) => {
      const user = requireUser(request);
      const rows = await app.db.select().from(passkeys).where(eq(passkeys.userId, user.id)).orderBy(asc(passkeys.createdAt));
      return { passkeys: rows.map(info), available: rp.available };
    }
  );

  app.post(
    '/me/passkeys/options',
    {
      schema: {
        tags: ['account'],
        summary: 'Options for the browser to make a new passkey (navigator.credentials.create)',
        response: { 200: WebAuthnOptions, ...errors }
      }
    },
    async (request) => {
      const user = requireUser(request);
      needRelying();
      const existing = await app.db
        .select({ id: passkeys.id, transports: passkeys.transports })
        .from(passkeys)
        .where(eq(passkeys.userId, user.id));
      if (existing.length >= MAX_PASSKEYS) throw invalid('passkeys', `at most ${MAX_PASSKEYS} passkeys: remove one first`);
      const options = await generateRegistrationOptions({
        rpName: rp.rpName,
        rpID: rp.rpID,
        userName: user.username,
        userDisplayName: user.displayName,
        // The user handle: the account's id, nothing personal.
        userID: new TextEncoder().encode(String(user.id)),
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports as AuthenticatorTransportFuture[] })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' }
      });
      await rp.remember(app.db, request.session!.id, 'register', options.challenge);
      return { options: options as unknown as Record<string, unknown> };
    }
  );

  app.post(
    '/me/passkeys',
    {
      schema: {
        tags: ['account'],
        summary: 'Keep the passkey the browser made (with the password); the first one turns two-factor sign-in on',
        body: AddPasskeyBody,
        response: { 201: AddPasskeyResult, ...errors }
      }
    },
    async (request, reply) => {
      const user = requireUser(request);
      needRelying();
      await confirmPassword(app, user, request.body.password);
      const response = request.body.response as unknown as RegistrationResponseJSON;
      const challenge = await rp.take(app.db, request.session!.id, 'register', response.response?.clientDataJSON);
      if (challenge === null) throw refused('it answers no request of this session (or an old one): try again');
      let verified;
      try {
        verified = await verifyRegistrationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.rpID,
          requireUserVerification: false
        });
      } catch (err) {
        throw refused(err instanceof Error ? err.message.slice(0, 200) : 'it could not be read');
      }
      if (!verified.verified) throw refused('its signature did not check out');
      const { credential } = verified.registrationInfo;
      const name = passkeyName(request.body.name, 'Passkey');
      const result = await app.db
        .transaction(async (tx) => {
          const [locked] = await tx.select().from(users).where(eq(users.id, user.id)).for('update');
          if (locked === undefined) throw notFound('user');
          if (locked.passkeyCount >= MAX_PASSKEYS) throw invalid('passkeys', `at most ${MAX_PASSKEYS} passkeys: remove one first`);
          const [row] = await tx
            .insert(passkeys)
            .values({
              id: credential.id,
              userId: user.id,
              publicKey: credential.publicKey,
              counter: credential.counter,
              transports: credential.transports ?? [],
              name
            })
            .onConflictDoNothing()
            .returning();
          if (row === undefined) throw conflict('response', 'that passkey is registered already');
          await tx
            .update(users)
            .set({ passkeyCount: sql`${users.passkeyCount} + 1` })
            .where(eq(users.id, user.id));
          // The first second factor: recovery codes come with it, shown once, and every other
          // session ends (each session of a member with two factors has given one).
          const first = !hasSecondFactor(locked);
          const codes = first ? await replaceRecoveryCodes(tx, user.id) : undefined;
          if (first) await invalidateUserSessions(tx, user.id, request.session!.id);
          await queueSecurityNotice(tx, app.mailer, user, {
            what: 'a passkey was added to your account',
            detail: `The passkey "${name}" can now be the second step of signing in to your account.`
          });
          return { passkey: info(row), ...(codes === undefined ? {} : { recoveryCodes: codes }) };
        })
        .catch((err: unknown) => {
          if ((err as { cause?: { code?: string } }).cause?.code === '23505')
            throw conflict('response', 'that passkey is registered already');
          throw err;
        });
      app.mailer.wake();
      return reply.code(201).send(result);
    }
  );

  app.delete(
    '/me/passkeys/:id',
    {
      schema: {
        tags: ['account'],
        summary: 'Remove a passkey (with the password); the last second factor is removed by turning two-factor sign-in off',
        params: Type.Object({ id: Type.String({ maxLength: 1024 }) }),
        body: PasswordBody,
        response: { 204: Type.Null(), ...errors }
      }
    },
    async (request, reply) => {
      const user = requireUser(request);
      await confirmPassword(app, user, request.body.password);
      await app.db.transaction(async (tx) => {
        // The member's row first (one lock order with sign-in and the other second-factor writes).
        const [locked] = await tx.select().from(users).where(eq(users.id, user.id)).for('update');
        if (locked === undefined) throw notFound('user');
        const [target] = await tx
          .select({ name: passkeys.name })
          .from(passkeys)
          .where(and(eq(passkeys.id, request.params.id), eq(passkeys.userId, user.id)));
        if (target === undefined) throw notFound('passkey');
        // The last second factor goes only the way that asks for a recovery code too.
        if (locked.totpKey === null && locked.passkeyCount <= 1) {
          throw conflict('passkeys', 'this is your only second factor: turn two-factor sign-in off instead (it asks for a recovery code)');
        }
        await tx.delete(passkeys).where(eq(passkeys.id, request.params.id));
        await tx
          .update(users)
          .set({ passkeyCount: sql`greatest(${users.passkeyCount} - 1, 0)` })
          .where(eq(users.id, user.id));
        await queueSecurityNotice(tx, app.mailer, user, {
          what: 'a passkey was removed from your account',
          detail: `The passkey "${target.name}" no longer signs in to your account.`
        });
      });
      app.mailer.wake();
      return reply.code(204).send(null);
    }
  );

  app.post(
    '/auth/two-factor/passkey/options',
    {
      schema: {
        tags: ['auth'],
        summary: 'The second step of signing in with a passkey: options for navigator.credentials.get',
        response: { 200: WebAuthnOptions, ...errors }
      }
    },
    async (request) => {
      const pending = request.pendingTwoFactor;
      if (pending === null) throw unauthenticated();
      needRelying();
      const mine = await app.db
        .select({ id: passkeys.id, transports: passkeys.transports })
        .from(passkeys)
        .where(eq(passkeys.userId, pending.user.id));
      if (mine.length === 0) throw invalid('passkeys', 'this account has no passkey: use the code from your app or a recovery code');
      const options = await generateAuthenticationOptions({
        rpID: rp.rpID,
        allowCredentials: mine.map((p) => ({ id: p.id, transports: p.transports as AuthenticatorTransportFuture[] })),
        // The password was the first factor: the key's presence is the second.
        userVerification: 'discouraged'
      });
      await rp.remember(app.db, pending.session.id, 'authenticate', options.challenge);
      return { options: options as unknown as Record<string, unknown> };
    }
  );

  app.post(
    '/auth/two-factor/passkey',
    {
      schema: {
        tags: ['auth'],
        summary: 'The second step of signing in: the browser’s answer from a passkey',
        body: PasskeyLoginBody,
        response: { 200: AuthResult, ...errors }
      }
    },
    async (request, reply) => {
      const pending = request.pendingTwoFactor;
      if (pending === null) throw unauthenticated();
      needRelying();
      await countSecondFactorAttempt(app, pending.user.id, pending.session.id);
      const response = request.body.response as unknown as AuthenticationResponseJSON;
      const challenge = await rp.take(app.db, pending.session.id, 'authenticate', response.response?.clientDataJSON);
      if (challenge === null) throw refused('it answers no request of this sign-in (or an old one): try again');
      const [stored] = await app.db
        .select()
        .from(passkeys)
        .where(and(eq(passkeys.id, response.id), eq(passkeys.userId, pending.user.id)));
      if (stored === undefined) throw refused('it is not one of this account’s passkeys');
      let verified;
      try {
        verified = await verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.rpID,
          credential: {
            id: stored.id,
            publicKey: new Uint8Array(stored.publicKey),
            counter: stored.counter,
            transports: stored.transports as AuthenticatorTransportFuture[]
          },
          requireUserVerification: false
        });
      } catch (err) {
        throw refused(err instanceof Error ? err.message.slice(0, 200) : 'it could not be read');
      }
      if (!verified.verified) throw refused('its signature did not check out');
      const expiresAt = await app.db.transaction(async (tx) => {
        // Compare and set: of two answers from one cloned key, only one moves the counter on.
        const newCounter = verified.authenticationInfo.newCounter;
        const moved = await tx
          .update(passkeys)
          .set({ counter: newCounter, lastUsedAt: sql`now()` })
          .where(and(eq(passkeys.id, stored.id), sql`(${passkeys.counter} < ${newCounter} or ${newCounter} = 0)`))
          .returning({ id: passkeys.id });
        if (moved.length === 0) return null;
        return completeTwoFactor(tx, pending.session.id);
      });
      if (expiresAt === null) throw refused('its counter did not move on (a copy of the key?)');
      if (app.rateLimiter !== null) await app.rateLimiter.reset(`two-factor:session:${pending.session.id}`);
      return signedIn(request, reply, expiresAt, secureCookies);
    }
  );
};
