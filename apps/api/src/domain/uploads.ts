import { PHI_LABELS } from '@bmet/phi';
import type { Conn, Db } from '@bmet/db/client';
import { boards, postUploads, posts, reports, threads, uploads, type UploadRow } from '@bmet/db/schema';
import { and, eq, inArray, isNull, lt, notExists, sql } from 'drizzle-orm';
import { logAction } from './moderation.ts';
import type { BlobStore, Blob } from '../lib/uploads/store.ts';

/** `/api/v1/uploads/<key>` anywhere in a post's markdown (relative or behind PUBLIC_URL). */
const UPLOAD_URL = /\/api\/v1\/uploads\/([A-Za-z0-9_-]{24})(?![A-Za-z0-9_-])/g;

export const uploadUrl = (key: string) => `/api/v1/uploads/${key}`;
export const thumbnailUrl = (key: string) => `/api/v1/uploads/${key}/thumb`;

export function uploadKeysIn(markdown: string): string[] {
  const keys = new Set<string>();
  for (const match of markdown.matchAll(UPLOAD_URL)) {
    keys.add(match[1]!);
    if (keys.size >= 50) break;
  }
  return [...keys];
}

export interface NewUpload {
  key: string;
  uploaderId: number;
  kind: 'image' | 'document';
  contentType: string;
  bytes: number;
  width: number | null;
  height: number | null;
  filename: string;
  sha256: string;
  phiKinds: string[];
  phiFindings: string | null;
}

/** The row and its bytes in one transaction (database store), or the bytes first and undone on failure (files). */
export async function createUpload(db: Db, store: BlobStore, input: NewUpload, blobs: Blob[]): Promise<UploadRow> {
  if (store.kind === 'files') await store.put(db, 0, input.key, blobs);
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx.insert(uploads).values(input).returning();
      if (row === undefined) throw new Error('upload insert returned nothing');
      if (store.kind === 'database') await store.put(tx, row.id, row.key, blobs);
      return row;
    });
  } catch (err) {
    if (store.kind === 'files') await store.remove(db, 0, input.key).catch(() => undefined);
    throw err;
  }
}

export async function getUploadByKey(db: Conn, key: string): Promise<UploadRow | null> {
  if (!/^[A-Za-z0-9_-]{24}$/.test(key)) return null;
  const [row] = await db.select().from(uploads).where(eq(uploads.key, key));
  return row ?? null;
}

/**
 * Links the uploads a post's markdown names to the post, in the post's write transaction. A file
 * whose uploader confirmed it holds no patient data although the guard suspected some puts the
 * post in the moderators' queue (a `phi` report naming the file), as a confirmed post does.
 */
export async function linkUploads(tx: Conn, postId: number, markdown: string): Promise<void> {
  const keys = uploadKeysIn(markdown);
  if (keys.length === 0) return;
  const rows = await tx
    .select({ id: uploads.id, filename: uploads.filename, phiKinds: uploads.phiKinds })
    .from(uploads)
    .where(and(inArray(uploads.key, keys), isNull(uploads.deletedAt)))
    // Held until the post commits, so the sweep of unused uploads (skip locked) cannot take them.
    .for('share');
  if (rows.length === 0) return;
  await tx
    .insert(postUploads)
    .values(rows.map((r) => ({ postId, uploadId: r.id })))
    .onConflictDoNothing();
  const flagged = rows.filter((r) => r.phiKinds.length > 0);
  if (flagged.length === 0) return;
  const label = (kind: string) => (PHI_LABELS as Record<string, string>)[kind] ?? kind.replace(/_/g, ' ');
  const what = flagged.map((r) => `${r.filename} (${r.phiKinds.map(label).join(', ')})`).join('; ');
  await tx
    .insert(reports)
    .values({
      postId,
      reporterId: null,
      reason: 'phi',
      note: `uploader confirmed no patient data in an attached file; suspected: ${what}`.slice(0, 1000)
    })
    .onConflictDoNothing();
}

