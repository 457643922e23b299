import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { call, createThread, registerUser, reply, setRole, useApp, type Res } from './helper.ts';

/**
 * Hostile input over every route the server describes in its OpenAPI document: broken and
 * hostile path parameters, query values, cursors and bodies, as anonymous, member and admin.
 * Nothing may answer 5xx, and every error has the contract's body.
 */
const ctx = useApp();

interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query: string[];
  body: Record<string, unknown> | null;
}

interface Fixture {
  member: string;
  admin: string;
  values: Record<string, string>;
  ids: { thread: string; post: string; report: string };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

const HOSTILE_SEGMENTS = [
  '0',
  '-1',
  '1.5',
  '1e3',
  '9'.repeat(40),
  'x'.repeat(3000),
  '%00',
  'a%00b',
  '%ff',
  '%2e%2e%2f%2e%2e',
  encodeURIComponent('\u202eevil'),
  encodeURIComponent('💥'),
  '%20',
  encodeURIComponent("' or 1=1 --"),
  encodeURIComponent('<script>')
];

/** Cursors of every shape a list might use, with impossible dates and values inside. */
const BAD_CURSORS = [
  'x',
  '%00',
  '!!!',
  b64(['2024-02-30T00:00:00.000Z', 1]),
  b64(['0000-01-01T00:00:00.000Z', 1]),
  b64(['2024-01-01T24:00:00.000Z', 1]),
  b64(['2024-13-01T00:00:00.000Z', 1]),
  b64(['9999-12-31T23:59:59.999Z', 2 ** 60]),
  b64([false, '2024-02-30T00:00:00.000Z', 1]),
  b64([true, '0000-01-01T00:00:00Z', 1]),
  b64([1e308, 1]),
  b64([-0, -1]),
  b64(['0'.repeat(3000)]),
  b64(['0000001']),
  b64([null]),
  b64({ a: 1 }),
  b64('['.repeat(5000)),
  Buffer.from('['.repeat(10_000)).toString('base64url')
];

const HOSTILE_QUERY_VALUES = ['', '-1', '0', '1e309', '201', 'NaN', 'true', '%00', 'x'.repeat(3000), '%ff', encodeURIComponent('\u0000')];

const DEEP_ARRAY = '['.repeat(10_000) + ']'.repeat(10_000);
const DEEP_OBJECT = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);

const HOSTILE_BODIES = [
  DEEP_ARRAY,
  '['.repeat(10_000),
  DEEP_OBJECT,
  'null',
  '[]',
  '"text"',
  '1',
  'true',
  '{}',
  '{',
  'not json',
  '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}',
  JSON.stringify({ body: 'x'.repeat(2 * 1024 * 1024) })
];

const HOSTILE_VALUES: unknown[] = [
  null,
  12345,
  -1,
  1.5,
  true,
  [],
  {},
  'x'.repeat(100_000),
  'a\u0000b',
  '\u202e',
  ['a', ['b', ['c']]],
  { nested: { deeper: { deepest: [1, 2, 3] } } },
  '2024-02-30T00:00:00.000Z',
  '0000-01-01T00:00:00.000Z'
];

function operations(doc: {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: unknown }>>;
}) {
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const schema = (op.requestBody as { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } | undefined)
        ?.content?.['application/json']?.schema;
      out.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        body: op.requestBody === undefined ? null : (schema?.properties ?? {})
      });
    }
  }
  // Deleting routes last, so the fixtures stay for the others as long as possible.
  return out.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
}

/** The path with each parameter filled from the fixture (or the given value for one of them). */
function fill(path: string, fixture: Fixture, override?: { name: string; value: string }): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (override !== undefined && override.name === name) return override.value;
    if (name === 'id') {
      if (path.startsWith('/api/v1/posts')) return fixture.ids.post;
      if (path.startsWith('/api/v1/mod/reports')) return fixture.ids.report;
      return fixture.ids.thread;
    }
    return fixture.values[name] ?? 'general';
  });
}

