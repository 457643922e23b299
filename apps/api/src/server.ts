import compression from 'compression';
import { existsSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase, type Database } from '@bmet/db/client';
import { isUnavailable } from '@bmet/db/errors';
import { migrate } from '@bmet/db/migrate';
import { buildApp } from './app.ts';
import { refoldEquipment } from './domain/equipment-merge.ts';
import { pino } from 'pino';
import { loadConfig } from './config.ts';
import { clientAddressOf, trustFunction, type TrustProxy } from './lib/client-address.ts';
import { deleteExpiredSessions } from './lib/session.ts';
import { deleteStaleDevices } from './lib/login-devices.ts';
import { LocalBus, PgBus, type Bus } from './lib/bus.ts';
import { PageCache, anonymousKey } from './lib/page-cache.ts';
import { SESSION_REF_HEADER } from './lib/session-refs.ts';
import { ReplicaReads } from './lib/replica.ts';

type WebHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const API_PATH = /^\/(api(\/|$)|healthz$|readyz$|healthz\?|readyz\?)/;

/** The header through which this server hands the web app the client's address (never taken from outside). */
const CLIENT_ADDRESS_HEADER = 'x-bmet-client-address';
const HSTS = 'max-age=31536000; includeSubDomains';

async function loadWebHandler(dir: string, trustProxy: TrustProxy): Promise<WebHandler | null> {
  const file = join(dir, 'handler.js');
  if (!existsSync(file)) return null;
  // adapter-node reads these when the handler loads. The scheme comes from x-forwarded-proto,
  // which this server sets itself unless a trusted proxy in front of it does; the client's
  // address from a header this server writes on every request (see the server factory).
  process.env.PROTOCOL_HEADER = 'x-forwarded-proto';
  process.env.ADDRESS_HEADER = CLIENT_ADDRESS_HEADER;
  if (trustProxy !== false) process.env.HOST_HEADER ??= 'x-forwarded-host';
  const mod = (await import(pathToFileURL(file).href)) as { handler: WebHandler };
  return mod.handler;
}

/** The last of a forwarded header's comma-separated values: the one the nearest proxy wrote. */
const lastValue = (value: string | string[] | undefined) =>
  (Array.isArray(value) ? value.join(',') : (value ?? '')).split(',').pop()?.trim() ?? '';

/**
 * What the web app is told of the scheme and host: a trusted proxy's word (its own, last
 * value), or else none at all: from any other peer X-Forwarded-Proto and -Host are dropped,
 * as Fastify ignores them for the API.
 */
function forwardedForWeb(req: IncomingMessage, trusted: boolean): void {
  const proto = trusted ? lastValue(req.headers['x-forwarded-proto']).toLowerCase() : '';
  req.headers['x-forwarded-proto'] = proto === 'https' || proto === 'http' ? proto : 'http';
  const host = trusted ? lastValue(req.headers['x-forwarded-host']) : '';
  if (host !== '') req.headers['x-forwarded-host'] = host;
  else delete req.headers['x-forwarded-host'];
}

