// The ceiling for pnpm bench: a bare Fastify route with a response schema, no database.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({
  status: 'ok'
}));
await app.listen({ port: Number(process.env.PORT ?? 3099), host: '127.0.0.1' });
