import type { Database, Db } from '@bmet/db/client';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    database: Database;
    db: Db;
    /** Where a read that tolerates a little lag goes: the replica when it holds what this reader must see (lib/replica.ts). */
    readDb(request: FastifyRequest): Db;
  }
}

export const dbPlugin = fp<{ database: Database }>(async (app, { database }) => {
  app.decorate('database', database);
  app.decorate('db', database.db);
});
