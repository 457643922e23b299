import type { Database, Db } from '@bmet/db/client';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { SharedReads } from '../lib/shared-reads.ts';

declare module 'fastify' {
  interface FastifyInstance {
    database: Database;
    db: Db;
    /** Where a read that tolerates a little lag goes: the replica when it holds what this reader must see (lib/replica.ts). */
    readDb(request: FastifyRequest): Db;
    /** Where a read kept for every reader goes (lib/shared-reads.ts): where an anonymous read would. */
    sharedReadDb(): Db;
    /** Reads that are the same for every reader, kept until a write (lib/shared-reads.ts). */
    sharedReads: SharedReads;
  }
}

export const dbPlugin = fp<{ database: Database }>(async (app, { database }) => {
  app.decorate('database', database);
  app.decorate('db', database.db);
});