async function main() {
  const config = loadConfig();
  const clientAddress = clientAddressOf(config.trustProxy);
  const trusted = config.trustProxy === false ? null : trustFunction(config.trustProxy);
  const peerIsProxy = (req: IncomingMessage) => trusted !== null && trusted(req.socket.remoteAddress ?? '', 0);
  // One logger for the process: Fastify's request logs and the bus's reconnects alike.
  const logger = pino({
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    serializers: {
      // Links carry their token in the query (one-click unsubscribe): it never reaches the logs.
      req: (req: { method?: string; url?: string; hostname?: string; ip?: string }) => ({
        method: req.method,
        url: (req.url ?? '').replace(/([?&]token=)[^&]*/g, '$1[redacted]'),
        host: req.hostname,
        remoteAddress: req.ip
      })
    }
  });
  if (config.databaseUrl === undefined) mkdirSync(config.dataDir, { recursive: true });
  const onConnectionError = (err: Error) => logger.warn({ err: err.message }, 'database connection lost; the pool replaces it');
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, onConnectionError });
  // Migrations hold a session's lock: through PgBouncer in transaction mode they take the direct
  // way in (DATABASE_LISTEN_URL), like the bus.
  const direct =
    config.databaseListenUrl !== undefined && config.databaseListenUrl !== config.databaseUrl
      ? await openDatabase({ url: config.databaseListenUrl, poolSize: 1, onConnectionError, applicationName: 'bmet-forum-migrate' })
      : database;
  await untilMigrated(direct, database, config.migrationsDir, logger);
  if (direct !== database) await direct.close();
  // Reads that tolerate a little lag go to a streaming replica once it holds what they must see.
  let replica: ReplicaReads | null = null;
  let replicaDatabase: Database | null = null;
  if (config.databaseReplicaUrl !== undefined) {
    replicaDatabase = await openDatabase({ url: config.databaseReplicaUrl, onConnectionError, applicationName: 'bmet-forum-replica' });
    replica = new ReplicaReads(database, replicaDatabase, logger);
    await replica.start();
  }

  const web = await loadWebHandler(config.webBuildDir, config.trustProxy);
  const compress = compression({ threshold: 1024 });
  // What anonymous readers get, rendered once and kept until a write changes it (lib/page-cache.ts).
  const pageCache = new PageCache();
  // Several instances can share PostgreSQL: events cross between them by LISTEN/NOTIFY, on a
  // connection of the bus's own; the live hub reads through a small pool of its own too.
  let bus: Bus = new LocalBus();
  let hub: Database | null = null;
  if (config.databaseUrl !== undefined) {
    const pgBus = new PgBus(config.databaseListenUrl ?? config.databaseUrl, logger);
    await pgBus.start();
    bus = pgBus;
    hub = await openDatabase({ url: config.databaseUrl, poolSize: 3, onConnectionError, applicationName: 'bmet-forum-live' });
  }
  const app = await buildApp({
    database,
    loggerInstance: logger,
    secureCookies: config.production,
    allowedOrigins: config.allowedOrigins,
    trustProxy: config.trustProxy,
    limits: config.limits,
    limitStore: config.rateLimitStore,
    bus,
    ...(hub === null ? {} : { liveDb: hub.db }),
    live: { maxSocketsPerAddress: config.liveSocketsPerAddress },
    pageCache,
    ...(replica === null ? {} : { replica }),
    mail: { config: config.mail, secretKey: config.secretKey },
    uploads: {
      dir: join(config.dataDir, 'uploads'),
      ocrWorkers: config.ocrWorkers,
      limits: { maxImageBytes: config.maxImageBytes, maxDocumentBytes: config.maxDocumentBytes }
    },
    // One port: the API and the live socket go to Fastify, every other path to SvelteKit.
    serverFactory: (fastifyHandler) =>
      createServer((req, res) => {
        // Only the web app in this process may name a session check to borrow (lib/session-refs.ts).
        delete req.headers[SESSION_REF_HEADER];
        const toWeb = web !== null && !API_PATH.test(req.url ?? '/');
        if (toWeb) {
          forwardedForWeb(req, peerIsProxy(req));
          // The same client address the API works out (right end of X-Forwarded-For behind a
          // trusted proxy), so the web app's per-address limits cannot be spoofed either.
          req.headers[CLIENT_ADDRESS_HEADER] = clientAddress(req);
          // Static assets (/_app) are served before SvelteKit's hooks run: their headers are set here.
          res.setHeader('x-content-type-options', 'nosniff');
          if (config.production && req.headers['x-forwarded-proto'] === 'https') {
            res.setHeader('strict-transport-security', HSTS);
          }
        }
        // One port: the API and the live socket go to Fastify, every other path to SvelteKit.
        const handle = (rq: IncomingMessage, rs: ServerResponse) =>
          toWeb ? web(rq, rs, () => fastifyHandler(rq, rs)) : fastifyHandler(rq, rs);
        // Anonymous reads are answered from what was rendered for the last reader, or rendered
        // once for all who ask at the same time; the cache compresses them itself.
        const key = anonymousKey(req);
        if (key !== null) {
          void pageCache.handle(req, res, key, handle);
          return;
        }
        // Everything else, compressed as the client asks (brotli or gzip); /_app files come
        // precompressed from the build and pass through untouched (already encoded).
        compress(req as never, res as never, () => handle(req, res));
      })
  });

  // SvelteKit's server code reaches the API in-process (no socket, no second parse of the URL).
  (globalThis as Record<string, unknown>).__bmetApi = async (req: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
  }) => {
    // The web app names the client it serves (its getClientAddress, from the header above):
    // that is the peer of this in-process request, with no forwarding headers to re-read.
    const { 'x-forwarded-for': forwarded, ...headers } = req.headers;
    const res = await app.inject({
      method: req.method as 'GET',
      url: req.url,
      headers,
      ...(req.body === undefined ? {} : { payload: req.body }),
      ...(forwarded ? { remoteAddress: forwarded } : {})
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  };

  // PGlite runs no autovacuum, so nothing else refreshes the planner's statistics there:
  // ANALYZE at start, then once per interval in which something was written.
  if (database.pglite !== null) {
    const pglite = database.pglite;
    let writes = 0;
    app.addHook('onResponse', async (request, reply) => {
      if (request.method !== 'GET' && reply.statusCode < 300) writes += 1;
    });
    const analyze = async () => {
      if (writes === 0) return;
      writes = 0;
      await pglite.exec('ANALYZE').catch((err: unknown) => app.log.warn({ err }, 'ANALYZE failed'));
    };
    await pglite.exec('ANALYZE');
    setInterval(() => void analyze(), config.analyzeIntervalMs).unref();
  }

  // Sessions that are never presented again would otherwise stay forever.
  const sweep = () =>
    Promise.all([deleteExpiredSessions(database.db), deleteStaleDevices(database.db)]).catch((err: unknown) =>
      app.log.warn({ err }, 'session sweep failed')
    );
  await sweep();
  setInterval(() => void sweep(), 60 * 60_000).unref();

  const close = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    // Whatever happens while closing, the process ends: within 10 s, and with 1 on a failure.
    setTimeout(() => process.exit(1), 10_000).unref();
    let code = 0;
    for (const step of [
      () => app.close(),
      () => replica?.close(),
      () => replicaDatabase?.close(),
      () => hub?.close(),
      () => database.close()
    ]) {
      try {
        await step();
      } catch (err) {
        code = 1;
        app.log.error({ err }, 'shutdown step failed');
      }
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void close('SIGINT'));
  process.once('SIGTERM', () => void close('SIGTERM'));

  if (config.mail.smtpUrl === undefined) {
    app.log.info('no SMTP_URL: e-mails are kept in the outbox for admins (/admin/outbox), none leaves this machine');
  }
  if (config.secretKey === undefined && database.kind === 'pg') {
    app.log.warn(
      'no SECRET_KEY: two-factor keys are sealed with a key kept in the database; set SECRET_KEY so a copy of the database alone cannot read them'
    );
  }
  if (config.limits === null) app.log.info('abuse limits are off (RATE_LIMITS=off)');
  else if (config.rateLimitStore === 'memory' && database.kind === 'pg') {
    app.log.warn('abuse limits are counted in memory (RATE_LIMIT_STORE=memory): each instance counts on its own');
  }

  await app.listen({ port: config.port, host: config.host });
  app.log.info({ database: database.kind, web: web !== null ? config.webBuildDir : 'not built (API only)' }, 'forum ready');
}

/**
 * Migrations need the database: wait for it (a container started beside its database, a
 * failover) instead of exiting, trying again with backoff and saying so.
 */
async function untilMigrated(direct: Database, database: Database, folder: string, logger: pino.Logger): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await migrate(direct, folder);
      await refold(database, logger);
      return;
    } catch (err) {
      if (!isUnavailable(err)) throw err;
      const delay = Math.min(500 * 2 ** attempt, 10_000);
      logger.warn({ err: err instanceof Error ? err.message : err, retryInMs: delay }, 'waiting for the database');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/**
 * Records whose names a newer slugify() folds to one key become one (a no-op when none). A
 * failure here is logged and the forum starts anyway: the records stay as they were, apart.
 */
async function refold(database: Database, logger: pino.Logger): Promise<void> {
  try {
    const refolded = await refoldEquipment(database.db);
    if (refolded.manufacturers + refolded.models > 0) logger.info(refolded, 'equipment records folded to their new keys');
  } catch (err) {
    if (isUnavailable(err)) throw err;
    logger.error({ err: err instanceof Error ? err.message : err }, 'equipment records could not be folded; they stay apart');
  }
}

// A promise nobody awaited must not end the process (Node's default); it is a bug to log.
process.on('unhandledRejection', (reason) => {
  console.error('unhandled rejection:', reason instanceof Error ? (reason.stack ?? reason.message) : reason);
});

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
