import { openTestDatabase } from '@bmet/db/test-support';
import { uploadBlobs, uploads } from '@bmet/db/schema';
import { eq, sql } from 'drizzle-orm';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { defaultLimits } from '../src/lib/rate-limit.ts';
import { sweepUnusedUploads } from '../src/domain/uploads.ts';
import { DatabaseBlobStore, FileBlobStore } from '../src/lib/uploads/store.ts';
import { OcrPool } from '../src/lib/uploads/read-text.ts';
import { call, createThread, expectError, registerUser, reply, setRole, useApp } from './helper.ts';
import { fixture, upload } from './uploads-helper.ts';

const dir = mkdtempSync(join(tmpdir(), 'bmet-uploads-test-'));
const ctx = useApp({ uploads: { dir, sweepIntervalMs: 0 } });

/** A phone photo: JPEG with GPS, camera make and model, a comment, and "rotate 90°" in EXIF. */
async function phonePhoto(): Promise<Buffer> {
  return sharp(fixture('monitor-clean.png'))
    .resize(1200, 750)
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'Apple', Model: 'iPhone 15', Software: 'Hospital Camera 1.0', ImageDescription: 'room 412' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '40/1 44/1 5487/100', GPSLongitudeRef: 'W', GPSLongitude: '73/1 59/1 1234/100' }
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

async function countUploads(): Promise<number> {
  const [row] = await ctx.app.db.select({ n: sql<number>`count(*)::int` }).from(uploads);
  return row!.n;
}

