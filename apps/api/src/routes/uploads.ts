import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, UploadResult, type Upload } from '@bmet/contracts';
import type { UploadRow } from '@bmet/db/schema';
import { describePhi, findPhi } from '@bmet/phi';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { HttpError, forbidden, notFound } from '../lib/http-error.ts';
import { requireUser } from '../plugins/auth.ts';
import { moderationScope, reasonFrom } from '../domain/moderation.ts';
import { boardsUsing, createUpload, deleteUpload, getUploadByKey, thumbnailUrl, uploadUrl } from '../domain/uploads.ts';
import {
  ACCEPTED,
  DEFAULT_IMAGE_LIMITS,
  SNIFF_BYTES,
  processImage,
  sniff,
  type Detected,
  type ImageLimits
} from '../lib/uploads/inspect.ts';
import { pdfText, type OcrPool } from '../lib/uploads/read-text.ts';
import type { Blob, BlobStore, Variant } from '../lib/uploads/store.ts';
import { NEW_ACCOUNT_MS } from '../lib/rate-limit.ts';

export interface UploadLimits {
  maxImageBytes: number;
  maxDocumentBytes: number;
  /** Accounts younger than a day get these instead. */
  newAccountMaxImageBytes: number;
  newAccountMaxDocumentBytes: number;
  image: ImageLimits;
}

const MB = 1024 * 1024;
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxImageBytes: 10 * MB,
  maxDocumentBytes: 20 * MB,
  newAccountMaxImageBytes: 5 * MB,
  newAccountMaxDocumentBytes: 5 * MB,
  image: DEFAULT_IMAGE_LIMITS
};

export interface UploadRouteOptions {
  store: BlobStore;
  ocr: OcrPool;
  limits: UploadLimits;
}

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  422: ErrorBody,
  429: ErrorBody
};

const invalidFile = (message: string) => new HttpError(400, 'validation_failed', message, { file: message });
const megabytes = (n: number) => `${Math.round((n / MB) * 10) / 10} MB`;

/**
 * The name a file was sent with, as we keep it: a plain name of at most 255 characters. A path,
 * a control character or an overlong name is refused (nothing is stored) rather than quietly
 * rewritten, so a client learns that it sent something odd.
 */
function cleanFilename(raw: string): string {
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw invalidFile('the file name must not contain control characters');
  if (/[\\/]/.test(raw) || raw === '.' || raw === '..') throw invalidFile('the file name must be a name, not a path');
  const name = raw.normalize('NFC').trim();
  if (name.length > 255) throw invalidFile('the file name must be at most 255 characters');
  return name === '' ? 'upload' : name;
}

/** The extension a stored file is offered under, from its real type. */
function withExtension(name: string, contentType: string): string {
  const ext = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'application/pdf': 'pdf' }[contentType] ?? 'bin';
  const base = name.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  return `${base.slice(0, 120)}.${ext}`;
}

/** Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 8187). */
function disposition(type: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** Reads a file part up to `max` bytes; refuses a type we do not take as soon as its first bytes are in. */
async function readPart(stream: Readable, maxFor: (d: Detected) => number): Promise<{ bytes: Buffer; detected: Detected }> {
  const chunks: Buffer[] = [];
  let length = 0;
  let detected: Detected | null = null;
  let max = Infinity;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    length += chunk.length;
    if (detected === null && length >= SNIFF_BYTES) {
      detected = await sniff(Buffer.concat(chunks));
      if (detected === null) throw unsupported();
      max = maxFor(detected);
    }
    if (length > max || (stream as Readable & { truncated?: boolean }).truncated === true) throw tooLarge(detected!, max);
  }
  if (length === 0) throw invalidFile('the file is empty');
  const bytes = Buffer.concat(chunks, length);
  if (detected === null) {
    detected = await sniff(bytes);
    if (detected === null) throw unsupported();
    if (length > maxFor(detected)) throw tooLarge(detected, maxFor(detected));
  }
  if ((stream as Readable & { truncated?: boolean }).truncated === true) throw tooLarge(detected, maxFor(detected));
  return { bytes, detected };
}

const unsupported = () =>
  new HttpError(415, 'unsupported_media_type', `this kind of file is not taken; send ${ACCEPTED}`, { file: `not one of ${ACCEPTED}` });
