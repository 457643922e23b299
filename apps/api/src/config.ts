import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTrustProxy, type TrustProxy } from './lib/client-address.ts';
import { defaultLimits, userActions, type Limit, type Limits } from './lib/rate-limit.ts';

export interface Config {
  port: number;
  host: string;
  /** PGlite data directory (used when databaseUrl is undefined). */
  dataDir: string;
  databaseUrl: string | undefined;
  /**
   * DATABASE_LISTEN_URL: a direct connection to the primary for what needs a session of its own
   * (the bus's LISTEN, the migrations' lock) when DATABASE_URL goes through PgBouncer in
   * transaction mode. DATABASE_URL when unset.
   */
  databaseListenUrl: string | undefined;
  /** DATABASE_REPLICA_URL: a streaming replica for reads that tolerate a little lag (lib/replica.ts). */
  databaseReplicaUrl: string | undefined;
  production: boolean;
  rateLimits: boolean;
  /** The abuse limits, defaults overridden by RATE_LIMIT_<NAME>; null when RATE_LIMITS=off. */
  limits: Limits | null;
  /** Where limits are counted: postgres (shared by instances) by default with DATABASE_URL, else memory. */
  rateLimitStore: 'memory' | 'postgres';
  logLevel: string;
  /** Which proxies in front are trusted for the client's address, scheme and host (TRUST_PROXY). */
  trustProxy: TrustProxy;
  /** Extra origins (scheme://host[:port]) accepted for cookie writes besides the request's own host. */
  allowedOrigins: string[];
  /** PGlite only: how often to refresh planner statistics after writes. */
  analyzeIntervalMs: number;
  /** The built SvelteKit app (adapter-node); served for every non-API path when present. */
  webBuildDir: string;
  /** The SQL migrations: the build's copy when running compiled, the repository's from source. */
  migrationsDir: string;
  /** Live sockets one client address may hold (LIVE_SOCKETS_PER_ADDRESS). */
  liveSocketsPerAddress: number;
  /** Largest photo and PDF a member may upload (UPLOAD_MAX_IMAGE_MB, UPLOAD_MAX_PDF_MB). */
  maxImageBytes: number;
  maxDocumentBytes: number;
  /** Tesseract workers reading the text in uploaded pictures (OCR_WORKERS). */
  ocrWorkers: number;
  /** E-mail: links, sender, transport, signing, timing (issue 12). */
  mail: MailConfig;
  /** SECRET_KEY: the key that encrypts two-factor keys; generated and kept when unset. */
  secretKey: string | undefined;
}

export interface MailConfig {
  /** The origin put in links in e-mails (PUBLIC_URL), without a trailing slash. */
  publicUrl: string;
  /** The forum's name, in From and in subjects (FORUM_NAME). */
  forumName: string;
  /** The sender's address (MAIL_FROM). */
  from: string;
  /** smtp:// or smtps:// (SMTP_URL); undefined keeps every message in the admin's outbox. */
  smtpUrl: string | undefined;
  /** DKIM signing, when DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY are all set. */
  dkim: { domainName: string; keySelector: string; privateKey: string } | undefined;
  /** How long a notification may go unseen on the site before it is e-mailed (EMAIL_NOTIFY_DELAY_S). */
  notifyDelayMs: number;
}