describe('uploads', () => {
  it('re-encodes a phone photo without its GPS, camera or orientation tag, upright, with a thumbnail', async () => {
    const { token } = await registerUser(ctx.app);
    const photo = await phonePhoto();
    const before = await sharp(photo).metadata();
    expect(before.exif).toBeDefined();
    expect(before.orientation).toBe(6);
    const res = await upload(ctx.app, token, photo, { filename: 'IMG_2041.JPG' });
    expect(res.statusCode, res.body).toBe(201);
    const u = res.data.upload;
    expect(u).toMatchObject({ contentType: 'image/jpeg', kind: 'image', width: 750, height: 1200, filename: 'IMG_2041.jpg', phiKinds: [] });
    expect(u.url).toBe(`/api/v1/uploads/${u.id}`);
    expect(u.thumbnailUrl).toBe(`/api/v1/uploads/${u.id}/thumb`);

    const file = await ctx.app.inject({ method: 'GET', url: u.url });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-security-policy']).toContain('sandbox');
    expect(file.headers['content-disposition']).toMatch(/^inline; filename="IMG_2041.jpg"/);
    expect(file.rawPayload.length).toBe(u.bytes);
    const after = await sharp(file.rawPayload).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.comments ?? []).toEqual([]);
    expect(after.orientation).toBeUndefined();
    expect([after.width, after.height]).toEqual([750, 1200]);
    const bytes = file.rawPayload.toString('latin1');
    expect(bytes).not.toContain('iPhone');
    expect(bytes).not.toContain('room 412');

    const thumb = await ctx.app.inject({ method: 'GET', url: u.thumbnailUrl });
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    const t = await sharp(thumb.rawPayload).metadata();
    expect(Math.max(t.width!, t.height!)).toBe(480);

    const again = await ctx.app.inject({ method: 'GET', url: u.url, headers: { 'if-none-match': file.headers.etag as string } });
    expect(again.statusCode).toBe(304);
  });

  it('reads a monitor screen: a patient name and MRN are refused (nothing stored), an error code and a serial pass', async () => {
    const { token } = await registerUser(ctx.app);
    const count = await countUploads();
    const phi = await upload(ctx.app, token, fixture('monitor-phi.png'), { filename: 'screen.png', type: 'image/png' });
    expectError(phi, 422, 'phi_suspected');
    expect(phi.data.error.fields.file).toMatch(/GARCIA|MRN|00482913/);
    expect(phi.data.error.phi.length).toBeGreaterThan(0);
    expect(phi.data.error.phi.every((f: { field: string }) => f.field === 'file')).toBe(true);
    expect(await countUploads()).toBe(count);

    const clean = await upload(ctx.app, token, fixture('monitor-clean.png'), { filename: 'screen.png', type: 'image/png' });
    expect(clean.statusCode, clean.body).toBe(201);
    expect(clean.data.upload).toMatchObject({ contentType: 'image/png', width: 1280, height: 800, phiKinds: [] });
  });

  it('catches a printout with a patient label and a PDF naming a patient; a clean PDF is kept as sent and served as a download', async () => {
    const { token } = await registerUser(ctx.app);
    expectError(await upload(ctx.app, token, fixture('label-phi.jpg')), 422, 'phi_suspected');
    const pdf = await upload(ctx.app, token, fixture('report-phi.pdf'), { filename: 'report.pdf', type: 'application/pdf' });
    expectError(pdf, 422, 'phi_suspected');
    expect(pdf.data.error.fields.file).toMatch(/Whitfield|00739120/);

    const clean = await upload(ctx.app, token, fixture('report-clean.pdf'), { filename: 'Service report 4W.pdf', type: 'application/pdf' });
    expect(clean.statusCode, clean.body).toBe(201);
    expect(clean.data.upload).toMatchObject({
      contentType: 'application/pdf',
      kind: 'document',
      width: null,
      height: null,
      thumbnailUrl: null
    });
    const file = await ctx.app.inject({ method: 'GET', url: clean.data.upload.url });
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="Service report 4W.pdf"/);
    expect(file.headers['content-security-policy']).toContain('sandbox');
    expect(file.rawPayload.equals(fixture('report-clean.pdf'))).toBe(true);
    const thumb = await ctx.app.inject({ method: 'GET', url: `${clean.data.upload.url}/thumb` });
    expect(thumb.statusCode).toBe(404);
  });

  it('takes a suspected file after confirmNoPhi, and a post using it goes to the moderators with the file listed', async () => {
    const { token } = await registerUser(ctx.app);
    const res = await upload(ctx.app, token, fixture('monitor-phi.png'), { filename: 'screen.png', type: 'image/png', confirmNoPhi: true });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.data.upload.phiKinds.length).toBeGreaterThan(0);
    const { thread } = await createThread(ctx.app, token, { body: `Screen after the alarm:\n\n![monitor](${res.data.upload.url})` });
    const { token: mod, user: modUser } = await registerUser(ctx.app);
    await setRole(ctx.app, modUser.id, 'moderator');
    const queue = await call(ctx.app, 'GET', '/mod/reports?status=open', { token: mod });
    const report = queue.data.reports.find((r: { thread: { id: string } }) => r.thread.id === thread.id);
    expect(report).toMatchObject({ reason: 'phi', reporter: null });
    expect(report.note).toMatch(/screen\.png/);
    expect(report.files).toEqual([
      expect.objectContaining({
        id: res.data.upload.id,
        url: res.data.upload.url,
        thumbnailUrl: res.data.upload.thumbnailUrl,
        kind: 'image'
      })
    ]);
    expect(report.files[0].phiKinds.length).toBeGreaterThan(0);
    const page = await call(ctx.app, 'GET', `/threads/${thread.id}`);
    const html: string = page.data.posts[0].bodyHtml;
    expect(html).toContain(`<a href="${res.data.upload.url}" class="upload-image"`);
    expect(html).toContain(`<img src="${res.data.upload.url}/thumb" alt="monitor"`);
  });

  it('refuses wrong types, broken images, bombs and malformed multipart with a clear 4xx, storing nothing', async () => {
    const { token } = await registerUser(ctx.app);
    const count = await countUploads();
    const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'.padEnd(5000, ' '));
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>');
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(5000)]);
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(5000, 1)]);
    for (const [data, filename, type] of [
      [html, 'page.html', 'text/html'],
      [html, 'photo.jpg', 'image/jpeg'],
      [svg, 'diagram.svg', 'image/svg+xml'],
      [svg, 'diagram.png', 'image/png'],
      [elf, 'tool', 'application/octet-stream'],
      [exe, 'setup.exe', 'application/pdf']
    ] as const) {
      expectError(await upload(ctx.app, token, data, { filename, type }), 415, 'unsupported_media_type');
    }
    const jpeg = await sharp(fixture('monitor-clean.png')).jpeg().toBuffer();
    expectError(await upload(ctx.app, token, jpeg.subarray(0, Math.floor(jpeg.length / 2))), 400, 'validation_failed');
    const png = fixture('monitor-clean.png');
    const corrupt = Buffer.concat([png.subarray(0, 64), Buffer.alloc(6000, 0x5a)]);
    expectError(await upload(ctx.app, token, corrupt, { filename: 'x.png', type: 'image/png' }), 400, 'validation_failed');
    // 10,000 x 10,000 one-colour pixels: a few kilobytes that would decode to 100 megapixels.
    const bomb = await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#000' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const bombed = await upload(ctx.app, token, bomb, { filename: 'bomb.png', type: 'image/png' });
    expectError(bombed, 413, 'too_large');
    expect(bombed.data.error.message).toMatch(/megapixels/);
    expectError(await upload(ctx.app, token, Buffer.alloc(0)), 400, 'validation_failed');
    const pdfHead = fixture('report-clean.pdf').subarray(0, 6000);
    expectError(await upload(ctx.app, token, pdfHead, { filename: 'cut.pdf', type: 'application/pdf' }), 400, 'validation_failed');

    const small = fixture('monitor-clean.png');
    expectError(await upload(ctx.app, token, small, { parts: [{ name: 'confirmNoPhi', data: 'true' }] }), 400, 'validation_failed');
    const ten = Array.from({ length: 10 }, (_, i) => ({ name: 'file', filename: `s${i}.png`, type: 'image/png', data: small }));
    const many = await upload(ctx.app, token, small, { parts: ten });
    expectError(many, 400, 'validation_failed');
    expect(many.data.error.message).toMatch(/one file/);
    expectError(
      await upload(ctx.app, token, small, { parts: [{ name: 'photo', filename: 'a.png', type: 'image/png', data: small }] }),
      400,
      'validation_failed'
    );
    for (const filename of ['../../etc/passwd.png', 'C:\\Users\\tech\\screen.png', 'screen\u0000.png', 'x'.repeat(10_000) + '.png']) {
      expectError(await upload(ctx.app, token, small, { filename, type: 'image/png' }), 400, 'validation_failed');
    }
    expectError(
      await upload(ctx.app, token, small, {
        parts: [
          { name: 'file', filename: 'a.png', data: small },
          { name: 'confirmNoPhi', data: 'yes' }
        ]
      }),
      400,
      'validation_failed'
    );

    const json = await call(ctx.app, 'POST', '/uploads', { token, body: { file: 'aGVsbG8=' } });
    expectError(json, 415, 'unsupported_media_type');
    const cut = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=xyz' },
      payload: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nabc'
    });
    expect(cut.statusCode).toBeGreaterThanOrEqual(400);
    expect(cut.statusCode).toBeLessThan(500);
    expect(await countUploads()).toBe(count);
  });

  it('refuses an image over 10 MB and a PDF over 20 MB while they stream; new accounts get less', async () => {
    const { token, user } = await registerUser(ctx.app);
    const count = await countUploads();
    const jpegHead = await sharp(fixture('monitor-clean.png')).jpeg().toBuffer();
    const big = Buffer.concat([jpegHead, Buffer.alloc(11 * 1024 * 1024, 7)]);
    const res = await upload(ctx.app, token, big);
    expectError(res, 413, 'too_large');
    // The account is minutes old: its limit is 5 MB.
    expect(res.data.error.message).toMatch(/at most 5 MB/);
    const pdf = Buffer.concat([fixture('report-clean.pdf'), Buffer.alloc(6 * 1024 * 1024, 32)]);
    expectError(await upload(ctx.app, token, pdf, { filename: 'big.pdf', type: 'application/pdf' }), 413, 'too_large');
    await ctx.app.db.execute(sql`update users set created_at = now() - interval '2 days' where id = ${Number(user.id)}`);
    const older = await upload(ctx.app, token, big);
    expectError(older, 413, 'too_large');
    expect(older.data.error.message).toMatch(/at most 10 MB/);
    expect(await countUploads()).toBe(count);
  });

  it('asks who is uploading: anonymous 401, suspended 403', async () => {
    const small = fixture('monitor-clean.png');
    expectError(await upload(ctx.app, undefined, small, { filename: 'a.png' }), 401, 'unauthenticated');
    const { token, user } = await registerUser(ctx.app);
    await ctx.app.db.execute(
      sql`update users set suspended_until = now() + interval '1 day', suspension_reason = 'test' where id = ${Number(user.id)}`
    );
    expectError(await upload(ctx.app, token, small, { filename: 'a.png' }), 403, 'suspended');
  });

  it('lets a moderator delete a file: its bytes go, its URL answers 404; others may not', async () => {
    const { token: author } = await registerUser(ctx.app);
    const { token: other } = await registerUser(ctx.app);
    const { token: mod, user: modUser } = await registerUser(ctx.app);
    await setRole(ctx.app, modUser.id, 'moderator');
    const res = await upload(ctx.app, author, fixture('monitor-clean.png'), { filename: 'a.png' });
    const u = res.data.upload;
    const { thread } = await createThread(ctx.app, author, { body: `![screen](${u.url})` });
    expectError(await call(ctx.app, 'DELETE', `/uploads/${u.id}`, { token: other }), 403, 'forbidden');
    expectError(await call(ctx.app, 'DELETE', `/uploads/${u.id}`, { token: author }), 403, 'forbidden');
    expect((await call(ctx.app, 'DELETE', `/uploads/${u.id}`, { token: mod })).statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: u.url })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: u.thumbnailUrl })).statusCode).toBe(404);
    const [row] = await ctx.app.db.select().from(uploads).where(eq(uploads.key, u.id));
    expect(row!.deletedAt).not.toBeNull();
    const blobs = await ctx.app.db.select().from(uploadBlobs).where(eq(uploadBlobs.uploadId, row!.id));
    expect(blobs).toEqual([]);
    expect(existsSync(join(dir, u.id.slice(0, 2), `${u.id}.file`))).toBe(false);
    expectError(await call(ctx.app, 'DELETE', `/uploads/${u.id}`, { token: mod }), 404, 'not_found');
    void thread;

    // An uploader may take back a file no post uses yet.
    const mine = await upload(ctx.app, author, fixture('monitor-clean.png'), { filename: 'b.png' });
    expect((await call(ctx.app, 'DELETE', `/uploads/${mine.data.upload.id}`, { token: author })).statusCode).toBe(204);
  });

  it('removes uploads no post used within a day, and keeps the used ones', async () => {
    const { token } = await registerUser(ctx.app);
    const used = (await upload(ctx.app, token, fixture('monitor-clean.png'), { filename: 'a.png' })).data.upload;
    const unused = (await upload(ctx.app, token, fixture('monitor-clean.png'), { filename: 'b.png' })).data.upload;
    const fresh = (await upload(ctx.app, token, fixture('monitor-clean.png'), { filename: 'c.png' })).data.upload;
    const { thread } = await createThread(ctx.app, token);
    await reply(ctx.app, token, thread.id, `Here: ![a](${used.url})`);
    await ctx.app.db.execute(sql`update uploads set created_at = now() - interval '25 hours' where key in (${used.id}, ${unused.id})`);
    const store = process.env.DATABASE_URL ? new DatabaseBlobStore() : new FileBlobStore(dir);
    while ((await sweepUnusedUploads(ctx.app.db, store)) > 0);
    expect((await ctx.app.inject({ method: 'GET', url: used.url })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: unused.url })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: fresh.url })).statusCode).toBe(200);
    const keys = (await ctx.app.db.select({ key: uploads.key }).from(uploads)).map((r) => r.key);
    expect(keys).not.toContain(unused.id);
    if (!process.env.DATABASE_URL) {
      const files = readdirSync(join(dir, unused.id.slice(0, 2)));
      expect(files.some((f) => f.startsWith(unused.id))).toBe(false);
    }
  });
});