/** What is wrong with an answer to hostile input (a 5xx, or an error outside the contract's body), or null. */
function breach(res: Res): string | null {
  if (res.statusCode >= 500) return `${res.statusCode} ${res.body.slice(0, 200)}`;
  if (res.statusCode < 400) return null;
  const error = res.data?.error;
  if (typeof error?.code !== 'string' || typeof error?.message !== 'string') return `error body ${res.body.slice(0, 200)}`;
  if (res.body.includes('    at ')) return 'a stack trace in the body';
  return null;
}

function expectContract(res: Res, what: string): void {
  expect(breach(res), what).toBeNull();
}

async function inject(op: Operation, url: string, token: string | undefined, payload?: string, headers: Record<string, string> = {}) {
  return call(ctx.app, op.method, url.replace(/^\/api\/v1/, ''), {
    ...(token === undefined ? {} : { token }),
    ...(payload === undefined ? {} : { raw: payload }),
    headers
  });
}

async function setUp(): Promise<{ fixture: Fixture; ops: Operation[] }> {
  const member = await registerUser(ctx.app);
  const admin = await registerUser(ctx.app);
  await setRole(ctx.app, admin.user.id, 'admin');
  const other = await registerUser(ctx.app);
  const { thread } = await createThread(ctx.app, member.token, {
    kind: 'question',
    tags: ['alarm'],
    equipment: { manufacturer: 'Baxter', model: 'Sigma Spectrum', errorCode: 'E-203' }
  });
  const post = await reply(ctx.app, other.token, thread.id, 'Check the downstream sensor.');
  const report = await call(ctx.app, 'POST', `/posts/${post.id}/report`, { token: member.token, body: { reason: 'spam' } });
  const doc = (await call(ctx.app, 'GET', '/openapi.json')).data;
  return {
    ops: operations(doc),
    fixture: {
      member: member.token,
      admin: admin.token,
      ids: { thread: thread.id, post: post.id, report: report.data.report.id },
      values: { slug: 'bmet', username: other.user.username, manufacturer: 'baxter', model: 'sigma-spectrum', name: 'alarm' }
    }
  };
}

