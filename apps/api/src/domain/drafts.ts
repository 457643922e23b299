import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '@bmet/db/client';
import { drafts, type DraftRow } from '@bmet/db/schema';
import { MAX_DRAFTS } from '@bmet/contracts';

export async function getDraft(db: Db, userId: number, key: string): Promise<DraftRow | null> {
  const [row] = await db
    .select()
    .from(drafts)
    .where(and(eq(drafts.userId, userId), eq(drafts.key, key)))
    .limit(1);
  return row ?? null;
}

/**
 * Saves a draft (blank fields delete it, as the browser's copy does) and keeps the member's
 * drafts to MAX_DRAFTS, dropping the oldest: one transaction.
 */
export async function saveDraft(db: Db, userId: number, key: string, fields: Record<string, string>): Promise<DraftRow | null> {
  if (Object.values(fields).every((v) => v.trim() === '')) {
    await deleteDraft(db, userId, key);
    return null;
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(drafts)
      .values({ userId, key, fields })
      .onConflictDoUpdate({ target: [drafts.userId, drafts.key], set: { fields, updatedAt: sql`now()` } })
      .returning();
    const stale = tx
      .select({ key: drafts.key })
      .from(drafts)
      .where(eq(drafts.userId, userId))
      .orderBy(desc(drafts.updatedAt))
      .offset(MAX_DRAFTS);
    await tx.delete(drafts).where(and(eq(drafts.userId, userId), sql`${drafts.key} in (${stale})`));
    return row ?? null;
  });
}

export async function deleteDraft(db: Db, userId: number, key: string): Promise<void> {
  await db.delete(drafts).where(and(eq(drafts.userId, userId), eq(drafts.key, key)));
}