describe('an upload cut off by its client', () => {
  const live = useApp({ uploads: { sweepIntervalMs: 0 } });
  it('leaves the server answering and nothing stored when the socket closes mid-file', async () => {
    const { token } = await registerUser(live.app);
    const address = await live.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const png = fixture('monitor-clean.png');
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
            `Content-Type: multipart/form-data; boundary=cut\r\nContent-Length: ${png.length + 500}\r\n\r\n` +
            `--cut\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`
        );
        socket.write(png.subarray(0, 20_000));
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 200);
      });
      socket.on('error', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 300));
    const health = await fetch(`${address}/healthz`);
    expect(health.status).toBe(200);
    const [row] = await live.app.db.select({ n: sql<number>`count(*)::int` }).from(uploads);
    expect(row!.n).toBe(0);
    const after = await upload(live.app, token, png, { filename: 'a.png' });
    expect(after.statusCode).toBe(201);
  });
});

describe('uploads on two instances of one database', () => {
  it('a file uploaded through one instance is served by the other', async () => {
    const database = await openTestDatabase(process.env.DATABASE_URL);
    const shared = mkdtempSync(join(tmpdir(), 'bmet-uploads-shared-'));
    const one = await buildApp({ database, uploads: { dir: shared, sweepIntervalMs: 0 } });
    // On PostgreSQL the second instance has its own folder: the bytes must come from the database.
    const two = await buildApp({
      database,
      uploads: { dir: process.env.DATABASE_URL ? mkdtempSync(join(tmpdir(), 'bmet-other-')) : shared, sweepIntervalMs: 0 }
    });
    try {
      const { token } = await registerUser(one);
      const res = await upload(one, token, fixture('monitor-clean.png'), { filename: 'a.png' });
      expect(res.statusCode).toBe(201);
      const served = await two.inject({ method: 'GET', url: res.data.upload.url });
      expect(served.statusCode).toBe(200);
      expect(served.rawPayload.length).toBe(res.data.upload.bytes);
    } finally {
      await one.close();
      await two.close();
      await database.close();
    }
  });
});

