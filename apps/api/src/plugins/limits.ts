import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { MemoryRateLimiter, NEW_ACCOUNT_MS, PgRateLimiter, type Limits, type RateLimiter, type UserAction } from '../lib/rate-limit.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The abuse limits in force; null when they are off (RATE_LIMITS=off, tests by default). */
    rateLimits: Limits | null;
    /** The counter shared by every limit of this app; null when limits are off. */
    rateLimiter: RateLimiter | null;
    /**
     * Counts one `action` by the request's user against their limit (the tighter new-account
     * one for accounts younger than a day); rejects with 429 rate_limited and Retry-After once
     * over it. Does nothing when limits are off or nobody is logged in.
     */
    limit(request: FastifyRequest, action: UserAction): Promise<void>;
  }
}

export type LimitStore = 'memory' | 'postgres';

export interface LimitsOptions {
  limits: Limits | null;
  /** memory: this process only (one instance on PGlite); postgres: the rate_limits table, shared by instances. */
  store: LimitStore;
}

const NOUNS: Record<UserAction, string> = {
  thread: 'new threads',
  post: 'posts',
  vote: 'votes',
  report: 'reports',
  upload: 'uploads',
  draft: 'draft saves'
};

export const limitsPlugin = fp<LimitsOptions>(
  async (app, { limits, store }) => {
    const limiter: RateLimiter | null =
      limits === null
        ? null
        : store === 'postgres'
          ? new PgRateLimiter(app.db, (err) => app.log.warn({ err }, 'rate limit sweep failed'))
          : new MemoryRateLimiter();
    app.decorate('rateLimits', limits);
    app.decorate('rateLimiter', limiter);
    app.decorate('limit', async (request: FastifyRequest, action: UserAction): Promise<void> => {
      if (limits === null || limiter === null) return;
      const user = request.user;
      if (user === null || user === undefined) return;
      const young = Date.now() - user.createdAt.getTime() < NEW_ACCOUNT_MS;
      await limiter.hit(`${action}:user:${user.id}`, young ? limits.newAccount[action] : limits[action], NOUNS[action]);
    });
    if (limiter !== null) app.addHook('onClose', async () => limiter.close());
  },
  { name: 'limits' }
);
