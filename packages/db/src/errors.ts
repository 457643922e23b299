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

/** Walks an error and what it wraps (Drizzle's `cause`, Node's AggregateError), bounded. */
function someError(err: unknown, test: (code: string | undefined, message: string) => boolean): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < 10) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || seen.has(e)) continue;
    seen.add(e);
    const { code, message, cause, errors } = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (test(typeof code === 'string' ? code : undefined, typeof message === 'string' ? message : '')) return true;
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return false;
}

export function isUnavailable(err: unknown): boolean {
  return someError(err, (code, message) => (code !== undefined && UNAVAILABLE_CODES.has(code)) || UNAVAILABLE_MESSAGES.test(message));
}

/**
 * Conflicts the database resolves by failing one side, worth trying again in a moment: a
 * serialization failure, a deadlock, a statement cancelled by its timeout. Also answered 503.
 */
export function isTransient(err: unknown): boolean {
  return someError(err, (code) => code === '40001' || code === '40P01' || code === '57014');
}

const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', '57P01', '57P02', '08003', '08006']);
const LOST_MESSAGES =
  /connection terminated|terminating connection|is not queryable|client was closed|server closed the connection unexpectedly/i;

/**
 * A connection that was there and went away mid-query (a restart): the pool has a fresh one
 * for the next try. Not a refused or timed-out connect: trying again at once would only double
 * the wait for the 503.
 */
export function isLostConnection(err: unknown): boolean {
  return someError(err, (code, message) => (code !== undefined && LOST_CODES.has(code)) || LOST_MESSAGES.test(message));
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