describe('uploads when the text reader fails', () => {
  // A pool that gives up after 1 ms: every read times out, its workers are thrown away.
  const ocr = new OcrPool(1, 1);
  const broken = useApp({ uploads: { sweepIntervalMs: 0, ocr } });
  it('answers 503 and stores nothing when OCR cannot finish, then heals with a new pool', async () => {
    const { token } = await registerUser(broken.app);
    const res = await upload(broken.app, token, fixture('monitor-clean.png'), { filename: 'a.png' });
    expectError(res, 503, 'unavailable');
    expect(res.data.error.message).toMatch(/could not be checked for patient data/);
    const [row] = await broken.app.db.select({ n: sql<number>`count(*)::int` }).from(uploads);
    expect(row!.n).toBe(0);
    ocr.timeoutMs = 20_000;
    const healed = await upload(broken.app, token, fixture('monitor-clean.png'), { filename: 'a.png' });
    expect(healed.statusCode, healed.body).toBe(201);
  });
});

describe('upload rate limits', () => {
  const limited = useApp({
    uploads: { sweepIntervalMs: 0 },
    limits: { ...defaultLimits, newAccount: { ...defaultLimits.newAccount, upload: { max: 2, windowMs: 3_600_000 } } }
  });
  it('counts uploads per member, tighter for new accounts, before any work is done', async () => {
    const { token } = await registerUser(limited.app);
    const pdf = fixture('report-clean.pdf');
    for (let i = 0; i < 2; i++) expect((await upload(limited.app, token, pdf, { filename: 'r.pdf' })).statusCode).toBe(201);
    const res = await upload(limited.app, token, pdf, { filename: 'r.pdf' });
    expectError(res, 429, 'rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