const tooLarge = (detected: Detected, max: number) =>
  new HttpError(413, 'too_large', `${detected.kind === 'image' ? 'images' : 'PDFs'} may be at most ${megabytes(max)}`, {
    file: `over ${megabytes(max)}`
  });

export function toUpload(row: UploadRow): Upload {
  return {
    id: row.key,
    url: uploadUrl(row.key),
    contentType: row.contentType,
    bytes: row.bytes,
    width: row.width,
    height: row.height,
    thumbnailUrl: row.kind === 'image' ? thumbnailUrl(row.key) : null,
    kind: row.kind,
    filename: row.filename,
    phiKinds: row.phiKinds
  };
}

const KeyParams = Type.Object({ key: Type.String() });

export const uploadRoutes: FastifyPluginAsyncTypebox<UploadRouteOptions> = async (app, { store, ocr, limits }) => {
  const largest = Math.max(limits.maxImageBytes, limits.maxDocumentBytes);
  await app.register(multipart, {
    // Checked again per type while the file streams in (readPart): these are the outer walls.
    limits: { fileSize: largest + 1, files: 1, fields: 4, parts: 6, fieldSize: 1000, fieldNameSize: 100, headerPairs: 20 },
    // Without it busboy keeps only the last path segment, and a name with a path would pass as clean.
    preservePath: true,
    throwFileSizeLimit: false
  });

  app.post(
    '/uploads',
    {
      schema: {
        tags: ['uploads'],
        summary: 'Upload a photo or a PDF (multipart/form-data: a part named file, optionally confirmNoPhi=true)',
        consumes: ['multipart/form-data'],
        response: { 201: UploadResult, ...errors }
      }
    },
    async (request, reply) => {
      const user = requireUser(request);
      if (!request.isMultipart()) {
        throw new HttpError(415, 'unsupported_media_type', 'send the file as multipart/form-data with a part named file');
      }
      await app.limit(request, 'upload');
      const young = Date.now() - user.createdAt.getTime() < NEW_ACCOUNT_MS;
      const maxFor = (d: Detected) =>
        d.kind === 'image'
          ? young
            ? Math.min(limits.newAccountMaxImageBytes, limits.maxImageBytes)
            : limits.maxImageBytes
          : young
            ? Math.min(limits.newAccountMaxDocumentBytes, limits.maxDocumentBytes)
            : limits.maxDocumentBytes;

      let file: { bytes: Buffer; detected: Detected; filename: string } | null = null;
      let confirmed = false;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file')
              throw invalidFile(`the file must be sent in a part named file, not "${part.fieldname.slice(0, 40)}"`);
            const filename = cleanFilename(part.filename);
            file = { ...(await readPart(part.file, maxFor)), filename };
          } else if (part.fieldname === 'confirmNoPhi') {
            const value = String(part.value);
            if (value !== 'true' && value !== 'false')
              throw new HttpError(400, 'validation_failed', 'confirmNoPhi must be true or false', { confirmNoPhi: 'true or false' });
            confirmed = value === 'true';
          } else if (part.fieldname !== 'alt') {
            throw new HttpError(400, 'validation_failed', `unknown field "${part.fieldname.slice(0, 40)}"; send file and confirmNoPhi`);
          }
        }
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'FST_FILES_LIMIT') throw invalidFile('send one file per upload');
        if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
          throw new HttpError(400, 'validation_failed', 'too many parts; send file and confirmNoPhi');
        if (code === 'FST_PROTO_VIOLATION') throw new HttpError(400, 'validation_failed', 'that field name is not allowed');
        if (err instanceof HttpError) throw err;
        // busboy: a malformed or cut-off multipart body.
        throw new HttpError(400, 'bad_request', 'the multipart body could not be read');
      }
      if (file === null) throw invalidFile('send the file in a part named file');

      const { bytes, detected } = file;
      let blobs: Blob[];
      let text: string;
      let width: number | null = null;
      let height: number | null = null;
      let contentType: string;
      if (detected.kind === 'image') {
        const image = await processImage(bytes, detected, limits.image);
        blobs = [
          { variant: 'file', ...image.file },
          { variant: 'thumb', ...image.thumb }
        ];
        width = image.width;
        height = image.height;
        contentType = image.file.contentType;
        text = await ocr.read(image.ocrPasses);
      } else {
        text = (await pdfText(bytes)).text;
        contentType = 'application/pdf';
        blobs = [{ variant: 'file', contentType, data: bytes }];
      }

      // The two OCR passes often read the same line: one finding per kind and text.
      const seen = new Set<string>();
      const findings = findPhi(text).filter((f) => {
        const key = `${f.kind}\u0000${f.excerpt.toLowerCase()}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      if (findings.length > 0 && !confirmed) {
        throw new HttpError(
          422,
          'phi_suspected',
          `this ${detected.kind === 'image' ? 'picture' : 'document'} looks like it shows patient data; crop or redact it, or resend with confirmNoPhi=true if it does not`,
          { file: describePhi(findings) },
          undefined,
          { phi: findings.map((f) => ({ ...f, field: 'file' })) }
        );
      }
      const stored = blobs[0]!.data;
      const row = await createUpload(
        app.db,
        store,
        {
          key: randomBytes(18).toString('base64url'),
          uploaderId: user.id,
          kind: detected.kind,
          contentType,
          bytes: stored.length,
          width,
          height,
          filename: withExtension(file.filename, contentType),
          sha256: createHash('sha256').update(stored).digest('base64url'),
          phiKinds: [...new Set(findings.map((f) => f.kind))],
          phiFindings:
            findings.length === 0
              ? null
              : JSON.stringify(findings.map(({ kind, start, end, line, excerpt }) => ({ kind, start, end, line, excerpt })))
        },
        blobs
      );
      return reply.code(201).send({ upload: toUpload(row) });
    }
  );

  const serve =
    (variant: Variant) =>
    async (request: { params: { key: string }; headers: Record<string, string | string[] | undefined> }, reply: FastifyReply) => {
      const upload = await getUploadByKey(app.db, request.params.key);
      if (upload === null || upload.deletedAt !== null || (variant === 'thumb' && upload.kind !== 'image')) throw notFound('upload');
      const etag = `"${upload.sha256}${variant === 'thumb' ? '-t' : ''}"`;
      // Never a page of ours: no scripts, no plugins, a sandbox even if a browser renders it.
      void reply
        .header('content-security-policy', "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox")
        .header('cross-origin-resource-policy', 'same-origin')
        .header('etag', etag)
        // Short: a file a moderator deletes leaves shared caches within minutes.
        .header('cache-control', 'public, max-age=300');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      const blob = await store.get(app.db, upload.id, upload.key, variant);
      if (blob === null) throw notFound('upload');
      const name = variant === 'thumb' ? upload.filename.replace(/\.[a-z]+$/, '-thumb.webp') : upload.filename;
      return reply
        .type(blob.contentType)
        .header('content-disposition', disposition(upload.kind === 'document' ? 'attachment' : 'inline', name))
        .send(blob.data);
    };

  app.get('/uploads/:key', { schema: { tags: ['uploads'], params: KeyParams, response: { 404: ErrorBody } } }, serve('file'));
  app.get('/uploads/:key/thumb', { schema: { tags: ['uploads'], params: KeyParams, response: { 404: ErrorBody } } }, serve('thumb'));

  app.get(
    '/uploads/:key/info',
    { schema: { tags: ['uploads'], params: KeyParams, response: { 200: UploadResult, 404: ErrorBody } } },
    async (request) => {
      const upload = await getUploadByKey(app.db, request.params.key);
      if (upload === null || upload.deletedAt !== null) throw notFound('upload');
      return { upload: toUpload(upload) };
    }
  );

  app.delete(
    '/uploads/:key',
    { schema: { tags: ['uploads'], params: KeyParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const user = requireUser(request);
      const upload = await getUploadByKey(app.db, request.params.key);
      if (upload === null || upload.deletedAt !== null) throw notFound('upload');
      const used = await boardsUsing(app.db, upload.id);
      const scope = await moderationScope(app.db, user);
      const moderator = scope === 'all' || (scope !== null && (used.length === 0 ? false : used.some((b) => scope.has(b))));
      // The uploader may take back a file no post uses yet; once in a post, its moderators decide.
      const own = upload.uploaderId === user.id && used.length === 0;
      if (!moderator && !own)
        throw forbidden(
          used.length === 0
            ? 'only the uploader or a moderator may delete this file'
            : 'only a moderator of the boards that use this file may delete it'
        );
      await deleteUpload(
        app.db,
        store,
        upload,
        user.id,
        own ? null : { boardId: used.length === 1 ? used[0]! : null, reason: reasonFrom(request.body) }
      );
      return reply.code(204).send(null);
    }
  );
};
