import { openTestDatabase } from '@bmet/db/test-support';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { call, expectError, registerUser, useApp } from './helper.ts';

const ctx = useApp();

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await ctx.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await ctx.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('answers /readyz 503 (and /healthz still 200) when the database is gone', async () => {
    const database = await openTestDatabase(process.env.DATABASE_URL);
    const app = await buildApp({ database });
    await database.close();
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    await app.close();
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('publishes every route of the contract', async () => {
    const res = await call(ctx.app, 'GET', '/openapi.json');
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.data.paths);
    for (const p of [
      '/api/v1/auth/register',
      '/api/v1/auth/login',
      '/api/v1/auth/logout',
      '/api/v1/me',
      '/api/v1/boards',
      '/api/v1/boards/{slug}',
      '/api/v1/boards/{slug}/threads',
      '/api/v1/threads/{id}',
      '/api/v1/threads/{id}/posts'
    ]) {
      expect(paths).toContain(p);
    }
  });
});

describe('malformed requests', () => {
  it('answers bad JSON with 400 bad_json', async () => {
    const { token } = await registerUser(ctx.app);
    expectError(await call(ctx.app, 'POST', '/boards/general/threads', { token, raw: '{"title": ' }), 400, 'bad_json');
    expectError(await call(ctx.app, 'POST', '/auth/login', { raw: 'nope' }), 400, 'bad_json');
  });

  it('answers a body over 1 MB with 413 too_large', async () => {
    const { token } = await registerUser(ctx.app);
    const res = await call(ctx.app, 'POST', '/boards/general/threads', {
      token,
      body: { title: 'Too large', body: 'x'.repeat(1024 * 1024 + 10) }
    });
    expectError(res, 413, 'too_large');
  });

  it('answers a body that is not an object with 400', async () => {
    const { token } = await registerUser(ctx.app);
    expectError(await call(ctx.app, 'POST', '/boards/general/threads', { token, raw: '[1,2]' }), 400, 'validation_failed');
    expectError(await call(ctx.app, 'POST', '/boards/general/threads', { token, raw: 'null' }), 400, 'validation_failed');
  });

  it('answers unknown API paths with the error body', async () => {
    expectError(await call(ctx.app, 'GET', '/no/such/route'), 404, 'not_found');
  });

  it('tags every response with a request id', async () => {
    const res = await call(ctx.app, 'GET', '/boards', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
  });
});
