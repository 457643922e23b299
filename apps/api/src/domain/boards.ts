import { asc, eq } from 'drizzle-orm';
import type { Conn } from '@bmet/db/client';
import { boards, type BoardRow } from '@bmet/db/schema';

/** Every board in the admins' order, archived ones last (they stay readable). */
export function listBoards(db: Conn): Promise<BoardRow[]> {
  return db.select().from(boards).orderBy(asc(boards.archived), asc(boards.position), asc(boards.id));
}

export async function getBoardBySlug(db: Conn, slug: string): Promise<BoardRow | null> {
  const rows = await db.select().from(boards).where(eq(boards.slug, slug)).limit(1);
  return rows[0] ?? null;
}
