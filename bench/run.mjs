// pnpm bench: HTTP benchmarks with autocannon against 127.0.0.1 only, every run bounded in time.
// Starts the real server (PGlite in a temp dir, or DATABASE_URL's PostgreSQL) and a bare Fastify
// route as the ceiling, seeds a thread of 1,000 posts, then measures. Prints a markdown table.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { build } from '../scripts/build.mjs';
import { api, waitFor } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const POSTS = Number(process.env.BENCH_POSTS ?? 1000);
const BIG = Number(process.env.BENCH_BIG_POSTS ?? 5000);

function startProcess(args, env, cwd) {
  const child = spawn(join(root, 'apps/api/node_modules/.bin/tsx'), args, {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'warn', RATE_LIMITS: 'off', ...env },
    stdio: ['ignore', 'inherit', 'inherit']
  });
  return child;
}

function run(name, opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }, (err, r) => {
      if (err) return reject(err);
      const non2xx = r.non2xx + r.errors;
      resolve({ name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx, total: r.requests.total });
    });
  });
}

const port = 3900 + Math.floor(Math.random() * 50);
const ceilingPort = port + 60;
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'bmet-bench-'));
// The compiled server, as `pnpm start` runs it (built first if the sources changed).
const buildDir = await build();
const server = spawn(process.execPath, [join(buildDir, 'server.js')], {
  cwd: buildDir,
  env: { ...process.env, LOG_LEVEL: 'warn', RATE_LIMITS: 'off', PORT: String(port), DATA_DIR: dataDir, ANALYZE_INTERVAL_MS: '2000' },
  stdio: ['ignore', 'inherit', 'inherit']
});
const ceiling = startProcess(['bench/ceiling.ts'], { PORT: String(ceilingPort) }, join(root, 'apps/api'));
const results = [];
try {
  await waitFor(`${base}/readyz`);
  await waitFor(`http://127.0.0.1:${ceilingPort}/`);
  const stamp = Date.now().toString(36);
  const asker = await api(base, 'POST', '/auth/register', {
    username: `bench_a_${stamp}`,
    email: `a_${stamp}@bench.test`,
    password: 'benchmark password 1',
    profession: 'BMET'
  });
  const answerer = await api(base, 'POST', '/auth/register', {
    username: `bench_b_${stamp}`,
    email: `b_${stamp}@bench.test`,
    password: 'benchmark password 2',
    profession: 'CE'
  });
  // A realistic tree: half the replies answer the opening post, the rest nest under earlier ones.
  async function seedThread(count, title) {
    const { thread, post: root } = await api(
      base,
      'POST',
      '/boards/bmet/threads',
      {
        title,
        body: 'Seeded by pnpm bench.',
        kind: 'question',
        equipment: { manufacturer: 'BD', model: 'Alaris 8015', category: 'infusion pump', errorCode: '255-10-820' }
      },
      asker.token
    );
    const ids = [root.id];
    for (let i = 1; i < count; i++) {
      const parentId = i % 2 === 0 ? root.id : ids[Math.floor(Math.random() * ids.length)];
      const token = i % 3 === 0 ? asker.token : answerer.token;
      const { post } = await api(
        base,
        'POST',
        `/threads/${thread.id}/posts`,
        {
          body: `Reply ${i}: checked the **pressure transducer**, cleaned the door sensor, error ${i % 7}.`,
          parentId
        },
        token
      );
      ids.push(post.id);
    }
    return { thread, root };
  }
  async function cursorAt(threadId, position) {
    let cursor = null;
    for (let seen = 0; seen < position;) {
      const limit = Math.min(200, position - seen);
      const page = await api(base, 'GET', `/threads/${threadId}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      cursor = page.nextCursor;
      seen += limit;
    }
    return cursor;
  }
  const t0 = Date.now();
  const { thread, root: root0 } = await seedThread(POSTS, 'Benchmark: Alaris 8015 channel error 255-10-820');
  const big = await seedThread(BIG, 'Benchmark: a very long thread');
  console.error(`seeded ${POSTS} + ${BIG} posts in ${Date.now() - t0} ms`);
  // Measure a database whose statistics are current, as autovacuum (PostgreSQL) or the
  // server's own ANALYZE after writes (PGlite, interval shortened above) keep them.
  if (process.env.DATABASE_URL) spawnSync('psql', [process.env.DATABASE_URL, '-qc', 'ANALYZE'], { stdio: 'inherit' });
  else await new Promise((r) => setTimeout(r, 3000));
  const cursor = await cursorAt(thread.id, POSTS / 2);
  const lastCursor = await cursorAt(big.thread.id, BIG - 50);

  results.push(await run('plain Fastify route (ceiling)', { url: `http://127.0.0.1:${ceilingPort}/` }));
  results.push(await run('GET /boards', { url: `${base}/api/v1/boards` }));
  results.push(await run(`GET /threads/:id first page (50 of ${POSTS})`, { url: `${base}/api/v1/threads/${thread.id}` }));
  results.push(
    await run(`GET /threads/:id middle page (50 after #${POSTS / 2})`, { url: `${base}/api/v1/threads/${thread.id}?cursor=${cursor}` })
  );
  results.push(await run(`GET /threads/:id first page (50 of ${BIG})`, { url: `${base}/api/v1/threads/${big.thread.id}` }));
  results.push(
    await run(`GET /threads/:id last page (50 of ${BIG})`, { url: `${base}/api/v1/threads/${big.thread.id}?cursor=${lastCursor}` })
  );
  // Signed in, a thread page also reads the reader's position and votes; the list adds the
  // new-reply counts (one primary-key lookup per page).
  const signedIn = { headers: { authorization: `Bearer ${answerer.token}` } };
  results.push(
    await run(`GET /threads/:id first page, signed in (50 of ${POSTS})`, { url: `${base}/api/v1/threads/${thread.id}`, ...signedIn })
  );
  results.push(await run('GET /boards/bmet/threads', { url: `${base}/api/v1/boards/bmet/threads` }));
  results.push(
    await run('GET /boards/bmet/threads, signed in (new-reply counts)', { url: `${base}/api/v1/boards/bmet/threads`, ...signedIn })
  );
  // The pages people load: server-rendered HTML, as a browser asks for it (compressed), signed out
  // and in (the session cookie).
  const browser = { 'accept-encoding': 'br, gzip', accept: 'text/html' };
  const cookie = { ...browser, cookie: `session=${answerer.token}` };
  results.push(await run(`GET /t/:id HTML (50 of ${POSTS})`, { url: `${base}/t/${thread.id}`, headers: browser }));
  // The same page rendered for every request, as after each write (a personal cookie keeps the
  // server's page cache out of it): what a cache miss costs.
  const uncached = { ...browser, cookie: 'flash_p=bench' };
  results.push(await run(`GET /t/:id HTML, rendered each time (50 of ${POSTS})`, { url: `${base}/t/${thread.id}`, headers: uncached }));
  results.push(
    await run(`GET /threads/:id first page, rendered each time (50 of ${POSTS})`, {
      url: `${base}/api/v1/threads/${thread.id}`,
      headers: { cookie: 'flash_p=bench' }
    })
  );
  results.push(await run(`GET /t/:id HTML, signed in (50 of ${POSTS})`, { url: `${base}/t/${thread.id}`, headers: cookie }));
  results.push(await run('GET /b/bmet HTML', { url: `${base}/b/bmet`, headers: browser }));
  results.push(await run('GET /b/bmet HTML, signed in', { url: `${base}/b/bmet`, headers: cookie }));
  results.push(await run('GET / HTML (home)', { url: `${base}/`, headers: browser }));
  results.push(await run('GET / HTML (home), signed in', { url: `${base}/`, headers: cookie }));
  let flip = 1;
  results.push(
    await run('POST /posts/:id/vote (alternating +1/-1)', {
      url: `${base}/api/v1/posts/${root0.id}/vote`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${answerer.token}` },
      requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ value: (flip = -flip) }) }) }]
    })
  );
  // The same writers on ten threads: the usual case, where replies do not queue for one thread's row lock.
  const spread = [];
  for (let i = 0; i < 10; i++) {
    const { thread: t, post: p } = await api(
      base,
      'POST',
      '/boards/bmet/threads',
      { title: `Benchmark spread ${i}`, body: 'Spread.' },
      asker.token
    );
    spread.push({ id: t.id, root: p.id });
  }
  let turn = 0;
  results.push(
    await run('POST /threads/:id/posts (reply, 10 threads)', {
      url: `${base}/api/v1/threads/${spread[0].id}/posts`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${answerer.token}` },
      requests: [
        {
          setupRequest: (req) => {
            const target = spread[turn++ % spread.length];
            return {
              ...req,
              path: `/api/v1/threads/${target.id}/posts`,
              body: JSON.stringify({ body: `Benchmark reply ${Math.random()}: checked the **door sensor**.`, parentId: target.root })
            };
          }
        }
      ]
    })
  );
  results.push(
    await run('POST /threads/:id/posts (reply, one thread)', {
      url: `${base}/api/v1/threads/${thread.id}/posts`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${answerer.token}` },
      // Each body differs: the same reply twice in a row is refused as a double submission.
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ body: `Benchmark reply ${Math.random()}: replaced the **air-in-line** sensor.`, parentId: root0.id })
          })
        }
      ]
    })
  );
  // The ceiling again at the end: the machine's noise moves it, and the higher of the two is
  // the fairer denominator (a low one would flatter every share).
  results.push(await run('plain Fastify route (ceiling, again at the end)', { url: `http://127.0.0.1:${ceilingPort}/` }));
} finally {
  server.kill('SIGTERM');
  ceiling.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dataDir, { recursive: true, force: true });
}

const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
console.log(`\n${DURATION}s per run, ${CONNECTIONS} connections, database: ${db}, node ${process.version}\n`);
// Absolute figures move with the machine; a share of the bare route measured in the same run does not (much).
const bare = Math.max(...results.filter((r) => r.name.startsWith('plain Fastify route')).map((r) => r.rps), 1);
const share = (rps) => `${((100 * rps) / bare).toFixed(rps / bare < 0.01 ? 2 : 1)}%`;
console.log('| scenario | req/s | share of bare | p50 ms | p99 ms | non-2xx |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of results) console.log(`| ${r.name} | ${Math.round(r.rps)} | ${share(r.rps)} | ${r.p50} | ${r.p99} | ${r.non2xx} |`);
