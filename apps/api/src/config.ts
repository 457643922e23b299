import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** PGlite data directory (used when databaseUrl is undefined). */
  dataDir: string;
  databaseUrl: string | undefined;
  production: boolean;
  rateLimits: boolean;
  logLevel: string;
  trustProxy: boolean;
  /** Extra origins (scheme://host[:port]) accepted for cookie writes besides the request's own host. */
  allowedOrigins: string[];
  /** PGlite only: how often to refresh planner statistics after writes. */
  analyzeIntervalMs: number;
  /** The built SvelteKit app (adapter-node); served for every non-API path when present. */
  webBuildDir: string;
}

function fail(message: string): never {
  throw new Error(`configuration: ${message}`);
}

/** Reads the environment once, at boot, and fails fast with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT must be 0-65535, got "${env.PORT}"`);
  const databaseUrl = env.DATABASE_URL === undefined || env.DATABASE_URL === '' ? undefined : env.DATABASE_URL;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    fail('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const rateLimits = (env.RATE_LIMITS ?? 'on').toLowerCase();
  if (!['on', 'off'].includes(rateLimits)) fail('RATE_LIMITS must be on or off');
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    // Relative to where the command was typed (pnpm runs scripts inside the package folder).
    dataDir:
      env.DATA_DIR === undefined || env.DATA_DIR === ''
        ? new URL('../../../data', import.meta.url).pathname
        : resolve(env.INIT_CWD ?? process.cwd(), env.DATA_DIR),
    databaseUrl,
    production: env.NODE_ENV === 'production',
    rateLimits: rateLimits === 'on',
    logLevel: env.LOG_LEVEL ?? 'info',
    analyzeIntervalMs: Number(env.ANALYZE_INTERVAL_MS ?? 60_000),
    trustProxy: env.TRUST_PROXY === 'true' || env.TRUST_PROXY === '1',
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    webBuildDir:
      env.WEB_BUILD_DIR === undefined || env.WEB_BUILD_DIR === ''
        ? new URL('../../web/build', import.meta.url).pathname
        : resolve(env.INIT_CWD ?? process.cwd(), env.WEB_BUILD_DIR)
  };
}
