import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageCache, anonymousKey } from './page-cache.ts';

// A real HTTP server in front of a handler that counts its renders, as server.ts puts the cache
// in front of Fastify and SvelteKit.
let server: Server;
let base = '';
let renders = 0;
const cache = new PageCache();

function handler(req: IncomingMessage, res: ServerResponse): void {
  renders += 1;
  const url = new URL(req.url ?? '/', 'http://x');
  const body = `<!doctype html><p>${'page '.repeat(400)}${url.pathname} ${req.headers['accept-encoding'] ?? 'identity'}</p>`;
  const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
  if (url.pathname === '/private') headers['cache-control'] = 'private, no-cache';
  else headers['cache-control'] = 'public, max-age=0, s-maxage=10';
  if (url.pathname === '/cookie') headers['set-cookie'] = 'flash=; Max-Age=0';
  const delay = url.pathname === '/slow' ? 150 : 0;
  setTimeout(() => {
    res.writeHead(url.pathname === '/missing' ? 404 : 200, headers);
    res.write(body.slice(0, 100));
    res.end(body.slice(100));
  }, delay);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const key = anonymousKey(req);
    if (key === null) return handler(req, res);
    void cache.handle(req, res, key, handler);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

describe('PageCache', () => {
  it('renders a page once for every anonymous reader, at once or after, and compresses it itself', async () => {
    const before = renders;
    const answers = await Promise.all(Array.from({ length: 20 }, () => get('/slow')));
    expect(renders - before).toBe(1);
    expect(answers.every((r) => r.status === 200)).toBe(true);
    // The renderer was asked without Accept-Encoding: what is kept is the plain page.
    expect(await answers[0]!.text()).toContain('/slow identity');
    await get('/slow');
    expect(renders - before).toBe(1);

    // The same bytes in each encoding, compressed here (fetch decodes; read the raw bytes).
    const raw = async (encoding: string) => {
      const res = await new Promise<IncomingMessage>((resolve) =>
        import('node:http').then((http) => http.get(`${base}/slow`, { headers: { 'accept-encoding': encoding } }, resolve))
      );
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      return { encoding: res.headers['content-encoding'], vary: res.headers.vary, body: Buffer.concat(chunks) };
    };
    const br = await raw('gzip, deflate, br');
    expect(br.encoding).toBe('br');
    expect(br.vary).toBe('Accept-Encoding');
    expect(brotliDecompressSync(br.body).toString()).toContain('/slow identity');
    const gz = await raw('gzip');
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toContain('/slow identity');
    const none = await raw('br;q=0, gzip;q=0');
    expect(none.encoding).toBeUndefined();
    expect(renders - before).toBe(1);
  });

  it('answers 304 to the ETag it gave, without rendering', async () => {
    const first = await get('/etag');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const before = renders;
    const again = await get('/etag', { 'if-none-match': `W/${etag}, "other"` });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(renders).toBe(before);
  });

  it('keeps nothing private, with a cookie, or not a 200; and nothing for a signed-in reader', async () => {
    for (const path of ['/private', '/cookie', '/missing']) {
      const before = renders;
      await get(path);
      await get(path);
      expect(renders - before).toBe(2);
    }
    const before = renders;
    await get('/member', { cookie: 'session=abc.def' });
    await get('/member', { cookie: 'session=abc.def' });
    await get('/member', { authorization: 'Bearer abc.def' });
    expect(renders - before).toBe(3);
  });

  it('drops every kept page on a write, and never keeps a render that began before it', async () => {
    await get('/fresh');
    const before = renders;
    cache.invalidate();
    await get('/fresh');
    expect(renders - before).toBe(1);
    // A render in flight when a write lands is served to its readers but not kept.
    const slow = get('/slow?second');
    await new Promise((r) => setTimeout(r, 30));
    cache.invalidate();
    await slow;
    const after = renders;
    await get('/slow?second');
    expect(renders - after).toBe(1);
  });

  it('keys what every anonymous reader gets alike, and nothing personal', () => {
    const req = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
      ({ url, method, headers }) as unknown as IncomingMessage;
    expect(anonymousKey(req('/t/1'))).toBe('http system UTC /t/1');
    expect(anonymousKey(req('/t/1', { 'x-forwarded-proto': 'https' }))).toBe('https system UTC /t/1');
    expect(anonymousKey(req('/t/1', { cookie: 'tz=Europe%2FParis; theme=dark' }))).toBe('http dark Europe%2FParis /t/1');
    expect(anonymousKey(req('/t/1', { cookie: 'tz=<script>' }))).toBe('http system UTC /t/1');
    expect(anonymousKey(req('/t/1', { cookie: 'session=a.b' }))).toBeNull();
    expect(anonymousKey(req('/t/1', { cookie: 'flash_t=x' }))).toBeNull();
    expect(anonymousKey(req('/t/1', { authorization: 'Bearer x' }))).toBeNull();
    expect(anonymousKey(req('/t/1', {}, 'POST'))).toBeNull();
    for (const path of ['/readyz', '/_app/immutable/x.js', '/api/v1/live', '/api/v1/uploads/k', '/api/v1/me', '/api/v1/notifications']) {
      expect(anonymousKey(req(path))).toBeNull();
    }
    expect(anonymousKey(req('/api/v1/threads/4?cursor=x'))).toBe('http system UTC /api/v1/threads/4?cursor=x');
  });
});
