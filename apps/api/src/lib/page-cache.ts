import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';

/**
 * What anonymous readers get, rendered once: pages and API answers that say `Cache-Control:
 * public` are kept here (the body, and its brotli and gzip forms made on first need) until any
 * write that changes what readers see (Discourse's anonymous cache is the model). A thread that a
 * link sent a thousand readers to costs one render, then a lookup and a copy per reader; an
 * `If-None-Match` with its ETag costs not even the copy (304). Signed-in requests never come
 * here: they carry a session cookie or a bearer token.
 */
export interface CachedAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  etag: string;
  br?: Buffer;
  gzip?: Buffer;
}

export interface PageCacheOptions {
  /** How much memory the kept answers may take (their bodies and compressed forms). */
  maxBytes?: number;
  /** The longest an answer is kept, writes or not (a change no write announced: a role set from the CLI). */
  ttlMs?: number;
}

/** Answers smaller than this go uncompressed: the headers would outweigh the saving. */
const COMPRESS_FROM = 1024;
const COMPRESSIBLE = /^(text\/|application\/(json|xml|atom\+xml|javascript|manifest\+json))/;
const DROPPED = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'date', 'keep-alive', 'x-request-id']);

export class PageCache {
  private readonly answers: LRUCache<string, CachedAnswer>;
  /** Renders in flight: readers who ask meanwhile wait for the one render. */
  private readonly inflight = new Map<string, Promise<void>>();
  /** Moved by every invalidation: a render that began before one is not kept. */
  private generation = 0;
  hits = 0;
  misses = 0;

  constructor(options: PageCacheOptions = {}) {
    this.answers = new LRUCache<string, CachedAnswer>({
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (a) => a.body.length + (a.br?.length ?? 0) + (a.gzip?.length ?? 0) + 512,
      ttl: options.ttlMs ?? 60_000
    });
  }

  /** Something readers see changed: every kept answer goes. */
  invalidate(): void {
    this.generation += 1;
    this.answers.clear();
  }

  get size(): number {
    return this.answers.size;
  }

  /**
   * Serves an anonymous GET from the cache, or renders it once through `next` and keeps it when
   * the answer allows. `next` gets the request with `Accept-Encoding` taken away: what it writes
   * is kept as is, and compressed here.
   */
  async handle(req: IncomingMessage, res: ServerResponse, key: string, next: (req: IncomingMessage, res: ServerResponse) => void) {
    const kept = this.answers.get(key);
    if (kept !== undefined) {
      this.hits += 1;
      return serve(req, res, kept);
    }
    const pending = this.inflight.get(key);
    if (pending !== undefined) {
      await pending;
      const after = this.answers.get(key);
      if (after !== undefined) {
        this.hits += 1;
        return serve(req, res, after);
      }
    }
    this.misses += 1;
    const generation = this.generation;
    let finished: () => void = () => {};
    const render = new Promise<void>((resolve) => (finished = resolve));
    this.inflight.set(key, render);
    const acceptEncoding = req.headers['accept-encoding'];
    delete req.headers['accept-encoding'];
    capture(res, (status, headers, body) => {
      req.headers['accept-encoding'] = acceptEncoding;
      const answer = keepable(status, headers) ? toAnswer(status, headers, body) : null;
      if (answer !== null && generation === this.generation) this.answers.set(key, answer);
      this.inflight.delete(key);
      finished();
      if (answer !== null) serve(req, res, answer);
      else send(req, res, status, headers, body);
    });
    next(req, res);
  }
}

/** Kept when it is a whole answer the application marked public, and sets no cookie. */
function keepable(status: number, headers: OutgoingHttpHeaders): boolean {
  const cacheControl = String(headers['cache-control'] ?? '');
  return status === 200 && /\bpublic\b/.test(cacheControl) && headers['set-cookie'] === undefined;
}

function toAnswer(status: number, headers: OutgoingHttpHeaders, body: Buffer): CachedAnswer {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!DROPPED.has(name) && value !== undefined) kept[name] = value;
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { status, headers: { ...kept, etag }, body, etag };
}

/** Brotli when the client takes it, else gzip, else none. */
function encodingFor(req: IncomingMessage): 'br' | 'gzip' | null {
  const accepted = String(req.headers['accept-encoding'] ?? '').toLowerCase();
  const takes = (name: string) => new RegExp(`(^|,)\\s*${name}\\s*(;\\s*q=(?!0(\\.0*)?\\s*(,|$))[0-9.]+)?\\s*(,|$)`).test(accepted);
  if (takes('br')) return 'br';
  if (takes('gzip')) return 'gzip';
  return null;
}

function compress(encoding: 'br' | 'gzip', body: Buffer): Buffer {
  return encoding === 'br'
    ? brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : gzipSync(body, { level: 6 });
}

const varyWith = (headers: OutgoingHttpHeaders): string => {
  const vary = String(headers.vary ?? '');
  return /accept-encoding/i.test(vary) ? vary : vary === '' ? 'Accept-Encoding' : `${vary}, Accept-Encoding`;
};

