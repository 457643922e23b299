import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import type { Database } from '@bmet/db/client';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { ErrorBody, PUBLIC_CACHE_CONTROL } from '@bmet/contracts';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerFactory
} from 'fastify';
import { HttpError } from './lib/http-error.ts';
import { trustFunction, type TrustProxy } from './lib/client-address.ts';
import { findNul, parseJsonBody } from './lib/json-body.ts';
import { SESSION_COOKIE } from './lib/session.ts';
import type { Limits } from './lib/rate-limit.ts';
import { LocalBus, type Bus } from './lib/bus.ts';
import type { PageCache } from './lib/page-cache.ts';
import type { ReplicaReads } from './lib/replica.ts';
import { SharedReads } from './lib/shared-reads.ts';
import { livePlugin, type LiveOptions } from './plugins/live.ts';
import { limitsPlugin, type LimitStore } from './plugins/limits.ts';
import { authPlugin } from './plugins/auth.ts';
import { dbPlugin } from './plugins/db.ts';
import { DEFAULT_MAIL, mailPlugin, type MailOptions } from './plugins/mail.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { authRoutes } from './routes/auth.ts';
import { accountRoutes } from './routes/account.ts';
import { emailRoutes } from './routes/email.ts';
import { twoFactorRoutes } from './routes/two-factor.ts';
import { passkeyRoutes } from './routes/passkeys.ts';
import { adminAccountRoutes } from './routes/admin-accounts.ts';
import { boardRoutes } from './routes/boards.ts';
import { healthRoutes } from './routes/health.ts';
import { equipmentRoutes } from './routes/equipment.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { postRoutes } from './routes/posts.ts';
import { userRoutes } from './routes/users.ts';
import { watchRoutes } from './routes/watches.ts';
import { moderationRoutes } from './routes/moderation.ts';
import { adminRoutes } from './routes/admin.ts';
import { threadRoutes } from './routes/threads.ts';
import { draftRoutes } from './routes/drafts.ts';
import { searchRoutes } from './routes/search.ts';
import { DEFAULT_TUNING, type SearchTuning } from './domain/search.ts';
import { DEFAULT_UPLOAD_LIMITS, uploadRoutes, type UploadLimits } from './routes/uploads.ts';
import { sweepUnusedUploads } from './domain/uploads.ts';
import { blobStoreFor } from './lib/uploads/store.ts';
import { OcrPool } from './lib/uploads/read-text.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BODY_LIMIT = 1024 * 1024;

/**
 * Writes that change nothing an anonymous reader sees (signing in, reading positions, drafts,
 * one's own settings, uploads not yet in a post, watches): they keep the kept pages. Every other
 * successful write drops them.
 */
const PRIVATE_WRITES = new Set(
  [
    'auth/register',
    'auth/login',
    'auth/logout',
    'auth/two-factor',
    'auth/two-factor/passkey',
    'auth/two-factor/passkey/options',
    'auth/password/forgot',
    'auth/password/reset',
    'auth/verify-email',
    'threads/:id/read',
    'threads/:id/subscription',
    'notifications/read',
    'drafts/:key',
    'me/password',
    'me/sessions/:id',
    'me/email',
    'me/email/verification',
    'me/email-settings',
    'me/two-factor',
    'me/two-factor/setup',
    'me/two-factor/recovery-codes',
    'me/passkeys',
    'me/passkeys/options',
    'me/passkeys/:id',
    'email/unsubscribe',
    'uploads',
    'boards/:slug/watch',
    'equipment/models/:manufacturer/:model/watch'
  ].map((path) => `/api/v1/${path}`)
);

export interface AppOptions {
  database: Database;
  /** The process's pino logger (server.ts); tests run without one. */
  loggerInstance?: FastifyBaseLogger;
  secureCookies?: boolean;
  allowedOrigins?: string[];
  /** Proxies trusted for X-Forwarded-*: false, a hop count, or addresses (see lib/client-address.ts). */
  trustProxy?: TrustProxy;
  serverFactory?: FastifyServerFactory;
  /** The event bus between instances; an in-process one when absent. */
  bus?: Bus;
  /** The live hub's own database handle (a small pool of its own); the app's when absent. */
  liveDb?: Database['db'];
  /** Abuse limits; null or absent turns them off (RATE_LIMITS=off, and tests by default). */
  limits?: Limits | null;
  /** Where limits are counted: memory (default, one instance) or the rate_limits table (shared). */
  limitStore?: LimitStore;
  /** The live socket's limits (tests tighten or loosen them). */
  live?: Omit<LiveOptions, 'bus' | 'db'>;
  /** The thresholds of a search's paths (domain/search.ts); tests move them to take each path. */
  searchTuning?: Partial<SearchTuning>;
  /** Kept answers for anonymous readers (the one-port server's); dropped on every write readers would see. */
  pageCache?: PageCache;
  /** A streaming replica for reads that tolerate a little lag (DATABASE_REPLICA_URL). */
  replica?: ReplicaReads;
  /** E-mail and background jobs (issue 12); no SMTP (the outbox) and the default timings when absent. */
  mail?: Partial<MailOptions>;
  uploads?: {
    /** Where PGlite's upload bytes go (DATA_DIR/uploads); PostgreSQL keeps them in the database. A temporary folder when absent. */
    dir?: string;
    limits?: Partial<UploadLimits>;
    /** Tesseract workers (OCR_WORKERS, default 1). */
    ocrWorkers?: number;
    /** The OCR pool (tests pass one whose timeout they shorten, to provoke a failure and the recovery). */
    ocr?: OcrPool;
    /** How often uploads no post used within a day are removed; 0 turns the sweep off (tests call it). */
    sweepIntervalMs?: number;
  };
}

