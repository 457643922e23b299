import { sql } from 'drizzle-orm';
import { customType, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt, id, ref, ts } from './columns.ts';
import { posts } from './posts.ts';
import { users } from './users.ts';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  // PGlite hands back a Uint8Array, pg a Buffer: callers always get a Buffer.
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength))
});

/**
 * A photo or document as the forum stores it: images re-encoded without their metadata, PDFs
 * as sent. `key` is the public, unguessable name in its URL; the bytes live in upload_blobs
 * (PostgreSQL) or under DATA_DIR/uploads (PGlite), see apps/api/src/lib/uploads/store.ts.
 */
export const uploads = pgTable(
  'uploads',
  {
    id: id(),
    key: text().notNull().unique(),
    uploaderId: ref()
      .notNull()
      .references(() => users.id),
    kind: text().$type<'image' | 'document'>().notNull(),
    contentType: text().notNull(),
    /** Size of the stored file served from the upload's url. */
    bytes: integer().notNull(),
    width: integer(),
    height: integer(),
    /** The name it was sent with, cleaned (no path, no control characters, at most 120 characters). */
    filename: text().notNull(),
    sha256: text().notNull(),
    /** What the patient-data guard saw in the file's text and the uploader confirmed was not patient data. */
    phiKinds: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    phiFindings: text(),
    createdAt: createdAt(),
    /** Set by a moderator's delete: the bytes are gone, the row answers 404 (410 for the record). */
    deletedAt: ts(),
    deletedById: ref().references(() => users.id)
  },
  (t) => [index('uploads_uploader_idx').on(t.uploaderId, t.createdAt), index('uploads_created_idx').on(t.createdAt)]
);
export type UploadRow = typeof uploads.$inferSelect;

/** The stored bytes, one row per variant ('file', 'thumb'), on PostgreSQL. */
export const uploadBlobs = pgTable(
  'upload_blobs',
  {
    uploadId: ref()
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' }),
    variant: text().$type<'file' | 'thumb'>().notNull(),
    contentType: text().notNull(),
    data: bytea().notNull()
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.variant] })]
);

/** Which posts use which uploads (kept in the post's write transaction). */
export const postUploads = pgTable(
  'post_uploads',
  {
    postId: ref()
      .notNull()
      .references(() => posts.id),
    uploadId: ref()
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' })
  },
  (t) => [primaryKey({ columns: [t.postId, t.uploadId] }), index('post_uploads_upload_idx').on(t.uploadId)]
);