function serve(req: IncomingMessage, res: ServerResponse, answer: CachedAnswer): void {
  const match = String(req.headers['if-none-match'] ?? '')
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''));
  if (match.includes(answer.etag)) {
    res.writeHead(304, {
      etag: answer.etag,
      'cache-control': String(answer.headers['cache-control'] ?? ''),
      vary: varyWith(answer.headers)
    });
    res.end();
    return;
  }
  const encoding =
    answer.body.length >= COMPRESS_FROM && COMPRESSIBLE.test(String(answer.headers['content-type'] ?? '')) ? encodingFor(req) : null;
  let body = answer.body;
  if (encoding !== null) {
    answer[encoding] ??= compress(encoding, answer.body);
    body = answer[encoding]!;
  }
  res.writeHead(answer.status, {
    ...answer.headers,
    vary: varyWith(answer.headers),
    ...(encoding === null ? {} : { 'content-encoding': encoding }),
    'content-length': body.length
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** An answer that is not kept: sent as it was written, compressed when it is worth it. */
function send(req: IncomingMessage, res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: Buffer): void {
  const encoding = body.length >= COMPRESS_FROM && COMPRESSIBLE.test(String(headers['content-type'] ?? '')) ? encodingFor(req) : null;
  const sent = encoding === null ? body : compress(encoding, body);
  for (const name of ['content-length', 'transfer-encoding']) res.removeHeader(name);
  res.writeHead(status, {
    ...(encoding === null ? {} : { 'content-encoding': encoding, vary: varyWith(headers) }),
    'content-length': sent.length
  });
  res.end(sent);
}

type Done = (status: number, headers: OutgoingHttpHeaders, body: Buffer) => void;

/**
 * Takes what a handler writes to `res` (status, headers, body) instead of sending it, then hands
 * it to `done` with the response's own methods back in place. Works for Fastify and SvelteKit's
 * adapter-node alike: both set headers, write and end.
 */
export function capture(res: ServerResponse, done: Done): void {
  const chunks: Buffer[] = [];
  let status: number | null = null;
  const { writeHead, write, end } = res;
  const toBuffer = (chunk: unknown, encoding: unknown): Buffer =>
    typeof chunk === 'string'
      ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
      : Buffer.from(chunk as Uint8Array);
  res.writeHead = function (this: ServerResponse, code: number, reason?: unknown, maybeHeaders?: unknown) {
    status = code;
    const headers = typeof reason === 'string' ? maybeHeaders : reason;
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) res.setHeader(String(headers[i]), headers[i + 1] as string);
    } else if (headers !== null && typeof headers === 'object') {
      for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value as string);
    }
    return this;
  } as typeof res.writeHead;
  res.write = function (chunk: unknown, encoding?: unknown, callback?: unknown) {
    if (chunk !== undefined && chunk !== null) chunks.push(toBuffer(chunk, encoding));
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (typeof cb === 'function') process.nextTick(cb as () => void);
    return true;
  } as typeof res.write;
  res.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown, callback?: unknown) {
    if (typeof chunk === 'function') {
      callback = chunk;
      chunk = undefined;
    }
    if (chunk !== undefined && chunk !== null) chunks.push(toBuffer(chunk, encoding));
    res.writeHead = writeHead;
    res.write = write;
    res.end = end;
    const headers = res.getHeaders();
    done(status ?? res.statusCode, headers, Buffer.concat(chunks));
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (typeof cb === 'function') process.nextTick(cb as () => void);
    return this;
  } as typeof res.end;
}

/** Paths never kept: probes, the live socket, files, static assets (they have their own caching). */
const NEVER = /^\/(healthz|readyz|_app\/|service-worker\.js|api\/v1\/(live|uploads\/|files\/|me\b|notifications|drafts|mod\/|admin\/))/;
/** Cookies that make a page someone's own: a session, a flash message, a sign-in halfway done. */
const PERSONAL_COOKIE = /(?:^|;\s*)(session|flash|flash_t|flash_p|pending_login)=/;

/**
 * The cache key of a request any anonymous reader would get the same answer to, or null: GETs
 * without a session (cookie or bearer), the scheme, the path and query, and the two cookies that
 * change a page for everyone alike: the colour scheme chosen in the header and the time zone the
 * browser told (times are rendered in it). A handful of zones covers a forum's readers.
 */
export function anonymousKey(req: IncomingMessage): string | null {
  if (req.method !== 'GET' || req.headers.authorization !== undefined || req.headers.upgrade !== undefined) return null;
  const url = req.url ?? '/';
  if (NEVER.test(url)) return null;
  const cookie = req.headers.cookie ?? '';
  if (PERSONAL_COOKIE.test(cookie)) return null;
  const theme = /(?:^|;\s*)theme=(light|dark)(?:;|$)/.exec(cookie)?.[1] ?? 'system';
  // The raw (URL-encoded) zone name; anything unlike one is rendered in UTC, so keyed alike.
  const zone = /(?:^|;\s*)tz=([A-Za-z0-9_+%-]{1,80})(?:;|$)/.exec(cookie)?.[1] ?? 'UTC';
  // Over HTTPS an answer carries HSTS and secure cookies' flags: kept apart from plain HTTP's.
  const scheme = String(req.headers['x-forwarded-proto'] ?? '').toLowerCase() === 'https' ? 'https' : 'http';
  return `${scheme} ${theme} ${zone} ${url}`;
}