function ajv(coerceTypes: boolean) {
  // Bodies are never coerced ("12" is not a number); query strings and params are.
  const instance = new Ajv.default({
    coerceTypes,
    useDefaults: true,
    removeAdditional: true,
    allErrors: true,
    verbose: true,
    strict: false
  });
  addFormats.default(instance);
  instance.addKeyword({ keyword: 'x-message', schemaType: 'string' });
  return instance;
}

function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'timeout', 'the request took too long to arrive']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'bad_request', 'the request headers are too large']
        : [400, 'Bad Request', 'bad_request', 'the request could not be read'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    );
  }
  socket.destroy();
}

/** The whole application: plugins, then routes. Tests build it without listening. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    trustProxy: options.trustProxy === undefined || options.trustProxy === false ? false : trustFunction(options.trustProxy),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Ids and slugs are opaque: a long one is simply unknown (404), not a framework error.
    routerOptions: { maxParamLength: 1000 },
    // Errors Fastify raises before routing (a malformed URL) still get the contract's body.
    frameworkErrors: (err, _request, reply) => {
      const body = { error: { code: 'bad_request', message: err.message.replace(/'[^']*'/g, 'the value') } };
      void (reply as FastifyReply).code(400).send(body);
    },
    // Requests the HTTP parser refuses (a body past a short Content-Length, broken headers, a
    // timeout) are answered in the contract's shape too, straight on the socket.
    clientErrorHandler: clientError,
    ...(options.serverFactory ? { serverFactory: options.serverFactory } : {})
  });
  // Every API route may answer 503 (the database is away) and 429 (abuse limits): say so in the
  // OpenAPI description, with the contract's error body.
  app.addHook('onRoute', (route) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (response === undefined || !route.url.startsWith('/api/v1')) return;
    response[503] ??= ErrorBody;
  });
  // Bounded nesting before parsing, so no later step (the NUL scan, validation) can recurse on it.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  const bodyAjv = ajv(false);
  const queryAjv = ajv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema));

  await app.register(errorsPlugin);
  // Before every other hook: @fastify/websocket marks upgrade requests in an onRequest hook and
  // closes their socket when they are answered with HTTP instead (a 401, 403, 429 or 503 from a
  // later hook). Registered after the auth hook, a refused upgrade would leave its socket open.
  await app.register(websocket, { options: { maxPayload: options.live?.maxFrameBytes ?? 4096 } });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'BMET Forum API',
        version: '1.0.0',
        description:
          'The public API of the forum for biomedical equipment technicians, clinical and biomedical engineers. ' +
          'Authenticate with the session cookie (writes need a same-origin Origin) or `Authorization: Bearer <token>`.'
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'session' }
        }
      }
    }
  });
  await app.register(dbPlugin, { database: options.database });
  await app.register(limitsPlugin, { limits: options.limits ?? null, store: options.limitStore ?? 'memory' });
  await app.register(mailPlugin, { ...options.mail, config: options.mail?.config ?? DEFAULT_MAIL });
  await app.register(authPlugin, {
    secureCookies: options.secureCookies ?? false,
    allowedOrigins: options.allowedOrigins ?? []
  });

  // PostgreSQL text cannot hold NUL: refuse it anywhere in the input instead of failing in SQL.
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [
      ['body', request.body],
      ['query', request.query],
      ['params', request.params]
    ] as const) {
      const field = findNul(value);
      if (field !== null) {
        const name = field === '' ? part : field;
        throw new HttpError(400, 'validation_failed', `${name} must not contain NUL characters`, {
          [name]: 'must not contain NUL characters'
        });
      }
    }
  });

  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    void reply.header('x-content-type-options', 'nosniff');
    // Served over HTTPS in production (TLS here or at a trusted proxy): browsers keep to HTTPS.
    if (options.secureCookies === true && request.protocol === 'https') {
      void reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    }
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) {
      // What any anonymous reader gets alike may be kept a few seconds by a shared cache (nginx,
      // a CDN) and served stale while it asks again; anything else is no one's to keep.
      const anonymousRead =
        request.method === 'GET' &&
        reply.statusCode === 200 &&
        request.headers.authorization === undefined &&
        request.cookies[SESSION_COOKIE] === undefined;
      void reply.header('cache-control', anonymousRead ? PUBLIC_CACHE_CONTROL : 'no-store');
      if (anonymousRead) void reply.header('vary', 'Accept-Encoding, Authorization, Cookie');
    }
  });

  const bus = options.bus ?? new LocalBus();
  const pageCache = options.pageCache;
  const replica = options.replica;
  // Reads that tolerate a little lag: the replica once it holds what this reader must see.
  app.decorate('readDb', (request: FastifyRequest) => replica?.dbFor(request.user?.id ?? null) ?? app.db);
  // What is kept for every reader is loaded where an anonymous read would go: from the replica
  // only once it holds every write this instance knows of.
  app.decorate('sharedReadDb', () => replica?.dbFor(null) ?? app.db);
  const sharedReads = new SharedReads();
  app.decorate('sharedReads', sharedReads);
  /** What is kept for readers (whole anonymous answers, and the shared part of everyone's) goes. */
  const dropKept = () => {
    pageCache?.invalidate();
    sharedReads.invalidate();
  };
  // Every instance drops its kept pages and shared reads when any of them sees a write readers
  // would see, and sends the readers of that write (anonymous ones, and its writer) to the
  // primary until the replica has it.
  bus.onEvent((event) => {
    if (event.t !== 'stale') return;
    dropKept();
    replica?.wrote(event.u ?? null);
  });
  // The bus was deaf for a while: whatever other instances wrote meanwhile went unheard.
  bus.onResync(() => {
    dropKept();
    replica?.wrote(null);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || reply.statusCode >= 400) return;
    const userId = request.user?.id;
    if (PRIVATE_WRITES.has(request.routeOptions.url ?? '')) {
      // Only its writer must see it: on this instance, which they are likely to come back to.
      if (userId !== undefined) replica?.wroteOwn(userId);
      return;
    }
    dropKept();
    replica?.wrote(userId ?? null);
    app.publish([{ t: 'stale', ...(userId === undefined ? {} : { u: userId }) }]);
  });
  await app.register(livePlugin, {
    bus,
    ...(options.liveDb ? { db: options.liveDb } : {}),
    ...options.live
  });
  await app.register(healthRoutes);

  const uploadStore = blobStoreFor(options.database, options.uploads?.dir ?? join(tmpdir(), `bmet-uploads-${process.pid}-${randomUUID()}`));
  const ocr = options.uploads?.ocr ?? new OcrPool(options.uploads?.ocrWorkers ?? 1);
  const sweepEvery = options.uploads?.sweepIntervalMs ?? 15 * 60_000;
  let sweeping: NodeJS.Timeout | null = null;
  if (sweepEvery > 0) {
    sweeping = setInterval(() => {
      sweepUnusedUploads(app.db, uploadStore).catch((err: unknown) => app.log.warn({ err }, 'sweep of unused uploads failed'));
    }, sweepEvery);
    sweeping.unref();
  }
  app.addHook('onClose', async () => {
    if (sweeping !== null) clearInterval(sweeping);
    await ocr.close();
  });
  await app.register(
    async (api) => {
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      await api.register(authRoutes, { secureCookies: options.secureCookies ?? false });
      await api.register(accountRoutes);
      await api.register(emailRoutes);
      await api.register(twoFactorRoutes, { secureCookies: options.secureCookies ?? false });
      await api.register(passkeyRoutes, { secureCookies: options.secureCookies ?? false });
      await api.register(adminAccountRoutes);
      await api.register(boardRoutes);
      await api.register(threadRoutes);
      await api.register(draftRoutes);
      await api.register(searchRoutes, { tuning: { ...DEFAULT_TUNING, ...options.searchTuning } });
      await api.register(postRoutes);
      await api.register(equipmentRoutes);
      await api.register(userRoutes);
      await api.register(notificationRoutes);
      await api.register(watchRoutes);
      await api.register(moderationRoutes);
      await api.register(adminRoutes);
      await api.register(uploadRoutes, { store: uploadStore, ocr, limits: { ...DEFAULT_UPLOAD_LIMITS, ...options.uploads?.limits } });
    },
    { prefix: '/api/v1' }
  );

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: { code: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` } });
  });
  return app;
}