describe('hostile input over every route in the OpenAPI description', () => {
  it('answers list cursors of any shape with 200 or 400 (fast-check)', { timeout: 300_000 }, async () => {
    const { fixture } = await setUp();
    const lists = [
      '/boards/bmet/threads',
      '/boards/bmet/threads?sort=top',
      '/boards/bmet/threads?sort=unanswered',
      '/boards/bmet/threads?sort=solved',
      `/threads/${fixture.ids.thread}`,
      '/equipment/models/baxter/sigma-spectrum',
      '/tags/alarm/threads',
      `/users/${fixture.values.username}/posts`,
      '/notifications',
      '/mod/reports',
      '/mod/reports?status=resolved',
      '/mod/log'
    ];
    const date = fc
      .tuple(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 14 }),
        fc.integer({ min: 0, max: 33 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 })
      )
      .map(([y, mo, d, h, mi]) => {
        const p = (n: number, w = 2) => String(n).padStart(w, '0');
        return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:00.000Z`;
      });
    const part = fc.oneof(
      date,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.string({ maxLength: 40 }),
      fc.stringMatching(/^[0-9]{1,30}$/),
      fc.constant(null)
    );
    const cursor = fc.oneof(
      fc.array(part, { maxLength: 4 }).map(b64),
      fc.string({ maxLength: 60 }).map((s) => encodeURIComponent(s)),
      fc.base64String({ maxLength: 80 }).map((s) => encodeURIComponent(s))
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...lists), cursor, fc.constantFrom(fixture.admin, fixture.member), async (list, c, token) => {
        const url = `${list}${list.includes('?') ? '&' : '?'}cursor=${c}`;
        const res = await call(ctx.app, 'GET', url, { token });
        expectContract(res, `GET ${url}`);
        if (res.statusCode !== 200) expect([400, 403, 404], `GET ${url}`).toContain(res.statusCode);
      }),
      { numRuns: 600 }
    );
  });

  it('never answers 5xx to broken path parameters, queries, cursors or bodies, whoever calls', { timeout: 600_000 }, async () => {
    const { fixture, ops } = await setUp();
    expect(ops.length).toBeGreaterThan(40);
    const failures: string[] = [];
    const check = (res: Res, what: string) => {
      const wrong = breach(res);
      if (wrong !== null) failures.push(`${what}: ${wrong}`);
    };
    const callers: [string, string | undefined][] = [
      ['anonymous', undefined],
      ['member', fixture.member],
      ['admin', fixture.admin]
    ];
    for (const op of ops) {
      const validBody = op.body === null ? undefined : '{}';
      for (const [who, token] of callers) {
        const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        for (const name of params) {
          for (const value of HOSTILE_SEGMENTS) {
            const url = fill(op.path, fixture, { name, value });
            check(await inject(op, url, token, validBody), `${who} ${op.method} ${url.slice(0, 120)}`);
          }
        }
        const base = fill(op.path, fixture);
        for (const q of op.query) {
          const values = q === 'cursor' ? [...BAD_CURSORS, ...HOSTILE_QUERY_VALUES] : HOSTILE_QUERY_VALUES;
          for (const value of values) {
            const url = `${base}?${q}=${value}`;
            check(await inject(op, url, token, validBody), `${who} ${op.method} ${url.slice(0, 160)}`);
          }
          check(await inject(op, `${base}?${q}=1&${q}=2`, token, validBody), `${who} ${op.method} ${base} repeated ${q}`);
        }
        if (op.body === null) continue;
        for (const payload of HOSTILE_BODIES) {
          check(await inject(op, base, token, payload), `${who} ${op.method} ${base} body ${payload.slice(0, 40)}`);
        }
        for (const property of Object.keys(op.body)) {
          for (const value of HOSTILE_VALUES) {
            const payload = JSON.stringify({ [property]: value });
            check(await inject(op, base, token, payload), `${who} ${op.method} ${base} ${property}=${payload.slice(0, 60)}`);
          }
        }
        const form = await inject(op, base, token, 'a=b', { 'content-type': 'application/x-www-form-urlencoded' });
        check(form, `${who} ${op.method} ${base} as a form`);
        if (form.statusCode < 400) failures.push(`${who} ${op.method} ${base} took a form body`);
      }
    }
    expect([...new Set(failures)].slice(0, 60)).toEqual([]);
  });
});

describe('requests the HTTP parser refuses, over a real socket', () => {
  it('answers a body past a short Content-Length, and broken request lines, in the contract’s error body', async () => {
    const { createConnection } = await import('node:net');
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (ctx.app.server.address() as { port: number }).port;
    const exchange = (raw: string) =>
      new Promise<string>((resolve) => {
        let got = '';
        const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.end(raw));
        socket.on('data', (chunk) => (got += chunk.toString()));
        socket.on('close', () => resolve(got));
        socket.on('error', () => resolve(got));
      });
    const body = '{"login":"someone","password":"a long password"}';
    // The declared length cuts the JSON short; what follows is not a request at all.
    const short = await exchange(
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n${body}`
    );
    const answers = short.split(/(?=HTTP\/1\.1 )/).filter((a) => a.startsWith('HTTP/1.1'));
    expect(answers.length).toBeGreaterThanOrEqual(1);
    for (const answer of answers) {
      expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
      const json = JSON.parse(
        answer
          .slice(answer.indexOf('\r\n\r\n') + 4)
          .trim()
          .split('\r\n')
          .pop()!
      );
      expect(typeof json.error.code).toBe('string');
      expect(typeof json.error.message).toBe('string');
    }
    for (const raw of ['GARBAGE\r\n\r\n', `GET /api/v1/boards HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(100_000)}\r\n\r\n`]) {
      const answer = await exchange(raw);
      expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('bad_request');
    }
  });
});