export interface FileOfPost {
  postId: number;
  key: string;
  kind: 'image' | 'document';
  contentType: string;
  filename: string;
  bytes: number;
  width: number | null;
  height: number | null;
  phiKinds: string[];
}

/** The live files of some posts (for the moderators' queue), in one query. */
export async function filesOfPosts(db: Conn, postIds: number[]): Promise<Map<number, FileOfPost[]>> {
  const out = new Map<number, FileOfPost[]>();
  if (postIds.length === 0) return out;
  const rows = await db
    .select({
      postId: postUploads.postId,
      key: uploads.key,
      kind: uploads.kind,
      contentType: uploads.contentType,
      filename: uploads.filename,
      bytes: uploads.bytes,
      width: uploads.width,
      height: uploads.height,
      phiKinds: uploads.phiKinds
    })
    .from(postUploads)
    .innerJoin(uploads, eq(uploads.id, postUploads.uploadId))
    .where(and(inArray(postUploads.postId, postIds), isNull(uploads.deletedAt)))
    .orderBy(postUploads.postId, uploads.id);
  for (const row of rows) {
    const list = out.get(row.postId) ?? [];
    list.push(row);
    out.set(row.postId, list);
  }
  return out;
}

/** The boards whose posts use an upload (board moderators may delete it). */
export async function boardsUsing(db: Conn, uploadId: number): Promise<number[]> {
  const rows = await db
    .selectDistinct({ boardId: boards.id })
    .from(postUploads)
    .innerJoin(posts, eq(posts.id, postUploads.postId))
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .where(eq(postUploads.uploadId, uploadId));
  return rows.map((r) => r.boardId);
}

/**
 * Deletes an upload's bytes and marks its row deleted (its URL answers 404 from then on). The
 * log entry, for a moderator's delete, lands in the same transaction.
 */
export async function deleteUpload(
  db: Db,
  store: BlobStore,
  upload: UploadRow,
  actorId: number,
  log: { boardId: number | null; reason: string | null } | null
): Promise<boolean> {
  const done = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(uploads)
      .set({ deletedAt: new Date(), deletedById: actorId })
      .where(and(eq(uploads.id, upload.id), isNull(uploads.deletedAt)))
      .returning({ id: uploads.id });
    if (row === undefined) return false;
    if (store.kind === 'database') await store.remove(tx, upload.id, upload.key);
    if (log !== null) {
      await logAction(tx, {
        actorId,
        action: 'upload.delete',
        targetType: 'upload',
        targetId: upload.key,
        reason: log.reason,
        boardId: log.boardId
      });
    }
    return true;
  });
  if (done && store.kind === 'files') await store.remove(db, upload.id, upload.key);
  return done;
}

/** Uploads no post has used within this long are removed. */
export const UNUSED_UPLOAD_MS = 24 * 60 * 60_000;

/** Removes up to `batch` uploads older than `olderThanMs` that no post uses; returns how many. */
export async function sweepUnusedUploads(db: Db, store: BlobStore, olderThanMs = UNUSED_UPLOAD_MS, batch = 200): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanMs);
  const removed = await db.transaction(async (tx) => {
    const victims = await tx
      .select({ id: uploads.id, key: uploads.key })
      .from(uploads)
      .where(
        and(
          lt(uploads.createdAt, cutoff),
          notExists(
            tx
              .select({ one: sql`1` })
              .from(postUploads)
              .where(eq(postUploads.uploadId, uploads.id))
          )
        )
      )
      .limit(batch)
      .for('update', { skipLocked: true });
    if (victims.length === 0) return [];
    // upload_blobs and post_uploads go with the rows (on delete cascade).
    await tx.delete(uploads).where(
      inArray(
        uploads.id,
        victims.map((v) => v.id)
      )
    );
    return victims;
  });
  if (store.kind === 'files') {
    for (const victim of removed) await store.remove(db, victim.id, victim.key).catch(() => undefined);
  }
  return removed.length;
}