const ADDRESS = /^[^\s@<>"(),;:]+@[^\s@<>"(),;:]+\.[^\s@<>"(),;:]+$/;

/** The mail settings of the environment; fails fast on a malformed one. */
export function parseMail(env: NodeJS.ProcessEnv, port: number, host: string): MailConfig {
  const rawUrl = env.PUBLIC_URL ?? '';
  let publicUrl = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  if (rawUrl !== '') {
    let parsed: URL;
    try {
      parsed = new URL(rawUrl);
    } catch {
      fail(`PUBLIC_URL must be an http:// or https:// origin, got "${rawUrl}"`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol)) fail(`PUBLIC_URL must be an http:// or https:// origin, got "${rawUrl}"`);
    publicUrl = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  }
  const smtpUrl = env.SMTP_URL === undefined || env.SMTP_URL === '' ? undefined : env.SMTP_URL;
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) {
    fail('SMTP_URL must look like smtp://user:pass@host:port (or smtps:// for TLS)');
  }
  const forumName = (env.FORUM_NAME ?? 'BMET Forum').trim();
  if (forumName === '' || forumName.length > 80 || /[\r\n"<>]/.test(forumName)) {
    fail('FORUM_NAME must be 1 to 80 characters without line breaks, quotes or angle brackets');
  }
  const hostname = new URL(publicUrl).hostname;
  const mailHost = /^[\d.]+$|^\[|:/.test(hostname) || !hostname.includes('.') ? 'localhost.localdomain' : hostname;
  const from = (env.MAIL_FROM ?? '').trim() || `no-reply@${mailHost}`;
  if (!ADDRESS.test(from)) fail(`MAIL_FROM must be a plain address like forum@example.org, got "${env.MAIL_FROM}"`);
  const dkimVars = [env.DKIM_DOMAIN, env.DKIM_SELECTOR, env.DKIM_PRIVATE_KEY].map((v) => (v ?? '').trim());
  const dkimSet = dkimVars.filter((v) => v !== '').length;
  if (dkimSet !== 0 && dkimSet !== 3) fail('DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY are set together or not at all');
  let dkim: MailConfig['dkim'];
  if (dkimSet === 3) {
    const [domainName, keySelector, keyOrPath] = dkimVars as [string, string, string];
    const privateKey = keyOrPath.includes('-----BEGIN') ? keyOrPath.replace(/\\n/g, '\n') : readKeyFile(keyOrPath);
    dkim = { domainName, keySelector, privateKey };
  }
  const delay = Number(env.EMAIL_NOTIFY_DELAY_S ?? 600);
  if (!Number.isFinite(delay) || delay < 0 || delay > 7 * 86_400)
    fail(`EMAIL_NOTIFY_DELAY_S must be a number of seconds from 0 to 604800, got "${env.EMAIL_NOTIFY_DELAY_S}"`);
  return { publicUrl, forumName, from, smtpUrl, dkim, notifyDelayMs: Math.round(delay * 1000) };
}

function readKeyFile(path: string): string {
  try {
    const text = readFileSync(path, 'utf8');
    if (!text.includes('-----BEGIN')) fail(`DKIM_PRIVATE_KEY: ${path} holds no PEM private key`);
    return text;
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('configuration:')) throw err;
    fail(`DKIM_PRIVATE_KEY must be a PEM private key or the path of a file holding one; ${path} could not be read`);
  }
}

// Set by the build (scripts/build.mjs) in the compiled server: its web app and migrations sit
// beside it in apps/api/dist/<build>/. From source (pnpm dev, tests), the repository's.
declare const __BMET_BUNDLED__: boolean | undefined;
const bundled = typeof __BMET_BUNDLED__ !== 'undefined';
const local = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const DEFAULTS = bundled
  ? { data: local('../../../../data'), web: local('./web'), migrations: local('./migrations') }
  : { data: local('../../../data'), web: local('../dist/current/web'), migrations: local('../../../migrations') };

function fail(message: string): never {
  throw new Error(`configuration: ${message}`);
}

type LimitName = Exclude<keyof Limits, 'newAccount'>;

/** RATE_LIMIT_<NAME> → where it goes in Limits. */
const LIMIT_VARS: Record<string, { name: LimitName; newAccount: boolean }> = {
  REGISTER: { name: 'register', newAccount: false },
  LOGIN: { name: 'login', newAccount: false },
  LOGIN_FAILURES: { name: 'loginFailures', newAccount: false },
  LOGIN_FAILURES_ACCOUNT: { name: 'loginFailuresAccount', newAccount: false },
  FORGOT_PASSWORD: { name: 'forgotPassword', newAccount: false },
  EMAIL_TO: { name: 'emailTo', newAccount: false },
  EMAIL_ACCOUNT: { name: 'emailAccount', newAccount: false },
  TWO_FACTOR: { name: 'twoFactor', newAccount: false },
  TWO_FACTOR_ACCOUNT: { name: 'twoFactorAccount', newAccount: false },
  ...Object.fromEntries(
    userActions.flatMap((action) => [
      [action.toUpperCase(), { name: action, newAccount: false }],
      [`NEW_${action.toUpperCase()}`, { name: action, newAccount: true }]
    ])
  )
};

function parseLimit(variable: string, value: string): Limit {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const max = Number(match?.[1]);
  const seconds = Number(match?.[2]);
  if (match === null || !Number.isSafeInteger(max) || max < 1 || !Number.isSafeInteger(seconds) || seconds < 1 || seconds > 366 * 86_400) {
    fail(`${variable} must be <max>/<seconds> with whole numbers of at least 1 (e.g. 30/600), got "${value}"`);
  }
  return { max, windowMs: seconds * 1000 };
}

/** The default limits with every RATE_LIMIT_<NAME>=<max>/<seconds> applied; unknown names fail. */
export function parseLimits(env: NodeJS.ProcessEnv): Limits {
  const limits: Limits = structuredClone(defaultLimits);
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith('RATE_LIMIT_') || variable === 'RATE_LIMIT_STORE' || value === undefined) continue;
    const target = LIMIT_VARS[variable.slice('RATE_LIMIT_'.length)];
    if (target === undefined) {
      const known = Object.keys(LIMIT_VARS).map((n) => `RATE_LIMIT_${n}`);
      fail(`unknown variable ${variable}; the limits are ${known.join(', ')} (and RATE_LIMITS, RATE_LIMIT_STORE)`);
    }
    if (value.trim() === '') continue;
    const limit = parseLimit(variable, value);
    if (target.newAccount) limits.newAccount[target.name as keyof Limits['newAccount']] = limit;
    else limits[target.name] = limit;
  }
  return limits;
}

