import type { Conn, Database } from '@bmet/db/client';
import { uploadBlobs } from '@bmet/db/schema';
import { and, eq } from 'drizzle-orm';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export type Variant = 'file' | 'thumb';

export interface Blob {
  variant: Variant;
  contentType: string;
  data: Buffer;
}

/**
 * Where an upload's bytes live. On PostgreSQL they are rows of upload_blobs, written in the
 * upload's own transaction, so every instance on the database serves them and a backup holds
 * them. On PGlite (one process, and its WASM heap is no place for megabytes) they are files
 * under DATA_DIR/uploads, written before the row and removed when the row is not.
 */
export interface BlobStore {
  readonly kind: 'database' | 'files';
  /** Stores the bytes: inside `tx` (database), or before it (files; `discard` undoes it). */
  put(tx: Conn, uploadId: number, key: string, blobs: Blob[]): Promise<void>;
  get(conn: Conn, uploadId: number, key: string, variant: Variant): Promise<Blob | null>;
  /** Removes the bytes (database: inside tx; files: call after the transaction committed). */
  remove(tx: Conn, uploadId: number, key: string): Promise<void>;
}

export class DatabaseBlobStore implements BlobStore {
  readonly kind = 'database' as const;

  async put(tx: Conn, uploadId: number, _key: string, blobs: Blob[]): Promise<void> {
    await tx.insert(uploadBlobs).values(blobs.map((b) => ({ uploadId, variant: b.variant, contentType: b.contentType, data: b.data })));
  }

  async get(conn: Conn, uploadId: number, _key: string, variant: Variant): Promise<Blob | null> {
    const [row] = await conn
      .select({ contentType: uploadBlobs.contentType, data: uploadBlobs.data })
      .from(uploadBlobs)
      .where(and(eq(uploadBlobs.uploadId, uploadId), eq(uploadBlobs.variant, variant)));
    return row === undefined ? null : { variant, ...row };
  }

  async remove(tx: Conn, uploadId: number): Promise<void> {
    await tx.delete(uploadBlobs).where(eq(uploadBlobs.uploadId, uploadId));
  }
}

const KEY = /^[A-Za-z0-9_-]{16,64}$/;

export class FileBlobStore implements BlobStore {
  readonly kind = 'files' as const;
  constructor(private readonly dir: string) {}

  private path(key: string, variant: Variant): string {
    // Keys are made by the server (base64url); checked again so no path can come from outside.
    if (!KEY.test(key)) throw new Error('invalid upload key');
    return join(this.dir, key.slice(0, 2), `${key}.${variant}`);
  }

  async put(_tx: Conn, _uploadId: number, key: string, blobs: Blob[]): Promise<void> {
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    for (const blob of blobs) {
      const target = this.path(key, blob.variant);
      const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      // The content type goes first, on its own line, so a file is self-describing.
      await writeFile(temp, Buffer.concat([Buffer.from(blob.contentType + '\n'), blob.data]));
      await rename(temp, target);
    }
  }

  async get(_conn: Conn, _uploadId: number, key: string, variant: Variant): Promise<Blob | null> {
    let raw: Buffer;
    try {
      raw = await readFile(this.path(key, variant));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const nl = raw.indexOf(10);
    return { variant, contentType: raw.subarray(0, nl).toString(), data: raw.subarray(nl + 1) };
  }

  async remove(_tx: Conn, _uploadId: number, key: string): Promise<void> {
    await Promise.all((['file', 'thumb'] as const).map((v) => rm(this.path(key, v), { force: true })));
  }
}

export function blobStoreFor(database: Database, dir: string): BlobStore {
  return database.kind === 'pg' ? new DatabaseBlobStore() : new FileBlobStore(dir);
}
