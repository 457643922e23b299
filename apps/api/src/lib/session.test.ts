import { openTestDatabase } from '@bmet/db/test-support';
import type { Database } from '@bmet/db/client';
import { sessions, users } from '@bmet/db/schema';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_TTL_MS, createSession, invalidateSession, invalidateUserSessions, validateSessionToken } from './session.ts';

let database: Database;
let userId: number;

beforeAll(async () => {
  database = await openTestDatabase(process.env.DATABASE_URL);
  const [user] = await database.db
    .insert(users)
    .values({ username: 'sess', displayName: 'Sess', email: 's@x.org', passwordHash: 'x', profession: 'CE' })
    .returning();
  userId = user!.id;
});
afterAll(async () => database.close());

describe('sessions', () => {
  it('stores only the hash of the secret and validates the token', async () => {
    const { session, token } = await createSession(database.db, userId);
    const [id, secret] = token.split('.');
    expect(id).toBe(session.id);
    const [row] = await database.db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(row!.secretHash).toHaveLength(32);
    expect(Buffer.from(row!.secretHash).toString('utf8')).not.toContain(secret!);
    const result = await validateSessionToken(database.db, token);
    expect(result.user?.id).toBe(userId);
    expect(result.renewed).toBe(false);
  });

  it('refuses a wrong secret, a malformed token and an unknown id', async () => {
    const { token } = await createSession(database.db, userId);
    const [id, secret] = token.split('.') as [string, string];
    const flipped = secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a');
    expect((await validateSessionToken(database.db, `${id}.${flipped}`)).session).toBeNull();
    expect((await validateSessionToken(database.db, id)).session).toBeNull();
    expect((await validateSessionToken(database.db, `${id}.${secret}.x`)).session).toBeNull();
    expect((await validateSessionToken(database.db, `zzzzzzzz.${secret}`)).session).toBeNull();
  });

  it('renews a session past half its life and deletes an expired one', async () => {
    const { session, token } = await createSession(database.db, userId);
    const soon = new Date(Date.now() + SESSION_TTL_MS / 4);
    await database.db.update(sessions).set({ expiresAt: soon }).where(eq(sessions.id, session.id));
    const renewed = await validateSessionToken(database.db, token);
    expect(renewed.renewed).toBe(true);
    expect(renewed.session!.expiresAt.getTime()).toBeGreaterThan(Date.now() + SESSION_TTL_MS - 60_000);

    await database.db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.id, session.id));
    expect((await validateSessionToken(database.db, token)).session).toBeNull();
    expect(await database.db.select().from(sessions).where(eq(sessions.id, session.id))).toHaveLength(0);
  });

  it('invalidates one session or all of a user', async () => {
    const a = await createSession(database.db, userId);
    const b = await createSession(database.db, userId);
    await invalidateSession(database.db, a.session.id);
    expect((await validateSessionToken(database.db, a.token)).session).toBeNull();
    expect((await validateSessionToken(database.db, b.token)).session).not.toBeNull();
    await invalidateUserSessions(database.db, userId);
    expect((await validateSessionToken(database.db, b.token)).session).toBeNull();
  });
});