/** Reads the environment once, at boot, and fails fast with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT must be 0-65535, got "${env.PORT}"`);
  const databaseUrl = env.DATABASE_URL === undefined || env.DATABASE_URL === '' ? undefined : env.DATABASE_URL;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    fail('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const otherUrl = (variable: string): string | undefined => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return undefined;
    if (databaseUrl === undefined) fail(`${variable} needs DATABASE_URL (it names another way to the same PostgreSQL)`);
    if (!/^postgres(ql)?:\/\//.test(raw)) fail(`${variable} must start with postgres:// or postgresql://`);
    return raw;
  };
  const databaseListenUrl = otherUrl('DATABASE_LISTEN_URL') ?? databaseUrl;
  const databaseReplicaUrl = otherUrl('DATABASE_REPLICA_URL');
  const rateLimits = (env.RATE_LIMITS ?? 'on').toLowerCase();
  if (!['on', 'off'].includes(rateLimits)) fail('RATE_LIMITS must be on or off');
  // Checked even when off, so a typo fails now rather than the day the limits are turned on.
  const limits = parseLimits(env);
  const store = (env.RATE_LIMIT_STORE ?? '').toLowerCase();
  if (!['', 'memory', 'postgres'].includes(store)) fail('RATE_LIMIT_STORE must be memory or postgres');
  if (store === 'postgres' && databaseUrl === undefined) fail('RATE_LIMIT_STORE=postgres needs DATABASE_URL');
  const liveSockets = Number(env.LIVE_SOCKETS_PER_ADDRESS ?? 50);
  if (!Number.isSafeInteger(liveSockets) || liveSockets < 1) {
    fail(`LIVE_SOCKETS_PER_ADDRESS must be a whole number of at least 1, got "${env.LIVE_SOCKETS_PER_ADDRESS}"`);
  }
  const megabytes = (variable: string, fallback: number): number => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback * 1024 * 1024;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || value > 1024)
      fail(`${variable} must be a number of megabytes from 0 to 1024, got "${raw}"`);
    return Math.round(value * 1024 * 1024);
  };
  const ocrWorkers = Number(env.OCR_WORKERS ?? 1);
  if (!Number.isSafeInteger(ocrWorkers) || ocrWorkers < 1 || ocrWorkers > 16)
    fail(`OCR_WORKERS must be a whole number from 1 to 16, got "${env.OCR_WORKERS}"`);
  const trustProxy = parseTrustProxy(env.TRUST_PROXY);
  if (typeof trustProxy === 'string') fail(trustProxy);
  const host = env.HOST ?? '127.0.0.1';
  const secretKey = env.SECRET_KEY === undefined || env.SECRET_KEY === '' ? undefined : env.SECRET_KEY;
  if (secretKey !== undefined && secretKey.length < 32) fail('SECRET_KEY must be at least 32 characters (e.g. openssl rand -base64 32)');
  return {
    port,
    host,
    // Relative to where the command was typed (pnpm runs scripts inside the package folder).
    dataDir: env.DATA_DIR === undefined || env.DATA_DIR === '' ? DEFAULTS.data : resolve(env.INIT_CWD ?? process.cwd(), env.DATA_DIR),
    databaseUrl,
    databaseListenUrl,
    databaseReplicaUrl,
    production: env.NODE_ENV === 'production',
    rateLimits: rateLimits === 'on',
    limits: rateLimits === 'on' ? limits : null,
    rateLimitStore: store === '' ? (databaseUrl === undefined ? 'memory' : 'postgres') : (store as 'memory' | 'postgres'),
    logLevel: env.LOG_LEVEL ?? 'info',
    analyzeIntervalMs: Number(env.ANALYZE_INTERVAL_MS ?? 60_000),
    trustProxy,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    webBuildDir:
      env.WEB_BUILD_DIR === undefined || env.WEB_BUILD_DIR === ''
        ? DEFAULTS.web
        : resolve(env.INIT_CWD ?? process.cwd(), env.WEB_BUILD_DIR),
    migrationsDir: DEFAULTS.migrations,
    liveSocketsPerAddress: liveSockets,
    maxImageBytes: megabytes('UPLOAD_MAX_IMAGE_MB', 10),
    maxDocumentBytes: megabytes('UPLOAD_MAX_PDF_MB', 20),
    ocrWorkers,
    mail: parseMail(env, port, host),
    secretKey
  };
}
