/**
 * Whether an error means the database is not there (down, restarting, failing over, out of
 * connections) rather than that the query was wrong. Such a failure is answered 503 and the
 * pool replaces the connection by itself.
 */
const UNAVAILABLE_CODES = new Set([
  // Node's socket errors
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // PostgreSQL: connection exceptions (class 08), shutdowns and start-up
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300'
]);

const UNAVAILABLE_MESSAGES =
  /connection terminated|terminating connection|timeout exceeded when trying to connect|connection timeout|is not queryable|client was closed|cannot use a pool after calling end|the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)|server closed the connection unexpectedly/i;

export function isUnavailable(err: unknown): boolean {
  // Drizzle wraps driver errors (DrizzleQueryError.cause); Node wraps connection attempts to
  // several addresses in an AggregateError.
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < 10) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || seen.has(e)) continue;
    seen.add(e);
    const { code, message, cause, errors } = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return false;
}

/** A plain read that can be sent again after a lost connection without changing anything. */
export function isRetryableRead(text: unknown): boolean {
  return (
    typeof text === 'string' &&
    /^\s*select\b/i.test(text) &&
    !/\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b/i.test(text) &&
    !/\b(pg_notify|pg_advisory\w*|nextval|setval)\s*\(/i.test(text)
  );
}
